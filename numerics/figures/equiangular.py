"""Paper 2's two figures regenerated (PNG), and the critical-beta figure of the extension.

- ``equiangular_heatmap.png``: mean angle ratio (1 - <y_i', y_j'>)/(1 - <y_i, y_j>) over (rho, gamma), Gaussian
  tokens x_i = sqrt(rho) z_0 + sqrt(1 - rho) z_i, beta = gamma log n, one panel per d in (2, 32, 512), with the
  curve gamma = 1/(1 - rho) (paper 2, Figure 1).
- ``equiangular_eta.png``: eta = |dX'/dX|_F^2/(n d) against gamma by Hutchinson's estimator on Gaussian tokens,
  beside the exact equiangular finite-n curve and the Theorem 2.4 limits (paper 2, Figure 2).
- ``critical_beta.png``: beta_crit(n, d)/law against n for the laws of :mod:`attnlimits.numerics.laws.critical_beta`.

matplotlib is the optional extra ``plots`` and is imported only here, inside the functions.
"""
from __future__ import annotations

import math
import os

import numpy as np

from attnlimits.numerics.laws import almost_simplex as AS
from attnlimits.numerics.figures.registry import FigureSpec, label_axes, pyplot, save_figure

__all__ = ["make_figures", "heatmap_data", "eta_curve_data"]


def heatmap_data(d, n, rhos, gammas, seed):
    """Array (len(gammas), len(rhos)) of mean angle ratios; one token sample per (d, rho), shared over gamma."""
    Z = np.empty((len(gammas), len(rhos)))
    for k, (r, ch) in enumerate(zip(rhos, np.random.SeedSequence([seed, d]).spawn(len(rhos)))):
        X = AS.gaussian_tokens(n, d, r, np.random.Generator(np.random.PCG64(ch)))
        for j, g in enumerate(gammas):
            Z[j, k] = AS.angle_ratio(X, g * math.log(n))[0]
    return Z


