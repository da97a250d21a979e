"""Exact law of |sum_i c_i U_i| for independent uniform unit vectors U_i in R^m, from scalar draws.

Derivation (mathematics notes §11, re-derived here). Let A, B be independent isotropic random vectors
in R^m (their laws are invariant under rotations) with norms |A|, |B|. Conditional on the norms, the
directions A/|A| and B/|B| are independent and uniform, so the cosine C of the angle between them has
the law of one coordinate of a uniform unit vector of R^m:

    (1 + C)/2 ~ Beta((m - 1)/2, (m - 1)/2)       (m >= 2),     C = +-1 with probability 1/2  (m = 1),

independent of |A| and |B|. Hence

    |A + B|^2 = |A|^2 + |B|^2 + 2 |A| |B| C,

and A + B is again isotropic (a rotation-invariant law plus an independent rotation-invariant law),
with a direction independent of its norm. Merging pairwise along a binary tree therefore gives the
exact joint law of the norm of sum_i c_i U_i (c_i >= 0 fixed or drawn independently of the U_i) from
one scalar draw per merge, never forming an m-dimensional vector. The direction of the sum is
uniform on S^{m-1} and independent of its norm, so a full vector, when needed (a general value
matrix V), costs one extra uniform direction.

Special laws of C used for speed: m = 2: C = cos(pi U) (the angle difference is uniform on the
circle); m = 3: C is uniform on [-1, 1] (Archimedes); m = 1: C = +-1.
"""
from __future__ import annotations

import numpy as np

__all__ = ["draw_cosine", "merge_two", "merge_norms", "uniform_direction", "output_parts"]


def draw_cosine(m: int, size, rng: np.random.Generator) -> np.ndarray:
    """Cosine between two independent uniform directions of R^m: (1 + C)/2 ~ Beta((m-1)/2, (m-1)/2)."""
    if m == 1:
        return np.where(rng.random(size) < 0.5, -1.0, 1.0)
    if m == 2:
        return np.cos(np.pi * rng.random(size))
    if m == 3:
        return 2.0 * rng.random(size) - 1.0
    b = (m - 1) / 2.0
    return 2.0 * rng.beta(b, b, size) - 1.0


def merge_two(r1, r2, m: int, rng: np.random.Generator, cos=None):
    """Norm of A + B for independent isotropic A, B in R^m with norms r1, r2 (arrays, elementwise).

    ``cos``: cosines to use (independent of r1 and r2, with the law of :func:`draw_cosine`); drawn if None.
    """
    r1 = np.asarray(r1, dtype=float)
    r2 = np.asarray(r2, dtype=float)
    c = draw_cosine(m, r1.shape, rng) if cos is None else cos
    # |A + B|^2 = r1^2 + r2^2 + 2 r1 r2 C, written with as few temporaries as possible
    s = np.array(r1 * r2, dtype=float, ndmin=1)  # an array even for scalar norms (in-place below)
    s *= c
    s *= 2.0
    s += r1 * r1
    s += r2 * r2
    # rounding can make s a few ulps negative when C = -1 and r1 = r2
    np.maximum(s, 0.0, out=s)
    np.sqrt(s, out=s)
    return s if r1.ndim else s.reshape(np.shape(c) if np.ndim(c) else ())


def merge_norms(r, m: int, rng: np.random.Generator, cos=None) -> float:
    """Norm of sum_i r_i U_i (U_i i.i.d. uniform on S^{m-1}) by a vectorized pairwise tree merge.

    O(log len(r)) numpy passes and len(r) - 1 cosines. ``r`` holds non-negative coefficients.
    ``cos``: an array of at least len(r) - 1 cosines with the law of :func:`draw_cosine`, independent
    of ``r`` and of each other, consumed in order (drawn from ``rng`` when None).
    """
    r = np.asarray(r, dtype=float)
    if r.size == 0:
        return 0.0
    used = 0
    while r.size > 1:
        h = r.size // 2
        c = None if cos is None else cos[used: used + h]
        used += h
        merged = merge_two(r[:h], r[h:2 * h], m, rng, c)
        r = np.concatenate([merged, r[2 * h:]]) if r.size % 2 else merged
    return float(r[0])


def uniform_direction(m: int, rng: np.random.Generator) -> np.ndarray:
    """A uniform unit vector of R^m (normalized Gaussian)."""
    if m == 1:
        return np.array([1.0 if rng.random() < 0.5 else -1.0])
    while True:
        g = rng.standard_normal(m)
        nrm = np.linalg.norm(g)
        if nrm > 0:
            return g / nrm


def output_parts(gap: float, perp_norm: float, d: int, rng: np.random.Generator, V=None) -> dict:
    """The output's statistics from 1 - <q, y> and |P_perp y> (q = e_1), exact in law.

    P_perp y is isotropic in q^perp (dimension m = d - 1), so one coordinate is perp_norm times the cosine
    with a fixed direction; with a value matrix V, y = V ybar with ybar = (1 - gap, perp_norm U), U uniform.
    """
    m = d - 1
    if V is None:
        return {"parallel": 1.0 - gap, "gap": gap, "perp_norm": perp_norm,
                "perp_coord": perp_norm * float(draw_cosine(m, 1, rng)[0])}
    ybar = np.empty(d)
    ybar[0] = 1.0 - gap
    ybar[1:] = perp_norm * uniform_direction(m, rng)
    y = np.asarray(V, dtype=float) @ ybar
    return {"parallel": float(y[0]), "gap": float(1.0 - y[0]),
            "perp_norm": float(np.linalg.norm(y[1:])), "perp_coord": float(y[1])}
