"""Explicit precision: every high-precision routine takes the digits it must deliver.

The one gate is the decorator :func:`precise`: it validates ``digits`` once, sets mpmath's and Arb's working
precision to ``digits`` plus guard digits, calls the function with the checked integer, rounds every
mpmath number of the result to the working precision, and restores both precisions on exit, whatever
happens inside (mpmath wraps its special functions the same way). Internal helpers receive checked
values and do not validate again.

``working_digits(digits)`` and ``arb_digits(digits)`` are the context managers the gate is made of; a
function uses them directly only for a block that needs more digits than it was asked for (cancellation).
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import inspect
import math

import mpmath

from attnlimits.theory.validation import InputError, integer

__all__ = ["MAX_DIGITS", "GUARD_DIGITS", "precise", "check_digits", "working_digits", "arb_digits", "bits_for",
           "digits_agreed"]

#: Largest number of decimal digits a caller may ask for. Beyond this, special-function
#: evaluation costs minutes to hours, which is never what a user meant.
MAX_DIGITS = 5000

#: Guard digits added on top of what the caller asks for.
GUARD_DIGITS = 15


def check_digits(digits) -> int:
    """Validate a requested number of significant decimal digits (1 .. MAX_DIGITS).

    >>> check_digits(30), check_digits("12")
    (30, 12)
    >>> check_digits(MAX_DIGITS + 1)
    Traceback (most recent call last):
      ...
    attnlimits.theory.validation.InputError: digits must be an integer ...
    """
    if digits is None:
        raise InputError("digits must be given")
    return integer(digits, "digits", low=1, high=MAX_DIGITS)


def bits_for(digits: int) -> int:
    """Binary precision that carries ``digits`` decimal digits: ceil(digits log2 10) + 4 bits.

    >>> bits_for(15), bits_for(100)  # 15 log2 10 = 49.8..., 100 log2 10 = 332.1...
    (54, 337)
    """
    return int(math.ceil(digits * math.log2(10))) + 4


def working_digits(digits, guard: int = GUARD_DIGITS):
    """mpmath working precision of ``digits + guard`` decimal digits, restored on exit.

    >>> import mpmath
    >>> with working_digits(20) as d:
    ...     d, mpmath.mp.dps
    (20, 35)
    >>> mpmath.mp.dps
    15
    """
    return _mpmath_digits(check_digits(digits), guard)


def arb_digits(digits, guard: int = GUARD_DIGITS):
    """python-flint (Arb) precision of ``digits + guard`` decimal digits, restored on exit.

    >>> from flint import ctx
    >>> before = ctx.prec
    >>> with arb_digits(20) as d:
    ...     d, ctx.prec == bits_for(35)
    (20, True)
    >>> ctx.prec == before
    True
    """
    return _arb_digits(check_digits(digits), guard)


@contextlib.contextmanager
def _mpmath_digits(d: int, guard):
    """:func:`working_digits` for an already checked ``d`` (the gate validates once, then enters this)."""
    with mpmath.workdps(d + guard):
        yield d


@contextlib.contextmanager
def _arb_digits(d: int, guard):
    """:func:`arb_digits` for an already checked ``d``."""
    from flint import ctx

    old = ctx.prec
    ctx.prec = bits_for(d + guard)
    try:
        yield d
    finally:
        ctx.prec = old


def _rounded(value):
    """``value`` with every mpf rounded to the current working precision (lists, tuples, dicts, dataclasses)."""
    if isinstance(value, mpmath.mpf):
        return +value
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(_rounded(v) for v in value)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: _rounded(getattr(value, f.name))
                                            for f in dataclasses.fields(value) if f.init})
    return value


def precise(fn=None, *, guard: int = GUARD_DIGITS):
    """Decorator, the package's one precision gate, for functions with a ``digits`` parameter.

    The wrapped function is called with ``digits`` checked (an int in 1 .. MAX_DIGITS; a bad value raises
    :class:`~attnlimits.theory.validation.InputError` before any work), inside mpmath and Arb working
    precision of ``digits + guard`` decimal digits; mpf values of its result are rounded to that
    precision before both precisions are restored. ``digits`` keeps the default of the signature.

    >>> import mpmath
    >>> @precise
    ... def third(digits=20):
    ...     return mpmath.mpf(1) / 3
    >>> mpmath.nstr(third(digits=30), 30)
    '0.333333333333333333333333333333'
    >>> mpmath.mp.dps  # the caller's precision is back
    15
    >>> third(digits=0)
    Traceback (most recent call last):
      ...
    attnlimits.theory.validation.InputError: digits must be an integer >= 1, got 0
    """
    if fn is None:
        return functools.partial(precise, guard=guard)
    sig = inspect.signature(fn)
    if "digits" not in sig.parameters:
        raise TypeError(f"{fn.__qualname__} has no 'digits' parameter")

    @functools.wraps(fn)
    def gate(*args, **kwargs):
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        d = check_digits(bound.arguments["digits"])
        bound.arguments["digits"] = d
        with _mpmath_digits(d, guard), _arb_digits(d, guard):  # d is checked: one validation per call
            return _rounded(fn(*bound.args, **bound.kwargs))

    return gate


def digits_agreed(a, b, *, tie: int | None = None) -> int:
    """Significant decimal digits on which ``a`` and ``b`` agree: floor(-log10(|a - b| / max(|a|, |b|))), >= 0.

    The difference is formed with 60 guard digits beyond the caller's precision, so high-precision inputs are
    not rounded before they are compared. Equal values count as agreeing to ``tie`` digits: pass the digits
    both values were computed to deliver; by default the caller's working precision (an exact tie says
    nothing beyond the digits that were carried).

    >>> import mpmath
    >>> digits_agreed(mpmath.mpf("1.23456"), mpmath.mpf("1.23457"))  # relative difference 8.1e-6
    5
    >>> digits_agreed(mpmath.pi, mpmath.mpf(355) / 113)  # Zu Chongzhi's 355/113: relative error 8.5e-8
    7
    >>> digits_agreed(2, 2), digits_agreed(2, 2, tie=30)  # an exact tie: the caller's 15 digits, or ``tie``
    (15, 30)
    """
    caller = mpmath.mp.dps
    with mpmath.workdps(caller + 60):
        a, b = mpmath.mpf(a), mpmath.mpf(b)
        if a == b:
            return caller if tie is None else int(tie)
        return max(0, int(mpmath.floor(-mpmath.log10(abs(a - b) / max(abs(a), abs(b))))))
