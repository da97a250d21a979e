"""Typed results of the Monte Carlo samplers: one replicate (:class:`Replicate`) and many (:class:`Replicates`).

Every sampler (reference, naive, exact reduced, order statistics; docs/montecarlo.md) returns a
:class:`Replicate` with the same fields, whatever its route: the statistics of the weights
w_i = e^{-beta D_i} / sum_j e^{-beta D_j} and of the output y = sum_i w_i K_i (or y = V sum_i w_i K_i with a
value matrix V) for the fixed query q = e_1, D_i = 1 - <q, K_i> (docs/mathematics.md §1).
:func:`attnlimits.numerics.montecarlo.sampling.replicates` and
:func:`attnlimits.numerics.montecarlo.sweep.run_sweep` stack them, in replicate order, into
:class:`Replicates`, whose fields are numpy arrays with one row per replicate.
"""
from __future__ import annotations

import dataclasses

import numpy as np

from attnlimits.numerics.montecarlo.arguments import number, whole
from attnlimits.numerics.results import Result
from attnlimits.theory.validation import InputError

__all__ = ["Replicate", "Replicates"]


@dataclasses.dataclass(frozen=True)
class Replicate(Result):
    """The statistics of one replicate of attention over n keys (fixed query q = e_1).

    Fields:

    - ``top``: the k largest weights W_(1) >= ... >= W_(k) (a numpy array of length k, zero-padded when n < k);
    - ``sum_w2``: sum_i w_i^2;
    - ``entropy``: -sum_i w_i log w_i;
    - ``parallel``: <q, y> (with V: y_1);
    - ``gap``: 1 - <q, y> (with V: 1 - y_1), computed as sum_i w_i D_i (accurate near 0) except by the
      reference sampler;
    - ``perp_norm``: |P_perp y| (with V: |(y_2, ..., y_{d_v})|);
    - ``perp_coord``: one coordinate of P_perp y, exact in law (with V: y_2, 0 when d_v = 1);
    - ``min_dist``: D_(1) = 1 - max_i <q, K_i>;
    - ``truncation_bound``: the order-statistics sampler's certified relative bound on the keys it left
      out (0 when every key is explicit, and for the other samplers);
    - ``explicit_keys``: order statistics only, the number of nearest keys drawn explicitly (else None);
    - ``value_norm``: with a value matrix V, |y| (else None);
    - ``value``: with V, y itself (a numpy array of length d_v; else None).

    >>> r = Replicate(top=np.array([0.75, 0.25]), sum_w2=0.625, entropy=0.5623, parallel=0.9, gap=0.1,
    ...               perp_norm=0.3, perp_coord=-0.2, min_dist=0.05, truncation_bound=0.0)
    >>> r.to_json(4, skip_none=True)["top"]
    [0.75, 0.25]
    """

    top: np.ndarray
    sum_w2: float
    entropy: float
    parallel: float
    gap: float
    perp_norm: float
    perp_coord: float
    min_dist: float
    truncation_bound: float
    explicit_keys: float | None = None
    value_norm: float | None = None
    value: np.ndarray | None = None


@dataclasses.dataclass(frozen=True)
class Replicates(Result):
    """The replicates of one grid point, in replicate order: the fields of :class:`Replicate` as arrays.

    Each statistic field holds a float array of shape (reps,) (``top``: (reps, k); ``value``: (reps, d_v));
    a field a sampler does not report is None. Diagnostics of :func:`~attnlimits.numerics.montecarlo.sweep.run_sweep`:
    ``computed``, the replicates computed by that call (the rest came from its store), and ``seconds``, its
    wall-clock time (None from :func:`~attnlimits.numerics.montecarlo.sampling.replicates`).

    >>> rows = [{"top": [0.6, 0.4], "sum_w2": 0.52, "entropy": 0.67, "parallel": 0.9, "gap": 0.1,
    ...          "perp_norm": 0.3, "perp_coord": 0.1, "min_dist": 0.01, "truncation_bound": 0.0}] * 3
    >>> r = Replicates.stack(rows)
    >>> r.top.shape, r.sum_w2.tolist(), r.value is None
    ((3, 2), [0.52, 0.52, 0.52], True)
    """

    top: np.ndarray
    sum_w2: np.ndarray
    entropy: np.ndarray
    parallel: np.ndarray
    gap: np.ndarray
    perp_norm: np.ndarray
    perp_coord: np.ndarray
    min_dist: np.ndarray
    truncation_bound: np.ndarray
    explicit_keys: np.ndarray | None = None
    value_norm: np.ndarray | None = None
    value: np.ndarray | None = None
    computed: int | None = None
    seconds: float | None = None

    @classmethod
    def stack(cls, rows, *, computed: int | None = None, seconds: float | None = None) -> "Replicates":
        """Stack ``rows`` (:class:`Replicate` objects, or their ``to_json`` dictionaries as the sweep's store
        keeps them) into float arrays, one row per replicate; a statistic absent from the rows is None."""
        if not isinstance(rows, (list, tuple)) or not rows or not all(isinstance(r, (Replicate, dict)) for r in rows):
            raise InputError("rows must be a non-empty list of Replicate objects or their to_json dictionaries")
        if computed is not None:
            computed = whole(computed, "computed", low=0)
        if seconds is not None:
            seconds = number(seconds, "seconds", low=0)
        first = rows[0]
        as_dict = isinstance(first, dict)
        columns = {}
        for f in dataclasses.fields(Replicate):
            present = f.name in first if as_dict else getattr(first, f.name) is not None
            if present:
                try:
                    columns[f.name] = np.array([r[f.name] if as_dict else getattr(r, f.name) for r in rows],
                                               dtype=float)
                except (KeyError, TypeError, ValueError):
                    raise InputError(f"rows disagree on {f.name!r}: every row needs it, with the same shape") from None
        return cls(**columns, computed=computed, seconds=seconds)
