"""Ziggurat sampler for one coordinate of a uniform unit vector of R^dim: density (1 - x^2)^k, k = (dim - 3)/2.

The ziggurat method (G. Marsaglia and W. W. Tsang, *The ziggurat method for generating random
variables*, J. Statist. Software 5(8), 2000), for the decreasing half-density f(x) = (1 - x^2)^k on
[0, 1) (f(0) = 1; the sign is an independent fair bit):

- N = 256 layers of equal area v. The base layer is the rectangle [0, r] x [0, f(r)] plus the tail
  {r <= x < 1, y <= f(x)}: v = r f(r) + int_r^1 f, the tail integral being
  (1/2) B(1/2, k + 1) (1 - I_{r^2}(1/2, k + 1)) (scipy.special.betaincc). Layer j = 1, ..., N - 1 is
  the rectangle [0, x_j] x [f(x_j), f(x_j) + v/x_j], with x_1 = r and f(x_{j+1}) = f(x_j) + v/x_j,
  i.e. x_{j+1} = sqrt(-expm1(log(f(x_j) + v/x_j)/k)); the top of a layer is stored once and is the
  next layer's bottom, so the layers tile without gaps or overlaps. r is found by bisection so that
  the top layer reaches f(0) = 1: its top is >= 1, so the stack covers the whole region under f,
  every layer has area v (to the rounding of its table entries), and sampling a uniform point of the
  stack and keeping it when it lies under f is exact.
- A draw uses one 64-bit word: bits 0-7 pick the layer, bit 8 the sign, bits 11-63 a 53-bit
  uniform u. Layer j >= 1: x = u x_j, accepted at once when x < x_{j+1} (the column below x_{j+1}
  lies under f; x_{j+1} is shrunk by a few ulps so that rounding can only send a point to the
  exact test); otherwise a uniform y in [f(x_j), f(x_j) + v/x_j] is drawn and x is kept iff
  y < f(x). Base layer: x = u v/f(r), accepted when x < r; otherwise x is replaced by a draw from
  the tail, by rejection from the exponential majorant f(r) e^{-lambda (x - r)},
  lambda = 2 k r/(1 - r^2) (log f is concave, so its tangent at r lies above it).
- Accepted draws are kept in proposal order, an order independent of their values.

About 99.3% of the proposals are accepted by the first comparison; the cost per draw is one
64-bit word and a dozen array passes (against one normal, one uniform and a dozen passes for the
Gaussian rejection of :func:`attnlimits.numerics.montecarlo.isotropic_merge.sphere_coordinate`). The tables are
computed once per dim in double precision; the method is exact up to their rounding (relative
1e-16 of a layer's area), the same standard as numpy's own normal ziggurat.
"""
from __future__ import annotations

import functools
import math

import numpy as np
from scipy import special

from attnlimits.numerics.montecarlo.arguments import generator, whole
from attnlimits.theory.validation import InputError

__all__ = ["ziggurat_coordinate", "ziggurat_tables"]

N_LAYERS = 256


def ziggurat_tables(dim: int) -> dict:
    """Tables of the ziggurat of (1 - x^2)^k, k = (dim - 3)/2, dim >= 4 (see the module docstring); cached.

    ``acceptance``: the share of proposals accepted (the area under f over the stack's area); it tends to
    0.9933 as dim grows, and the tables close for every dim up to 10^9:

    >>> round(ziggurat_tables(16)["acceptance"], 3), round(ziggurat_tables(10**9)["acceptance"], 4)
    (0.994, 0.9933)
    """
    return _tables(whole(dim, "dim", low=4))


