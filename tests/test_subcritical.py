"""Subcritical regime: bias expansion, CLT covariance, n_eff, Monte Carlo, CLI — against independent routes."""
import io
import json
import contextlib

import mpmath
import pytest
import sympy as sp

from attnlimits.cli.main import main
from attnlimits.numerics.special.bessel_ratio import mean_resultant, mean_resultant_ball
from attnlimits.numerics.montecarlo.stats import family_verdict
from attnlimits.numerics.laws.subcritical import (clt_covariance, clt_variances, clt_variances_hyp0f1,
                                                  clt_variances_quadrature, monte_carlo_comparisons, n_eff,
                                                  output_bias, ratio_bias, subcritical_summary)
from attnlimits.theory.bessel_asymptotics import hankel_coefficients, hankel_product_formula, mu
from attnlimits.theory.sphere import d as dsym
from attnlimits.theory.subcritical import (beta as bsym, bias_coefficients, clt_variances_symbolic,
                                           crossover_exponents, mgf_ode_residual, ratio_bias_symbolic,
                                           small_beta_coefficients)


def test_hankel_derived_equals_product_formula():
    cs = hankel_coefficients(10, mu)
    assert all(sp.expand(cs[k] - hankel_product_formula(k, mu)) == 0 for k in range(11))


def test_hankel_coefficients_numerically():
    # (I_m(x) sqrt(2 pi x) e^{-x} - sum_{k<K} c_k x^-k) x^K -> c_K, with mpmath's besseli as the reference
    m, K = sp.Rational(7, 3), 4
    with mpmath.workdps(60):
        cs = [mpmath.mpf(str(sp.N(c.subs(mu, m), 60))) for c in hankel_coefficients(K + 1, mu)]
        x = mpmath.mpf(10) ** 5
        s = mpmath.besseli(mpmath.mpf(7) / 3, x) * mpmath.sqrt(2 * mpmath.pi * x) * mpmath.exp(-x)
        est = (s - sum(cs[k] / x**k for k in range(K))) * x**K
        assert abs(est - cs[K]) < 2 * abs(cs[K + 1]) / x


def test_bias_expansion_half_integer_closed_forms():
    # d = 3: A_3 = coth b - 1/b = 1 - 1/b + O(e^{-2b}); d = 5: A_5 = I_{5/2}/I_{3/2} = (1 - 3 A_3/b)/A_3
    # (recurrence DLMF 10.29.1 on elementary half-integer Bessel functions). Both exact up to e^{-2b} terms.
    w = sp.Symbol("w", positive=True)
    a3 = 1 - w
    a5 = sp.series((1 - 3 * a3 * w) / a3, w, 0, 7).removeO()
    b3 = bias_coefficients(6, 3)
    b5 = bias_coefficients(6, 5)
    assert b3 == [1, -1, 0, 0, 0, 0, 0]
    assert all(sp.simplify(b5[k] - a5.coeff(w, k)) == 0 for k in range(7))
    # symbolic d: the first two corrections of docs/mathematics.md §5.2, re-derived
    b = bias_coefficients(2)
    assert sp.simplify(b[1] + (dsym - 1) / 2) == 0
    assert sp.simplify(b[2] - (dsym - 1) * (dsym - 3) / 8) == 0


def test_bias_coefficients_against_high_precision():
    # beta^k (A - sum_{j<k} b_j beta^-j) -> b_k at beta = 1e8 with 80 digits (first three coefficients, d = 7, 1000)
    for d in (7, 1000):
        b = bias_coefficients(4, d)
        with mpmath.workdps(100):
            beta = mpmath.mpf(10) ** 8
            A = mean_resultant(d, beta, 90)
            acc = mpmath.mpf(0)
            for k in range(4):
                bk = mpmath.mpf(str(sp.N(b[k], 60)))
                est = (A - acc) * beta**k
                assert abs(est - bk) <= 2 * (abs(mpmath.mpf(str(sp.N(b[k + 1], 60)))) + 1) / beta
                acc += bk / beta**k


def test_small_beta_series():
    # d = 3: coth b - 1/b = b/3 - b^3/45 + 2 b^5/945 - ... (Laurent series of coth, elementary)
    s = small_beta_coefficients(3, 3)
    ref = sp.series(sp.coth(bsym) - 1 / bsym, bsym, 0, 9).removeO()
    assert all(sp.simplify(s[k] - ref.coeff(bsym, 2 * k + 1)) == 0 for k in range(4))
    s = small_beta_coefficients(1)
    assert sp.simplify(s[0] - 1 / dsym) == 0  # uniform averaging: A_d ~ beta/d