def eta_curve_data(d, n, rho, gammas, probes, seed):
    """Hutchinson estimates (mean, se) of eta at beta = gamma log n on one Gaussian-token sample."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, d])))
    X = AS.gaussian_tokens(n, d, rho, rng)
    out = []
    for g in gammas:
        m, se, _ = AS.eta_hutchinson(X, g * math.log(n), probes, rng)
        out.append((m, se))
    return np.array(out)


def heatmap_figure(path, *, quick=False, seed=2510):
    """Paper 2, Figure 1: the mean angle ratio over (rho, gamma) for d = 2, 32, 512, with gamma = 1/(1 - rho)."""
    plt = pyplot()
    n = 24 if quick else 256
    dims = (2, 32, 512)
    rhos = np.linspace(0.05, 0.9, 4 if quick else 30)
    gammas = np.linspace(0.25, 6.0, 4 if quick else 40)

    fig, axes = plt.subplots(1, 3, figsize=(13, 4), sharey=True, constrained_layout=True)
    data = [heatmap_data(d, n, rhos, gammas, seed) for d in dims]
    # one colour scale for the three panels, 0 to 1 (no contraction), reaching further only if a ratio does
    vmax = max(1.0, max(float(np.nanmax(Z)) for Z in data))
    for ax, d, Z in zip(axes, dims, data):
        im = ax.pcolormesh(rhos, gammas, Z, shading="nearest", cmap="viridis", vmin=0, vmax=vmax)
        rr = np.linspace(rhos[0], rhos[-1], 200)
        gc = 1 / (1 - rr)
        ax.plot(rr[gc <= gammas[-1]], gc[gc <= gammas[-1]], "r-", lw=2, label=r"$\gamma = 1/(1-\rho)$")
        ax.set_title(f"d = {d}, n = {n}")
        ax.set_xlabel(r"$\rho$")
    axes[0].set_ylabel(r"$\gamma$  ($\beta = \gamma \log n$)")
    axes[0].legend(loc="upper left")
    fig.colorbar(im, ax=axes, label="mean angle ratio")
    save_figure(fig, path, dpi=110)


def eta_figure(path, *, quick=False, seed=2510):
    """Paper 2, Figure 2: eta against gamma (Hutchinson on Gaussian tokens) beside the exact equiangular curve."""
    from attnlimits.numerics.laws import equiangular as EQ

    plt = pyplot()
    n = 24 if quick else 256
    dims = (2, 32, 512)
    rho = 0.5
    ng = np.linspace(0.5, 5.0, 4 if quick else 24)
    n_eta = n if quick else 128
    fig, ax = plt.subplots(figsize=(6.5, 4.2), constrained_layout=True)
    for d in dims:
        E = eta_curve_data(d, n_eta, rho, ng, 4 if quick else 16, seed)
        ax.errorbar(ng, E[:, 0], yerr=E[:, 1], marker="o", ms=3, capsize=2, label=f"Gaussian tokens, d = {d}")
    ex = [float(EQ.finite_eta(n_eta, rho, n_eta, gamma=g, digits=15)) for g in ng]
    ax.plot(ng, ex, "k--", label=f"equiangular exact, n = d = {n_eta}")
    gg = np.linspace(ng[0], ng[-1], 400)
    gc = 1 / (1 - rho)
    ax.plot(gg[gg > gc], np.ones((gg > gc).sum()), "k:", label="supercritical limit (q = 1, d large); 0 below")
    ax.plot([gc], [0.25], "ks", label="critical limit 1/(4q)")
    ax.set_yscale("log")  # d = 2 tokens can nearly coincide and have small norms: eta spans decades
    label_axes(ax, r"$\gamma$", r"$\eta = \|\nabla_X X'\|_F^2/(nd)$", rf"$\rho = {rho}$, n = {n_eta}", legend_size=8)
    save_figure(fig, path, dpi=110)


#: the (d, n) grid of the critical-beta figure (the full table of the EXT.meeting.table claim is larger)
FIGURE_DS = (3, 8, 32, 128, 1024)
FIGURE_NS = (10**2, 10**4, 10**6, 10**9, 10**12)


def critical_beta_figure(path, *, critical_rows=None):
    """beta_crit(n, d)/law against n for the three laws of :mod:`attnlimits.numerics.laws.critical_beta`."""
    plt = pyplot()
    if critical_rows is None:
        from attnlimits.numerics.laws.critical_beta import table

        critical_rows = table(FIGURE_DS, FIGURE_NS)
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2), layout="constrained")
    keys = (("ratio_paper1_power", r"$\beta_{crit}/(\kappa_d n)^{2/(d-1)}$", "paper 1 (critical scale)"),
            ("ratio_gaussian_scores", r"$\beta_{crit}/\sqrt{2 d \log n}$", "Gaussian scores"),
            ("ratio_log_n", r"$\beta_{crit}/\log n$", "paper 2 (log n)"))
    ds = sorted({r.d for r in critical_rows})
    for ax, (k, lab, title) in zip(axes, keys):
        for d in ds:
            rows = [r for r in critical_rows if r.d == d]
            ax.loglog([r.n for r in rows], [getattr(r, k) for r in rows], "o-", label=f"d = {d}")
        label_axes(ax, "n", lab, f"law: {title}", title_size=10, legend_size=None, grid=True)
    # the legend goes beside the panels: inside, it hid the d = 3 points (flat near 1 in the first panel)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right center", fontsize=8, title="dimension")
    save_figure(fig, path, dpi=110)


def make_figures(out_dir, *, quick=False, seed=2510, critical_rows=None):
    """Write the PNG figures into ``out_dir``; returns their paths. ``quick`` uses small n and coarse grids.

    ``critical_rows`` (output of :func:`attnlimits.numerics.laws.critical_beta.table`) adds the critical-beta figure.
    """
    os.makedirs(out_dir, exist_ok=True)
    paths = [os.path.join(out_dir, "equiangular_heatmap.png"), os.path.join(out_dir, "equiangular_eta.png")]
    heatmap_figure(paths[0], quick=quick, seed=seed)
    eta_figure(paths[1], quick=quick, seed=seed)
    if critical_rows:
        paths.append(os.path.join(out_dir, "critical_beta.png"))
        critical_beta_figure(paths[2], critical_rows=critical_rows)
    return paths


FIGURES = [
    FigureSpec("equiangular_heatmap",
               "Paper 2, Figure 1 regenerated: mean angle ratio (1 - <y_i', y_j'>)/(1 - <y_i, y_j>) after one "
               "attention layer over (rho, gamma), beta = gamma log n, for Gaussian tokens x_i = sqrt(rho) z_0 + "
               "sqrt(1 - rho) z_i with d = 2, 32, 512 (n = 256). Red: gamma = 1/(1 - rho). The transition sharpens "
               "as d grows (tokens become equiangular).", heatmap_figure),
    FigureSpec("equiangular_eta",
               "Paper 2, Figure 2 regenerated: the gradient statistic eta = |dX'/dX|_F^2/(nd) against gamma at "
               "rho = 0.5, by Hutchinson's estimator (error bars: one standard error) on Gaussian tokens, beside "
               "the exact equiangular value at n = d = 128 and the limits of Theorem 2.4.", eta_figure),
    FigureSpec("critical_beta",
               "Where the two papers meet: the exact finite-(n, d) critical beta (E W_(1) = 1/2 for i.i.d. "
               "uniform keys) divided by (kappa_d n)^{2/(d-1)} (paper 1), by sqrt(2 d log n) (Gaussian scores) "
               "and by log n (paper 2), for d = 3..1024 and n = 1e2..1e12. A flat curve is the law that holds.",
               critical_beta_figure),
]
