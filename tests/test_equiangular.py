"""The equiangular model (paper 2, Thm 2.1, 2.4): closed forms against explicit tokens, limits, precision, CLI."""
from __future__ import annotations

import json
import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from attnlimits.cli.main import main
from attnlimits.numerics.laws import almost_simplex as AS
from attnlimits.numerics.laws import equiangular as EQ
from attnlimits.theory import equiangular as T
from attnlimits.theory import gradient_stat as GS
from attnlimits.theory.validation import InputError


def _tokens(n, d, rho, q=1.0):
    """Explicit equiangular tokens: rows of the Cholesky factor of (1 - rho) I + rho 11^T, scaled to |x|^2 = q."""
    G = (1 - rho) * np.eye(n) + rho
    X = np.zeros((n, d))
    X[:, :n] = np.linalg.cholesky(G) * math.sqrt(q)
    return X


def _cos_numpy(X, beta, alpha):
    Yp = AS.normalize(AS.layer(X, beta, alpha))
    return float(Yp[0] @ Yp[1])


@pytest.mark.parametrize("n,rho,beta,alpha,q", [(2, 0.3, 1.0, 0.0, 1.0), (5, 0.6, 3.2, 0.0, 1.0),
                                                (7, -0.1, 2.0, 0.4, 2.5), (40, 0.25, 9.0, 1.5, 0.3)])
def test_finite_cosine_matches_explicit_tokens(n, rho, beta, alpha, q):
    # independent route: numpy forward pass on explicit tokens in R^n
    ref = _cos_numpy(_tokens(n, n, rho, q), beta, alpha)
    val = EQ.finite_inner(n, str(rho), beta=str(beta), alpha=str(alpha), q=str(q), digits=20)
    assert abs(float(val) - ref) < 1e-13


def test_theorem_2_1_limits_and_self_weight():
    r = T.rho
    lim = T.phase_limits(alpha=0)
    assert sp.simplify(lim["subcritical"] - 1) == 0
    assert sp.simplify(lim["critical"] - 4 * r / (1 + 3 * r)) == 0
    assert sp.simplify(lim["supercritical"] - r) == 0
    assert T.phase_self_weight_limits() == {"subcritical": 0, "critical": sp.Rational(1, 2), "supercritical": 1}


def test_window_profile_interpolates():
    G = T.window_profile(alpha=0)
    r = sp.Rational(2, 5)
    assert sp.simplify(G.subs({T.c: 0, T.rho: r}) - 4 * r / (1 + 3 * r)) == 0
    # finite n = 1e12 against the profile at c = 1.3 (error O(1/n))
    with mpmath.workdps(50):
        beta = mpmath.log(10**12) / (1 - mpmath.mpf("0.4")) + mpmath.mpf("1.3")
    fin = EQ.finite_inner(10**12, "0.4", beta=beta, digits=30)
    assert abs(fin - EQ.window_inner("1.3", "0.4", digits=30)) < 1e-11


def test_residual_limits_numerically_at_1e12():
    # hand-derived critical limit with r = alpha sqrt q = 0.5 sqrt 2, rho = 0.3:
    # rho (1+r)^2 / ((1/2 + r)^2 + rho (1/2 + r) + rho/4)
    with mpmath.workdps(40):
        r = mpmath.mpf("0.5") * mpmath.sqrt(2)
        rho = mpmath.mpf("0.3")
        ref = rho * (1 + r) ** 2 / ((0.5 + r) ** 2 + rho * (0.5 + r) + rho / 4)
        beta = mpmath.log(10**12) / (1 - rho)
    fin = EQ.finite_inner(10**12, "0.3", beta=beta, alpha="0.5", q="2", digits=30)
    ph, lim = EQ.limit_inner(sp.Rational(10, 7), "0.3", alpha="0.5", q="2")
    assert ph == "critical"
    assert abs(lim - ref) < mpmath.mpf(10) ** -25
    assert abs(fin - ref) < 1e-11


def test_finite_inner_precision_is_delivered():
    a = EQ.finite_inner(10**12, "0.5", gamma="1.9", digits=30)
    b = EQ.finite_inner(10**12, "0.5", gamma="1.9", digits=60)
    assert abs(a - b) < mpmath.mpf(10) ** -29


@pytest.mark.parametrize("n,d,rho,q,beta", [(2, 2, 0.3, 1.0, 1.1), (3, 4, 0.37, 2.5, 1.7), (6, 6, 0.6, 0.7, 4.0),
                                            (4, 9, -0.2, 1.3, 2.2)])
def test_eta_symbolic_matches_analytic_jacobian(n, d, rho, q, beta):
    # independent route: full Jacobian from the block formula (checked against complex step in test_almost_simplex)
    num = AS.eta_exact(_tokens(n, d, rho, q), beta)
    ex = float(GS.eta_finite(n, sp.nsimplify(beta), sp.nsimplify(rho), d, sp.nsimplify(q)))
    assert abs(num - ex) <= 1e-13 * ex


