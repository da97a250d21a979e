"""The cap law for uniform keys: exact objects (theory/cap.py, theory/watson.py) and their numerics (numerics/laws/cap.py).

Reference values come from routes independent of the code under test: closed forms worked by hand,
mpmath's betainc at 60 digits, mpmath quadrature of the density of X, Arb balls.
"""
import mpmath
import pytest
import sympy as sp

from attnlimits.numerics.laws import cap as ncap
from attnlimits.numerics.laws import sphere as nsphere
from attnlimits.theory import cap, sphere, watson
from attnlimits.theory.validation import InputError

d, t, beta, n = sphere.d, sphere.t, sphere.beta, sphere.n


# ---------------------------------------------------------------- theory


def test_series_d5_is_the_beta22_polynomial():
    # d = 5: (1+X)/2 ~ Beta(2, 2), whose CDF on x = t/2 is 3x^2 - 2x^3 (integrate 6x(1-x) by hand)
    x = t / 2
    assert sp.expand(cap.cap_series(4, 5) - (3 * x**2 - 2 * x**3)) == 0


def test_series_d3_is_t_over_2():
    # d = 3: X is uniform on [-1, 1] (Archimedes), so P(D <= t) = t/2 exactly
    assert [(e, c) for e, c in cap.cap_series_terms(3, 3)] == [(1, sp.Rational(1, 2)), (2, 0), (3, 0)]


def test_series_symbolic_d_matches_hypergeometric_coefficients():
    a = (d - 1) / 2
    for k, (e, c) in enumerate(cap.cap_series_terms(4)):
        # (t/2)^a / (a B(a,a)) 2F1(a, 1-a; a+1; t/2), coefficients from the 2F1 series (DLMF 15.2.1)
        ref = 2 ** (-a - k) / (a * sp.beta(a, a)) * sp.rf(a, k) * sp.rf(1 - a, k) / (sp.rf(a + 1, k) * sp.factorial(k))
        assert sp.simplify(sp.gammasimp(sp.expand_func(c / ref))) == 1
        assert sp.simplify(e - a - k) == 0


def test_series_d4_against_arb_at_small_t():
    # d = 4: non-terminating series; the truncation error after 4 terms is O(t^{a+4})
    T = mpmath.mpf("1e-3")
    with mpmath.workdps(40):
        s = sum(sp.lambdify((), c, "mpmath")() * T ** mpmath.mpf(float(e)) for e, c in cap.cap_series_terms(4, 4))
        p = ncap.cap_probability(4, "1e-3", 35)
        assert abs(s / p - 1) < 1e-11


def test_kappa_derived_equals_closed_form_and_d3():
    a = (d - 1) / 2
    assert sp.simplify(sp.gammasimp(cap.derived_kappa() / (2 ** (-a) / (a * sp.beta(a, a))))) == 1
    assert sphere.kappa(3) == sp.Rational(1, 2)
    assert sp.simplify(cap.derived_alpha() - a) == 0


def test_closed_forms_agree_numerically():
    # I_{t/2}(a,a) and the 2F1 form, both evaluated by sympy/mpmath at d = 7, t = 0.3
    v1 = sp.N(cap.cap_probability(7, sp.Rational(3, 10)), 30)
    v2 = sp.N(cap.cap_probability_hyper(7, sp.Rational(3, 10)), 30)
    # d = 7: (1+X)/2 ~ Beta(3, 3), CDF 10x^3 - 15x^4 + 6x^5 at x = 0.15 (hand integration of 30 x^2 (1-x)^2)
    x = sp.Rational(15, 100)
    exact = 10 * x**3 - 15 * x**4 + 6 * x**5
    assert abs(v1 - exact) < 1e-28 and abs(v2 - exact) < 1e-28


def test_latex_and_lambdify():
    exprs = [sphere.alpha(), sphere.kappa(), sphere.critical_scale(n), cap.cap_series(3), watson.watson_expansion(3),
             watson.n_eff(), watson.critical_scale_closed(), watson.exact_laplace()]
    for e in exprs:
        assert isinstance(sp.latex(e), str) and sp.latex(e)
        syms = sorted(e.free_symbols, key=str)
        f = sp.lambdify(syms, e, "mpmath")
        vals = {"d": 6, "t": mpmath.mpf("0.01"), "n": 1000, "beta": mpmath.mpf(30)}
        v = f(*[vals[str(s)] for s in syms])
        assert mpmath.isfinite(v) and v > 0


def test_watson_remainder_is_next_term():
    # exact E e^{-beta D} = e^{-beta} 0F1(; d/2; beta^2/4); after K terms the remainder ~ term K
    with mpmath.workdps(50):
        B = mpmath.mpf(300)
        exact = mpmath.exp(-B) * mpmath.hyp0f1(mpmath.mpf(3), B * B / 4)  # d = 6
        s2 = sp.lambdify(beta, watson.watson_expansion(2, 6), "mpmath")(B)
        s3 = sp.lambdify(beta, watson.watson_expansion(3, 6), "mpmath")(B)
        assert abs((exact - s2) / (s3 - s2) - 1) < 0.02
        assert abs(exact - s3) < abs(exact - s2) / 50


def test_neff_at_critical_scale_is_gamma():
    for dd in (3, 4, 10):
        v = sp.N(watson.n_eff(n, sphere.critical_scale(n, dd), dd) / sp.gamma(sp.Rational(dd + 1, 2)), 30)
        assert abs(v - 1) < 1e-25


