"""Claims of the supercritical regime: collapse on the nearest key, the Weibull law (paper 1, §3;
docs/mathematics.md §7)."""
from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

from attnlimits.numerics.laws import supercritical as S
from attnlimits.numerics.montecarlo.stats import family_verdict, ks_compare
from attnlimits.proofs_checks.registry import Outcome, Source, claim

AREA = "P1.super"  # the claim ids this module owns (checked by the registry)


@claim("P1.super.collapse",
       statement="As lambda -> infinity, W_(1) -> 1: P(W_(1) > 1 - eps) -> 1 for fixed eps, and -log(1 - W_(1))/lambda "
                 "-> S_2 - S_1 in law (Exp(1) for d = 3)",
       source=Source("P1", "§3"), evidence="symbolic", quick=True)
def _collapse(ctx):
    from attnlimits.theory import poisson_limit as P

    lam, h, eps = sp.symbols("lambda h epsilon", positive=True)
    # exact d = 3 law P(W_(1) > 1 - eps) (Dickman), eps = e^{-lambda h} (<= 1/2 for lambda h >= log 2)
    tail = P.max_weight_tail_alpha1(lam, 1 - eps)
    lim_fixed = sp.limit(tail.subs(eps, sp.Rational(1, 100)), lam, sp.oo)
    lim_scaled = sp.limit(sp.simplify(tail.subs(eps, sp.exp(-lam * h))), lam, sp.oo)
    ok1 = sp.simplify(lim_fixed - 1) == 0
    ok2 = sp.simplify(lim_scaled - sp.exp(-h)) == 0
    # the general gap law at alpha = 1 is Exp(1), and its mean is Gamma(2+1/alpha) - Gamma(1+1/alpha)
    with mpmath.workdps(30):
        g = S.gap_survival(1, "0.75", 25)
        ok3 = abs(g - mpmath.exp(mpmath.mpf("-0.75"))) < mpmath.mpf("1e-24")
    with mpmath.workdps(20):
        gm = mpmath.quad(lambda x: S.gap_survival(2, x, 15), [0, 1, 3, 8])
        ok4 = abs(gm - S.gap_mean(2, 15)) < mpmath.mpf("1e-12")
    # Monte Carlo of the Poisson limit at large lambda (d = 5, alpha = 2): -log(1 - W_(1))/lambda vs the gap law
    rng = np.random.Generator(np.random.PCG64(77))
    lamv, reps = 60.0, 4000
    G = np.cumsum(rng.exponential(size=(reps, 60)), axis=1)
    Sx = np.sqrt(G)
    lw = -lamv * (Sx - Sx[:, :1])
    from scipy.special import logsumexp

    logR = logsumexp(lw[:, 1:], axis=1)
    # 1 − W_(1) = R/(1 + R): −log(1 − W_(1)) = log(1 + R) − log R
    stat = (np.logaddexp(0.0, logR) - logR) / lamv
    gap = Sx[:, 1] - Sx[:, 0]
    grid = np.linspace(0, 3, 61)
    surv = np.array([float(S.gap_survival(2, x, 12)) for x in grid])
    cdf = lambda x: 1 - np.interp(x, grid, surv, right=0.0)
    comp = ks_compare("alpha=2 lambda=60", stat, cdf)
    ok5 = comp.p > 1e-6
    ok = bool(ok1 and ok2 and ok3 and ok4 and ok5)
    return Outcome(ok, "sympy limits of the exact d=3 law; gap law vs Exp(1) and its mean; KS of the limit process "
                       "at lambda=60 (alpha=2) against the gap law",
                   {"lim_fixed_eps": str(lim_fixed), "lim_scaled": str(lim_scaled), "ks_p": comp.p,
                    "ks_stat": comp.estimate, "max_abs_gap_mc_minus_law": float(np.max(np.abs(stat - gap)))})


@claim("P1.super.nearest_weibull",
       statement="The rescaled nearest distance (kappa n)^{1/alpha} D_(1) converges to the Weibull law "
                 "P(. > s) = exp(-s^alpha)",
       source=Source("P1", "§3"), evidence="statistical", quick=True)
def _weibull(ctx):
    from attnlimits.numerics.montecarlo.sampling import replicates

    figs = {}
    # exact finite-n law against the Weibull limit: sup-distance over a grid shrinks with n
    ok = True
    for d in (3, 5, 9):
        a = (d - 1) / 2
        prev = None
        for n in (10 ** 3, 10 ** 6, 10 ** 9):
            dist = max(abs(S.nearest_survival_exact(n, d, s, 15) - S.nearest_survival_limit(a, s, 15))
                       for s in (0.1, 0.3, 0.6, 1.0, 1.5, 2.0))
            figs[f"d{d}_n{n:.0e}_sup"] = float(dist)
            if prev is not None:
                ok &= dist < prev
            prev = dist
        ok &= prev < 5e-3
    # Monte Carlo: min distance from the reference sampler vs the exact finite-n law (KS)
    n, d, reps = 5000, 5, (1200 if ctx.full else 400)
    r = replicates(n, d, 1.0, reps, seed=31)
    kappa = float(sp.N(2 ** (-sp.Rational(d - 1, 2)) * sp.gamma(d - 1) / (sp.Rational(d - 1, 2) * sp.gamma(sp.Rational(d - 1, 2)) ** 2)))
    sc = (kappa * n) ** (2 / (d - 1))
    from scipy import stats as st

    cdf = lambda s: 1 - (1 - st.beta((d - 1) / 2, (d - 1) / 2).cdf(np.asarray(s) / sc / 2)) ** n
    comp = ks_compare("min_dist", r.min_dist * sc, cdf)
    ok_mc, fig = family_verdict([comp])
    figs.update(fig)
    return Outcome(bool(ok and ok_mc), "exact (1 - I)^n vs exp(-s^alpha) for n = 1e3..1e9 (d = 3, 5, 9); "
                                       "KS of sampled nearest distances (n=5000, d=5) vs the exact law", figs)