def test_mgf_ode_and_symbolic_variances():
    assert mgf_ode_residual() == 0
    v = clt_variances_symbolic()
    A1, A2, R = sp.symbols("A_1 A_2 R", positive=True)
    assert sp.simplify(v["var_perp"] - R * A2 / (2 * bsym)) == 0
    assert sp.simplify(ratio_bias_symbolic() - R * (A1 - A2)) == 0


def _d3_exact(beta):
    # X uniform on [-1, 1]: every moment is an elementary integral; computed by sympy, evaluated at 60 digits
    x, b = sp.symbols("x b", positive=True)
    bb = sp.Rational(beta)
    M = lambda s: sp.integrate(sp.exp(s * x), (x, -1, 1)) / 2  # noqa: E731
    A = sp.integrate(x * sp.exp(bb * x), (x, -1, 1)) / 2 / M(bb)
    par = sp.integrate((x - A) ** 2 * sp.exp(2 * bb * x), (x, -1, 1)) / 2 / M(bb) ** 2
    perp = sp.integrate((1 - x**2) * sp.exp(2 * bb * x), (x, -1, 1)) / 2 / 2 / M(bb) ** 2
    with mpmath.workdps(60):
        return {k: mpmath.mpf(str(sp.N(e, 60))) for k, e in (("mean_resultant", A), ("var_parallel", par),
                                                              ("var_perp", perp))}


@pytest.mark.parametrize("beta", ["1/3", "5", "40"])
def test_clt_variances_d3_elementary(assert_digits, beta):
    ref = _d3_exact(beta)
    bval = float(sp.Rational(beta))
    v = clt_variances(3, bval if beta != "1/3" else sp.Rational(1, 3), 40)
    for k in ref:
        assert_digits(getattr(v, k), ref[k], 40)


@pytest.mark.parametrize("d,beta", [(4096, 100), (512, 1), (3, 10**8), (10**4, 10**8), (2, 1e-8)])
def test_clt_variances_corners_against_0f1(assert_digits, d, beta):
    v = clt_variances(d, beta, 40)
    h = clt_variances_hyp0f1(d, beta, 50)
    for k in ("var_parallel", "var_perp"):
        assert_digits(getattr(v, k), getattr(h, k), 40)


@pytest.mark.parametrize("d,beta", [(2, 0.7), (9, 12)])
def test_clt_variances_against_quadrature(assert_digits, d, beta):
    v = clt_variances(d, beta, 30)
    q = clt_variances_quadrature(d, beta, 35)
    for k in ("mean_resultant", "var_parallel", "var_perp"):
        assert_digits(getattr(v, k), getattr(q, k), 30)


def test_covariance_matrix_with_value_matrix(assert_digits):
    v = clt_variances(3, 2, 30)
    S = clt_covariance(3, 2, 30)
    assert S[0, 0] == v.var_parallel and S[1, 1] == v.var_perp and S[0, 1] == 0
    # V = [[1, 1, 0]]: variance of y_1 + y_2 is var_par + var_perp (independent coordinates, q = e_1)
    s = clt_covariance(3, 2, 30, V=[[1, 1, 0]])
    with mpmath.workdps(50):
        assert_digits(s[0, 0], v.var_parallel + v.var_perp, 30)
    # a rotated query: q = (0, 0, 1) puts var_par in the last entry
    s = clt_covariance(3, 2, 30, q=[0, 0, 1])
    assert_digits(s[2, 2], v.var_parallel, 30)
    assert_digits(s[0, 0], v.var_perp, 30)


def test_n_eff_d3(assert_digits):
    # d = 3: kappa_3 = 1/2, alpha = 1, so n_eff = n / (2 beta)
    assert_digits(n_eff(10**6, 3, 10, 30), mpmath.mpf(50000), 30)


def test_crossover_exponents():
    ex = crossover_exponents()
    assert sp.simplify(ex["e_cross"] - 2 / (dsym + 1)) == 0
    assert sp.simplify(ex["e_crit"] - 2 / (dsym - 1)) == 0


def test_ratio_bias_sign_and_size(assert_digits):
    # R (A(b) - A(2b)) < 0 because A is increasing; at d = 3 it equals b coth b (coth b - 1/b - coth 2b + 1/(2b))/n
    with mpmath.workdps(60):
        b = mpmath.mpf(5)
        ref = b * mpmath.coth(b) * (mpmath.coth(b) - 1 / b - mpmath.coth(2 * b) + 1 / (2 * b)) / 1000
    assert_digits(ratio_bias(1000, 3, 5, 30), ref, 30)


