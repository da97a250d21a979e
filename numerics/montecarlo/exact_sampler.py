"""Exact reduced sampler: attention for a fixed query without ever forming a d-dimensional key.

Reduction (paper 1 §1–2; docs/mathematics.md §1, §2, §11.6). Write D = 1 - <q, K> and
K = (1 - D) q + sqrt(D (2 - D)) U with U uniform on the unit sphere of q^perp, independent of D; this
holds for every key law invariant under rotations fixing q (uniform keys, von Mises–Fisher keys with
mean direction q). The weights depend on D only; the output is

    y = sum_i w_i K_i = (1 - sum_i w_i D_i) q + sum_i w_i sqrt(D_i (2 - D_i)) U_i,

whose tangential part has the exact law of the pairwise isotropic merge
(:mod:`attnlimits.numerics.montecarlo.isotropic_merge`) of the coefficients w_i sqrt(D_i (2 - D_i)) in R^{d-1}.

Laws of D:

- uniform keys: D = 2 B with B ~ Beta(a, a), a = (d - 1)/2 (B and 1 - B have the same law); d = 3:
  D = 2 U (Archimedes), d = 2: D = 1 - cos(pi U) = 2 sin^2(pi U / 2); 4 <= d < 16: the Gaussian triple
  (:func:`_gaussian_triple`, full relative precision near D = 0, and each key brings a merge cosine);
  d >= 16: D = 1 - X and the merge cosine C as two independent sphere coordinates drawn by a ziggurat
  (:func:`_coordinate_pair`, :mod:`attnlimits.numerics.montecarlo.ziggurat`);
- vMF(q, kappa0) keys, density proportional to e^{kappa0 <q, k>}: d = 3 by inversion of
  P(D <= t) = (1 - e^{-kappa0 t}) / (1 - e^{-2 kappa0}); other d by Wood's rejection algorithm
  (A. T. A. Wood, Simulation of the von Mises Fisher distribution, Commun. Statist. 1994), written
  for D = 2 b Z / (1 - (1 - b) Z) so that small distances keep full relative precision.

Streaming: keys come in chunks of fixed size, the softmax statistics are kept by a running
log-sum-exp (:class:`~attnlimits.numerics.montecarlo.streaming.SoftmaxAccumulator`), so memory does not grow with
n. Keys whose logit is below the running maximum by more than ``cut`` = 350 are skipped before the
exponential and the tangential merge: each weighs at most e^{-350} < 1e-152 of the largest key, so
together (n <= 10^19) they carry less than 1e-133 of the mass, far below the rounding of a double; the
law of every other key is untouched. (The cut also keeps squares of weights out of the subnormal
range, where arithmetic is a hundred times slower.)
Tangential merge across chunks: each chunk's tree is merged down to at most PENDING_STOP partial norms
(:func:`~attnlimits.numerics.montecarlo.isotropic_merge.merge_down`); they wait, rescaled with the running maximum,
and are merged in batches and at the end. Any binary tree of merges with fresh independent cosines
gives the exact law (the partial sums are independent and isotropic), so the order is free.
The result does not depend on anything but the seed and the chunk size.
"""
from __future__ import annotations

import math

import numpy as np

from attnlimits.numerics.progress import progress
from attnlimits.numerics.montecarlo.arguments import generator, number, whole
from attnlimits.numerics.montecarlo.isotropic_merge import merge_down, merge_norms, output_parts, sphere_coordinate
from attnlimits.numerics.montecarlo.replicate import Replicate
from attnlimits.numerics.montecarlo.sampling import LAWS, MAX_DIMENSION, check_beta, check_values
from attnlimits.numerics.montecarlo.streaming import SoftmaxAccumulator
from attnlimits.theory.validation import choice

__all__ = ["draw_distance", "exact_replicate", "DEFAULT_CHUNK", "PAIR_CHUNK", "UNDERFLOW_CUT"]

