"""Argument checks of the Monte Carlo functions (docs/montecarlo.md §9).

Every public function of ``numerics/montecarlo/`` checks its numeric arguments with these helpers, so that
zero where zero makes no sense, a negative number, NaN, an infinity, ``'1e400'`` or a wrong type raises
:class:`~attnlimits.theory.validation.InputError` (a ``ValueError``) whose one line names the parameter.

The samplers call each other's public functions once per chunk of keys, so each check first tries a fast
path for what they pass (a Python ``int``, a finite ``float`` in range, a float64 array) and sends anything
else through :mod:`attnlimits.theory.validation`, whose words the messages are.
"""
from __future__ import annotations

import math
import sys

import numpy as np

from attnlimits.theory.validation import InputError, integer, real

__all__ = ["whole", "number", "generator", "float_array"]

_MAX = sys.float_info.max
_TINY = sys.float_info.min
_MIN, _MAX_REDUCE = np.minimum.reduce, np.maximum.reduce


def whole(x, name: str, *, low: int = 1, high: int | None = None) -> int:
    """An integer >= ``low`` (and <= ``high``): ``1e6`` and ``'1e6'`` are accepted when integral.

    >>> whole(3, "d"), whole("1e6", "n")
    (3, 1000000)
    >>> whole(0, "reps")
    Traceback (most recent call last):
    ...
    attnlimits.theory.validation.InputError: reps must be an integer >= 1, got 0
    """
    if type(x) is int and x >= low and (high is None or x <= high):
        return x
    if x is None:
        raise InputError(f"{name} must be an integer, got None")
    if isinstance(x, np.integer):  # validation's exact arithmetic needs Python ints (np.int64 overflows there)
        x = int(x)
    return integer(x, name, low=low, high=high)


def number(x, name: str, *, low=None, high=None, low_open: bool = False, high_open: bool = False,
           tiny: bool = False) -> float:
    """A finite real number in the stated interval, as a float (exact text such as ``'10/7'`` is rounded once).

    ``tiny``: accept a subnormal float (a quantity the package computed, not one a user typed: the user's
    numbers below the smallest normal double are refused by :func:`attnlimits.theory.validation.real`).

    >>> number(0.5, "beta", low=0), number("10/7", "kappa0", low=0)
    (0.5, 1.4285714285714286)
    >>> number(float("nan"), "beta", low=0)
    Traceback (most recent call last):
    ...
    attnlimits.theory.validation.InputError: beta must be finite, got nan
    """
    if type(x) is float and (x == 0.0 or _TINY <= abs(x) <= _MAX or (tiny and abs(x) < _TINY)):
        if ((low is None or (x > low if low_open else x >= low))
                and (high is None or (x < high if high_open else x <= high))):
            return x
    if x is None:
        raise InputError(f"{name} must be a real number, got None")
    if isinstance(x, np.integer):
        x = int(x)
    if tiny and isinstance(x, (float, np.floating)) and math.isfinite(x) and 0.0 < abs(x) < _TINY:
        v = float(x)
        if ((low is None or (v > low if low_open else v >= low))
                and (high is None or (v < high if high_open else v <= high))):
            return v
    return float(real(x, name, low=low, high=high, low_open=low_open, high_open=high_open))


def generator(rng, name: str = "rng") -> np.random.Generator:
    """A ``numpy.random.Generator`` (every sampler takes its randomness from one).

    >>> generator(np.random.default_rng(0)).__class__.__name__
    'Generator'
    >>> generator(0)
    Traceback (most recent call last):
    ...
    attnlimits.theory.validation.InputError: rng must be a numpy.random.Generator, got int
    """
    if not isinstance(rng, np.random.Generator):
        raise InputError(f"{name} must be a numpy.random.Generator, got {type(rng).__name__}")
    return rng


def float_array(x, name: str, *, low=None, high=None, ndim: int | None = 1, low_open: bool = False) -> np.ndarray:
    """``x`` as a float64 array of finite numbers in [low, high] (``(low, high]`` with ``low_open``).

    The array itself is returned when it already is float64 (the samplers' scratch buffers stay theirs).

    >>> float_array([0.5, 1.0], "r", low=0).tolist()
    [0.5, 1.0]
    >>> float_array([0.5, float("nan")], "r", low=0)
    Traceback (most recent call last):
    ...
    attnlimits.theory.validation.InputError: r must hold finite numbers >= 0; found nan
    """
    if isinstance(x, np.ndarray) and x.dtype == np.float64:
        a = x
    else:
        if isinstance(x, (str, bytes)) or x is None:
            raise InputError(f"{name} must be an array of real numbers, got {type(x).__name__}")
        try:
            a = np.asarray(x, dtype=float)
        except (TypeError, ValueError, OverflowError):
            raise InputError(f"{name} must be an array of real numbers") from None
    if ndim is not None and a.ndim != ndim:
        raise InputError(f"{name} must be a {ndim}-dimensional array, got shape {a.shape}")
    if a.size:
        # the ufuncs' own reductions: a.min() adds a Python wrapper per call, and this runs once per chunk of keys
        lo, hi = float(_MIN(a, axis=None)), float(_MAX_REDUCE(a, axis=None))  # a nan makes both nan
        bad = None
        if not (math.isfinite(lo) and math.isfinite(hi)):
            bad = "nan" if math.isnan(lo) or math.isnan(hi) else "inf"
        elif low is not None and (lo < low or (low_open and lo == low)):
            bad = repr(lo)
        elif high is not None and hi > high:
            bad = repr(hi)
        if bad is not None:
            rng = [] if low is None else [f"{'>' if low_open else '>='} {low}"]
            rng += [] if high is None else [f"<= {high}"]
            where = f" {' and '.join(rng)}" if rng else ""
            raise InputError(f"{name} must hold finite numbers{where}; found {bad}")
    return a
