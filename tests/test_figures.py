"""Figures: every registered figure is written as a non-empty PNG (skipped without matplotlib)."""
from __future__ import annotations

import pytest

from attnlimits.cli.main import main
from attnlimits.numerics.figures.registry import all_figures, make_figures

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_phase_diagram_is_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    [(path, spec)] = make_figures(tmp_path, ["phase_diagram"], show_progress=False)
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC and len(data) > 10_000
    assert "critical scale" in spec.caption


def test_figure_names_are_unique_and_captioned():
    figs = all_figures()
    assert len({f.name for f in figs}) == len(figs)
    assert all(len(f.caption) > 40 for f in figs)


def test_unknown_figure_is_one_line_exit_2(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    assert main(["figures", "--out", str(tmp_path), "--only", "no_such_figure"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_ranked_weights_figure(tmp_path):
    pytest.importorskip("matplotlib")
    [(path, _)] = make_figures(tmp_path, ["critical_ranked_weights"], show_progress=False)
    assert path.read_bytes()[:8] == PNG_MAGIC


@pytest.mark.slow
def test_every_figure_is_made(tmp_path):
    pytest.importorskip("matplotlib")
    made = make_figures(tmp_path, show_progress=False)
    assert {p.name for p, _ in made} == {f"{f.name}.png" for f in all_figures()}
    assert all(p.read_bytes()[:8] == PNG_MAGIC for p, _ in made)
