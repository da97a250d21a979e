"""Figures of the package: every module ``attnlimits.numerics.figures.<area>`` (but this one) lists its figures in ``FIGURES``.

A figure is a :class:`FigureSpec`: a file name, a caption for the report, and ``make(path)``, which
writes the PNG. matplotlib is the optional extra ``plots``; it is imported only when a figure is made.
"""
from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from pathlib import Path
from typing import Callable

from attnlimits.theory.validation import InputError

__all__ = ["FigureSpec", "all_figures", "make_figures", "pyplot"]


@dataclasses.dataclass(frozen=True)
class FigureSpec:
    name: str  # file name without extension
    caption: str
    make: Callable[[Path], None]
    area: str = ""


def pyplot():
    """matplotlib.pyplot with the non-interactive Agg backend; a clear error when plots are not installed."""
    try:
        import matplotlib
    except ImportError:
        raise InputError('figures need matplotlib: pip install "attnlimits[plots]"') from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def all_figures() -> list[FigureSpec]:
    import attnlimits.numerics.figures as pkg

    out = []
    for mod in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if mod.name != "registry":
            m = importlib.import_module(f"{pkg.__name__}.{mod.name}")
            out += [dataclasses.replace(f, area=mod.name) for f in getattr(m, "FIGURES", [])]
    return out


def make_figures(out_dir, names=None, *, show_progress: bool = True) -> list[tuple[Path, FigureSpec]]:
    """Write the figures (all, or those in ``names``) as PNG files into ``out_dir``."""
    from attnlimits.numerics.progress import progress

    pyplot()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    figs = all_figures()
    if names:
        known = {f.name for f in figs}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise InputError(f"unknown figure {unknown[0]!r}; known: {', '.join(sorted(known))}")
        figs = [f for f in figs if f.name in names]
    done = []
    for f in progress(figs, desc="figures", unit="fig", disable=not show_progress):
        path = out / f"{f.name}.png"
        f.make(path)
        done.append((path, f))
    return done
