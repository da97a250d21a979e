"""The estimators of a head's local score law (numerics/heads/estimators.py, docs/heads_estimators.md §2–6).

References are independent of the code under test: 30-digit mpmath quadrature of the likelihood integral, the
laws the samples are drawn from (exact power laws, uniform directions on S^2, Pareto, Beta), and the documented
formula of the k rule. Monte Carlo with fixed seeds; tolerances from the reported intervals or standard errors.
"""
from __future__ import annotations

import math
import time

import mpmath
import numpy as np
import pytest

from attnlimits.numerics.heads import estimators as E
from attnlimits.theory.validation import InputError


def _power_top(alpha, m, K, seed, kappa=1.0, n=10_000):
    """The top K of n scores 0 − t, P(t <= x) = κ x^α, drawn exactly (uniform order statistics Γ_i/Γ_{n+1})."""
    rng = np.random.Generator(np.random.PCG64(seed))
    g = np.cumsum(rng.exponential(size=(m, K)), axis=1) / rng.gamma(n + 1, size=(m, 1))
    return -(g / kappa) ** (1 / alpha)


def _refused(fn, *words):
    t0 = time.perf_counter()
    with pytest.raises(InputError) as exc:
        fn()
    assert time.perf_counter() - t0 < 10
    msg = str(exc.value)
    assert "\n" not in msg
    for w in words:
        assert w in msg, (w, msg)


# ------------------------------------------------------------------------------------------------ the likelihood

@pytest.mark.parametrize("K,alpha_true", [(3, 0.5), (11, 2.0), (31, 8.0)])
def test_loglik_against_mpmath(K, alpha_true):
    """The tabulated integral of docs/heads_estimators.md §2 against mpmath.quad at 20 digits (relative 1e-6)."""
    top = _power_top(alpha_true, 1, K, seed=[5, K])
    got = {al: E.gap_loglik(top, [al], k=K - 1)[0] for al in (0.3, alpha_true, 40.0)}
    g = top[0, 0] - top[0]
    r = [mpmath.mpf(float(x)) for x in g / g[-1]]
    with mpmath.workdps(20):
        for al, val in got.items():
            a = mpmath.mpf(al)
            def f(y):
                v = mpmath.exp(y)
                return mpmath.exp(sum((a - 1) * mpmath.log(v + x) for x in r) - K * a * mpmath.log1p(v) + y)
            pts = [-mpmath.inf] + list(mpmath.linspace(-60, 20, 81)) + [mpmath.inf]
            ref = (K - 1) * mpmath.log(a) + mpmath.log(mpmath.quad(f, pts))
            assert abs(val - float(ref)) < 1e-6 * max(1.0, abs(float(ref))), (al, val, float(ref))


# ------------------------------------------------------------------------------------------------ gap-law fit

@pytest.mark.parametrize("alpha", [0.5, 2.0, 16.0])
def test_fit_recovers_alpha_exact_power_law(alpha):
    top = _power_top(alpha, 64, 101, seed=[11, int(alpha * 10)], kappa=2.0)
    fit = E.fit_gap_law(top, n_keys=10_000)
    assert fit.k == 100 and fit.queries == 64 and fit.n == 10_000
    lo, hi = fit.alpha_ci
    assert lo < alpha < hi
    # the interval is a 95% one: its half-width is about 2 standard errors; α̂ within 4 of them
    half = (hi - lo) / 2 if math.isfinite(hi) else alpha
    assert abs(fit.alpha - alpha) < 2 * half
    # κ's interval is the projection of the joint region (a 95% profile interval, docs/heads_estimators.md §8):
    # log κ̂ within two of its half-widths of log 2, and the interval is the log one carried to κ
    klo, khi = fit.log_kappa_ci
    assert abs(fit.log_kappa - math.log(2.0)) < 2 * (khi - klo) / 2
    assert math.isclose(fit.kappa_ci[0], math.exp(klo)) and math.isclose(fit.kappa_ci[1], math.exp(khi))
    assert "likelihood" in fit.method
    assert fit.to_json(6)["k"] == 100


def test_endpoint_estimator_is_biased_where_ours_is_not():
    """Levina–Bickel with the sample max as the top (the naive estimator) misses α = 16 badly; the gap-ratio
    likelihood covers it (docs/heads_estimators.md §2)."""
    top = _power_top(16.0, 64, 101, seed=[12, 160])
    g = (top[:, :1] - top)[:, 1:]  # the gaps to the sample maximum, treated as distances to the top
    naive = (g.shape[1] - 1) * g.shape[0] / np.sum(np.log(g[:, -1:] / g[:, :-1]))
    assert naive < 4
    fit = E.fit_gap_law(top)
    assert fit.alpha_ci[0] < 16 < fit.alpha_ci[1] and fit.alpha_ci[0] > 4