def test_eta_limits_theorem_2_4():
    lim = GS.eta_phase_limits()
    q, dl = T.q, GS.delta
    assert lim["subcritical"]["limit"] == 0
    assert sp.simplify(lim["critical"]["limit"] - (1 - dl) / (4 * q)) == 0
    assert sp.simplify(lim["supercritical"]["limit"] - (1 - dl) / q) == 0
    for v in lim.values():
        assert v["beta_coeff_at_limit"] == 0 and v["beta2_coeff_at_limit"] == 0
    # finite n = d = 1e12 at the critical point: within 1e-9 of 1/(4q)(1 - 1/d)
    _, L = EQ.limit_eta("2", "0.5", 10**12, q="2")
    assert abs(EQ.finite_eta(10**12, "0.5", 10**12, gamma="2", q="2") - L) < 1e-9


@pytest.mark.parametrize("kw", [dict(n=5, rho="-0.25"), dict(n=5, rho="1"), dict(n=1, rho="0.5")])
def test_bad_rho_or_n(kw):
    with pytest.raises(InputError):
        EQ.finite_inner(kw["n"], kw["rho"], gamma="1")


@settings(max_examples=30, deadline=None)
@given(n=st.integers(2, 10**6), x=st.floats(-5, 5, allow_nan=False))
def test_rho_domain_property(n, x):
    lo = -1 / (n - 1)
    inside = lo < x < 1
    if abs(x - lo) < 1e-12 or abs(x - 1) < 1e-12:
        return
    if 0 < abs(x) < 2.2250738585072014e-308:  # subnormal doubles are refused as out of range by validation
        with pytest.raises(InputError):
            EQ.check_rho(repr(x), n)
        return
    if inside:
        EQ.check_rho(repr(x), n)
    else:
        with pytest.raises(InputError):
            EQ.check_rho(repr(x), n)


def test_cli_simplex_json(capsys):
    assert main(["simplex", "--rho", "0.5", "--gamma", "2", "--n", "1e6", "--json", "--digits", "12"]) == 0
    out = json.loads(capsys.readouterr().out)
    for k in ("gamma_c", "phase", "limit_inner", "finite_n_inner", "eta_limit", "finite_n_eta"):
        assert k in out
    assert out["phase"] == "critical" and out["limit_inner"] == "0.800000000000"
    assert abs(float(out["finite_n_inner"]) - 0.8) < 1e-6


def test_cli_simplex_beta_and_self_weight_to_all_digits(capsys):
    # at gamma (1 - rho) = 1, e^{-beta (1 - rho)} = 1/n: beta = 2 log n and A_ii = n/(2n - 1), closed forms at 60 digits
    # (the command used to form beta at 15 digits and print it to 25)
    assert main(["simplex", "--rho", "0.5", "--gamma", "2", "--n", "1e12", "--digits", "25", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    with mpmath.workdps(60):
        n = mpmath.mpf(10) ** 12
        assert out["beta"] == mpmath.nstr(2 * mpmath.log(n), 25, strip_zeros=False)
        assert out["self_weight"] == mpmath.nstr(n / (2 * n - 1), 25, strip_zeros=False)


def test_eta_limit_formulas_match_theorem_2_4():
    # the formulas printed when no dimension is known are the derived limits with delta = 1/d
    from sympy.parsing.sympy_parser import implicit_multiplication, parse_expr, standard_transformations

    d, q = sp.symbols("d q", positive=True)
    lim = GS.eta_phase_limits()
    for ph, text in EQ.ETA_LIMIT_FORMULAS.items():
        expr = parse_expr(text, local_dict={"d": d, "q": q},
                          transformations=standard_transformations + (implicit_multiplication,))
        assert sp.simplify(expr - lim[ph]["limit"].subs({GS.delta: 1 / d, T.q: q})) == 0


def test_simplex_summary_nonpositive_rho_has_no_limit(assert_digits):
    s = EQ.simplex_summary("-0.001", 2, 100, digits=20)
    assert s.limit_inner is None and s.eta_limit is None and s.d is None and "rho <= 0" in s.note
    assert s.n == 100 and s.finite_n_eta is not None
    with mpmath.workdps(60):
        assert_digits(s.gamma_c, mpmath.mpf(1000) / 1001, 20)  # 1/(1 - rho)
        assert_digits(s.self_weight, 1 / (1 + 99 * mpmath.mpf(100) ** (-2 * mpmath.mpf("1.001"))), 20)


@pytest.mark.parametrize("argv", [["--rho", "1.5", "--gamma", "1"], ["--rho", "0.5", "--gamma", "0"],
                                  ["--rho", "0.5", "--gamma", "-1"], ["--rho", "0.5", "--gamma", "1", "--n", "1"],
                                  ["--rho", "-0.5", "--gamma", "1", "--n", "3"]])
def test_cli_simplex_bad_input(capsys, argv):
    assert main(["simplex", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.strip()
