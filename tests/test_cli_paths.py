"""The command line's shell: output folders refused at parse time, atomic writes, --version, help, progress lines
on a pipe, partial reports of interrupted runs, and the figure fixes of issue 15."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from attnlimits.cli.main import build_parser, main
from attnlimits.cli.paths import check_output_dir
from attnlimits.proofs_checks.registry import Claim, Outcome, Source
from attnlimits.theory.validation import InputError


@pytest.fixture
def no_claims_run(monkeypatch):
    """Make any claim run a test failure: a refusal must come before the work."""
    import attnlimits.proofs_checks.runner as runner

    def forbidden(*a, **k):
        raise AssertionError("claims ran before the arguments were refused")

    monkeypatch.setattr(runner, "run_claims", forbidden)


# ---------------------------------------------------------------- check_output_dir

def test_output_dir_accepts_new_and_existing_folders_and_creates_nothing(tmp_path):
    assert check_output_dir(tmp_path, "--out") == str(tmp_path)
    target = tmp_path / "a" / "b"
    assert check_output_dir(str(target), "--out") == str(target)
    assert list(tmp_path.iterdir()) == []  # neither the folder nor the probe file is left behind


@pytest.mark.parametrize("path, words", [
    ("", ["--out", "empty path"]),
    ("   ", ["--out", "empty path"]),
    ("/dev/null/x", ["'/dev/null/x'", "under /dev"]),
    ("/dev/null", ["under /dev"]),
    ("/proc/x", ["'/proc/x'", "under /proc"]),
    ("/sys/x", ["under /sys"]),
])
def test_output_dir_refusals(path, words):
    with pytest.raises(InputError) as e:
        check_output_dir(path, "--out")
    assert "\n" not in str(e.value)
    for w in words:
        assert w in str(e.value)


def test_output_dir_refuses_files_on_the_way(tmp_path):
    f = tmp_path / "file.txt"
    f.write_text("x")
    with pytest.raises(InputError, match="exists and is not a folder"):
        check_output_dir(str(f), "--out")
    with pytest.raises(InputError, match="cannot be made: .*file.txt' is a file, not a folder"):
        check_output_dir(str(f / "sub" / "dir"), "--out")
    (tmp_path / "d" / "report.md").mkdir(parents=True)
    with pytest.raises(InputError, match="report.md' is a folder"):
        check_output_dir(str(tmp_path / "d"), "--report", files=("report.md",))
    (tmp_path / "e").mkdir()
    (tmp_path / "e" / "figures").write_text("not a folder")
    with pytest.raises(InputError, match="figures' is not a folder"):
        check_output_dir(str(tmp_path / "e"), "--out", folders=("figures",))


def test_output_dir_refuses_a_folder_it_cannot_write(tmp_path, monkeypatch):
    """The probe file in the nearest existing ancestor fails: refused with the reason (simulated, since root
    may write anywhere; the real case is below for other users)."""
    import tempfile

    def denied(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(InputError, match=r"--out: cannot write in .* \(Permission denied\)"):
        check_output_dir(str(tmp_path / "new"), "--out")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes into read-only folders")
def test_output_dir_refuses_a_read_only_parent(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(InputError, match="cannot write in"):
            check_output_dir(str(ro / "out"), "--out")
    finally:
        ro.chmod(0o700)


# ---------------------------------------------------------------- every subcommand refuses at parse time

@pytest.mark.parametrize("argv, words", [
    (["check", "--report", "", "--claim", "P1.cap.exponent"], ["argument --report", "empty path"]),
    (["check", "--report", "/proc/x"], ["argument --report", "under /proc"]),
    (["check", "--report", "/dev/null/x"], ["argument --report", "under /dev"]),
    (["report", "--quick", "--out", ""], ["argument --out", "empty path"]),
    (["report", "--quick", "--out", "/proc/x"], ["argument --out", "under /proc"]),
    (["report", "--quick", "--digits", "0"], ["argument --digits", "digits must be an integer >= 1"]),
    (["report", "--quick", "--digits", "51"], ["argument --digits", "at most 50", "attnlimits constants"]),
    (["figures", "--out", ""], ["argument --out", "empty path"]),
    (["figures", "--out", "/dev/null/x"], ["argument --out", "under /dev"]),
    (["simulate", "--n", "100", "--d", "3", "--lam", "1", "--reps", "2", "--out", ""], ["argument --out", "empty"]),
    (["simulate", "--n", "100", "--d", "3", "--lam", "1", "--reps", "2", "--out", "/proc/x"], ["under /proc"]),
])
def test_bad_destinations_are_refused_before_any_work(argv, words, cli_refused, no_claims_run):
    cli_refused(argv, *words)


def test_existing_file_as_folder_is_refused_by_every_writer(tmp_path, cli_refused, no_claims_run):
    f = tmp_path / "results.txt"
    f.write_text("keep me")
    for argv in (["check", "--report", str(f)], ["report", "--quick", "--out", str(f)],
                 ["figures", "--out", str(f)], ["figures", "--out", str(f / "sub")],
                 ["simulate", "--n", "100", "--d", "3", "--lam", "1", "--reps", "2", "--out", str(f)]):
        cli_refused(argv, "results.txt", "not a folder")
    assert f.read_text() == "keep me" and sorted(p.name for p in tmp_path.iterdir()) == ["results.txt"]


def test_default_folder_is_checked_before_claims_run(tmp_path, monkeypatch, cli_refused, no_claims_run):
    """No --report: the default ./attnlimits-report is checked first (here a file stands in its place)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "attnlimits-report").write_text("x")
    cli_refused(["check", "--claim", "P1.cap.exponent"], "attnlimits-report", "not a folder")
    (tmp_path / "attnlimits-paper-report").write_text("x")
    cli_refused(["report", "--quick"], "attnlimits-paper-report", "not a folder")


