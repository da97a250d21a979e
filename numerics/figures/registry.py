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

from attnlimits.numerics.files import atomic_path
from attnlimits.theory.validation import InputError

__all__ = ["FigureSpec", "all_figures", "make_figures", "pyplot", "label_axes", "save_figure"]


@dataclasses.dataclass(frozen=True)
class FigureSpec:
    """One figure: ``name`` (the PNG's file name without extension), ``caption`` (for the report), ``make(path)``
    (writes the PNG) and ``area`` (the module that lists it, filled in by :func:`all_figures`).

    >>> spec = FigureSpec("demo", "a caption", make=lambda path: None)
    >>> spec.name, spec.area
    ('demo', '')
    """

    name: str
    caption: str
    make: Callable[[Path], None]
    area: str = ""


def pyplot():
    """matplotlib.pyplot with the non-interactive Agg backend; a clear error when plots are not installed.

    >>> plt = pyplot()
    >>> plt.__name__, plt.get_backend().lower()
    ('matplotlib.pyplot', 'agg')
    """
    try:
        import matplotlib
    except ImportError:
        raise InputError('figures need matplotlib, the "plots" extra: pip install ".[plots]" in the attnlimits '
                         'checkout (or pip install matplotlib)') from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def label_axes(ax, xlabel: str, ylabel: str | None = None, title: str | None = None, *, title_size=None,
               legend_size=7, legend_loc: str | None = None, grid: bool = False) -> None:
    """The package's axis finish: x and y labels, a title (``title_size`` points, matplotlib's default if None),
    a legend in ``legend_size`` points (None: no legend) at ``legend_loc`` (matplotlib's best place if None),
    and a light grid (alpha 0.3) when ``grid``.

    >>> plt = pyplot()
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0, 1], label="diagonal")
    >>> label_axes(ax, "x", "y", "title", title_size=9)
    >>> ax.get_xlabel(), ax.get_ylabel(), ax.get_title(), [t.get_text() for t in ax.get_legend().get_texts()]
    ('x', 'y', 'title', ['diagonal'])
    >>> plt.close(fig)
    """
    ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title, **({} if title_size is None else {"fontsize": title_size}))
    if legend_size is not None:
        ax.legend(fontsize=legend_size, **({} if legend_loc is None else {"loc": legend_loc}))
    if grid:
        ax.grid(alpha=0.3)


def save_figure(fig, path, dpi: int = 120) -> None:
    """Write ``fig`` as a PNG at ``dpi`` to ``path`` and close it (figures are never shown).

    The PNG goes to a temporary file in the same folder, renamed over ``path`` when complete, so an interrupted
    run never leaves half a figure.

    >>> import pathlib, tempfile
    >>> plt = pyplot()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     fig, ax = plt.subplots(figsize=(1, 1))
    ...     save_figure(fig, pathlib.Path(tmp) / "demo.png", dpi=20)
    ...     sorted(p.name for p in pathlib.Path(tmp).iterdir())
    ['demo.png']
    """
    path = Path(path)
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=dpi, format="png")
    finally:
        pyplot().close(fig)


def all_figures() -> list[FigureSpec]:
    """Every registered figure: the ``FIGURES`` lists of the area modules, in module-name order.

    >>> figs = all_figures()
    >>> {"critical", "equiangular", "phase", "score", "subcritical"} <= {f.area for f in figs}
    True
    >>> "phase_diagram" in [f.name for f in figs]
    True
    """
    import attnlimits.numerics.figures as pkg

    out = []
    for mod in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if mod.name != "registry":
            m = importlib.import_module(f"{pkg.__name__}.{mod.name}")
            out += [dataclasses.replace(f, area=mod.name) for f in getattr(m, "FIGURES", [])]
    return out


def make_figures(out_dir, names=None, *, show_progress: bool = True) -> list[tuple[Path, FigureSpec]]:
    """Write the figures (all, or those in ``names``) as PNG files into ``out_dir``; returns (path, spec) pairs.

    >>> import tempfile
    >>> make_figures(tempfile.mkdtemp(), ["no_such_figure"])
    Traceback (most recent call last):
      ...
    attnlimits.theory.validation.InputError: unknown figure 'no_such_figure'; known: ...
    """
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
    bar = progress(figs, desc="figures", unit="fig", disable=not show_progress, lines=True)
    for f in bar:
        bar.set_postfix_str(f.name)
        path = out / f"{f.name}.png"
        f.make(path)
        done.append((path, f))
    return done
