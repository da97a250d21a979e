"""Exact Monte Carlo of softmax attention with a fixed query and n i.i.d. uniform keys on S^{d-1}.

Reduced representation (exact in law): X_i = <q, K_i> = 2 B_i - 1 with B_i ~ Beta(a, a), a = (d-1)/2,
and K_i = X_i q + sqrt(1 - X_i^2) U_i with U_i uniform on the unit sphere of q^perp, independent of X_i.
The output y = sum_i w_i K_i, w_i = exp(beta X_i) / sum_j exp(beta X_j), is summarised by

- ``parallel``   <q, y> = sum_i w_i X_i,
- ``perp_norm``  |P_perp y|,
- ``perp_coord`` one coordinate of P_perp y (exact in law, P_perp y being isotropic in q^perp),

together with the ranked top weights, sum w^2, the entropy -sum w log w and the nearest distance D_(1).

This module holds the reference implementation with a fixed API, ``replicates(...)``; faster
samplers keep the same return format.
"""
from __future__ import annotations

import numpy as np

from attnlimits.theory.validation import count, dimension, positive_real, real

__all__ = ["replicates", "STAT_KEYS"]

STAT_KEYS = ("top", "sum_w2", "entropy", "parallel", "perp_norm", "perp_coord", "min_dist")


def _one(n: int, d: int, beta: float, k: int, rng: np.random.Generator, chunk: int) -> dict:
    a = (d - 1) / 2
    # first pass: draw and keep X in chunks (n is moderate for this reference sampler)
    X = 2.0 * rng.beta(a, a, size=n) - 1.0 if d > 1 else None
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
    return {
        "top": toppad,
        "sum_w2": float(np.dot(w, w)),
        "entropy": float(-(wl * np.log(wl)).sum()),
        "parallel": float(np.dot(w, X)),
        "perp_norm": float(np.linalg.norm(perp)),
        "perp_coord": float(perp[0]),
        "min_dist": float(1.0 - X.max()),
    }


def replicates(n, d, beta, reps, seed, *, k: int = 5, chunk: int = 65536) -> dict:
    """``reps`` independent replicates of attention over ``n`` uniform keys on S^{d-1}.

    Replicate r uses the generator ``PCG64(SeedSequence(seed).spawn(reps)[r])``, so results do not
    depend on how replicates are split across workers. Returns a dict of numpy arrays keyed by
    ``STAT_KEYS`` (``top`` has shape (reps, k)).
    """
    n = count(n, "n")
    d = dimension(d)
    beta = float(real(beta, "beta", low=0))
    reps = count(reps, "reps")
    seed = count(seed, "seed", low=0)
    children = np.random.SeedSequence(seed).spawn(reps)
    rows = [_one(n, d, beta, k, np.random.Generator(np.random.PCG64(c)), chunk) for c in children]
    return {key: np.array([r[key] for r in rows]) for key in STAT_KEYS}