def test_check_and_report_default_folders_differ(monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")  # no help line wrapped (argparse breaks lines at hyphens)
    p = build_parser()
    sub = next(a for a in p._actions if a.__class__.__name__ == "_SubParsersAction")
    helps = {name: sub.choices[name].format_help() for name in ("check", "report", "figures")}
    assert "./attnlimits-report" in helps["check"]
    assert "./attnlimits-paper-report" in helps["report"]
    assert "./attnlimits-figures" in helps["figures"]
    assert "implies --list" in helps["check"]


# ---------------------------------------------------------------- --version, --markdown

def test_version_is_the_installed_distributions(capsys):
    import importlib.metadata as md

    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out.strip() == f"attnlimits {md.version('attnlimits')}"


def test_markdown_implies_list_and_runs_nothing(capsys, no_claims_run):
    from attnlimits.proofs_checks.registry import all_claims
    from attnlimits.proofs_checks.report import claims_table

    assert main(["check", "--markdown"]) == 0
    quick = [c for c in all_claims() if c.quick]
    assert capsys.readouterr().out.strip() == claims_table(quick).strip()


# ---------------------------------------------------------------- progress lines, partial reports

def _fake_claims(second):
    ok = Claim("EXT.shell.one", "one holds", Source.extension(), "numerical", lambda ctx: Outcome(True, "1 == 1"))
    two = Claim("EXT.shell.two", "two", Source.extension(), "numerical", second)
    three = Claim("EXT.shell.three", "three", Source.extension(), "numerical", lambda ctx: Outcome(True, "3"))
    return [ok, two, three]


def _use_claims(monkeypatch, claims):
    import attnlimits.proofs_checks.registry as registry

    monkeypatch.setattr(registry, "all_claims", lambda: claims)


def test_check_on_a_pipe_prints_one_line_per_claim_and_a_complete_report(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("ATTNLIMITS_PROGRESS", raising=False)
    _use_claims(monkeypatch, _fake_claims(lambda ctx: Outcome(True, "2 == 2")))
    assert main(["check", "--report", str(tmp_path / "r")]) == 0
    err = capsys.readouterr().err.splitlines()
    assert [ln.split(" done")[0] for ln in err] == ["claims 1/3: EXT.shell.one", "claims 2/3: EXT.shell.two",
                                                    "claims 3/3: EXT.shell.three"]
    assert all(ln.endswith(" s elapsed") for ln in err)
    data = json.loads((tmp_path / "r" / "report.json").read_text())
    assert data["partial"] is None and data["counts"]["pass"] == 3
    assert "Partial report" not in (tmp_path / "r" / "report.md").read_text()
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == ["report.json", "report.md"]  # no temporary file


def test_interrupted_check_keeps_a_partial_report(tmp_path, monkeypatch, capsys):
    def interrupt(ctx):
        raise KeyboardInterrupt

    monkeypatch.setenv("ATTNLIMITS_PROGRESS", "0")
    _use_claims(monkeypatch, _fake_claims(interrupt))
    out = tmp_path / "r"
    assert main(["check", "--report", str(out)]) == 130
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("attnlimits: interrupted; the partial report in") and str(out) in err
    data = json.loads((out / "report.json").read_text())
    assert data["partial"] == "1 of 3 claims finished"
    assert [c["id"] for c in data["claims"]] == ["EXT.shell.one"]
    assert "**Partial report:** 1 of 3 claims finished." in (out / "report.md").read_text()
    assert sorted(p.name for p in out.iterdir()) == ["report.json", "report.md"]


def test_sigterm_stops_check_with_one_line_and_a_partial_report(tmp_path):
    """A real SIGTERM (what CI sends at its time-out) in a fresh process: exit 143, one line, partial report."""
    out = tmp_path / "r"
    script = f"""
import os, signal, sys, time
import attnlimits.proofs_checks.registry as registry
from attnlimits.proofs_checks.registry import Claim, Outcome, Source
from attnlimits.cli.main import main

def term(ctx):
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(30)
    return Outcome(True, "not reached")

ok = Claim("EXT.shell.one", "one", Source.extension(), "numerical", lambda ctx: Outcome(True, "1"))
two = Claim("EXT.shell.two", "two", Source.extension(), "numerical", term)
registry.all_claims = lambda: [ok, two]
sys.exit(main(["check", "--report", {str(out)!r}]))
"""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "ATTNLIMITS_PROGRESS": "0"})
    assert time.perf_counter() - t0 < 25  # the sleep was cut short
    assert proc.returncode == 143, proc.stderr
    assert proc.stderr.startswith("attnlimits: terminated; the partial report in") and proc.stderr.count("\n") == 1
    assert json.loads((out / "report.json").read_text())["partial"] == "1 of 2 claims finished"