DEFAULT_CHUNK = 1 << 16
#: Chunk of the uniform d >= 4 routes: about 20 arrays of 16384 doubles stay in the second-level cache,
#: while the d = 2, 3 and vMF routes (few arrays, many keys skipped) prefer larger chunks.
PAIR_CHUNK = 1 << 14
#: Each chunk's merge tree stops at PENDING_STOP partial norms; they are merged when PENDING_MAX accumulate.
PENDING_STOP = 32
PENDING_MAX = 4096
#: Uniform keys with d >= COORD_MIN_D use :func:`_coordinate_pair`, 4 <= d < COORD_MIN_D :func:`_gaussian_triple`.
COORD_MIN_D = 16
#: Keys weighing less than e^{-350} of the largest are skipped (their total share is below 1e-133).
UNDERFLOW_CUT = 350.0


def _vmf_distance_wood(size: int, d: int, kappa0: float, rng: np.random.Generator) -> np.ndarray:
    """D = 1 - W for W the <mu, K> component of vMF(mu, kappa0) on S^{d-1} (Wood 1994), for every kappa0 > 0.

    Wood's proposal W = (1 - (1 + b) Z)/(1 - (1 - b) Z), Z ~ Beta((d-1)/2, (d-1)/2), accepted when
    kappa0 W + (d - 1) log(1 - x0 W) - c >= log U, with b = (d - 1)/(2 kappa0 + sqrt(4 kappa0^2 + (d - 1)^2)),
    x0 = (1 - b)/(1 + b), c = kappa0 x0 + (d - 1) log(1 - x0^2). Written for D = 1 - W = 2 b Z/((1 - Z) + b Z)
    and in the scale of kappa0 D (kappa0 b is of order d, whatever kappa0): the test reads

        2 kappa0 b/(1 + b) - kappa0 D + (d - 1) [log(1/2 + (1 - b) kappa0 D/(4 kappa0 b)) + log1p(b)] >= log U,

    (from W - x0 = 2b/(1 + b) - D and (1 - x0 W)/(1 - x0^2) = (1 + b)(1/2 + (1 - b) D/(4 b))), which has no
    cancellation between terms of size kappa0 and no overflow up to kappa0 = 1.8e308.
    """
    p1 = d - 1.0
    t = 0.5 * p1 / kappa0
    root = 1.0 + math.hypot(1.0, t)
    b = t / root  # = p1/(2 kappa0 + sqrt(4 kappa0^2 + p1^2))
    kb = 0.5 * p1 / root  # kappa0 b, of order p1 for large kappa0 and accurate when b underflows
    lead = 2.0 * kb / (1.0 + b)
    lb = math.log1p(b)
    out = np.empty(size)
    filled = 0
    while filled < size:
        want = size - filled
        z = rng.beta(p1 / 2.0, p1 / 2.0, want)
        u = rng.random(want)
        kd = 2.0 * kb * z / ((1.0 - z) + b * z)  # kappa0 D
        with np.errstate(divide="ignore"):  # u = 0 (log -inf) always accepts, as it should
            ok = lead - kd + p1 * (np.log(0.5 + (1.0 - b) * kd / (4.0 * kb)) + lb) >= np.log(u)
        got = np.minimum(kd[ok] / kappa0, 2.0)
        out[filled: filled + got.size] = got
        filled += got.size
    return out


def draw_distance(size: int, d: int, rng: np.random.Generator, *, law: str = "uniform",
                  kappa0: float = 0.0) -> np.ndarray:
    """``size`` i.i.d. draws of D = 1 - <q, K> for uniform or vMF(q, kappa0) keys on S^{d-1}.

    d = 3: D is uniform on [0, 2] (Archimedes); a vMF law pulls the keys towards q, and for large kappa0
    kappa0 D tends to a Gamma((d - 1)/2) variable (mean (d - 1)/2), every kappa0 up to 1.8e308:

    >>> rng = np.random.default_rng(0)
    >>> round(float(draw_distance(100000, 3, rng).mean()), 1)
    1.0
    >>> bool(draw_distance(1000, 5, rng, law="vmf", kappa0=20.0).mean() < 0.3)
    True
    >>> round(float(draw_distance(100000, 5, rng, law="vmf", kappa0=1e300).mean() * 1e300), 1)
    2.0
    """
    size, d = whole(size, "size", low=0), whole(d, "d", low=2, high=MAX_DIMENSION)
    generator(rng)
    choice(law, "law", LAWS)
    kappa0 = number(kappa0, "kappa0", low=0)
    if law == "vmf" and kappa0 > 0.0:
        if d == 3:
            v = 1.0 - rng.random(size)  # in (0, 1]
            # v = 1 with expm1(-2 kappa0) = -1 (kappa0 > 18.4) gives log1p(-1) = -inf: the far pole, D = 2
            with np.errstate(divide="ignore"):
                return np.minimum(-np.log1p(v * math.expm1(-2.0 * kappa0)) / kappa0, 2.0)
        return _vmf_distance_wood(size, d, kappa0, rng)
    if d == 3:
        return 2.0 * rng.random(size)
    if d == 2:
        s = np.sin(0.5 * np.pi * rng.random(size))
        return 2.0 * s * s
    a = (d - 1) / 2.0
    return 2.0 * rng.beta(a, a, size)


