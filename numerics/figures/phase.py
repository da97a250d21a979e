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
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    for i, d in enumerate(DIMS):
        k = float(sp.N(kappa(d), 20))
        a = (d - 1) / 2
        crit = (np.log10(k) + logn) / a
        cross = logn * 2 / (d + 1)
        color = f"C{i}"
        ax.plot(logn, crit, color=color, lw=2, label=f"d = {d}: critical β*_n = (κ_d n)^(2/(d-1))")
        ax.plot(logn, cross, color=color, lw=1, ls="--", label=f"d = {d}: crossover n^(2/(d+1))")
    label_axes(ax, "log10 n  (context length)", "log10 β  (inverse temperature)",
               "Regimes of softmax attention, uniform keys on S^(d-1)", legend_size=6.5, legend_loc="upper left",
               grid=True)
    ax.text(0.03, 0.55, "above a solid line: supercritical\n(collapse on the nearest key)",
            transform=ax.transAxes, fontsize=8)
    ax.text(0.62, 0.05, "below a dashed line: subcritical,\nbias-dominated local average",
            transform=ax.transAxes, fontsize=8)
    ax.set_ylim(-0.5, 19)
    fig.tight_layout()
    save_figure(fig, path, dpi=130)


FIGURES = [
    FigureSpec("phase_diagram",
               "Phase diagram (log10 β against log10 n) for d = 3, 5, 9, 17. Solid: the critical scale "
               "β*_n = (κ_d n)^{2/(d-1)}; above it attention collapses on the nearest key, near it a Poisson "
               "number of nearest keys share the mass. Dashed: the crossover β = n^{2/(d+1)}; below it the "
               "output's deterministic bias (d-1)/(2β) dominates its Gaussian fluctuations, above it the "
               "fluctuations dominate.",
               phase_diagram),
]
