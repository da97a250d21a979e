"""Claims on exact finite-n values: two routes, convergence to the Poisson limit, Monte Carlo
(docs/mathematics.md §8)."""
from __future__ import annotations

import mpmath
import numpy as np

from attnlimits.numerics.laws import poisson_limit as C
from attnlimits.numerics.laws import finite_n as F
from attnlimits.numerics.montecarlo.stats import family_verdict, z_compare
from attnlimits.numerics.precision import digits_agreed
from attnlimits.proofs_checks.registry import Outcome, Source, claim

AREA = "P1.finite"  # the claim ids this module owns (checked by the registry)


def _n2_d3(beta, digits):
    """n = 2, d = 3: E w_(1) = E 1/(1 + e^{−β|D_1 − D_2|}), |D_1 − D_2| with density (2 − z)/2 on [0, 2]."""
    with mpmath.workdps(digits + 10):
        b = mpmath.mpf(beta)
        return mpmath.quad(lambda z: (2 - z) / 2 / (1 + mpmath.exp(-b * z)), [0, 1 / b, 2])


@claim("P1.finite.exact",
       statement="Exact finite-n E w_(1) and E sum w^2 (uniform keys, any n >= 1): the Gauss-panel route agrees with "
                 "the d = 3 exponential-integral route and with the n = 2 closed form",
       source=Source("P1", "§5"), evidence="numerical", quick=True)
def _exact(ctx):
    figs = {}
    ok = True
    cases = ((10 ** 3, 800), (10 ** 12, 2 * 10 ** 11)) if ctx.full else ((10 ** 12, 2 * 10 ** 11),)
    for n, beta in cases:
        a = F.exact_finite(n, 3, beta, 15, which=("E_sum_W2",))
        b = F.exact_finite_d3(n, beta, 15, which=("E_sum_W2",))
        dg = digits_agreed(a.E_sum_W2, b.E_sum_W2)
        figs[f"n{n:.0e}_sumW2_digits"] = dg
        ok &= dg >= 15
    for beta in ((1, 7) if ctx.full else (3,)):
        a = F.exact_finite(2, 3, beta, 15).E_W1
        dg = digits_agreed(a, _n2_d3(beta, 15))
        figs[f"n2_beta{beta}_W1_digits"] = dg
        ok &= dg >= 15
    one = F.exact_finite(1, 9, 3, 15)
    ok &= abs(one.E_W1 - 1) < mpmath.mpf("1e-14") and abs(one.E_sum_W2 - 1) < mpmath.mpf("1e-14")
    if ctx.full:
        a = F.exact_finite(10, 3, 2, 10).E_W1
        b = F.exact_finite_d3(10, 2, 10, which=("E_W1",)).E_W1
        figs["n10_W1_digits"] = digits_agreed(a, b)
        ok &= figs["n10_W1_digits"] >= 10
    return Outcome(bool(ok), "Gauss panels vs d=3 E1/Ein forms (n=1e3, 1e12) and vs the n=2 closed form", figs)


def convergence_table(d, lam, ns, digits=15):
    """[(n, E w_(1)(n) − E W_(1)(∞))] at β_n = λ (κ n)^{1/α}, and the limit value."""
    alpha = mpmath.mpf(d - 1) / 2
    lim = (C.alpha1_functionals(lam, digits) if d == 3 else C.campbell_functionals(alpha, lam, digits, k_max=1)).E_W1
    rows = []
    for n in ns:
        beta = F.beta_from_lambda(n, d, lam, digits)
        w = F.exact_finite(n, d, beta, digits, which=("E_W1",)).E_W1
        rows.append((n, w - lim))
    return rows, lim


def fitted_exponent(rows):
    x = np.log([float(n) for n, _ in rows])
    y = np.log([abs(float(e)) for _, e in rows])
    return float(np.polyfit(x, y, 1)[0])


@claim("P1.finite.convergence",
       statement="E w_(1) at beta_n = lambda (kappa n)^{1/alpha} converges to the Poisson-limit E W_(1); the error "
                 "decays like n^{-1} for d = 3 (exact linear cap law) and n^{-1/alpha} = n^{-1/2} for d = 5 "
                 "(first correction of the cap law)",
       source=Source("P1", "§5"), evidence="numerical", quick=True)
def _convergence(ctx):
    figs = {}
    rows3, _ = convergence_table(3, 1, [10 ** 2, 10 ** 3, 10 ** 4] if not ctx.full else [10 ** 3, 10 ** 5, 10 ** 7, 10 ** 9, 10 ** 11], 10 if not ctx.full else 15)
    s3 = fitted_exponent(rows3)
    figs["d3_slope"] = round(s3, 4)
    ok = abs(s3 + 1) < 0.05
    if ctx.full:
        rows5, _ = convergence_table(5, 1, [10 ** 4, 10 ** 6, 10 ** 8, 10 ** 10], 15)
        s5 = fitted_exponent(rows5)
        figs["d5_slope"] = round(s5, 4)
        ok &= abs(s5 + 0.5) < 0.05
    return Outcome(bool(ok), "log-log fit of |E w_(1)(n) - E W_(1)| over n (exact finite-n vs limit)", figs)


def _mc(cases, reps, seed0):
    from attnlimits.numerics.montecarlo.sampling import replicates

    comps = []
    for i, (n, d, lam) in enumerate(cases):
        beta = F.beta_from_lambda(n, d, lam, 15)
        ex = F.exact_finite(n, d, beta, 12)
        r = replicates(n, d, float(beta), reps, seed=seed0 + i)
        comps.append(z_compare(f"n={n} d={d} E_W1", r.top[:, 0], ex.E_W1))
        comps.append(z_compare(f"n={n} d={d} E_sum_W2", r.sum_w2, ex.E_sum_W2))
    return comps


@claim("P1.finite.monte_carlo",
       statement="Monte Carlo of attention over n uniform keys agrees with the exact finite-n E w_(1) and E sum w^2",
       source=Source("P1", "§5"), evidence="statistical", quick=True)
def _monte_carlo(ctx):
    cases = [(1000, 3, 1.0), (2000, 5, 0.7), (1000, 8, 1.5)]
    comps = _mc(cases, 600 if ctx.full else 300, 100)
    ok, fig = family_verdict(comps)
    return Outcome(ok, "reference sampler vs exact finite-n values, Holm over E w_(1) and E sum w^2", fig)


@claim("P1.finite.monte_carlo_1e7",
       statement="At n = 10^7 keys the sampled E w_(1) and E sum w^2 agree with the exact finite-n values",
       source=Source("P1", "§5"), evidence="statistical", quick=False)
def _monte_carlo_big(ctx):
    comps = _mc([(10 ** 7, 3, 1.0), (10 ** 6, 5, 1.0)], 40, 300)
    ok, fig = family_verdict(comps)
    return Outcome(ok, "reference sampler at n=1e7 (d=3) and 1e6 (d=5) vs exact finite-n values", fig)