@functools.lru_cache(maxsize=64)
def _tables(dim: int) -> dict:
    k = (dim - 3) / 2.0
    half_beta = 0.5 * math.exp(special.betaln(0.5, k + 1.0))

    def f(x):
        # exp(k log1p(-x^2)), not (1 - x^2)^k: the power would carry k times the rounding of 1 - x^2
        return math.exp(k * math.log1p(-x * x))

    def build(r):
        # bottoms[j - 1] is the bottom of layer j; each layer's top is the next one's bottom (the same
        # double), so the layers tile [0, top] exactly; x_{j+1} = f^{-1}(top) = sqrt(-expm1(log(top)/k)),
        # accurate to a few ulps also when top is close to 1
        v = r * f(r) + half_beta * float(special.betaincc(0.5, k + 1.0, r * r))
        xs, bottoms = [r], [f(r)]
        for j in range(1, N_LAYERS):
            top = bottoms[-1] + v / xs[-1]
            if not top > bottoms[-1]:  # f(r) and the layer area underflowed: far too little area per layer
                return v, xs, bottoms, N_LAYERS
            if top >= 1.0:
                return v, xs, bottoms + [top], j
            bottoms.append(top)
            xs.append(math.sqrt(-math.expm1(math.log(top) / k)))
        return v, xs, bottoms, N_LAYERS

    def excess(r):  # >= 0: the stack reaches f(0) = 1 within N - 1 layers above the base
        _, _, _, j = build(r)
        return float(N_LAYERS - j) if j < N_LAYERS else -1.0

    lo, hi = 1e-9, 1.0 - 1e-12  # excess(lo) > 0 > excess(hi): too much, too little area per layer
    for _ in range(120):
        mid = 0.5 * (lo + hi)
        if excess(mid) >= 0.0:
            lo = mid
        else:
            hi = mid
    r = lo
    v, xs, bottoms, j = build(r)
    if j != N_LAYERS - 1 or bottoms[-1] < 1.0:
        raise ArithmeticError(f"ziggurat tables for dim = {dim} did not close")
    X = np.array(xs)  # X[j - 1] = x_j, j = 1..N-1
    B = np.array(bottoms)  # B[j - 1] = bottom of layer j, B[N - 1] = top of the last layer (>= 1)
    width = np.empty(N_LAYERS)
    width[0] = v / f(r)
    width[1:] = X
    inner = np.empty(N_LAYERS)
    inner[0] = r
    inner[1:-1] = X[1:] * (1.0 - 4.0 * np.finfo(float).eps)
    inner[-1] = 0.0
    bottom = np.empty(N_LAYERS)
    bottom[0] = 0.0
    bottom[1:] = B[:-1]
    height = np.empty(N_LAYERS)
    height[0] = f(r)
    height[1:] = np.diff(B)  # = v / x_j up to the rounding of the sums that built B
    # 512 entries: index = layer + 256 * sign bit; the signed width gives a signed x in one product
    scale = 2.0 ** -53
    wsigned = np.concatenate([width, -width]) * scale
    return {"k": k, "r": r, "v": v, "lam": 2.0 * k * r / (1.0 - r * r), "wsigned": wsigned,
            "inner": np.concatenate([inner, inner]), "bottom": bottom, "height": height,
            "acceptance": half_beta / (N_LAYERS * v)}


def _tail(count: int, t: dict, rng: np.random.Generator) -> np.ndarray:
    """``count`` draws from (1 - x^2)^k on [r, 1) by rejection from f(r) e^{-lambda (x - r)} (x >= r)."""
    k, r, lam = t["k"], t["r"], t["lam"]
    out = np.empty(count)
    if count <= 16:  # the usual case (a few per chunk): scalar draws cost less than array set-up
        lf = math.log1p(-r * r)
        for i in range(count):
            while True:
                x = r + rng.standard_exponential() / lam
                u = rng.random()
                if x < 1.0 and u > 0.0 and math.log(u) < k * (math.log1p(-x * x) - lf) + lam * (x - r):
                    out[i] = x
                    break
        return out
    filled = 0
    while filled < count:
        m = 2 * (count - filled) + 8
        x = r + rng.standard_exponential(m) / lam
        u = rng.random(m)
        with np.errstate(invalid="ignore", divide="ignore"):
            # accept iff u f(r) e^{-lam (x - r)} < f(x), in logs; x >= 1 gives nan/-inf and is rejected
            ok = np.log(u) < k * (np.log1p(-x * x) - math.log1p(-r * r)) + lam * (x - r)
        ok &= x < 1.0
        got = x[ok][: count - filled]
        out[filled: filled + got.size] = got
        filled += got.size
    return out


def ziggurat_coordinate(size: int, dim: int, rng: np.random.Generator, out: np.ndarray | None = None) -> np.ndarray:
    """``size`` i.i.d. draws with density proportional to (1 - x^2)^((dim-3)/2) on (-1, 1), dim >= 4.

    One coordinate of a uniform unit vector of R^dim, so E X^2 = 1/dim:

    >>> x = ziggurat_coordinate(200000, 128, np.random.default_rng(0))
    >>> round(float((x * x).mean()), 3), 1 / 128
    (0.008, 0.0078125)
    """
    size = whole(size, "size", low=0)
    t = ziggurat_tables(dim)
    generator(rng)
    if out is not None and not (isinstance(out, np.ndarray) and out.dtype == np.float64 and out.ndim == 1
                                and out.size >= size and out.flags.writeable):
        raise InputError(f"out must be a writable 1-dimensional float64 array of at least size = {size} elements")
    res = np.empty(size) if out is None else out[:size]
    bits = rng.bit_generator
    filled = 0
    while filled < size:
        want = size - filled
        m = int(want / t["acceptance"] + 4.0 * math.sqrt(want)) + 16
        raw = bits.random_raw(m)
        j9 = np.bitwise_and(raw, 511).view(np.int64)
        raw >>= np.uint64(11)
        x = raw.astype(float)
        x *= t["wsigned"].take(j9)
        ax = np.abs(x)
        ok = ax < t["inner"].take(j9)
        rest = np.flatnonzero(~ok)
        if rest.size:
            layer = j9[rest] & 255
            base = layer == 0
            wedge = rest[~base]
            if wedge.size:
                lw = layer[~base]
                y = t["bottom"][lw] + rng.random(wedge.size) * t["height"][lw]
                xw = ax[wedge]
                ok[wedge] = y < np.exp(t["k"] * np.log1p(-xw * xw))
            tail = rest[base]
            if tail.size:
                x[tail] = np.copysign(_tail(tail.size, t, rng), x[tail])
                ok[tail] = True
        got = x[ok]
        g = min(got.size, want)
        res[filled: filled + g] = got[:g]
        filled += g
    return res
