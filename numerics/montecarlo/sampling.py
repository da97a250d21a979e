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

from attnlimits.numerics.montecarlo.replicate import Replicate, Replicates
from attnlimits.theory.validation import InputError, choice, count, dimension, positive_real, real

__all__ = ["replicates", "one_replicate", "STAT_KEYS", "SAMPLERS", "LAWS"]

STAT_KEYS = ("top", "sum_w2", "entropy", "parallel", "perp_norm", "perp_coord", "min_dist")


def _one(n: int, d: int, beta: float, k: int, rng: np.random.Generator, chunk: int) -> Replicate:
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
    k0 = float(real(kappa0, "kappa0", low=0))
    if law == "uniform" and k0 != 0.0:
        raise InputError("kappa0 is a parameter of the vmf law; use law='vmf'")
    if law == "vmf" and sampler in ("reference", "orderstat"):
        raise InputError(f"the {sampler} sampler draws uniform keys only; use sampler='exact' or 'naive' for vmf")
    if V is not None:
        try:
            V = np.asarray(V, dtype=float)
        except (TypeError, ValueError):
            raise InputError("V must be a real matrix") from None
        if V.ndim != 2 or V.shape[1] != d or V.shape[0] < 1:
            raise InputError(f"V must be a d_v x {d} matrix (y = V ybar), got shape {V.shape}")
        if not np.all(np.isfinite(V)):
            raise InputError("V must have finite entries")
        if sampler == "reference":
            raise InputError("the reference sampler has V = I; use sampler='exact', 'naive' or 'orderstat'")
    return k0, V


def one_replicate(n: int, d: int, beta: float, k: int, rng: np.random.Generator, *, sampler: str = "exact",
                  law: str = "uniform", kappa0: float = 0.0, V=None, tol: float | None = None,
                  chunk: int | None = None, show_progress: bool = False) -> Replicate:
    """One replicate from the named sampler (arguments already validated; the arguments of :func:`replicates`).

    ``show_progress``: a bar over the chunks of keys of the exact sampler (for a single long replicate).

    One key takes all the weight:

    >>> r = one_replicate(1, 3, 5.0, 1, np.random.default_rng(0), sampler="naive")
    >>> r.top.tolist(), r.sum_w2, r.entropy
    ([1.0], 1.0, 0.0)
    """
    if sampler == "reference":
        return _one(n, d, beta, k, rng, chunk or 65536)
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

    beta = 0: every weight is 1/n, so W_(1) = sum w^2 = 1/n and the entropy is log n:

    >>> r = replicates(10, 3, 0.0, 4, seed=0)
    >>> r.top[:, 0].tolist(), bool(np.allclose(r.sum_w2, 0.1)), bool(np.allclose(r.entropy, np.log(10)))
    ([0.1, 0.1, 0.1, 0.1], True, True)
    >>> r = replicates(10**12, 3, 0.5e12, 3, seed=1, sampler="orderstat")  # lambda = 1 at d = 3
    >>> bool(r.truncation_bound.max() <= 1e-13), r.explicit_keys.tolist()
    (True, [64.0, 64.0, 64.0])
    """
    n = count(n, "n")
    d = dimension(d)
    beta = float(real(beta, "beta", low=0))
    reps = count(reps, "reps")
    seed = count(seed, "seed", low=0)
    k = count(k, "k")
    kappa0, V = check_sampler_args(sampler, law, kappa0, d, V)
    if tol is not None:
        tol = float(positive_real(tol, "tol"))
    if chunk is not None:
        chunk = count(chunk, "chunk")
    children = np.random.SeedSequence(seed).spawn(reps)
    from attnlimits.numerics.progress import progress

    quiet = reps * n < 10**7 if sampler != "orderstat" else reps < 10**4
    rows = [one_replicate(n, d, beta, k, np.random.Generator(np.random.PCG64(c)), sampler=sampler, law=law,
                          kappa0=kappa0, V=V, tol=tol, chunk=chunk)
            for c in progress(children, desc="replicates", unit="rep", disable=quiet)]
    return Replicates.stack(rows)
