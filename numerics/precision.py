"""Explicit precision: every high-precision routine takes the digits it must deliver.

``working_digits(digits)`` raises mpmath's working precision for the duration of a block, adding
guard digits, and restores the caller's precision on exit, whatever happens inside.
``arb_digits(digits)`` does the same for python-flint's Arb context.
"""
from __future__ import annotations

import contextlib
import math

import mpmath

from attnlimits.theory.validation import InputError, integer

__all__ = ["MAX_DIGITS", "check_digits", "working_digits", "arb_digits", "bits_for", "digits_agreed"]

#: Largest number of decimal digits a caller may ask for. Beyond this, special-function
#: evaluation costs minutes to hours, which is never what a user meant.
MAX_DIGITS = 5000

#: Guard digits added on top of what the caller asks for.
GUARD_DIGITS = 15


def check_digits(digits) -> int:
    """Validate a requested number of significant decimal digits (1 .. MAX_DIGITS)."""
    if digits is None:
        raise InputError("digits must be given")
    return integer(digits, "digits", low=1, high=MAX_DIGITS)


def bits_for(digits: int) -> int:
    """Binary precision that carries ``digits`` decimal digits."""
    return int(math.ceil(digits * math.log2(10))) + 4


@contextlib.contextmanager
def working_digits(digits, guard: int = GUARD_DIGITS):
    """mpmath working precision of ``digits + guard`` decimal digits, restored on exit."""
    d = check_digits(digits)
    with mpmath.workdps(d + guard):
        yield d


@contextlib.contextmanager
def arb_digits(digits, guard: int = GUARD_DIGITS):
    """python-flint (Arb) precision of ``digits + guard`` decimal digits, restored on exit."""
    from flint import ctx

    d = check_digits(digits)
    old = ctx.prec
    ctx.prec = bits_for(d + guard)
    try:
        yield d
    finally:
        ctx.prec = old


def digits_agreed(a, b, *, tie: int | None = None) -> int:
    """Significant decimal digits on which ``a`` and ``b`` agree: floor(-log10(|a - b| / max(|a|, |b|))), >= 0.

    The difference is formed with 60 guard digits beyond the caller's precision, so high-precision inputs are
    not rounded before they are compared. Equal values count as agreeing to ``tie`` digits: pass the digits
    both values were computed to deliver; by default the caller's working precision (an exact tie says
    nothing beyond the digits that were carried).
    """
    caller = mpmath.mp.dps
    with mpmath.workdps(caller + 60):
        a, b = mpmath.mpf(a), mpmath.mpf(b)
        if a == b:
            return caller if tie is None else int(tie)
        return max(0, int(mpmath.floor(-mpmath.log10(abs(a - b) / max(abs(a), abs(b))))))