def _gaussian_triple(size: int, d: int, rng: np.random.Generator, work: dict | None = None):
    """(D, |P_perp K|, C) for uniform keys, d >= 4, from two normals and one chi-square per key.

    K = G/|G| with G = (Z1, G_perp) Gaussian in R^d; |G_perp|^2 = Z2^2 + R with R ~ chi^2_{d-2}, where
    Z2 is the coordinate of G_perp along a fixed direction of q^perp. Then X = Z1/N, N = |G|, and
    C = Z2/|G_perp| is the cosine between K's tangential direction and a fixed direction: it has the
    law needed by the isotropic merge and is independent of (X, |G_perp|) and of every other key, so
    each key brings the cosine for one merge. D = 1 - X is written T^2/(N (N + |Z1|)) (and 2 minus
    that when Z1 < 0) to keep relative precision near D = 0.

    ``work``: reusable buffers (from :func:`_workspace`); the returned arrays live in it until the
    next call. Every operation writes in place: allocating fresh arrays costs as much as the arithmetic.
    """
    w = work if work is not None and work["D"].size >= size else _workspace(size)
    Z = w["Z"][: 2 * size].reshape(2, size)  # contiguous, as numpy's out= needs
    T2, N, T, tmp, D, neg = (w[k][:size] for k in ("T2", "N", "T", "tmp", "D", "neg"))
    rng.standard_normal(out=Z)
    z0, z1 = Z[0], Z[1]
    rng.standard_gamma((d - 2) / 2.0, out=T2)
    T2 *= 2.0
    np.multiply(z1, z1, out=tmp)
    T2 += tmp
    np.multiply(z0, z0, out=N)
    N += T2
    np.sqrt(N, out=N)
    np.sqrt(T2, out=T)
    np.abs(z0, out=tmp)
    tmp += N
    tmp *= N
    np.divide(T2, tmp, out=D)
    np.less(z0, 0.0, out=neg)
    np.subtract(2.0, D, out=D, where=neg)
    np.divide(z1, T, out=z1)
    np.divide(T, N, out=T)
    return D, T, z1


def _coordinate_pair(size: int, d: int, rng: np.random.Generator, work: dict | None = None):
    """(D, |P_perp K|, C) for uniform keys, d >= 5, from two independent sphere coordinates.

    X = <q, K> is one coordinate of a uniform unit vector of R^d and C (the cosine of one isotropic
    merge in q^perp = R^{d-1}) one coordinate of a uniform unit vector of R^{d-1}, independent of X:
    both by :func:`~attnlimits.numerics.montecarlo.isotropic_merge.sphere_coordinate` (one normal and one uniform
    each, against two normals and one gamma for the pair in :func:`_gaussian_triple`). D = 1 - X,
    |P_perp K| = sqrt((1 - X)(1 + X)). D carries an absolute (not relative) rounding error of about
    1e-16, harmless at the dimensions where this route is used (d >= COORD_MIN_D: D_(1) > 1e-3 unless
    n > 10^40).
    """
    w = work if work is not None and work["D"].size >= size else _workspace(size)
    X = sphere_coordinate(size, d, rng, out=w["Z"][:size])
    C = sphere_coordinate(size, d - 1, rng, out=w["T2"][:size])
    D = np.subtract(1.0, X, out=w["D"][:size])
    T = np.add(1.0, X, out=w["T"][:size])
    T *= D
    np.sqrt(T, out=T)
    return D, T, C


def _workspace(size: int) -> dict:
    return {"Z": np.empty(2 * size), "T2": np.empty(size), "N": np.empty(size), "T": np.empty(size),
            "tmp": np.empty(size), "D": np.empty(size), "neg": np.empty(size, dtype=bool)}