def test_fit_gap_laws_matches_single_fits():
    groups = [_power_top(3.0, 8, 41, seed=[13, i]) for i in range(3)]
    many = E.fit_gap_laws(groups, k=40)
    for g, f in zip(groups, many):
        one = E.fit_gap_law(g, k=40)
        assert abs(one.alpha - f.alpha) < 1e-6 * one.alpha
        assert all(abs(a - b) < 1e-5 * a for a, b in zip(one.alpha_ci, f.alpha_ci))


def test_sphere_keys_through_logits():
    """Uniform keys on S^2 and a unit query: 1 − <q, k> is uniform on [0, 2] (α = 1, κ = 1/2)."""
    rng = np.random.Generator(np.random.PCG64(31))
    k = rng.standard_normal((20, 4000, 3))
    k /= np.linalg.norm(k, axis=2, keepdims=True)
    s = k[:, :, 0]  # the query e_1 against 20 independent sets of keys
    fit = E.fit_gap_law(s)
    assert fit.k == 63 and fit.alpha_ci[0] < 1 < fit.alpha_ci[1]
    assert fit.kappa_ci[0] < 0.5 < fit.kappa_ci[1]


def test_causal_masking_drops_short_queries_and_ties_are_merged():
    rng = np.random.Generator(np.random.PCG64(32))
    s = 1 - rng.random((300, 300)) ** (1 / 2.0)
    s[np.triu_indices(300, 1)] = -np.inf
    fit = E.fit_gap_law(s, k=10)
    assert fit.dropped == 10 and fit.queries == 290  # queries 0..9 see fewer than 11 keys
    assert fit.n == np.median(np.arange(11, 301))
    t = np.round(1 - rng.random((10, 500)) ** 0.5, 3)  # rounding makes ties: distinct values are kept
    f2 = E.fit_gap_law(t, k=20)
    assert f2.queries + f2.dropped == 10 and f2.queries >= 8


def test_infinite_alpha_keeps_the_lower_end_of_its_interval():
    """Exponential scores have a Gumbel top (alpha = inf); when the likelihood still rises at alpha = 1000 the
    interval is open above but its lower end is where the log-likelihood is 1.92 below its value at 1000
    (docs/heads_estimators.md §3), checked here with gap_loglik."""
    s = np.random.default_rng(3).exponential(size=(20, 2000))
    fit = E.fit_gap_law(s)
    assert fit.alpha == math.inf and fit.alpha_ci[1] == math.inf and fit.kappa is None and fit.ridge == ()
    lo = fit.alpha_ci[0]
    assert 5 < lo < 1000
    ll = E.gap_loglik(s, [lo, 1000.0], k=fit.k)
    assert ll[1] - ll[0] == pytest.approx(0.5 * 1.959964 ** 2, abs=1e-6)


def test_fit_xi_drops_the_queries_that_see_too_few_keys():
    """A causal head: query i sees keys 0..i. The moment estimator leaves out the queries whose k + 1 top scores
    reach down to their median (counted here directly from the scores) instead of refusing the head."""
    rng = np.random.Generator(np.random.PCG64(33))
    s = rng.standard_normal((300, 300))
    s[np.triu_indices(300, 1)] = -np.inf
    k = 12
    short = 0
    for row in s:
        v = np.sort(row[np.isfinite(row)])[::-1]
        short += v.size < k + 1 or v[k] <= np.median(v)
    f = E.fit_xi(s, k=k)
    assert f.dropped == short and f.queries == 300 - short and 20 < short < 40
    assert f.xi_ci[0] < f.xi < f.xi_ci[1]


def test_choose_k_rule():
    for n, want in ((11, 10), (50, 10), (99, 10), (150, 12), (512, 23), (4000, 63), (10_000, 100), (10**6, 100)):
        assert E.choose_k(np.zeros((2, n))) == want == min(max(round(math.sqrt(n)), 10), 100, n - 1)
    s = np.zeros((5, 1000))
    s[:, 200:] = -np.inf  # 200 visible keys: sqrt(200) = 14.1
    assert E.choose_k(s) == 14


def test_alpha_path_is_flat_for_an_exact_law():
    top = _power_top(4.0, 40, 201, seed=[14])
    path = E.alpha_path(top, [10, 50, 200])
    assert [p["k"] for p in path] == [10, 50, 200]
    assert all(p["alpha_ci"][0] < 4 < p["alpha_ci"][1] for p in path)
    widths = [p["alpha_ci"][1] - p["alpha_ci"][0] for p in path]
    assert widths[0] > widths[1] > widths[2]


# ------------------------------------------------------------------------------------------------ xi and directional

