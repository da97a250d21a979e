"""Exact Monte Carlo of softmax attention with a fixed query and n i.i.d. uniform keys on S^{d-1}.

Reduced representation (exact in law): X_i = <q, K_i> = 2 B_i - 1 with B_i ~ Beta(a, a), a = (d-1)/2,
and K_i = X_i q + sqrt(1 - X_i^2) U_i with U_i uniform on the unit sphere of q^perp, independent of X_i.
The output y = sum_i w_i K_i, w_i = exp(beta X_i) / sum_j exp(beta X_j), is summarised by

- ``parallel``   <q, y> = sum_i w_i X_i,
- ``perp_norm``  |P_perp y|,
- ``perp_coord`` one coordinate of P_perp y (exact in law, P_perp y being isotropic in q^perp),

together with the ranked top weights, sum w^2, the entropy -sum w log w and the nearest distance D_(1).

This module holds the reference implementation with a fixed API, ``replicates(...)``, which also
dispatches to the engine's samplers (``sampler=`` naive, exact, orderstat; docs/montecarlo.md): all
return the same statistics, and replicate r always uses the r-th child of ``SeedSequence(seed)``.
"""
from __future__ import annotations

import numpy as np

from attnlimits.numerics.montecarlo.arguments import generator, number, whole
from attnlimits.numerics.montecarlo.replicate import Replicate, Replicates
from attnlimits.theory.validation import InputError, choice

__all__ = ["replicates", "one_replicate", "check_sampler_args", "check_beta", "check_values", "STAT_KEYS",
           "SAMPLERS", "LAWS", "BETA_MAX", "NAIVE_VMF_KAPPA", "VALUES_MAX_NORM", "MAX_DIMENSION"]

STAT_KEYS = ("top", "sum_w2", "entropy", "parallel", "perp_norm", "perp_coord", "min_dist")


