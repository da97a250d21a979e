"""Figures: every module of this package but ``registry`` lists its figures in ``FIGURES``.

``make_figures(out_dir)`` writes them all as PNG (matplotlib is the optional extra ``plots``).
"""
from attnlimits.numerics.figures.registry import FigureSpec, all_figures, make_figures, pyplot

__all__ = ["FigureSpec", "all_figures", "make_figures", "pyplot"]
