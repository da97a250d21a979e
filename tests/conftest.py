"""Shared test fixtures.

``assert_digits(value, reference, digits, what="")``: the one digits-agreement assertion of the suite. It
passes when ``value == reference`` or |value - reference| < 10^-digits |reference| (relative to the
reference, evaluated with 60 guard digits beyond ``digits`` and the caller's precision, so
high-precision inputs are compared unrounded), and fails with a message showing both values and the
digits on which they agree (:func:`attnlimits.numerics.precision.digits_agreed`). That condition implies
``digits_agreed(value, reference) >= digits``. It is a fixture because pytest runs with
``--import-mode=importlib`` (test modules cannot import each other or this file); it is session-scoped so
that hypothesis tests may use it.

``cli_refused(argv, *words)``: run ``attnlimits argv`` in process and check a refusal: exit status 2, one stderr line
holding every word, no traceback, within 10 s; returns the line.

``time_limit(seconds)``: the one in-process time limit of the suite (SIGALRM), for refusals that must come within
seconds and calls that must not hang.
"""
from __future__ import annotations

import contextlib
import signal
import time

import mpmath
import pytest

from attnlimits.numerics.precision import digits_agreed


def _mp(x, dps: int):
    """``x`` (int, float, str, mpmath or sympy number) as an mpf at the current precision (sympy via evalf)."""
    if hasattr(x, "evalf") and not isinstance(x, mpmath.mpf):
        x = x.evalf(dps)
    return mpmath.mpf(x)


def _assert_digits(value, reference, digits: int, what: str = "") -> None:
    dps = max(mpmath.mp.dps, int(digits)) + 60
    with mpmath.workdps(dps):
        a, b = _mp(value, dps), _mp(reference, dps)
        if a == b or abs(a - b) < mpmath.mpf(10) ** (-int(digits)) * abs(b):
            return
        agreed = digits_agreed(a, b)
        label = f"{what}: " if what else ""
        raise AssertionError(f"{label}{mpmath.nstr(a, int(digits) + 5)} and reference "
                             f"{mpmath.nstr(b, int(digits) + 5)} agree to {agreed} digits, {digits} required")


@pytest.fixture(scope="session")
def assert_digits():
    """The digits-agreement assertion (see the module docstring): ``assert_digits(value, reference, digits)``."""
    return _assert_digits


class TimeLimitExpired(BaseException):
    """Raised inside a ``time_limit`` block when its seconds run out. A BaseException, so that code under test that
    catches Exception cannot swallow it."""


@contextlib.contextmanager
def _time_limit(seconds: float):
    def on_alarm(signum, frame):
        raise TimeLimitExpired(f"no answer within {seconds:g} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


_time_limit.Expired = TimeLimitExpired


@pytest.fixture(scope="session")
def time_limit():
    """``with time_limit(seconds): ...`` raises ``time_limit.Expired`` when the block runs longer (SIGALRM, in process:
    a hanging call fails at its limit instead of stalling the suite). Session-scoped, so hypothesis tests may use it."""
    return _time_limit


#: The refusal time limit of the suite: a refusal comes before any long work (the issue's bound).
REFUSAL_SECONDS = 10.0


@pytest.fixture
def cli_refused(capsys):
    """``cli_refused(argv, *words)``: see the module docstring."""
    from attnlimits.cli.main import main

    def run(argv, *words):
        capsys.readouterr()
        t0 = time.perf_counter()
        status = main(argv)
        elapsed = time.perf_counter() - t0
        err = capsys.readouterr().err
        assert status == 2, err
        lines = [ln for ln in err.splitlines() if ln.strip()]
        assert len(lines) == 1 and "Traceback" not in err, err
        for w in words:
            assert w in lines[0], f"{w!r} not in {lines[0]!r}"
        assert elapsed < REFUSAL_SECONDS, f"refused after {elapsed:.1f} s"
        return lines[0]

    return run