@pytest.mark.parametrize("beta", ["1e8", "1e20"])
def test_ratio_bias_large_beta_d3(assert_digits, beta):
    # A_3(b) - A_3(2b) ~ 1/(2b) cancels log10(b) digits (at 1e20, forming it from values rounded to digits + 15
    # leaves 26 of 30 digits); the elementary d = 3 closed form at 120 digits is the reference
    with mpmath.workdps(120):
        b = mpmath.mpf(beta)
        ref = b * mpmath.coth(b) * (mpmath.coth(b) - 1 / b - mpmath.coth(2 * b) + 1 / (2 * b)) / 1000
    assert_digits(ratio_bias(1000, 3, beta, 30), ref, 30)


@pytest.mark.parametrize("d,beta", [(4096, 100), (3, 10**8), (7, 37.5)])
def test_hyp0f1_route_gives_mgf_ratio_and_A_2beta(assert_digits, d, beta):
    # the 0F1 route forms R = M(2b)/M(b)^2 and A_d(2b) = M'(2b)/M(2b) without any Bessel function
    v = clt_variances(d, beta, 40)
    h = clt_variances_hyp0f1(d, beta, 45)
    assert_digits(v.mgf_ratio, h.mgf_ratio, 40)
    assert_digits(v.mean_resultant_2beta, h.mean_resultant_2beta, 40)


def test_output_bias_keeps_digits_at_large_beta(assert_digits):
    # d = 3, beta = 1e12: A_3 - 1 = coth b - 1/b - 1 = -1/b + O(e^{-2b}) cancels 12 digits of A_3
    with mpmath.workdps(120):
        b = mpmath.mpf(10) ** 12
        ref = mpmath.coth(b) - 1 / b - 1
    assert_digits(output_bias(3, "1e12", 40), ref, 40)


def test_summary_d3_closed_forms(assert_digits):
    # d = 3: A_3 = coth b - 1/b, R = b coth b, kappa_3 Gamma(2) = 1/2, and the elementary variances of _d3_exact
    n = 10**6
    ref = _d3_exact("40")
    s = subcritical_summary(3, 40, n, 30)
    with mpmath.workdps(120):
        b = mpmath.mpf(40)
        assert_digits(s.mean_resultant, ref["mean_resultant"], 30)
        assert_digits(s.bias, mpmath.coth(b) - 1 / b - 1, 30)
        assert_digits(s.kish_n, n / (b * mpmath.coth(b)), 30)
        assert_digits(s.n_eff, n / (2 * b), 30)
        assert_digits(s.sd_parallel, mpmath.sqrt(ref["var_parallel"] / n), 30)
        assert_digits(s.sd_perp, mpmath.sqrt(ref["var_perp"] / n), 30)
        assert_digits(s.ratio_bias, b * mpmath.coth(b) * (mpmath.coth(b) - 1 / b - mpmath.coth(2 * b) + 1 / (2 * b)) / n,
                      30)
    without_n = subcritical_summary(3, 40, digits=10)
    assert without_n.n is None and without_n.n_eff is None and without_n.kish_n is None


def test_monte_carlo_small():
    comps = monte_carlo_comparisons(3000, 3, 5.0, 400, 2024)
    ok, fig = family_verdict(comps)
    assert ok, fig
    # the same data must reject a wrong variance (1.5 x the exact one): the test has power
    from attnlimits.numerics.laws.subcritical import variance_compare
    from attnlimits.numerics.montecarlo.sampling import replicates
    rep = replicates(3000, 3, 5.0, 400, 2024)
    wrong = variance_compare("wrong", rep.perp_coord, 1.5 * float(clt_variances(3, 5, 20).var_perp), scale=3000)
    assert abs(wrong.z) > 5


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(argv)
    return rc, out.getvalue(), err.getvalue()


def test_cli_json(assert_digits):
    rc, out, _ = _run(["law", "subcritical", "--d", "512", "--beta", "1", "--n", "1e6", "--digits", "30", "--json"])
    assert rc == 0
    data = json.loads(out)
    for key in ("mean_resultant", "bias", "var_parallel", "var_perp", "n_eff"):
        assert isinstance(data[key], str)
    ball = mean_resultant_ball(512, 1, 50)
    with mpmath.workdps(60):
        mid = mpmath.mpf(ball.mid().str(50, radius=False))
        assert mpmath.nstr(mid, 30, strip_zeros=False) == data["mean_resultant"]
        assert_digits(mpmath.mpf(data["bias"]), mid - 1, 29)


@pytest.mark.parametrize("argv", [["--d", "3", "--beta", "0"], ["--d", "3", "--beta", "-2"],
                                  ["--d", "3", "--beta", "nan"], ["--d", "3", "--beta", "inf"],
                                  ["--d", "1", "--beta", "1"], ["--d", "3", "--beta", "1", "--n", "0"],
                                  ["--d", "3", "--beta", "1", "--digits", "0"]])
def test_cli_bad_input(argv):
    rc, out, err = _run(["law", "subcritical"] + argv)
    assert rc == 2 and out == "" and len(err.strip().splitlines()) == 1
