"""The validity map: which limit law describes attention at (n, d, β), and how well (docs/output.md §4).

Left panels, one per d = 3, 16, 128: over (log10 n, log10 β), filled contours of log10 of the smallest error among the
three limit descriptions (subcritical Gaussian, critical Poisson limit, supercritical collapse) against the exact
finite-n weights and output (``numerics.laws.validity``), with the describing law marked at each grid point and the
critical line β*_n = (κ_d n)^{2/(d−1)}. Right panel: the rate. On the critical scale (λ = 1) the error of the Poisson
limit decays like n^{−1/α}, α = (d − 1)/2: the cap law P(D ≤ t) = κ_d t^α (1 + O(t)) is probed at t ~ (κ_d n)^{−1/α},
so its first correction is relative O(n^{−1/α}) (docs/mathematics.md §8.4); the slopes fitted on the exact values
are shown against the exponent :func:`derived_rate` derives from the cap series.

The points are independent: they run in two worker processes (the machine's two cores).
"""
from __future__ import annotations

import math

import numpy as np

from attnlimits.numerics.figures.registry import FigureSpec, label_axes, pyplot, save_figure

__all__ = ["map_grid", "map_point", "rate_points", "derived_rate", "fitted_slope", "validity_figure", "FIGURES", "MAP_DIMS"]

#: Dimensions of the map panels.
MAP_DIMS = (3, 16, 128)

#: log10 n of the grid (the same for every d).
LOG_N = (2.0, 4.5, 7.0, 9.5, 12.0)

#: log10 β of the grid for each d: around the critical line, up to λ ≈ 100 at the largest n.
LOG_BETA = {3: (0.0, 2.5, 5.0, 7.5, 10.0, 12.5), 16: (-1.0, -0.1, 0.8, 1.7, 2.6, 3.5),
            128: (-1.0, -0.4, 0.2, 0.8, 1.4, 2.0)}

#: Digits of the map's comparisons (errors are drawn to 10^{-DIGITS}).
MAP_DIGITS = 3

#: (d, log10 n values) of the rate panel, at λ = 1.
RATE = ((3, (3, 5, 7)), (5, (3, 6, 9)), (9, (3, 6, 9)))

_LAWS = ("subcritical", "critical", "supercritical")


def map_point(args):
    """(best law, its error) at one (n, d, β) at ``digits``: ``validity``'s verdict; ("beyond", nan) where the
    exact output refuses (λ > 100: the collapse on the nearest key, outside the exact range).

    >>> law, err = map_point((100, 3, 50.0, 3))     # λ = β/(n/2) = 1: the Poisson limit, off by O(1/n)
    >>> law, err < 0.05
    ('critical', True)
    """
    from attnlimits.numerics.laws.finite_output import check_output_range
    from attnlimits.numerics.laws.validity import validity
    from attnlimits.theory.validation import InputError

    n, d, beta, digits = args
    b = repr(float(beta))
    try:
        check_output_range(n, d, b, digits)
    except InputError:
        return "beyond", math.nan
    r = validity(n, d, b, digits)
    return r.best, float(r.best_error)


def _pool_map(fn, items, workers: int = 2):
    if workers <= 1 or len(items) < 4:
        return [fn(x) for x in items]
    import concurrent.futures as cf
    import multiprocessing as mp

    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork")) as ex:
        return list(ex.map(fn, items, chunksize=1))


def map_grid(d: int, log_n=LOG_N, log_beta=None, digits: int = MAP_DIGITS, workers: int = 2):
    """(laws, errors): arrays of shape (len(log_beta), len(log_n)) of the describing law and its error.

    >>> laws, errs = map_grid(3, log_n=(2.0,), log_beta=(0.0,), digits=3, workers=1)   # n = 100, β = 1
    >>> laws[0][0], bool(errs[0, 0] < 0.1)
    ('subcritical', True)
    """
    log_beta = LOG_BETA[d] if log_beta is None else log_beta
    items = [(int(round(10 ** ln)), d, 10 ** lb, digits) for lb in log_beta for ln in log_n]
    res = _pool_map(map_point, items, workers)
    laws = [[res[i * len(log_n) + j][0] for j in range(len(log_n))] for i in range(len(log_beta))]
    errs = np.array([[res[i * len(log_n) + j][1] for j in range(len(log_n))] for i in range(len(log_beta))])
    return laws, errs


def _rate_point(args):
    from attnlimits.numerics.laws import poisson_limit as C
    from attnlimits.numerics.laws.finite_n import beta_from_lambda
    from attnlimits.numerics.laws.finite_output import exact_output

    d, n, digits = args
    alpha = (d - 1) / 2
    lim = C.alpha1_functionals(1, digits + 3) if d == 3 else C.campbell_functionals(alpha, 1, digits + 3, k_max=1)
    b = beta_from_lambda(n, d, 1, digits + 10)
    import mpmath

    r = exact_output(n, d, mpmath.nstr(b, digits + 10), digits, k_max=1, variance=False, entropy=False)
    return float(abs(r.E_W1 - lim.E_W1) / lim.E_W1)


