"""Input validation shared by every layer.

Every public function of the package checks its arguments with these helpers, so that bad input
raises :class:`InputError` (a ``ValueError``) whose message is one clear line, and the command line
prints exactly that line and exits with status 2.
"""
from __future__ import annotations

import math
import numbers
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import mpmath

__all__ = [
    "InputError",
    "dimension",
    "count",
    "real",
    "positive_real",
    "integer",
    "choice",
]


class InputError(ValueError):
    """Bad input to the package: the message is a single line meant for the user.

    >>> err = InputError("d must be" + chr(10) + "   an integer")  # line breaks and runs of blanks collapse
    >>> str(err), isinstance(err, ValueError)
    ('d must be an integer', True)
    >>> raise err
    Traceback (most recent call last):
    ...
    attnlimits.theory.validation.InputError: d must be an integer
    """

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))


def _as_mpf(x, name: str) -> mpmath.mpf:
    """Parse ``x`` exactly enough to compare it; reject what is not a real number."""
    if isinstance(x, bool):
        raise InputError(f"{name} must be a number, not a boolean")
    if isinstance(x, str):
        s = x.strip()
        try:
            Decimal(s)
        except InvalidOperation:
            raise InputError(f"{name} must be a number, got {x!r}") from None
        with mpmath.workdps(60):
            v = mpmath.mpf(s)
    elif isinstance(x, (numbers.Real, Decimal, mpmath.mpf)) or hasattr(x, "is_real"):
        try:
            with mpmath.workdps(60):
                if isinstance(x, Fraction):
                    v = mpmath.mpf(x.numerator) / x.denominator
                elif isinstance(x, numbers.Integral):
                    v = mpmath.mpf(int(x))
                elif isinstance(x, (float, Decimal, mpmath.mpf)):
                    v = mpmath.mpf(x) if not isinstance(x, Decimal) else mpmath.mpf(str(x))
                else:  # sympy numbers and other real types
                    v = mpmath.mpf(str(x.evalf(60))) if hasattr(x, "evalf") else mpmath.mpf(float(x))
        except (TypeError, ValueError, AttributeError):
            raise InputError(f"{name} must be a real number, got {x!r}") from None
    else:
        raise InputError(f"{name} must be a real number, got {type(x).__name__}")
    if mpmath.isnan(v) or mpmath.isinf(v):
        raise InputError(f"{name} must be finite, got {x!r}")
    return v


def real(x, name: str, *, low=None, high=None, low_open: bool = False, high_open: bool = False):
    """Check that ``x`` is a finite real number in the stated interval; return ``x`` unchanged.

    Strings are returned stripped, so that callers can parse them at their own working precision
    (``mpmath.mpf("0.1")`` inside ``workdps`` keeps every digit the user typed).

    >>> real(" 0.1 ", "lambda", low=0)
    '0.1'
    >>> real(2, "w", high=1)
    Traceback (most recent call last):
    ...
    attnlimits.theory.validation.InputError: w must be <= 1, got 2
    """
    v = _as_mpf(x, name)
    if low is not None:
        lo = mpmath.mpf(low)
        if v < lo or (low_open and v == lo):
            rel = ">" if low_open else ">="
            raise InputError(f"{name} must be {rel} {low}, got {_show(x)}")
    if high is not None:
        hi = mpmath.mpf(high)
        if v > hi or (high_open and v == hi):
            rel = "<" if high_open else "<="
            raise InputError(f"{name} must be {rel} {high}, got {_show(x)}")
    return x.strip() if isinstance(x, str) else x


def positive_real(x, name: str):
    """A finite real number > 0.

    >>> positive_real(0.5, "lambda")
    0.5
    >>> positive_real(0, "lambda")
    Traceback (most recent call last):
    ...
    attnlimits.theory.validation.InputError: lambda must be > 0, got 0
    """
    return real(x, name, low=0, low_open=True)


def integer(x, name: str, *, low=None, high=None) -> int:
    """An integer (``1e12`` and ``'1e12'`` are accepted when integral) in ``[low, high]``.

    >>> integer("1e3", "k")
    1000
    >>> integer(2.5, "k")
    Traceback (most recent call last):
    ...
    attnlimits.theory.validation.InputError: k must be an integer, got 2.5
    """
    v = _as_mpf(x, name)
    if v != mpmath.floor(v):
        raise InputError(f"{name} must be an integer, got {_show(x)}")
    if isinstance(x, numbers.Integral):
        iv = int(x)
    else:
        iv = int(mpmath.floor(v))
        if abs(v) >= mpmath.mpf(2) ** 180:
            raise InputError(f"{name} is too large: {_show(x)}")
    if low is not None and iv < low:
        raise InputError(f"{name} must be an integer >= {low}, got {_show(x)}")
    if high is not None and iv > high:
        raise InputError(f"{name} must be an integer <= {high}, got {_show(x)}")
    return iv


def dimension(d, name: str = "d", *, low: int = 2) -> int:
    """The ambient dimension: keys live on S^{d-1}, so d >= 2 is required.

    >>> dimension(3)
    3
    >>> dimension(1)
    Traceback (most recent call last):
    ...
    attnlimits.theory.validation.InputError: d must be an integer >= 2, got 1
    """
    return integer(d, name, low=low, high=10**9)


def count(n, name: str = "n", *, low: int = 1) -> int:
    """A number of keys, replicates, ...: an integer >= ``low``.

    >>> count("1e12")
    1000000000000
    >>> count(0)
    Traceback (most recent call last):
      ...
    attnlimits.theory.validation.InputError: n must be an integer >= 1, got 0
    """
    return integer(n, name, low=low)


def choice(x, name: str, options) -> str:
    """One of a fixed set of names.

    >>> choice("critical", "regime", ("subcritical", "critical", "supercritical"))
    'critical'
    >>> choice("hot", "regime", ("subcritical", "critical", "supercritical"))
    Traceback (most recent call last):
    ...
    attnlimits.theory.validation.InputError: regime must be one of subcritical, critical, supercritical; got 'hot'
    """
    if x not in options:
        raise InputError(f"{name} must be one of {', '.join(map(str, options))}; got {x!r}")
    return x


def _show(x) -> str:
    if isinstance(x, float) and (abs(x) >= 1e6 or (x != 0 and abs(x) < 1e-4)):
        return f"{x:g}"
    return str(x).strip()