def test_progress_lines_only_where_asked(monkeypatch, capsys):
    from attnlimits.numerics.progress import progress

    monkeypatch.delenv("ATTNLIMITS_PROGRESS", raising=False)
    assert list(progress(range(3), desc="inner")) == [0, 1, 2]  # an inner loop stays silent on a pipe
    assert capsys.readouterr().err == ""
    assert list(progress(range(2), desc="outer", lines=True)) == [0, 1]
    assert [ln.split(",")[0] for ln in capsys.readouterr().err.splitlines()] == ["outer 1/2: done", "outer 2/2: done"]
    monkeypatch.setenv("ATTNLIMITS_PROGRESS", "0")
    assert list(progress(range(2), desc="outer", lines=True)) == [0, 1]
    assert capsys.readouterr().err == ""


def test_report_writes_nothing_half_written_when_the_rename_fails(tmp_path, monkeypatch):
    from attnlimits.proofs_checks.report import write_report

    def broken(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="No space left"):
        write_report([], tmp_path, mode="quick")
    assert list(tmp_path.iterdir()) == []


def test_report_rewritten_over_an_old_one_is_whole(tmp_path):
    from attnlimits.proofs_checks.report import write_report

    (tmp_path / "report.md").write_text("old")
    md, js = write_report([], tmp_path, mode="quick")
    assert md.read_text().startswith("# attnlimits verification report")
    assert oct(md.stat().st_mode & 0o777) == oct(0o666 & ~_umask())  # an ordinary file, not mkstemp's 0600