def rate_points(workers: int = 2):
    """{d: (ns, relative errors of E W_(1) against the Poisson limit at λ = 1)} for :data:`RATE`; the digits of each
    point exceed log10 of 1/(its expected error κ-free n^{−1/α}) by 4."""
    items = [(d, 10 ** e, 4 + int(math.ceil(e * 2 / (d - 1)))) for d, es in RATE for e in es]
    res = _pool_map(_rate_point, items, workers)
    out, i = {}, 0
    for d, es in RATE:
        out[d] = ([10 ** e for e in es], res[i:i + len(es)])
        i += len(es)
    return out


def derived_rate(d: int):
    """The exponent of the Poisson limit's leading finite-n correction on the critical scale, derived by sympy:
    −min(1, k/α), where k is the order of the first nonzero correction of the cap law
    P(D ≤ t) = Σ_j C_j t^{α+j} (``theory.cap.cap_series_terms``; probed at t ~ n^{−1/α}) and 1 is that of the
    binomial-to-Poisson step (docs/mathematics.md §8.4).

    >>> derived_rate(3), derived_rate(5), derived_rate(9)   # d = 3: P(D ≤ t) = t/2 exactly, only the 1/n remains
    (-1, -1/2, -1/4)
    """
    import sympy as sp

    from attnlimits.theory.cap import cap_series_terms

    terms = cap_series_terms(3, d)
    a = terms[0][0]
    orders = [e - a for e, c in terms[1:] if c != 0]
    return -min([sp.Integer(1)] + [sp.Rational(k) / a for k in orders])


def fitted_slope(ns, values) -> float:
    """Least-squares slope of log |value| against log n.

    >>> round(fitted_slope([10, 100, 1000], [1e-1, 1e-2, 1e-3]), 6)
    -1.0
    """
    return float(np.polyfit(np.log(np.asarray(ns, float)), np.log(np.abs(np.asarray(values, float))), 1)[0])


def validity_figure(path, *, workers: int = 2) -> None:
    """Write the validity map (three panels) and the rate panel as one PNG to ``path`` (module docstring)."""
    import sympy as sp

    from attnlimits.theory.sphere import kappa

    plt = pyplot()
    fig, axes = plt.subplots(1, 4, figsize=(18, 4.6), constrained_layout=True)
    marks = {"subcritical": "o", "critical": "^", "supercritical": "s", "beyond": "x"}
    levels = np.arange(-MAP_DIGITS, 1.01, 0.5)
    cs = None
    for ax, d in zip(axes[:3], MAP_DIMS):
        laws, errs = map_grid(d, workers=workers)
        z = np.log10(np.clip(errs, 10.0 ** -MAP_DIGITS, 10.0))
        X, Y = np.meshgrid(LOG_N, LOG_BETA[d])
        cs = ax.contourf(X, Y, np.ma.masked_invalid(z), levels=levels, cmap="viridis_r", extend="both")
        ax.contour(X, Y, np.ma.masked_invalid(z), levels=[-3, -2, -1], colors="w", linewidths=0.8)
        for law, m in marks.items():
            pts = [(LOG_N[j], LOG_BETA[d][i]) for i in range(len(laws)) for j in range(len(LOG_N)) if laws[i][j] == law]
            if pts:
                style = dict(c="k") if m == "x" else dict(facecolors="none", edgecolors="k")
                ax.scatter(*zip(*pts), marker=m, s=22, linewidths=0.8, **style,
                           label=law if law != "beyond" else "λ > 100 (collapse)")
        k = float(sp.N(kappa(d), 30))
        ln = np.linspace(LOG_N[0], LOG_N[-1], 50)
        crit = (math.log10(k) + ln) / ((d - 1) / 2)
        ax.plot(ln, crit, "r-", lw=1.5, label="critical β*_n")
        ax.set_ylim(LOG_BETA[d][0], LOG_BETA[d][-1])
        label_axes(ax, "log10 n", "log10 β", f"d = {d}: log10 error of the describing law", title_size=9,
                   legend_size=6, legend_loc="upper left")
    fig.colorbar(cs, ax=axes[:3], shrink=0.9, label="log10 relative error")
    ax = axes[3]
    for i, (d, (ns, errs)) in enumerate(rate_points(workers).items()):
        s = fitted_slope(ns[-2:], errs[-2:])
        ax.loglog(ns, errs, "o-", color=f"C{i}", label=f"d = {d}: fitted slope {s:.3f}, derived {derived_rate(d)}")
    label_axes(ax, "n", "|E W_(1)(n) − E W_(1)(∞)| / E W_(1)(∞)", "critical scale λ = 1: rate n^(−1/α)",
               title_size=9, legend_size=7, grid=True)
    save_figure(fig, path)


FIGURES = [
    FigureSpec("validity_map",
               "Which limit law describes attention at (n, d, beta) for d = 3, 16, 128 (markers: subcritical "
               "Gaussian o, critical Poisson limit ^, supercritical collapse s), with contours of its largest "
               "relative error against the exact finite-n weights and output; right: the error of the Poisson limit "
               "on the critical scale decays like n^(-1/alpha) (fitted against derived slopes)",
               validity_figure),
]
