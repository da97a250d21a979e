"""README.md stays true: its claims table is the registry's, and its two set-up commands are the ones CI runs."""
from __future__ import annotations

import re
from pathlib import Path

from attnlimits.proofs_checks.registry import all_claims
from attnlimits.proofs_checks.report import claims_table

ROOT = Path(__file__).resolve().parents[1]


def _readme() -> str:
    return (ROOT / "README.md").read_text()


def test_claims_table_matches_registry():
    text = _readme()
    m = re.search(r"<!-- claims:start -->\n(.*?)\n<!-- claims:end -->", text, re.S)
    assert m, "README.md lacks the <!-- claims:start/end --> block"
    expected = claims_table(all_claims())
    assert m.group(1).strip() == expected.strip(), (
        "README claims table is stale: regenerate with `attnlimits check --list --full --markdown`")


def test_readme_commands_are_the_ones_ci_runs():
    text = _readme()
    ci = (ROOT / ".ci" / "run").read_text()
    assert 'pip install ".[test]"' in text and 'pip install -q ".[test]"' in ci
    assert "attnlimits check --quick" in text and "attnlimits check --quick" in ci
    assert "pytest" in text and "pytest" in ci


# ---------------------------------------------------------------- the README's examples run
#
# ```pycon blocks are doctests (ELLIPSIS, NORMALIZE_WHITESPACE). ```console blocks are `$ attnlimits ...` commands
# followed by their output, compared line by line after stripping trailing blanks; one normalisation: a README
# line that ends in "..." is a shortened line and matches any output line that starts with the rest. In ```bash
# blocks every `attnlimits ...` line is run from an empty directory (holding W.npy, a 128 x 4 value matrix, for
# the --values example); it must exit 0, and every value its comment quotes (a number after "=", or a
# "double-quoted" word) must appear in its output. Commands measured above 10 s run only with `pytest -m slow`.

import doctest
import importlib
import shlex

import pytest

from attnlimits.cli.main import main

#: Wall-clock seconds of each README command on a 2-core machine shared with other jobs (load 1-6), in a fresh
#: process, so each includes up to 0.5 s of start-up; `check --full` and `report` at the README's "about 18 minutes". A README command missing here fails
#: test_every_readme_command_is_measured: measure it and add it.
MEASURED_SECONDS = {
    "attnlimits regime --n 131072 --d 128 --beta 11.3 --rule yarn --train-length 4096": 1.3,
    "attnlimits law subcritical --d 4096 --beta 100 --n 1e6 --digits 25": 0.9,
    "attnlimits law heat --d 3 --beta 1e3 --degree 2": 0.1,
    "attnlimits law critical --d 3 --lam 1 --digits 30": 5.0,
    "attnlimits law critical --d 5 --lam 2 --cdf-w 0.3,0.6 --json": 8.4,
    "attnlimits law finite --n 1e12 --d 64 --lam 1 --digits 15": 5.7,
    "attnlimits law supercritical --d 3 --lam 10": 1.3,
    "attnlimits simplex --rho 0.5 --gamma 2 --n 1e12": 3.1,
    "attnlimits critical-beta --d 32 --n 1e6": 3.4,  # two solves: the sphere and Gaussian scores
    "attnlimits law score --law gaussian --c 2": 1.3,
    "attnlimits check --quick": 254.0,
    "attnlimits check --claim P1.crit.weights P1.sub.mean": 11.3,
    "attnlimits check --full": 1080.0,
    "attnlimits report --out paper-report": 1200.0,
    "attnlimits constants --d 3 --digits 30 --json": 0.7,
    "attnlimits constants --latex --critical": 20.4,
    "attnlimits cap --d 4096 --t 1e-3 --digits 20 --certified": 0.4,
    "attnlimits simulate --n 1e12 --d 3 --lam 1 --reps 1000 --seed 1 --sampler orderstat": 1.4,
    "attnlimits simulate --n 1e5 --d 64 --lam 1 --reps 200 --law vmf --kappa0 20 --workers 2 --json": 4.3,
    "attnlimits simulate --n 1e5 --d 128 --lam 1 --reps 100 --values W.npy --json": 1.1,
    "attnlimits figures --out figs": 340.0,
    "attnlimits bench": 36.0,
}
SLOW_SECONDS = 10.0

_FENCE = re.compile(r"^```(?P<lang>[a-z]+)\n(?P<body>.*?)^```\n", re.M | re.S)


def _blocks(lang: str) -> list[tuple[int, str]]:
    text = _readme()
    return [(text.count("\n", 0, m.start()) + 2, m.group("body")) for m in _FENCE.finditer(text)
            if m.group("lang") == lang]