def _umask():
    m = os.umask(0)
    os.umask(m)
    return m


# ---------------------------------------------------------------- figures

def _capture(monkeypatch, module):
    figs = []
    monkeypatch.setattr(module, "save_figure", lambda fig, path, dpi=120: figs.append(fig))
    return figs


def test_save_figure_leaves_no_partial_png(tmp_path):
    pytest.importorskip("matplotlib")
    from attnlimits.numerics.figures.registry import pyplot, save_figure

    plt = pyplot()
    fig, _ = plt.subplots(figsize=(1, 1))
    fig.savefig = lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt())  # interrupted while writing
    with pytest.raises(KeyboardInterrupt):
        save_figure(fig, tmp_path / "x.png")
    assert list(tmp_path.iterdir()) == []


def test_missing_matplotlib_names_the_checkout_extra(monkeypatch):
    from attnlimits.numerics.figures.registry import pyplot

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    with pytest.raises(InputError) as e:
        pyplot()
    assert 'pip install ".[plots]"' in str(e.value) and "checkout" in str(e.value)


def test_phase_diagram_shows_the_d3_crossover_and_labels_the_band(monkeypatch):
    pytest.importorskip("matplotlib")
    import attnlimits.numerics.figures.phase as phase

    figs = _capture(monkeypatch, phase)
    phase.phase_diagram("unused.png")
    ax = figs[0].axes[0]
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    cross3 = lines["d = 3: crossover n^(2/(d+1))"]
    crit5 = lines["d = 5: critical β*_n = (κ_d n)^(2/(d-1))"]
    # the two lines are 0.0625 decades apart (log10 of kappa_5 = 3/4, halved): the crossover must be drawn on top
    assert abs((cross3.get_ydata() - crit5.get_ydata()).max() - 0.0625) < 1e-3
    assert cross3.get_zorder() > crit5.get_zorder()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "d = 3: between crossover and critical line" in legend
    assert any("fluctuation-dominated" in t.get_text() for t in ax.texts)
    import matplotlib.pyplot as plt

    plt.close(figs[0])


