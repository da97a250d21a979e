"""The law of the critical output (numerics/laws/critical_output.py; docs/critical_output.md).

References: a Monte Carlo of the Poisson limit itself (Γ_j partial sums of seeded exponentials, v_j = λ Γ_j^{1/α};
no code of the module), with tolerances from the binomial standard error; the Bromwich route (3.1) against the
Gil-Pelaez route (2.1), which share only the Campbell exponent; E N = ∫ (1 − F_N) against the Campbell–Mecke mean
E_normal of numerics.laws.poisson_limit (no shared code); exact values at x = 0.
"""
from __future__ import annotations

import math
import subprocess
import sys
import time

import mpmath
import numpy as np
import pytest

from attnlimits.numerics.laws import critical_output as CO
from attnlimits.theory.validation import InputError


def _poisson_limit_sample(alpha, lam, reps, seed, points=400, dim=None):
    """N = Σ W_j S_j (and R = |Σ W_j √(2S_j) U_j| in R^dim) from the first ``points`` points of the limit process."""
    rng = np.random.Generator(np.random.PCG64(seed))
    G = np.cumsum(rng.standard_exponential((reps, points)), axis=1)
    S = G ** (1 / alpha)
    v = lam * S
    y = np.exp(-(v - v[:, :1]))
    W = y / y.sum(axis=1, keepdims=True)
    N = (W * S).sum(axis=1)
    if dim is None:
        return N
    U = rng.standard_normal((reps, points, dim))
    U /= np.linalg.norm(U, axis=2, keepdims=True)
    vec = ((W * np.sqrt(2 * S))[:, :, None] * U).sum(axis=1)
    return np.linalg.norm(vec, axis=1)


def _within(p, samples, x, z=5.0):
    phat = float(np.mean(samples <= x))
    se = math.sqrt(max(phat * (1 - phat), 1e-6) / samples.size)
    return abs(float(p) - phat) <= z * se, (float(p), phat, se)


def test_output_cdf_against_monte_carlo_d5_median():
    # d = 5 (alpha = 2), lambda = 1: the point x = 2 against 10^5 replicates of the limit process
    N = _poisson_limit_sample(2.0, 1.0, 100_000, seed=20261208)
    r = CO.output_cdf(2, 1, 2, digits=10)
    ok, figs = _within(r.cdf, N, 2.0)
    assert ok, figs
    assert r.significant_digits == 10 and r.cutoff <= CO.U_MAX


@pytest.mark.slow
def test_output_cdf_against_monte_carlo_d5():
    # d = 5 (alpha = 2), lambda = 1: three points of the law against 2·10^5 replicates of the limit process
    N = _poisson_limit_sample(2.0, 1.0, 200_000, seed=20261207)
    for x in ("1.5", "2", "2.5"):
        r = CO.output_cdf(2, 1, x, digits=10)
        ok, figs = _within(r.cdf, N, float(x))
        assert ok, (x, figs)
        assert r.significant_digits == 10 and r.cutoff <= CO.U_MAX


@pytest.mark.slow
def test_output_cdf_lower_tail_carries_significant_digits():
    # a value in the lower tail is refined to significant digits: P(N <= 1) at d = 5, lambda = 1 is 4.52e-4
    # (Monte Carlo of the limit process: 0.000475 ± 0.00005 with 2·10^5 replicates); the refinement reproduces the
    # first pass's 12 leading digits (errors are absolute, 1e-14 before refinement)
    r = CO.output_cdf(2, 1, 1, digits=12)
    assert r.significant_digits == 12
    assert mpmath.mpf("4.4e-4") < r.cdf < mpmath.mpf("4.6e-4")
    N = _poisson_limit_sample(2.0, 1.0, 200_000, seed=7)
    ok, figs = _within(r.cdf, N, 1.0)
    assert ok, figs


@pytest.mark.slow
def test_routes_agree():
    # (2.1) on the real line and (3.1) on the Bromwich line Re s = 1/(1 + c): different transform values, one
    # Campbell exponent (docs/critical_output.md §3)
    a = CO.output_cdf(2, 1, 2, digits=12)
    b = CO.output_cdf(2, 1, 2, digits=12, route="bromwich")
    assert abs(a.cdf - b.cdf) < mpmath.mpf(10) ** -13, (a.cdf, b.cdf)


