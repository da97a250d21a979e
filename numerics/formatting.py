"""Decimal strings that carry exactly the digits a user asked for."""
from __future__ import annotations

import mpmath

__all__ = ["decimal_string", "scientific_string", "ball_string"]


def decimal_string(x, digits: int) -> str:
    """``x`` with ``digits`` significant digits, trailing zeros kept (0.5 -> '0.50000...').

    Plain notation for moderate magnitudes, scientific notation outside [1e-5, 1e15].
    """
    with mpmath.workdps(digits + 10):
        v = mpmath.mpf(x) if not isinstance(x, mpmath.mpc) else x
        if v == 0:
            return "0." + "0" * (digits - 1) if digits > 1 else "0"
        return mpmath.nstr(v, digits, strip_zeros=False, min_fixed=-5, max_fixed=15)


def scientific_string(x, digits: int) -> str:
    """``x`` in scientific notation with ``digits`` significant digits, e.g. '1.2345e-5529'."""
    with mpmath.workdps(digits + 10):
        v = mpmath.mpf(x)
        if v == 0:
            return "0." + "0" * (digits - 1) + "e+0" if digits > 1 else "0e+0"
        s = mpmath.nstr(v, digits, strip_zeros=False, min_fixed=1, max_fixed=0)
        return s


def ball_string(ball, digits: int) -> str:
    """A python-flint arb ball as '[midpoint +/- radius]' with ``digits`` + 2 digits of the midpoint shown.

    (``str(ball)`` would print at the context's current precision, making the ball look wider.)
    """
    return ball.str(digits + 2, radius=True)