def test_critical_beta_has_y_labels_and_a_legend_beside_the_panels(monkeypatch):
    pytest.importorskip("matplotlib")
    import types

    import attnlimits.numerics.figures.equiangular as eq

    rows = [types.SimpleNamespace(d=d, n=n, ratio_paper1_power=0.8 if d == 3 else 2.0,
                                  ratio_gaussian_scores=1.0, ratio_log_n=1.0)
            for d in (3, 8) for n in (10**2, 10**4, 10**6)]
    figs = _capture(monkeypatch, eq)
    eq.critical_beta_figure("unused.png", critical_rows=rows)
    fig = figs[0]
    fig.canvas.draw()
    assert all(ax.get_ylabel() for ax in fig.axes)
    assert all(ax.get_legend() is None for ax in fig.axes) and len(fig.legends) == 1
    box = fig.legends[0].get_window_extent()
    assert all(not box.overlaps(ax.get_window_extent()) for ax in fig.axes)  # it covers no data point
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_heatmap_colour_bar_stops_where_the_data_stop(monkeypatch):
    pytest.importorskip("matplotlib")
    import numpy as np

    import attnlimits.numerics.figures.equiangular as eq

    figs = _capture(monkeypatch, eq)
    eq.heatmap_figure("unused.png", quick=True)
    fig = figs[0]
    meshes = [c for ax in fig.axes for c in ax.collections if hasattr(c, "get_array") and c.get_array() is not None
              and c.get_array().size > 1]
    top = max(float(np.nanmax(m.get_array())) for m in meshes)
    assert 0.9 < top <= 1  # at this seed no angle opens up (ratio <= 1), so the bar must stop at 1, not 1.2
    assert all(m.norm.vmin == 0 and m.norm.vmax == 1.0 for m in meshes)
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_figures_cli_makes_the_folder_on_first_write(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out = tmp_path / "new" / "figs"
    assert main(["figures", "--out", str(out), "--only", "phase_diagram"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["phase_diagram.png"]
    assert (out / "phase_diagram.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _stub_report_stages(monkeypatch, make_figures):
    import attnlimits.numerics.figures.registry as figures
    import attnlimits.numerics.laws.constants_table as constants

    monkeypatch.setattr(constants, "markdown", lambda digits: f"constants to {digits} digits\n")
    monkeypatch.setattr(figures, "make_figures", make_figures)


def test_report_keeps_claims_and_constants_when_interrupted_in_the_figures(tmp_path, monkeypatch, capsys):
    def interrupted(out_dir, names=None, **kw):
        raise KeyboardInterrupt

    monkeypatch.setenv("ATTNLIMITS_PROGRESS", "0")
    _use_claims(monkeypatch, _fake_claims(lambda ctx: Outcome(True, "2")))
    _stub_report_stages(monkeypatch, interrupted)
    out = tmp_path / "doc"
    assert main(["report", "--out", str(out), "--digits", "7"]) == 130
    assert "partial report in" in capsys.readouterr().err
    data = json.loads((out / "report.json").read_text())
    assert data["partial"] == "all claims finished; not made yet: the figures" and data["counts"]["pass"] == 3
    assert "constants to 7 digits" in (out / "report.md").read_text()


def test_report_complete(tmp_path, monkeypatch, capsys):
    def one_png(out_dir, names=None, **kw):
        from attnlimits.numerics.figures.registry import FigureSpec

        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "demo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
        return [(out_dir / "demo.png", FigureSpec("demo", "a demo figure", make=None))]

    monkeypatch.delenv("ATTNLIMITS_PROGRESS", raising=False)
    _use_claims(monkeypatch, _fake_claims(lambda ctx: Outcome(True, "2")))
    _stub_report_stages(monkeypatch, one_png)
    out = tmp_path / "doc"
    assert main(["report", "--out", str(out)]) == 0
    err = capsys.readouterr().err.splitlines()
    assert [ln.split(":")[0] for ln in err] == ["claims 1/3", "claims 2/3", "claims 3/3", "constants table 1/1"]
    data = json.loads((out / "report.json").read_text())
    assert data["partial"] is None and data["figures"] == [{"file": "demo.png", "caption": "a demo figure"}]
    text = (out / "report.md").read_text()
    assert "Partial" not in text and "constants to 15 digits" in text and "![Figure 1](figures/demo.png)" in text


def test_make_figures_on_a_pipe_prints_one_line_per_figure(tmp_path, monkeypatch, capsys):
    pytest.importorskip("matplotlib")
    import attnlimits.numerics.figures.registry as registry

    specs = [registry.FigureSpec(name, "caption", make=lambda path: Path(path).write_bytes(b"png"))
             for name in ("first", "second")]
    monkeypatch.setattr(registry, "all_figures", lambda: specs)
    monkeypatch.delenv("ATTNLIMITS_PROGRESS", raising=False)
    made = registry.make_figures(tmp_path / "f")
    assert [p.name for p, _ in made] == ["first.png", "second.png"]
    err = capsys.readouterr().err.splitlines()
    assert [ln.split(" done")[0] for ln in err] == ["figures 1/2: first", "figures 2/2: second"]
