"""Decimal strings that carry exactly the digits a user asked for."""
from __future__ import annotations

import mpmath

__all__ = ["decimal_string", "scientific_string", "ball_string"]


def decimal_string(x, digits: int) -> str:
    """``x`` with ``digits`` significant digits, trailing zeros kept (0.5 -> '0.50000...').

    Plain notation for moderate magnitudes, scientific notation outside [1e-5, 1e15].

    >>> import mpmath
    >>> decimal_string(0.5, 5), decimal_string(mpmath.mpf(1) / 3, 10), decimal_string(0, 3)
    ('0.50000', '0.3333333333', '0.00')
    >>> decimal_string(mpmath.mpf(10) ** 20, 3), decimal_string(mpmath.mpf(2) ** -20, 4)  # 2^-20 = 9.5367...e-7
    ('1.00e+20', '9.537e-7')
    """
    with mpmath.workdps(digits + 10):
        v = mpmath.mpf(x) if not isinstance(x, mpmath.mpc) else x
        if v == 0:
            return "0." + "0" * (digits - 1) if digits > 1 else "0"
        return mpmath.nstr(v, digits, strip_zeros=False, min_fixed=-5, max_fixed=15)


def scientific_string(x, digits: int) -> str:
    """``x`` in scientific notation with ``digits`` significant digits, e.g. '1.2345e-5529'.

    >>> import mpmath
    >>> scientific_string(mpmath.mpf(2) ** -100, 6), scientific_string(1234.5, 3)  # 2^-100 = 7.8886090...e-31
    ('7.88861e-31', '1.23e+3')
    >>> scientific_string(mpmath.exp(-12730), 5)  # far below the float range
    '2.6993e-5529'
    """
    with mpmath.workdps(digits + 10):
        v = mpmath.mpf(x)
        if v == 0:
            return "0." + "0" * (digits - 1) + "e+0" if digits > 1 else "0e+0"
        s = mpmath.nstr(v, digits, strip_zeros=False, min_fixed=1, max_fixed=0)
        return s


def ball_string(ball, digits: int) -> str:
    """A python-flint arb ball as '[midpoint +/- radius]' with ``digits`` + 2 digits of the midpoint shown.

    (``str(ball)`` would print at the context's current precision, making the ball look wider.)

    >>> from flint import arb
    >>> ball_string(arb(1) / 3, 5)  # 7 digits of the midpoint, then the radius
    '[0.3333333 +/- ...e-8]'
    """
    return ball.str(digits + 2, radius=True)