@pytest.mark.slow
def test_first_point_route_d3_agrees_with_gil_pelaez():
    # d = 3: P(N <= x) = ∫_0^x e^{-(x-r)} P(N' <= r) dr (docs/critical_output.md §8.3) — a different event at 40
    # values of r, a different transform (no atom removed, the first point's term) and an outer Gauss–Legendre
    # integral — against (2.1) at lambda = 0.15, x = 7 (about 40 s)
    a = CO.output_cdf(1, "0.15", 7, digits=12)
    b = CO.output_cdf(1, "0.15", 7, digits=12, route="first_point")
    assert a.significant_digits == b.significant_digits == 12
    assert abs(a.cdf - b.cdf) < mpmath.mpf(10) ** -13, (a.cdf, b.cdf)
    assert b.outer_error < mpmath.mpf(10) ** -13


def test_first_point_route_d3_small_lambda():
    # lambda = 1/10 (the transform falls fast): 6 digits by both routes, about 3 s
    a = CO.output_cdf(1, "0.1", 10, digits=6)
    b = CO.output_cdf(1, "0.1", 10, digits=6, route="first_point")
    assert a.significant_digits == b.significant_digits == 6
    assert abs(a.cdf - b.cdf) < mpmath.mpf(10) ** -7, (a.cdf, b.cdf)


def test_first_point_route_refusals():
    t = time.time()
    with pytest.raises(InputError, match="first_point is for d = 3"):
        CO.output_cdf(2, 1, 2, digits=8, route="first_point")
    with pytest.raises(InputError, match="decays too slowly"):
        CO.output_cdf(1, 1, 1, digits=12, route="first_point")
    assert time.time() - t < 10


def test_d3_and_d2_refusals_name_the_range():
    # d = 3 at lambda of order one and d = 2 (docs/critical_output.md §8): one line, the range and the reason
    for alpha, lam in ((1, 1), (1, 10), ("0.5", "0.1")):
        t = time.time()
        with pytest.raises(InputError) as exc:
            CO.output_cdf(alpha, lam, 1, digits=12)     # at 10 digits the real-space route answers (§9)
        msg = str(exc.value)
        assert "decays too slowly" in msg and "d = 3 with lambda <= 0.25" in msg and "d = 2 never" in msg
        assert "\n" not in msg and time.time() - t < 10


def test_zero_and_monotone():
    assert CO.output_cdf(2, 1, 0, digits=10).cdf == 0
    assert CO.perp_cdf("1.5", "0.5", 0, digits=10).cdf == 0
    vals = [CO.output_cdf(2, 1, x, digits=8).cdf for x in ("1.8", "2.2")]
    assert 0 < vals[0] < vals[1] < 1


def test_perp_cdf_against_monte_carlo_d4():
    # d = 4: R = |Σ W_j √(2S_j) U_j| in R^3; the relation 2F_Q − 1 − 2x f_Q against the direct simulation
    R = _poisson_limit_sample(1.5, 0.25, 50_000, seed=99, points=300, dim=3)
    x = float(np.median(R))
    r = CO.perp_cdf("1.5", "0.25", f"{x:.6f}", digits=8)
    ok, figs = _within(r.cdf, R, round(x, 6))
    assert ok, figs


@pytest.mark.slow
def test_perp_cdf_against_monte_carlo_d4_half():
    R = _poisson_limit_sample(1.5, 0.5, 100_000, seed=98, points=300, dim=3)
    for q in (0.25, 0.75):
        x = float(np.quantile(R, q))
        r = CO.perp_cdf("1.5", "0.5", f"{x:.6f}", digits=10)
        ok, figs = _within(r.cdf, R, round(x, 6))
        assert ok, (q, figs)


