"""Figures of the critical regime (P1 §3, §5): the largest weight against lambda and the ranked weights.

- ``critical_top_weight``: E W_(1) against lambda for d = 3 (beta_n = lambda kappa_3 n = lambda n / 2): the
  Poisson-limit curve (:func:`attnlimits.numerics.laws.poisson_limit.alpha1_functionals`), the exact finite-n curves
  (:func:`attnlimits.numerics.laws.finite_n.exact_finite`) and Monte Carlo points with one-standard-error bars
  (exact reduced sampler, fixed seed).
- ``critical_ranked_weights``: the law of the ranked weights W_(1), W_(2), W_(3) at lambda = 1, d = 3, from the
  order-statistics sampler at n = 10^12 (fixed seed), with the limit means E W_(k) and the generalized Dickman
  law P(W_(1) > w) = e^{-gamma/lambda} ((1-w)/w)^{1/lambda} / Gamma(1 + 1/lambda) on w >= 1/2.
"""
from __future__ import annotations

import numpy as np

from attnlimits.numerics.figures.registry import FigureSpec, label_axes, pyplot, save_figure
from attnlimits.numerics.progress import progress

LAMBDAS = (0.1, 0.2, 0.35, 0.6, 1.0, 1.7, 3.0, 5.0, 10.0)
FINITE_N = (10, 100, 10**4)


def top_weight_figure(path, *, seed: int = 7, reps: int = 400) -> None:
    from attnlimits.numerics.laws.poisson_limit import alpha1_functionals
    from attnlimits.numerics.laws.finite_n import exact_finite
    from attnlimits.numerics.montecarlo.sampling import replicates

    plt = pyplot()
    lams = np.array(LAMBDAS)
    fig, ax = plt.subplots(figsize=(6.6, 4.4), constrained_layout=True)
    limit = [float(alpha1_functionals(lam, 10).E_W1) for lam in progress(lams, desc="limit curve")]
    ax.semilogx(lams, limit, "k-", lw=2, label="Poisson limit (n → ∞)")
    for i, n in enumerate(FINITE_N):
        ex = [float(exact_finite(n, 3, lam * n / 2, 8, which=("E_W1",)).E_W1)
              for lam in progress(lams, desc=f"exact n={n}")]
        ax.semilogx(lams, ex, color=f"C{i}", ls="--", lw=1.2, label=f"exact, n = {n}")
        if n <= 10**4:
            m, se = [], []
            for lam in lams:
                r = replicates(n, 3, lam * n / 2, reps, seed, sampler="exact")
                w = r.top[:, 0]
                m.append(w.mean())
                se.append(w.std(ddof=1) / np.sqrt(reps))
            ax.errorbar(lams, m, yerr=se, fmt="o", ms=3, color=f"C{i}", capsize=2,
                        label=f"Monte Carlo, n = {n} ({reps} runs)")
    label_axes(ax, "λ  (β_n = λ (κ_d n)^(2/(d-1)), d = 3)", "E W_(1)  (expected largest weight)",
               "Critical window, d = 3: subcritical (left) to collapse (right)", title_size=10, grid=True)
    save_figure(fig, path)


def ranked_weights_figure(path, *, seed: int = 11, reps: int = 4000, lam: float = 1.0) -> None:
    import mpmath

    from attnlimits.numerics.laws.poisson_limit import limit_functionals, max_weight_tail, parameters
    from attnlimits.numerics.montecarlo.sampling import replicates

    plt = pyplot()
    n = 10**12
    r = replicates(n, 3, lam * n / 2, reps, seed, sampler="orderstat")
    top = r.top
    means = limit_functionals(parameters(d=3, lam=lam, digits=10), 10, 3)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    bins = np.linspace(0, 1, 51)
    for k in range(3):
        ax1.hist(top[:, k], bins=bins, density=True, alpha=0.5, color=f"C{k}", label=f"W_({k + 1}), Monte Carlo")
        ax1.axvline(float(means.E_W[k]), color=f"C{k}", ls="--", lw=1.5,
                    label=f"E W_({k + 1}) limit = {mpmath.nstr(means.E_W[k], 5)}")
    label_axes(ax1, "weight", "density", f"Ranked weights at λ = {lam:g}, d = 3, n = 10^12 ({reps} runs)",
               title_size=10)
    w = np.sort(top[:, 0])
    ax2.step(w, 1 - np.arange(1, w.size + 1) / w.size, where="post", label="Monte Carlo P(W_(1) > w)")
    ws = np.linspace(0.5, 0.999, 200)
    ax2.plot(ws, [float(max_weight_tail(lam, x, 12)) for x in ws], "k--",
             label="generalized Dickman law (w ≥ 1/2)")
    label_axes(ax2, "w", "P(W_(1) > w)", "Largest weight: Monte Carlo against the closed form", title_size=10)
    save_figure(fig, path)


FIGURES = [
    FigureSpec("critical_top_weight",
               "E W_(1) against λ for d = 3 (β_n = λ n/2): the Poisson-limit curve (solid), the exact finite-n "
               "values for n = 10, 100, 10^4 (dashed) and Monte Carlo means with one-standard-error bars (400 runs "
               "each, seed 7). Small λ: no key keeps macroscopic mass; large λ: the nearest key takes it all.",
               top_weight_figure),
    FigureSpec("critical_ranked_weights",
               "The ranked limiting weights at λ = 1, d = 3: Monte Carlo at n = 10^12 (order-statistics sampler, "
               "4000 runs, seed 11) with the limit means E W_(k) (dashed), and the empirical tail of W_(1) against "
               "the generalized Dickman law e^{-γ/λ}((1-w)/w)^{1/λ}/Γ(1+1/λ), exact for w ≥ 1/2.",
               ranked_weights_figure),
]
