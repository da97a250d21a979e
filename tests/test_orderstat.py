"""Order-statistics sampler: inverse cap law, exact laws of the nearest distances, limits at n = 10^12.

References: the cap law I_{t/2}(a, a) by mpmath at 40 digits; the exact law of the nearest distances
P(D_(1) > t) = (1 - F(t))^n and P(D_(2) > t) = (1 - F)^n + n F (1 - F)^{n-1} (independent keys);
the Poisson limit of the ranked weights for alpha = 1 (d = 3) written out below and evaluated with
mpmath quadrature, independently of the package.
"""
from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from scipy import special

from attnlimits.numerics.montecarlo.sampling import replicates
from attnlimits.numerics.montecarlo.orderstat_sampler import cap_inverse, nearest_distances, orderstat_replicate
from attnlimits.numerics.montecarlo.stats import family_verdict, ks_compare, ks_two_sample, two_sample_z, z_compare


def _holds(comps):
    ok, fig = family_verdict(comps)
    assert ok, (fig, [(c.name, round(c.z, 2), c.p) for c in comps])


@pytest.mark.parametrize("d", [2, 3, 4, 5, 10, 128, 1024])
def test_cap_inverse_against_mpmath(d):
    """I_{t/2}(a, a) at the returned t equals u to 1e-12 relative (mpmath betainc at 40 digits)."""
    a = (d - 1) / 2
    u = np.array([1e-300, 1e-40, 1e-20, 1e-12, 1e-6, 1e-2, 0.3, 0.5])
    if d == 2:  # t ~ (pi u)^2 / 2 would underflow below u ~ 1e-150
        u = u[1:]
    t = cap_inverse(u, a)
    with mp.workdps(40):
        for ui, ti in zip(u, t):
            got = mp.betainc(a, a, 0, mp.mpf(float(ti)) / 2, regularized=True)
            assert abs(got / mp.mpf(float(ui)) - 1) < 1e-12, (d, ui, ti)


def _log_sf(t, d):
    """log P(D > t) = log(1 - I_{t/2}(a, a)), accurate for tiny t (log1p of the cap)."""
    a = (d - 1) / 2
    if d == 3:
        return np.log1p(-t / 2)
    return np.log1p(-special.betainc(a, a, t / 2))


@pytest.mark.parametrize("d,n", [(3, 10**12), (5, 10**12), (3, 10**18), (8, 10**6)])
def test_nearest_distance_law(d, n):
    """KS of D_(1) and D_(2) against their exact finite-n laws (1 - F)^n and (1 - F)^n + nF(1 - F)^{n-1}."""
    rng = np.random.default_rng(d + n % 97)
    R = 3000
    D = np.array([nearest_distances(n, d, 2, rng)[0] for _ in range(R)])
    assert np.all(D[:, 0] < D[:, 1])

    def cdf1(t):
        return -np.expm1(n * _log_sf(np.asarray(t), d))

    def cdf2(t):
        ls = _log_sf(np.asarray(t), d)
        F = -np.expm1(ls)
        return 1 - np.exp(n * ls) - n * F * np.exp((n - 1) * ls)

    _holds([ks_compare("D_(1)", D[:, 0], cdf1), ks_compare("D_(2)", D[:, 1], cdf2)])


