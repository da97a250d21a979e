"""Typed results: small frozen dataclasses with documented fields and one JSON conversion.

Every route that computes the same quantity returns the same class with the same field names (E_W1 is
E W_(1) whether it comes from the Campbell sweep, first-point conditioning or exact finite n), so claims,
the CLI and other projects read fields instead of mapping dictionary keys by hand. A field that a route
does not compute is ``None``; diagnostics (nodes, error estimates, seconds) are ordinary fields too.

:meth:`Result.to_json` is the one conversion to JSON-ready values: mpmath numbers become decimal strings
carrying the requested digits, Arb balls their midpoint and radius, nested results dictionaries.
"""
from __future__ import annotations

import dataclasses
import math

import mpmath

from attnlimits.numerics.formatting import decimal_string
from attnlimits.numerics.precision import check_digits

__all__ = ["Result", "json_value"]


def json_value(x, digits: int):
    """One value made JSON-ready at ``digits`` significant digits (see the module docstring).

    >>> import numpy as np
    >>> from flint import arb
    >>> json_value(mpmath.mpf(1) / 3, 5), json_value([mpmath.mpf(2), 0.5, 3], 4), json_value({1: mpmath.mpf(0.5)}, 3)
    ('0.33333', ['2.000', 0.5, 3], {'1': '0.500'})
    >>> json_value(float("inf"), 5), json_value(np.int64(7), 3), json_value(np.arange(3), 3)
    ('inf', 7, [0, 1, 2])
    >>> json_value(arb(1) / 3, 5)  # an Arb ball: midpoint and radius
    {'mid': '0.33333', 'rad': '...'}
    """
    if isinstance(x, Result):
        return x.to_json(digits)
    if isinstance(x, (mpmath.mpf, mpmath.mpc)):
        return decimal_string(x, digits)
    if type(x).__name__ == "arb":
        return {"mid": decimal_string(mpmath.mpf(x.mid().str(digits + 5, radius=False)), digits),
                "rad": x.rad().str(3, radius=False)}
    if isinstance(x, float):
        return x if math.isfinite(x) else str(x)
    if isinstance(x, (list, tuple)):
        return [json_value(v, digits) for v in x]
    if isinstance(x, dict):
        return {str(k): json_value(v, digits) for k, v in x.items()}
    if hasattr(x, "tolist") and callable(x.tolist):  # numpy scalars and arrays
        return json_value(x.tolist(), digits)
    return x


@dataclasses.dataclass(frozen=True)
class Result:
    """Base class of the typed results of ``attnlimits.numerics``.

    >>> @dataclasses.dataclass(frozen=True)
    ... class Pair(Result):
    ...     value: object
    ...     nodes: int | None = None
    >>> Pair(mpmath.mpf(1) / 3, 12).to_json(5)
    {'value': '0.33333', 'nodes': 12}
    >>> Pair(mpmath.mpf(2)).fields()
    ['value', 'nodes']
    """

    def fields(self) -> list[str]:
        """The field names, in declaration order."""
        return [f.name for f in dataclasses.fields(self)]

    def to_json(self, digits: int, *, skip_none: bool = False) -> dict:
        """Field name → JSON-ready value at ``digits`` significant digits (``None`` fields kept unless skipped).

        ``digits`` is checked like every other (1 .. MAX_DIGITS; InputError otherwise).
        """
        digits = check_digits(digits)
        out = {}
        for name in self.fields():
            v = getattr(self, name)
            if v is None and skip_none:
                continue
            out[name] = json_value(v, digits)
        return out
