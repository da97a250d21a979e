"""Every numeric option of every high-precision subcommand is read with all the digits the user typed.

The test (no reference value needed): run a command at ``--digits 30`` twice, with a 30-digit argument and
with the same argument changed in its 20th significant digit. Read as a double (about 16 digits) the two
arguments are the same number and every printed figure would agree; read intact, the computed figures
differ. Input echoes are left out of the comparison (a value printed exactly as it was typed proves nothing),
so the difference must come through the computation.

Options not in the table, and why:
- integers (``--n``, ``--d``, ``--degree``, ``--reps``, ...) are read exactly by
  ``attnlimits.theory.validation.integer`` (``tests/test_validation_properties.py`` feeds it values above 2**53);
- ``simulate`` and ``critical-beta`` compute in double precision by design (their ``--digits`` is capped at what a
  double carries), so 30 digits cannot be carried there.
Cases that take more than a few seconds run only with ``pytest -m slow``.
"""
from __future__ import annotations

import contextlib
import io
import json

import pytest

from attnlimits.cli.main import main

X = "0.123456789012345678901234567891"  # 30 significant digits


def _changed(x: str, position: int = 20) -> str:
    """``x`` with its ``position``-th significant digit changed (7 -> 8, else -> 7)."""
    digits_seen = 0
    out = list(x)
    for i, ch in enumerate(x):
        if ch.isdigit() and (digits_seen or ch != "0"):
            digits_seen += 1
            if digits_seen == position:
                out[i] = "8" if ch == "7" else "7"
                return "".join(out)
    raise ValueError(f"{x!r} has fewer than {position} significant digits")


def scaled(prefix: str) -> str:
    """A 30-digit number: ``prefix`` followed by X's digits (e.g. ``scaled("2.")`` = 2.1234...)."""
    return prefix + X[2:]


# (command line with {X} where the 30-digit value goes, slow?)
CASES = [
    ("cap --d 5 --t {X}", False),
    ("law subcritical --d 3 --beta " + "{X}" + " --n 100", False),
    ("law heat --d 3 --beta {X} --degree 2", False),
    ("law finite --n 100 --d 3 --beta {X}", False),
    ("law finite --n 100 --d 3 --lam {X}", False),
    ("law supercritical --d 3 --lam {X}", False),
    ("law supercritical --d 3 --lam 2 --eps {X}", False),
    ("law supercritical --d 3 --lam 2 --h {X}", False),
    ("law supercritical --d 3 --lam 2 --s {X}", False),
    ("simplex --rho {X} --gamma 3 --n 1000", False),
    ("simplex --rho 0.3 --gamma {X} --n 1000", False),
    ("simplex --rho 0.3 --gamma 3 --n 1000 --residual {X}", False),
    ("simplex --rho 0.3 --gamma 3 --n 1000 --sqnorm {X}", False),
    ("regime --n 1000 --d 3 --beta {X}", False),
    ("regime --n 1000 --d 3 --beta {X} --rule yarn --train-length 100", False),
    ("regime --n 1000 --d 3 --beta 1 --rule yarn --train-length 100 --scale {X}", False),
    ("regime --n 1000 --d 3 --beta 1 --rule ssmax --ssmax-s {X}", False),
    ("law critical --d 3 --lam {X}", True),
    ("law critical --alpha {X} --lam 1", True),
    ("law critical --alpha 1 --kappa {X} --c 1", True),
    ("law critical --alpha 1 --kappa 0.5 --c {X}", True),
    ("law critical --d 3 --lam 1 --cdf-w {X}", True),
    ("law score --law gaussian --n 100 --beta {X}", True),
    ("law score --law gaussian --c {X}", False),
    ("law score --law beta:2,3 --lam {X}", False),
    ("law critical --d 9 --lam 1 --cdf-output {X}", True),
    ("law finite --n 100 --d 3 --beta {X} --output", False),
    ("law finite --n 100 --d 3 --lam {X} --output", True),
    ("regime --n 1000 --d 3 --beta {X} --validity", True),
]

VALUE = {  # a 30-digit value inside each option's range (default: X, in (0, 1))
    "--beta": scaled("2."), "--lam": scaled("1."), "--alpha": scaled("1."), "--gamma": scaled("3."),
    "--c": scaled("1."), "--kappa": scaled("0."), "--s": scaled("1."), "--h": scaled("1."), "--eps": scaled("0.1"),
    "--scale": scaled("4."), "--ssmax-s": scaled("0."), "--residual": scaled("0."), "--sqnorm": scaled("1."),
    "--cdf-output": scaled("4."),
}


def _run_json(args: list[str]) -> dict:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(args + ["--digits", "30", "--json"])
    assert status == 0, err.getvalue()
    return json.loads(out.getvalue())


def _leaves(obj, path=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _leaves(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _leaves(v, f"{path}[{i}]")
    else:
        yield path, obj


def _computed(result: dict, typed: str) -> dict:
    """Leaves of the JSON that are not timings and not the typed value echoed back."""
    return {p: v for p, v in _leaves(result)
            if "seconds" not in p and str(v) != typed and v is not None}


@pytest.mark.parametrize("template,slow", [
    pytest.param(t, s, marks=[pytest.mark.slow] if s else [], id=t) for t, s in CASES])
def test_thirty_digit_argument_arrives_intact(template, slow):
    words = template.split()
    option = words[words.index("{X}") - 1]
    x = VALUE.get(option, X)
    y = _changed(x)
    assert len(x.replace(".", "").lstrip("0")) >= 30 and x != y
    a = _computed(_run_json(template.replace("{X}", x).split()), x)
    b = _computed(_run_json(template.replace("{X}", y).split()), y)
    assert a.keys() == b.keys()
    differing = [p for p in a if a[p] != b[p]]
    assert differing, (f"{option}: changing the 20th digit of {x} changed no computed figure: "
                       "the argument was rounded before the computation")


def test_changed_digit_helper():
    assert _changed("0.123456789012345678901234567891") == "0.123456789012345678971234567891"
    assert _changed("2.000", 2) == "2.700"