@pytest.mark.slow
def test_thirty_digit_x_arrives():
    # x is read at the working precision: a change of 10^-24 in x moves the value by about f_N(x)·10^-24 (d = 9,
    # lambda = 1, where 30 digits are in range: the transform is below 1e-32 by u = 32)
    x1 = "4.000000000000000000000000000000"
    x2 = "4.000000000000000000000001000000"
    a = CO.output_cdf(4, 1, x1, digits=30)
    b = CO.output_cdf(4, 1, x2, digits=30)
    assert a.significant_digits == b.significant_digits == 30
    assert a.cdf != b.cdf and 0 < b.cdf - a.cdf < mpmath.mpf(10) ** -23


@pytest.mark.slow  # tens of seconds: run with -m slow
def test_unresolved_lower_tail_is_reported_not_invented():
    # far below the bulk (d = 9, lambda = 1, x = 0.05: N <= x needs no key between 0.05 and ~10, probability far
    # below 10^-100) the refinement cannot resolve the value: cdf = 0 with 0 significant digits and its bound
    r = CO.output_cdf(4, 1, "0.05", digits=6)
    assert r.cdf == 0 and r.significant_digits == 0 and 0 < r.absolute_error < mpmath.mpf(10) ** -8


@pytest.mark.parametrize("kwargs,words", [
    (dict(alpha=2, lam=1, x=-1), "x must be >= 0"),
    (dict(alpha=2, lam=1, x=float("nan")), "x"),
    (dict(alpha=2, lam=1, x="abc"), "x"),
    (dict(alpha=2, lam=0, x=1), "lambda"),
    (dict(alpha="0.7", lam=1, x=1), "2 alpha an integer"),
    (dict(alpha=1, lam=1, x=1), "decays too slowly"),
])
def test_refusals_are_quick_and_name_the_parameter(kwargs, words):
    t = time.time()
    with pytest.raises(InputError) as exc:
        CO.output_cdf(digits=15, **kwargs)
    assert words in str(exc.value) and "\n" not in str(exc.value)
    assert time.time() - t < 10


def test_perp_refuses_other_dimensions_at_once():
    t = time.time()
    with pytest.raises(InputError, match="d = 2 and d = 4 only"):
        CO.perp_cdf(1, "0.2", 1, digits=10)
    assert time.time() - t < 2


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "attnlimits.cli.main", *args], capture_output=True, text=True,
                          timeout=120)


def test_cli_cdf_output_json():
    import json

    p = _cli("law", "critical", "--d", "5", "--lam", "1", "--cdf-output", "2", "--digits", "12", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    (entry,) = out["P_output_le"]
    assert entry["x"] == "2" and entry["value"].startswith("0.42442230849") and entry["route"] == "gil_pelaez"


def test_cli_refusals_one_line():
    for args, words in ((["--cdf-output", "-1"], "--cdf-output must be >= 0"),
                        (["--cdf-output", "nan"], "--cdf-output"),
                        (["--cdf-perp", "1"], "d = 2 and d = 4 only")):
        t = time.time()
        p = _cli("law", "critical", "--d", "5", "--lam", "1", *args)
        assert p.returncode == 2 and words in p.stderr and p.stderr.count("\n") <= 1, p.stderr
        assert time.time() - t < 10


@pytest.mark.slow
def test_mean_from_the_law_equals_campbell_mean():
    # E N = ∫_0^∞ (1 − F_N(x)) dx against E_normal of the Campbell–Mecke route (docs/critical.md §1.1), which shares
    # no code with the inversion: d = 9, lambda = 1, where F_N < 1e-18 below x = 3 and 1 − F_N < 1e-8 above 5.2
    from attnlimits.numerics.laws import poisson_limit as C

    nodes, weights = np.polynomial.legendre.leggauss(24)
    total = mpmath.mpf(3)
    for a, b in ((3.0, 4.0), (4.0, 5.2)):
        for t, w in zip(nodes, weights):
            x = (a + b) / 2 + (b - a) / 2 * t
            total += (b - a) / 2 * w * (1 - CO.output_cdf(4, 1, repr(float(x)), digits=10).cdf)
    mean = C.campbell_functionals(4, 1, 12).E_normal
    assert abs(total - mean) < mpmath.mpf(10) ** -7, (total, mean)