def _bash_commands() -> list[tuple[str, str]]:
    """(command, comment) for every `attnlimits ...` line of the README's ```bash blocks (set-up lines excluded)."""
    out = []
    for _, body in _blocks("bash"):
        for line in body.splitlines():
            if line.startswith("attnlimits "):
                cmd, _, comment = line.partition(" #")
                out.append((" ".join(cmd.split()), comment.strip()))
    return out


def _console_sessions() -> list[tuple[str, list[str]]]:
    """(command, expected output lines) for every `$ attnlimits ...` of the README's ```console blocks."""
    out = []
    for _, body in _blocks("console"):
        for chunk in re.split(r"^\$ ", body, flags=re.M)[1:]:
            cmd, *lines = chunk.rstrip("\n").split("\n")
            out.append((cmd.strip(), lines))
    return out


def _quoted_values(comment: str) -> list[str]:
    """Numbers after "=" (a trailing ... or … dropped) and "double-quoted" words of a command's comment."""
    numbers = re.findall(r"=\s*(-?\d[\d.]*(?:e[-+]?\d+)?)(?:\.\.\.|…)?(?![\d^.])", comment)
    words = re.findall(r'"([^"]+)"', comment)
    return [n.rstrip(".") for n in numbers] + words


def _run(command: str, capsys) -> tuple[int, str]:
    argv = shlex.split(command)
    assert argv[0] == "attnlimits"
    capsys.readouterr()
    status = main(argv[1:])
    return status, capsys.readouterr().out


def test_the_readme_has_runnable_examples():
    assert len(_blocks("pycon")) == 1 and len(_console_sessions()) >= 1 and len(_bash_commands()) >= 15
    assert _quoted_values('E W_(1) = e^{-γ} = 0.5614594835668851698...   ("P_W1_le")') == \
        ["0.5614594835668851698", "P_W1_le"]
    assert _quoted_values("kappa = 0.5000…, at n = 10^12") == ["0.5000"]


def test_readme_python_example_runs():
    (lineno, body), = _blocks("pycon")
    test = doctest.DocTestParser().get_doctest(body, {}, "README.md", str(ROOT / "README.md"), lineno)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert test.examples and runner.failures == 0, f"{runner.failures} README example(s) failed (output above)"


@pytest.mark.parametrize("command, expected", _console_sessions(), ids=lambda x: x if isinstance(x, str) else "")
def test_readme_console_output_is_what_the_command_prints(command, expected, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    status, out = _run(command, capsys)
    assert status == 0
    got = [line.rstrip() for line in out.rstrip("\n").split("\n")]
    want = [line.rstrip() for line in expected]
    assert len(got) == len(want), f"{command}: {len(got)} lines printed, the README shows {len(want)}:\n{out}"
    for g, w in zip(got, want):
        assert (g.startswith(w[:-3]) if w.endswith("...") else g == w), f"{command}:\n  README: {w}\n  prints: {g}"


def test_every_readme_command_is_measured():
    missing = [c for c, _ in _bash_commands() + [(c, "") for c, _ in _console_sessions()]
               if c not in MEASURED_SECONDS]
    assert not missing, "measure these README commands and add them to MEASURED_SECONDS:\n" + "\n".join(missing)


def _bash_params():
    return [pytest.param(cmd, comment, id=cmd,
                         marks=[pytest.mark.slow] if MEASURED_SECONDS.get(cmd, SLOW_SECONDS) >= SLOW_SECONDS else [])
            for cmd, comment in _bash_commands()]


@pytest.mark.parametrize("command, comment", _bash_params())
def test_readme_command_runs_and_prints_what_its_comment_quotes(command, comment, capsys, monkeypatch, tmp_path):
    import numpy as np

    monkeypatch.chdir(tmp_path)
    np.save(tmp_path / "W.npy", np.random.default_rng(0).standard_normal((128, 4)))  # for `--values W.npy`
    status, out = _run(command, capsys)
    assert status == 0, f"{command} exited {status}:\n{out}"
    for value in _quoted_values(comment):
        assert value in out, f"{command}: its README comment quotes {value!r}, which it does not print:\n{out}"


def test_readme_import_paths_resolve():
    """Every `numerics.x.y.f(` / `theory.x.f(` the README names is importable (the paths after the move)."""
    paths = set(re.findall(r"`(?:attnlimits\.)?((?:numerics|theory)(?:\.\w+)+)\(", _readme()))
    assert len(paths) >= 5
    for path in sorted(paths):
        module, _, attr = f"attnlimits.{path}".rpartition(".")
        assert hasattr(importlib.import_module(module), attr), f"README names {path}, which does not exist"