def test_fit_xi_domains():
    rng = np.random.Generator(np.random.PCG64(41))
    pareto = rng.pareto(2.0, (100, 4000)) + 1.0  # ξ = 1/2
    f = E.fit_xi(pareto)
    assert f.domain == "frechet" and f.xi_ci[0] < 0.5 < f.xi_ci[1]
    beta = 1 - rng.random((100, 4000)) ** (1 / 2.0)  # top at 1 with α = 2: ξ = −1/2
    f = E.fit_xi(beta)
    assert f.domain == "weibull" and abs(f.xi + 0.5) < 0.1
    # ξ = 0 exactly in the tail; the moment estimator's second-order bias is of order 1/log(n/k) and positive here
    # (about +0.03 at n = 4000, k = 63: docs/heads_estimators.md §5), larger than the pooled standard error 0.013
    expo = rng.exponential(size=(100, 4000))
    f = E.fit_xi(expo)
    assert abs(f.xi) < 0.06 and f.domain != "weibull"


def test_directional_fit_exact_law_and_self_direction():
    rng = np.random.Generator(np.random.PCG64(42))
    keys = rng.standard_normal((10_000, 3))
    q = rng.standard_normal((30, 3))
    f = E.directional_fit(q, keys, k=50)
    assert f.alpha_ci[0] < 1 < f.alpha_ci[1] and f.kappa_ci[0] < 0.5 < f.kappa_ci[1]
    assert "Levina" in f.method
    f2 = E.directional_fit(keys[:30], keys, k=50)  # each query is also a key: its own D = 0 is left out
    assert f2.alpha_ci[0] < 1 < f2.alpha_ci[1]
    # S^4: α = 2 with a small bias from the O(t) term of the cap law at t ≈ 0.1
    f5 = E.directional_fit(rng.standard_normal((30, 5)), rng.standard_normal((10_000, 5)), k=30)
    assert abs(f5.alpha - 2) < 0.25


def test_skdim_cross_check():
    pytest.importorskip("skdim", reason="scikit-dimension is optional (pip install scikit-dimension)")
    keys = np.random.default_rng(43).standard_normal((2000, 4))  # directions on S^3: dimension 3, α = 3/2
    r = E.skdim_cross_check(keys)
    assert abs(r["alpha_mle"] - 1.5) < 0.3 and abs(r["alpha_twonn"] - 1.5) < 0.3


def test_skdim_absent_returns_none():
    try:
        import skdim  # noqa: F401
    except ImportError:
        assert E.skdim_cross_check(np.ones((20, 3)) + np.arange(60).reshape(20, 3)) is None
    else:
        pytest.skip("skdim is installed: the cross-check itself is tested above")


# ------------------------------------------------------------------------------------------------ refusals

def test_refusals():
    good = _power_top(2.0, 4, 30, seed=[50])
    bad = good.copy()
    bad[1, 3] = np.nan
    _refused(lambda: E.fit_gap_law(bad), "NaN")
    bad[1, 3] = np.inf
    _refused(lambda: E.fit_gap_law(bad), "+inf")
    _refused(lambda: E.fit_gap_law(good[:, :8]), "at least 11 keys")
    _refused(lambda: E.fit_gap_law(good, k=40), "k = 40", "41 visible keys")
    _refused(lambda: E.fit_gap_law(good, k=1), "k must be an integer >= 2")
    _refused(lambda: E.fit_gap_law(good, confidence=1.5), "confidence")
    _refused(lambda: E.fit_gap_law(good, n_keys=10), "n_keys")
    _refused(lambda: E.fit_gap_law(np.zeros((3, 0))), "shape")
    _refused(lambda: E.fit_gap_law("abc"), "logits")
    masked = np.full((3, 50), -np.inf)
    masked[:, :5] = 0.0
    _refused(lambda: E.fit_gap_law(masked), "at least 11 keys")
    same = np.zeros((3, 50))
    _refused(lambda: E.fit_gap_law(same, k=10), "distinct")
    _refused(lambda: E.fit_xi(bad), "+inf")
    _refused(lambda: E.gap_loglik(good, [0.0], k=10), "alphas")
    _refused(lambda: E.directional_fit(np.ones((2, 3)), np.zeros((20, 3))), "zero-norm")
    _refused(lambda: E.directional_fit(np.ones((2, 3)), np.ones((20, 4))), "same d_head")
    _refused(lambda: E.directional_fit(np.ones((2, 3)), np.ones((5, 3)) + np.eye(5, 3)), "at least 11")


def test_directional_fit_refuses_duplicated_keys():
    """Every key in one of two directions: the k nearest distances of each query are all equal, so there is no
    exponent to read (before: alpha = inf with a divide-by-zero warning)."""
    import warnings

    keys = np.vstack([np.tile([1.0, 0.0, 0.0], (20, 1)), np.tile([0.0, 1.0, 0.0], (20, 1))])
    queries = np.array([[0.6, 0.8, 0.0], [0.0, 0.6, 0.8]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _refused(lambda: E.directional_fit(queries, keys, k=10), "same distance", "duplicated")