def _poisson_limit_alpha1(lam):
    """Limits of E W_(1) and E sum W^2 for d = 3 (alpha = 1), critical beta = lam kappa n, kappa = 1/2.

    Derivation (independent of the package). Points S_j of a unit Poisson process, y_j = e^{-lam S_j},
    T = sum y_j. Conditioning on S_1 = g: E W_(1) = int e^{-g} int_0^inf y e^{-t y} exp(-int_g^inf (1 -
    e^{-t y(u)}) du) dt dg with y = e^{-lam g}; the inner integral is Ein(t y)/lam, Ein(z) = int_0^z
    (1 - e^{-v})/v dv, so s = t y turns it into int_0^inf e^{-s - Ein(s)/lam} ds, free of g.
    Campbell–Mecke: E sum W^2 = int t e^{-Ein(t)/lam} int y(u)^2 e^{-t y(u)} du dt
    = (1/lam) int_0^inf e^{-Ein(t)/lam} (1 - e^{-t}(1 + t))/t dt.
    """
    with mp.workdps(20):
        ein = lambda z: mp.e1(z) + mp.log(z) + mp.euler if z > 0 else mp.mpf(0)
        ew1 = mp.quad(lambda s: mp.exp(-s - ein(s) / lam), [0, 1, 10, mp.inf])
        esw2 = mp.quad(lambda t: mp.exp(-ein(t) / lam) * (-mp.expm1(-t) - t * mp.exp(-t)) / t,
                       [0, 1, 10, 100, mp.inf]) / lam
        return float(ew1), float(esw2)


def test_poisson_limit_at_1e12():
    """n = 10^12, d = 3, lam = 1 and 3: E W_(1) and E sum W^2 against the Poisson limit (finite-n bias
    O(1/n) is far below the Monte Carlo error); every replicate's truncation bound <= 1e-12."""
    n = 10**12
    comps = []
    for lam, seed in ((1.0, 5), (3.0, 6)):
        ew1, esw2 = _poisson_limit_alpha1(lam)
        r = replicates(n, 3, lam * n / 2, 2000, seed, sampler="orderstat")
        assert r.truncation_bound.max() <= 1e-12
        comps += [z_compare(f"lam={lam} E W1", r.top[:, 0], ew1),
                  z_compare(f"lam={lam} E sum W2", r.sum_w2, esw2)]
    _holds(comps)


def test_orderstat_vs_exact_at_1e5():
    """n = 10^5, d = 3 and d = 5 near the critical scale: order statistics against exact reduced."""
    comps = []
    for d, beta, R in ((3, 5e4, 300), (5, 400.0, 100)):
        a = replicates(10**5, d, beta, R, 81, sampler="orderstat")
        b = replicates(10**5, d, beta, R, 82, sampler="exact", chunk=1 << 14)
        assert a.truncation_bound.max() <= 1e-13
        for key in ("sum_w2", "entropy", "gap", "perp_norm", "min_dist"):
            comps += [ks_two_sample(f"d={d} {key}", getattr(a, key), getattr(b, key)),
                      two_sample_z(f"d={d} {key} mean", getattr(a, key), getattr(b, key))]
        comps.append(ks_two_sample(f"d={d} top1", a.top[:, 0], b.top[:, 0]))
    _holds(comps)


def test_truncation_bound_is_certified():
    """The reported bound dominates the rest's true share: compare a truncated run with the same run
    continued to every key (n small, same stream: the explicit keys are the same order statistics)."""
    n, d, beta = 4000, 3, 3000.0
    for seed in range(5):
        full = orderstat_replicate(n, d, beta, 5, np.random.default_rng(seed), tol=0.0)
        cut = orderstat_replicate(n, d, beta, 5, np.random.default_rng(seed), tol=1e-3)
        assert full.truncation_bound == 0.0 and cut.truncation_bound > 0.0
        assert cut.explicit_keys < n
        # every explicit weight changes by the factor 1/(1 + R/S_m) with R/S_m <= bound
        rel = cut.top[0] / full.top[0] - 1
        assert 0.0 <= rel <= cut.truncation_bound * (1 + 1e-9) + 1e-15
        assert abs(cut.sum_w2 - full.sum_w2) <= 3 * cut.truncation_bound + 1e-15


def test_reaches_1e18():
    """n = 10^18 in the critical regime: a few hundred explicit keys give a bound below 1e-12."""
    r = orderstat_replicate(10**18, 3, 0.5e18, 5, np.random.default_rng(1))
    assert r.truncation_bound <= 1e-12
    assert r.explicit_keys < 2000
    assert 0 < r.min_dist < 1e-15 and math.isfinite(r.entropy)