def _one(n: int, d: int, beta: float, k: int, rng: np.random.Generator, chunk: int | None) -> Replicate:
    if chunk is None:
        chunk = min(65536, max(1, (1 << 21) // d))  # at most 2^21 tangential coordinates (16 MB) at a time
    a = (d - 1) / 2
    # first pass: draw and keep X in chunks (n is moderate for this reference sampler)
    X = 2.0 * rng.beta(a, a, size=n) - 1.0
    logits = beta * X
    mx = logits.max()
    e = np.exp(logits - mx)
    Z = e.sum()
    w = e / Z
    sq = np.sqrt(np.clip(1.0 - X * X, 0.0, None))
    perp = np.zeros(d - 1)
    for s in range(0, n, chunk):
        sl = slice(s, min(n, s + chunk))
        if d - 1 == 1:
            U = rng.choice([-1.0, 1.0], size=(sl.stop - sl.start, 1))
        else:
            G = rng.standard_normal((sl.stop - sl.start, d - 1))
            U = G / np.linalg.norm(G, axis=1, keepdims=True)
        perp += (w[sl] * sq[sl]) @ U
    kk = min(k, n)
    top = -np.sort(-np.partition(w, n - kk)[n - kk:]) if kk < n else -np.sort(-w)
    toppad = np.zeros(k)
    toppad[:kk] = top
    wl = w[w > 0]
    return Replicate(top=toppad, sum_w2=float(np.dot(w, w)), entropy=float(-(wl * np.log(wl)).sum()),
                     parallel=float(np.dot(w, X)), gap=float(np.dot(w, 1.0 - X)), perp_norm=float(np.linalg.norm(perp)),
                     perp_coord=float(perp[0]), min_dist=float(1.0 - X.max()), truncation_bound=0.0)


SAMPLERS = ("reference", "naive", "exact", "orderstat")
LAWS = ("uniform", "vmf")
#: The largest dimension (:func:`attnlimits.theory.validation.dimension`).
MAX_DIMENSION = 10**9
#: The largest beta: the logits beta D (0 <= D <= 2) stay finite doubles up to 2^1023 = 9.0e307.
BETA_MAX = 2.0**1023
#: kappa0 range of the naive sampler's vMF keys (scipy.stats.vonmises_fisher, explicit d-dimensional vectors):
#: below it scipy's d = 3 inversion loses more than half the digits of D (relative error 1e-16/kappa0; it
#: returns D = 0 at kappa0 = 1e-300), above it D = 1 - <q, K> of a unit vector keeps fewer than 8 digits
#: (absolute rounding 1e-16 against D ~ (d - 1)/(2 kappa0)), and at 1e300 scipy overflows. The exact sampler
#: draws D itself and covers every kappa0.
NAIVE_VMF_KAPPA = (1e-8, 1e7)
#: The largest Frobenius norm of a value matrix V: |y| <= |V|_F, and |y|^2 (E|y|^2, E|P_perp y|^2) must stay
#: a finite double: 2^510 = 3.4e153, with room for the sums of squares over replicates; a nonzero V below
#: 2^-510 is refused too (|y|^2 would underflow to 0).
VALUES_MAX_NORM = 2.0**510


def check_beta(beta, name: str = "beta") -> float:
    """beta as a float in [0, :data:`BETA_MAX`] (the logits beta D, D <= 2, must be finite doubles).

    >>> check_beta("1e300"), check_beta(0)
    (1e+300, 0.0)
    >>> check_beta("1e308")
    Traceback (most recent call last):
      ...
    attnlimits.theory.validation.InputError: beta = 1e308 is beyond the supported range beta <= 9.0e307 (2^1023): the logits beta D, with distances D up to 2, must stay finite doubles; at such beta all the weight is on the nearest key
    """
    b = number(beta, name, low=0)
    if b > BETA_MAX:
        raise InputError(f"{name} = {beta} is beyond the supported range {name} <= 9.0e307 (2^1023): the logits "
                         f"beta D, with distances D up to 2, must stay finite doubles; at such beta all the weight "
                         f"is on the nearest key")
    return b


def check_values(V, d: int, name: str = "V") -> np.ndarray:
    """A value matrix V (d_v x d, finite reals, V = 0 or Frobenius norm in [1/:data:`VALUES_MAX_NORM`,
    :data:`VALUES_MAX_NORM`]) as a float array.

    >>> check_values([[1, 0, 0]], 3)
    array([[1., 0., 0.]])
    >>> check_values([[1e300, 0, 0]], 3)
    Traceback (most recent call last):
      ...
    attnlimits.theory.validation.InputError: V has Frobenius norm 1e+300, beyond 3.4e153 (2^510): E|y|^2 of the output y = V ybar would overflow a double; divide V by a power of ten (every statistic of y scales with it)
    """
    d = whole(d, "d", low=2, high=MAX_DIMENSION)
    if isinstance(V, (str, bytes)) or V is None:
        raise InputError(f"{name} must be a real matrix, got {type(V).__name__}")
    try:
        V = np.asarray(V, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"{name} must be a real matrix") from None
    if V.ndim != 2 or V.shape[1] != d or V.shape[0] < 1:
        raise InputError(f"{name} must be a d_v x {d} matrix (y = V ybar), got shape {V.shape}")
    if not np.all(np.isfinite(V)):
        raise InputError(f"{name} must have finite entries")
    top = float(np.abs(V).max())
    norm = top * float(np.linalg.norm(V / top)) if top > 0 else 0.0  # scaled: the squares would overflow
    if norm > VALUES_MAX_NORM:
        raise InputError(f"{name} has Frobenius norm {norm:.3g}, beyond 3.4e153 (2^510): E|y|^2 of the output "
                         f"y = V ybar would overflow a double; divide {name} by a power of ten (every statistic "
                         f"of y scales with it)")
    if 0.0 < norm < 1.0 / VALUES_MAX_NORM:
        raise InputError(f"{name} has Frobenius norm {norm:.3g}, below 3.0e-154 (2^-510): E|y|^2 of the output "
                         f"y = V ybar would underflow to 0; multiply {name} by a power of ten (every statistic "
                         f"of y scales with it)")
    return V


def check_sampler_args(sampler: str, law: str, kappa0, d: int, V) -> tuple[float, object]:
    """Validate the sampler options; return (kappa0 as float, V as a d_v x d float array or None).

    >>> check_sampler_args("exact", "uniform", 0, 3, [[1, 0, 0]])
    (0.0, array([[1., 0., 0.]]))
    >>> check_sampler_args("orderstat", "vmf", 2.0, 3, None)
    Traceback (most recent call last):
      ...
    attnlimits.theory.validation.InputError: the orderstat sampler draws uniform keys only; use sampler='exact' or 'naive' for vmf
    """
    choice(sampler, "sampler", SAMPLERS)
    choice(law, "law", LAWS)
    d = whole(d, "d", low=2, high=MAX_DIMENSION)
    k0 = number(kappa0, "kappa0", low=0)
    if law == "uniform" and k0 != 0.0:
        raise InputError("kappa0 is a parameter of the vmf law; use law='vmf'")
    if law == "vmf" and sampler in ("reference", "orderstat"):
        raise InputError(f"the {sampler} sampler draws uniform keys only; use sampler='exact' or 'naive' for vmf")
    lo, hi = NAIVE_VMF_KAPPA
    if law == "vmf" and sampler == "naive" and k0 != 0.0 and not lo <= k0 <= hi:
        raise InputError(f"kappa0 = {kappa0} is outside the naive sampler's range 1e-8 <= kappa0 <= 1e7 (its "
                         f"explicit vMF keys, by scipy, keep fewer than 8 digits of D = 1 - <q, K> beyond it); "
                         f"use sampler='exact', exact for every kappa0")
    if V is not None:
        V = check_values(V, d)
        if sampler == "reference":
            raise InputError("the reference sampler has V = I; use sampler='exact', 'naive' or 'orderstat'")
    return k0, V


def one_replicate(n: int, d: int, beta: float, k: int, rng: np.random.Generator, *, sampler: str = "exact",
                  law: str = "uniform", kappa0: float = 0.0, V=None, tol: float | None = None,
                  chunk: int | None = None, show_progress: bool = False) -> Replicate:
    """One replicate from the named sampler (the arguments of :func:`replicates`, checked again: cheap for the
    types the sweep passes).

    ``show_progress``: a bar over the chunks of keys of the exact sampler (for a single long replicate).

    One key takes all the weight:

    >>> r = one_replicate(1, 3, 5.0, 1, np.random.default_rng(0), sampler="naive")
    >>> r.top.tolist(), r.sum_w2, r.entropy
    ([1.0], 1.0, 0.0)
    """
    n, d, k = whole(n, "n"), whole(d, "d", low=2, high=MAX_DIMENSION), whole(k, "k")
    beta = check_beta(beta)
    generator(rng)
    kappa0, V = check_sampler_args(sampler, law, kappa0, d, V)
    if tol is not None:
        tol = number(tol, "tol", low=0, low_open=True)
    if chunk is not None:
        chunk = whole(chunk, "chunk")
    from attnlimits.numerics.montecarlo.cost import check_run

    check_run([(n, d, sampler, law, k, 1, beta, tol)])
    if sampler == "reference":
        return _one(n, d, beta, k, rng, chunk)
    if sampler == "naive":
        from attnlimits.numerics.montecarlo.naive_sampler import naive_replicate

        return naive_replicate(n, d, beta, k, rng, law=law, kappa0=kappa0, V=V, chunk=chunk)
    if sampler == "exact":
        from attnlimits.numerics.montecarlo.exact_sampler import exact_replicate

        return exact_replicate(n, d, beta, k, rng, law=law, kappa0=kappa0, V=V, chunk=chunk,
                               show_progress=show_progress)
    from attnlimits.numerics.montecarlo.orderstat_sampler import DEFAULT_TOL, orderstat_replicate

    return orderstat_replicate(n, d, beta, k, rng, V=V, tol=DEFAULT_TOL if tol is None else tol)


def replicates(n, d, beta, reps, seed, *, k: int = 5, chunk: int | None = None, sampler: str = "reference",
               law: str = "uniform", kappa0=0.0, V=None, tol=None) -> Replicates:
    """``reps`` independent replicates of attention over ``n`` keys on S^{d-1} (fixed query q = e_1).

    Replicate r uses the generator ``PCG64(SeedSequence(seed).spawn(reps)[r])``, so results do not
    depend on how replicates are split across workers. Returns
    :class:`~attnlimits.numerics.montecarlo.replicate.Replicates`: one array per statistic, one row per
    replicate (``top`` has shape (reps, k)); the fields ``STAT_KEYS``, ``gap`` (1 - <q, y>, computed as
    sum w D, accurate near 0 except for ``reference``) and ``truncation_bound`` (the certified relative
    bound of ``orderstat``, 0 for the others) are always there; ``orderstat`` also reports ``explicit_keys``.

    ``sampler``: ``reference`` (this module, O(n) memory), ``naive`` (d-dimensional keys,
    :mod:`~attnlimits.numerics.montecarlo.naive_sampler`), ``exact`` (exact reduced, streaming,
    :mod:`~attnlimits.numerics.montecarlo.exact_sampler`), ``orderstat`` (nearest keys with a certified
    truncation bound, :mod:`~attnlimits.numerics.montecarlo.orderstat_sampler`; ``tol`` is its target bound).
    ``law``: ``uniform`` or ``vmf`` (von Mises–Fisher with mean direction q and concentration
    ``kappa0``). ``V``: a d_v x d value matrix, the output being y = sum_i w_i V K_i; then every sampler
    also reports ``value_norm`` = |y| and ``value`` = y (shape (reps, d_v)), and ``parallel``, ``gap``,
    ``perp_norm``, ``perp_coord`` describe y's first coordinate and the rest
    (:func:`attnlimits.numerics.montecarlo.isotropic_merge.value_stats`).

    Every argument is checked (``InputError`` naming it); beta is at most :data:`BETA_MAX`; a run whose least
    work or memory is beyond the cost model's budget (:mod:`~attnlimits.numerics.montecarlo.cost`: 2^40 random
    draws, half the machine's memory) is refused before any work, naming the sampler that can do it.

    beta = 0: every weight is 1/n, so W_(1) = sum w^2 = 1/n and the entropy is log n:

    >>> r = replicates(10, 3, 0.0, 4, seed=0)
    >>> r.top[:, 0].tolist(), bool(np.allclose(r.sum_w2, 0.1)), bool(np.allclose(r.entropy, np.log(10)))
    ([0.1, 0.1, 0.1, 0.1], True, True)
    >>> r = replicates(10**12, 3, 0.5e12, 3, seed=1, sampler="orderstat")  # lambda = 1 at d = 3
    >>> bool(r.truncation_bound.max() <= 1e-13), r.explicit_keys.tolist()
    (True, [64.0, 64.0, 64.0])
    """
    n, d = whole(n, "n"), whole(d, "d", low=2, high=MAX_DIMENSION)
    beta = check_beta(beta)
    reps, seed, k = whole(reps, "reps"), whole(seed, "seed", low=0), whole(k, "k")
    kappa0, V = check_sampler_args(sampler, law, kappa0, d, V)
    if tol is not None:
        tol = number(tol, "tol", low=0, low_open=True)
    if chunk is not None:
        chunk = whole(chunk, "chunk")
    from attnlimits.numerics.montecarlo.cost import check_run

    check_run([(n, d, sampler, law, k, reps, beta, tol)])  # before any work: a run that cannot finish is refused
    children = np.random.SeedSequence(seed).spawn(reps)
    from attnlimits.numerics.progress import progress

    quiet = reps * n < 10**7 if sampler != "orderstat" else reps < 10**4
    rows = [one_replicate(n, d, beta, k, np.random.Generator(np.random.PCG64(c)), sampler=sampler, law=law,
                          kappa0=kappa0, V=V, tol=tol, chunk=chunk)
            for c in progress(children, desc="replicates", unit="rep", disable=quiet)]
    return Replicates.stack(rows)