def exact_replicate(n: int, d: int, beta: float, k: int, rng: np.random.Generator, *,
                    law: str = "uniform", kappa0: float = 0.0, V=None,
                    chunk: int | None = None, cut: float = UNDERFLOW_CUT, show_progress: bool = False) -> Replicate:
    """One replicate of attention over n keys, exact in law for every d >= 2 (see module docstring).

    Returns a :class:`~attnlimits.numerics.montecarlo.replicate.Replicate`, with ``gap`` = 1 - <q, y>
    computed as sum w D (accurate when y is close to q) and ``truncation_bound`` = 0.

    At beta = 0 the weights are uniform: W_(1) = 1/n, sum w^2 = 1/n, entropy log n:

    >>> r = exact_replicate(4, 3, 0.0, 2, np.random.default_rng(1))
    >>> r.top.tolist(), r.sum_w2, r.entropy == math.log(4)
    ([0.25, 0.25], 0.25, True)
    """
    n, d, k = whole(n, "n"), whole(d, "d", low=2, high=MAX_DIMENSION), whole(k, "k")
    beta = check_beta(beta)
    generator(rng)
    choice(law, "law", LAWS)
    kappa0 = number(kappa0, "kappa0", low=0)
    if V is not None:
        V = check_values(V, d)
    if chunk is not None:
        chunk = whole(chunk, "chunk")
    if cut != math.inf:  # math.inf turns the cut off (a test compares the two)
        cut = number(cut, "cut", low=0, low_open=True)
    m = d - 1
    if law == "uniform" and d >= 4:
        pair = _coordinate_pair if d >= COORD_MIN_D else _gaussian_triple
    else:
        pair = None
    if chunk is None:
        chunk = DEFAULT_CHUNK if pair is None else PAIR_CHUNK
    work = _workspace(min(chunk, n)) if pair is not None else None
    acc = SoftmaxAccumulator(k, inplace=True)  # the logits array below is a fresh temporary
    # norms of partial tangential sums not merged yet (independent, isotropic): each chunk is merged
    # down to at most PENDING_STOP of them, which wait here, so the deep levels of every chunk's tree
    # (a handful of elements, a dozen numpy calls each) are paid once per PENDING_MAX norms instead
    pending = np.empty(0)
    dmin = math.inf
    starts = range(0, n, chunk)
    if show_progress:  # a disabled tqdm still costs a quarter of a millisecond to build
        starts = progress(starts, desc="keys", unit="chunk")
    for start in starts:
        L = min(chunk, n - start)
        if pair is not None:
            D, tang, cos = pair(L, d, rng, work)
        else:
            D = draw_distance(L, d, rng, law=law, kappa0=kappa0)
            tang = cos = None
        cmin = float(D.min())
        dmin = min(dmin, cmin)
        if beta > 0.0:
            # keep l = -beta D with l >= -beta dmin - cut; later maxima only raise the bar. "<=": at beta
            # so large that cut/beta vanishes beside dmin, thr == dmin and the nearest key must stay
            thr = cut / beta + dmin
            if thr < 2.0:
                keep = np.flatnonzero(D <= thr)
                D = D[keep]
                if pair is not None:
                    tang, cos = tang[keep], cos[keep]
        e, f = acc.add(np.multiply(D, -beta), D)
        if f != 1.0 and pending.size:
            pending *= f  # a common positive factor keeps the partial sums independent and isotropic
        if e.size:
            if tang is None:
                tang = np.sqrt(D * (2.0 - D))
            np.multiply(e, tang, out=e)  # e is not needed any more: the merge coefficients
            rest = merge_down(e, m, rng, cos, stop=PENDING_STOP, overwrite=True)
            pending = np.concatenate([pending, rest])
            if pending.size > PENDING_MAX:
                pending = merge_down(pending, m, rng, stop=PENDING_STOP, overwrite=True).copy()
    r_run = merge_norms(pending, m, rng, overwrite=True)
    weights = acc.finish()
    gap = weights.pop("gap")
    return Replicate(**weights, **output_parts(gap, r_run / acc.S, d, rng, V), min_dist=dmin, truncation_bound=0.0)