# ---------------------------------------------------------------- numerics


def test_tiny_cap_d4096_against_mpmath_60_digits():
    # generated with: mpmath.mp.dps = 60; a = mpmath.mpf(4095)/2
    #                 p = mpmath.betainc(a, a, 0, mpmath.mpf('1e-3')/2, regularized=True); print(p, mpmath.log(p))
    with mpmath.workdps(60):
        ref_p = mpmath.mpf("1.61952201271334022954557800123536748277988984064553250032758e-5529")
        ref_log = mpmath.mpf("-12730.5108481122519086956730774412610175563294549572186305185")
        p = ncap.cap_probability(4096, "1e-3", 40)
        lp = ncap.log_cap_probability(4096, "1e-3", 40)
        assert abs(p / ref_p - 1) < mpmath.mpf("1e-40")
        assert abs(lp / ref_log - 1) < mpmath.mpf("1e-40")


def test_tiny_cap_quadrature_route():
    with mpmath.workdps(40):
        p = ncap.cap_probability(4096, "1e-3", 30)
        q = ncap.cap_probability_quad(4096, "1e-3", 30)
        assert abs(q / p - 1) < mpmath.mpf("1e-30")


def test_scipy_underflows_where_we_do_not():
    from scipy import stats

    assert stats.beta(2047.5, 2047.5).cdf(5e-4) == 0.0  # the trap this module exists for
    assert ncap.cap_probability(4096, 1e-3, 10) > 0


def test_certified_ball_contains_reference_and_is_tight():
    from flint import arb

    ball = ncap.cap_probability(4096, "1e-3", 30, certified=True)
    # reference from mpmath at 60 digits (see test_tiny_cap_d4096_against_mpmath_60_digits)
    assert ball.contains(arb("1.61952201271334022954557800123536748277988984064553250032758e-5529")) or ball.overlaps(
        arb("1.61952201271334022954557800123536748277988984064553250032758e-5529"))
    assert ball.rad() < abs(ball.mid()) * arb(10) ** -30


def test_large_t_uses_complement_accurately():
    # generated with: mpmath.mp.dps = 60; c = gamma(5)/(sqrt(pi) gamma(9/2));
    #                 quad(lambda x: c (1-x^2)^(7/2), [1 - 1.9, 1])   (density of X for d = 10)
    with mpmath.workdps(60):
        ref = mpmath.mpf("0.999920014285965643068793265101123204782024301201843380779859")
        assert abs(ncap.cap_probability(10, "1.9", 30) - ref) < mpmath.mpf("1e-30")
        assert abs(ncap.log_cap_probability(10, "1.9", 30) / mpmath.log(ref) - 1) < mpmath.mpf("1e-25")
    assert ncap.cap_probability(10, 2, 10) == 1 and ncap.log_cap_probability(10, 2, 10) == 0


def test_circle_d2_closed_form():
    # d = 2: the angle is uniform on [0, pi], P(D <= t) = arccos(1 - t)/pi, kappa_2 = sqrt(2)/pi
    with mpmath.workdps(40):
        for tt in ("1e-6", "0.3", "1.7"):
            ref = mpmath.acos(1 - mpmath.mpf(tt)) / mpmath.pi
            assert abs(ncap.cap_probability(2, tt, 30) / ref - 1) < mpmath.mpf("1e-30")
        assert abs(nsphere.kappa_value(2, 30) - mpmath.sqrt(2) / mpmath.pi) < mpmath.mpf("1e-30")


def test_precision_is_restored():
    from flint import ctx

    dps, prec = mpmath.mp.dps, ctx.prec
    ncap.cap_probability(100, "0.1", 50)
    ncap.cap_probability(100, "0.1", 50, certified=True)
    nsphere.constants(7, 40)
    assert mpmath.mp.dps == dps and ctx.prec == prec


def test_constants_values():
    # kappa_4 = 2^{-3/2} / ((3/2) B(3/2, 3/2)) with B(3/2, 3/2) = pi/8: 4 sqrt(2) / (3 pi)
    with mpmath.workdps(40):
        assert abs(nsphere.kappa_value(4, 30) - 4 * mpmath.sqrt(2) / (3 * mpmath.pi)) < mpmath.mpf("1e-30")
        k = nsphere.kappa_value(4, 30)
        assert abs(nsphere.critical_constant(4, 30) - k ** (mpmath.mpf(2) / 3)) < mpmath.mpf("1e-30")
        assert abs(nsphere.neff_constant(4, 30) - k * mpmath.gamma(mpmath.mpf(5) / 2)) < mpmath.mpf("1e-30")
    # huge d stays finite (log space)
    assert mpmath.isfinite(nsphere.kappa_value(10**9, 15))


def test_cap_series_values_d5():
    # d = 5: P = 3t^2/4 - t^3/4 (Beta(2, 2) CDF at t/2)
    vals = nsphere.cap_series_values(5, 20)
    assert vals[0] == mpmath.mpf(3) / 4 and vals[1] == mpmath.mpf(-1) / 4 and vals[2] == 0 and vals[3] == 0


@pytest.mark.parametrize("bad", [0, -1, 2.5, "2.0000001", "abc", float("nan")])
def test_bad_t(bad):
    with pytest.raises(InputError):
        ncap.cap_probability(5, bad, 10)
