"""The table of bad and extreme command lines: every subcommand, each case with its own time limit.

Each file ``tests/cli_cases/<area>.txt`` holds one case a line::

    STATUS | SECONDS | EXPECTED_STDERR_SUBSTRING | ARGS

STATUS is the exit status the command must return (2: refused with one line; 0: a valid corner that must
answer), SECONDS the time limit of the case (a refusal must come well before any long work: 10 s at
most; a case above 10 s runs only with ``pytest -m slow``), the substring must appear in what the command
printed on stderr, and ARGS are split like a shell would (``{tmp}`` becomes a fresh temporary folder).

The cases run in this process through :func:`attnlimits.cli.main.main` (no interpreter start-up per case);
the time limit is enforced with ``SIGALRM``, so a case that hangs fails at its limit instead of stalling
the suite. Every case also checks the one-line rule: a refusal prints exactly one line and no traceback.
"""
from __future__ import annotations

import contextlib
import io
import pathlib
import shlex
import time

import pytest

from attnlimits.cli.main import main

CASES_DIR = pathlib.Path(__file__).parent / "cli_cases"
SLOW_ABOVE = 10.0


def _cases():
    out = []
    for path in sorted(CASES_DIR.glob("*.txt")):
        for lineno, line in enumerate(path.read_text().splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = [p.strip() for p in line.split("|", 3)]
            if len(parts) != 4:
                raise ValueError(f"{path.name}:{lineno}: expected STATUS | SECONDS | STDERR | ARGS")
            status, seconds, expect, args = int(parts[0]), float(parts[1]), parts[2], parts[3]
            marks = [pytest.mark.slow] if seconds > SLOW_ABOVE else []
            out.append(pytest.param(status, seconds, expect, args, marks=marks, id=f"{path.stem}:{lineno}:{args}"))
    return out


def test_every_subcommand_has_cases():
    from attnlimits.cli.main import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    law = next(a for a in sub.choices["law"]._actions if a.__class__.__name__ == "_SubParsersAction")
    commands = (set(sub.choices) - {"law"}) | {f"law {name}" for name in law.choices}
    covered = set()
    for param in _cases():
        args = shlex.split(param.values[3])
        if args:
            covered.add(" ".join(args[:2]) if args[0] == "law" else args[0])
    missing = sorted(commands - covered)
    assert not missing, f"subcommands without a case in tests/cli_cases/: {missing}"


@pytest.mark.parametrize("status,seconds,expect,args", _cases())
def test_command_line(status, seconds, expect, args, tmp_path, time_limit):
    argv = shlex.split(args.replace("{tmp}", str(tmp_path)))
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    try:
        with time_limit(seconds), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            got = main(argv)
    except time_limit.Expired:
        pytest.fail(f"no answer within {seconds:g} s: attnlimits {args}")
    except SystemExit as exc:  # argparse's --help / --version exit through SystemExit
        got = exc.code or 0
    elapsed = time.perf_counter() - start
    stderr = err.getvalue()
    assert "Traceback" not in stderr, stderr
    assert got == status, f"exit {got}, expected {status}; stderr: {stderr!r}"
    if status == 2:
        lines = [ln for ln in stderr.splitlines() if ln.strip()]
        assert len(lines) == 1, f"a refusal prints one line, got {len(lines)}: {stderr!r}"
    assert expect in stderr, f"{expect!r} not in stderr {stderr!r}"
    assert elapsed <= seconds, f"{elapsed:.1f} s > {seconds:g} s"
