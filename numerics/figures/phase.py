"""The phase diagram of P1: regimes of β against n for uniform keys on S^{d-1}.

Lines (log-log): the critical scale β*_n = (κ_d n)^{2/(d-1)} (P1 §3) and the crossover
β = n^{2/(d+1)} between the bias-dominated and the fluctuation-dominated subcritical regimes, where
the bias (d-1)/(2β) and the fluctuation size √(β^{(d-3)/2}/n) are equal up to constants (P1 §4).
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from attnlimits.numerics.figures.registry import FigureSpec, label_axes, pyplot, save_figure
from attnlimits.theory.sphere import kappa

# Moderate d only: kappa_d grows like 2^{(d-3)/2}, so for large d the asymptotic critical line is
# reached only at astronomically large n (the finite-(n, d) critical beta is studied in the
# equiangular area, where the sqrt(2 d log n) law takes over).
DIMS = (3, 5, 9, 17)


def phase_diagram(path) -> None:
    """Write the phase diagram (log10 beta against log10 n) as a PNG to ``path``.

    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "phase.png"
    ...     phase_diagram(path)
    ...     path.read_bytes()[:4]
    b'\\x89PNG'
    """
    plt = pyplot()
    logn = np.linspace(1, 18, 200)
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    crit_of = {}
    for i, d in enumerate(DIMS):
        k = float(sp.N(kappa(d), 20))
        crit_of[d] = (np.log10(k) + logn) / ((d - 1) / 2)
        ax.plot(logn, crit_of[d], color=f"C{i}", lw=2, zorder=2,
                label=f"d = {d}: critical β*_n = (κ_d n)^(2/(d-1))")
    # The crossovers are drawn over the critical lines: the d = 3 crossover n^(1/2) runs 0.06 decades above the
    # d = 5 critical line (kappa_5 = 3/4) and would otherwise vanish under it.
    for i, d in enumerate(DIMS):
        ax.plot(logn, logn * 2 / (d + 1), color=f"C{i}", lw=1.4, ls=(0, (5, 3)), zorder=3,
                label=f"d = {d}: crossover n^(2/(d+1))")
    ax.fill_between(logn, logn / 2, crit_of[3], color="C0", alpha=0.12, lw=0, zorder=1,
                    label="d = 3: between crossover and critical line")
    label_axes(ax, "log10 n  (context length)", "log10 β  (inverse temperature)",
               "Regimes of softmax attention, uniform keys on S^(d-1)", legend_size=6.5, legend_loc="upper left",
               grid=True)
    ax.text(0.03, 0.53, "above a solid line: supercritical\n(collapse on the nearest key)",
            transform=ax.transAxes, fontsize=8)
    ax.text(17.7, 11.0, "fluctuation-dominated subcritical:\nbetween dashed and solid\n(shaded for d = 3)",
            fontsize=7, color="C0", ha="right", va="bottom", zorder=4)
    ax.annotate("d = 3 crossover n^(1/2),\njust above the d = 5\ncritical line", xy=(15.6, 7.85), xytext=(15.2, 8.5),
                fontsize=7, color="C0", ha="right", va="bottom", zorder=4,
                arrowprops={"arrowstyle": "->", "color": "C0", "lw": 0.8})
    ax.text(0.97, 0.03, "below a dashed line: subcritical, bias-dominated local average",
            transform=ax.transAxes, fontsize=8, ha="right")
    ax.set_xlim(1, 18)
    ax.set_ylim(-2.2, 19)
    fig.tight_layout()
    save_figure(fig, path, dpi=130)


FIGURES = [
    FigureSpec("phase_diagram",
               "Phase diagram (log10 β against log10 n) for d = 3, 5, 9, 17. Solid: the critical scale "
               "β*_n = (κ_d n)^{2/(d-1)}; above it attention collapses on the nearest key, near it a Poisson "
               "number of nearest keys share the mass. Dashed: the crossover β = n^{2/(d+1)}; below it the "
               "output's deterministic bias (d-1)/(2β) dominates its Gaussian fluctuations, above it the "
               "fluctuations dominate (the band between a dashed line and its solid line, shaded for d = 3). "
               "The d = 3 crossover n^{1/2} runs just above the d = 5 critical line ((3n/4)^{1/2}).",
               phase_diagram),
]
