"""Input validation shared by every layer.

Every public function of the package checks its arguments with these helpers, so that bad input
raises :class:`InputError` (a ``ValueError``) whose message is one clear line, and the command line
prints exactly that line and exits with status 2.
"""
from __future__ import annotations

import math
import numbers
import re
import sys
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import mpmath

__all__ = [
    "InputError",
    "Exact",
    "to_mpf",
    "to_arb",
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


#: The largest finite double. A value beyond it, or a nonzero value below the smallest normal double,
#: is refused at once: no quantity of the package is meaningful there, and carrying it on would
#: cost minutes of big-number arithmetic before anything could fail.
DOUBLE_MAX = Fraction(sys.float_info.max)
DOUBLE_TINY = Fraction(sys.float_info.min)

_RATIONAL = re.compile(r"^\s*([+-]?[0-9.eE+-]+)\s*/\s*([+-]?[0-9.eE+-]+)\s*$")


class Exact(Fraction):
    """A number the user typed, held exactly, that prints as it was typed.

    Rationals such as ``10/7`` cannot be written as a finite decimal; the package keeps them as
    exact fractions. ``mpmath.mpf(x)`` rounds once, at the caller's working precision, and
    ``float(x)`` once, to the nearest double.

    >>> import mpmath
    >>> x = real("10/7", "gamma")
    >>> str(x), x == Fraction(10, 7)
    ('10/7', True)
    >>> with mpmath.workdps(30):
    ...     mpmath.nstr(mpmath.mpf(x), 30)
    '1.42857142857142857142857142857'
    """

    __slots__ = ("text",)

    def __new__(cls, value, text: str):
        self = super().__new__(cls, value)
        self.text = text
        return self

    def __str__(self):
        return self.text

    def __repr__(self):
        return f"Exact({self.text!r})"

    def _mpmath_(self, prec, rounding):
        return mpmath.mpf(mpmath.libmp.from_rational(self.numerator, self.denominator, prec, rounding))


def to_mpf(x) -> mpmath.mpf:
    """A checked number (decimal text, :class:`Exact`, int, float, mpf) as an mpf at the current precision.

    >>> import mpmath
    >>> with mpmath.workdps(30):
    ...     mpmath.nstr(to_mpf("0.3") - to_mpf(0.3), 5)   # the text is exact, the double is not
    '1.1102e-17'
    """
    if isinstance(x, Fraction):
        return mpmath.mpf(mpmath.libmp.from_rational(x.numerator, x.denominator, mpmath.mp.prec, "n"))
    return mpmath.mpf(x.strip() if isinstance(x, str) else x)


def to_arb(x):
    """A checked number as a python-flint ``arb`` ball at the current Arb precision.

    >>> from flint import ctx
    >>> to_arb("10/7").contains(to_arb("1.4285714285714"))
    False
    """
    from flint import arb

    if isinstance(x, Fraction):
        return arb(x.numerator) / x.denominator
    if isinstance(x, str):
        return arb(x.strip())
    if isinstance(x, int):
        return arb(x)
    return arb(mpmath.mpf(x))


def _exact(x, name: str) -> Fraction:
    """``x`` as an exact rational; reject what is not a finite real number in the double range."""
    if isinstance(x, bool):
        raise InputError(f"{name} must be a number, not a boolean")
    try:
        if isinstance(x, str):
            s = x.strip()
            m = _RATIONAL.match(s)
            if m:
                num, den = Fraction(Decimal(m.group(1))), Fraction(Decimal(m.group(2)))
                if den == 0:
                    raise InputError(f"{name} must be a number, got {x!r} (division by zero)")
                v = num / den
            else:
                dec = Decimal(s)
                if not dec.is_finite():
                    raise InputError(f"{name} must be finite, got {x!r}")
                v = Fraction(dec)
        elif isinstance(x, Fraction):
            v = Fraction(x.numerator, x.denominator)
        elif isinstance(x, numbers.Integral):  # numpy integers too: Fraction keeps their type otherwise
            v = Fraction(int(x))
        elif isinstance(x, (float, Decimal)):
            if not math.isfinite(x):
                raise InputError(f"{name} must be finite, got {x!r}")
            v = Fraction(x)
        elif isinstance(x, mpmath.mpf):
            if not mpmath.isfinite(x):
                raise InputError(f"{name} must be finite, got {x!r}")
            man, exp = mpmath.mpf(x).man_exp
            v = Fraction(int(man)) * (Fraction(2) ** int(exp))
        elif hasattr(x, "is_real") and hasattr(x, "evalf"):  # sympy numbers
            if getattr(x, "is_Rational", False):
                v = Fraction(int(x.p), int(x.q))
            elif getattr(x, "is_finite", None) is False or x.is_real is False:
                raise InputError(f"{name} must be a finite real number, got {x}")
            else:
                return _exact(mpmath.mpf(x.evalf(60)._to_mpmath(200)), name)
        elif isinstance(x, numbers.Real):  # numpy floats and other real types
            f = float(x)
            if not math.isfinite(f):
                raise InputError(f"{name} must be finite, got {x!r}")
            v = Fraction(f)
        else:
            raise InputError(f"{name} must be a real number, got {type(x).__name__}")
    except (InvalidOperation, TypeError, ValueError, AttributeError, OverflowError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{name} must be a number, got {x!r}") from None
    if abs(v) > DOUBLE_MAX:
        raise InputError(f"{name} = {_show(x)} is out of range: beyond the largest double, 1.8e308")
    if v != 0 and abs(v) < DOUBLE_TINY:
        raise InputError(f"{name} = {_show(x)} is out of range: below the smallest normal double, 2.2e-308")
    return v


def real(x, name: str, *, low=None, high=None, low_open: bool = False, high_open: bool = False):
    """Check that ``x`` is a finite real number in the stated interval; return ``x`` unchanged.

    Decimal strings are returned stripped, so that callers can parse them at their own working
    precision (``mpmath.mpf("0.1")`` inside ``workdps`` keeps every digit the user typed); a ratio
    such as ``"10/7"`` is returned as an :class:`Exact` fraction, which :func:`to_mpf` and ``mpmath.mpf``
    round at the working precision. Values beyond the double range are refused.

    >>> real(" 0.1 ", "lambda", low=0)
    '0.1'
    >>> real(2, "w", high=1)
    Traceback (most recent call last):
    ...
    attnlimits.theory.validation.InputError: w must be <= 1, got 2
    >>> real("1e400", "beta")
    Traceback (most recent call last):
    ...
    attnlimits.theory.validation.InputError: beta = 1e400 is out of range: beyond the largest double, 1.8e308
    """
    v = _exact(x, name)
    if low is not None:
        lo = _exact(low, "lower bound")
        if v < lo or (low_open and v == lo):
            rel = ">" if low_open else ">="
            raise InputError(f"{name} must be {rel} {low}, got {_show(x)}")
    if high is not None:
        hi = _exact(high, "upper bound")
        if v > hi or (high_open and v == hi):
            rel = "<" if high_open else "<="
            raise InputError(f"{name} must be {rel} {high}, got {_show(x)}")
    if isinstance(x, str):
        s = x.strip()
        return Exact(v, " ".join(s.split())) if _RATIONAL.match(s) else s
    return x


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
    >>> integer("9007199254740993", "n")   # beyond 2**53: exact
    9007199254740993
    """
    v = _exact(x, name)
    if v.denominator != 1:
        raise InputError(f"{name} must be an integer, got {_show(x)}")
    iv = int(v)
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
