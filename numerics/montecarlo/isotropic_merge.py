"""Exact law of |sum_i c_i U_i| for independent uniform unit vectors U_i in R^m, from scalar draws.

Derivation (docs/mathematics.md §11.6, re-derived here). Let A, B be independent isotropic random vectors
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
circle); m = 3: C is uniform on [-1, 1] (Archimedes); m = 1: C = +-1; m >= 4: :func:`sphere_coordinate`
(a ziggurat, exact, about one 64-bit word per draw).
"""
from __future__ import annotations

import math

import numpy as np

from attnlimits.numerics.montecarlo.arguments import float_array, generator, number, whole
from attnlimits.theory.validation import InputError, choice

__all__ = ["draw_cosine", "sphere_coordinate", "merge_down", "merge_norms", "uniform_direction", "output_parts",
           "value_stats"]


def _out(out, size: int):
    """``out`` checked as a float64 array with room for ``size`` draws (or None)."""
    if out is not None and not (isinstance(out, np.ndarray) and out.dtype == np.float64 and out.ndim == 1
                                and out.size >= size and out.flags.writeable):
        raise InputError(f"out must be a writable 1-dimensional float64 array of at least size = {size} elements")
    return out


def _acceptance(k: float) -> float:
    """P(accept) of :func:`sphere_coordinate`: int_{-1}^{1} (1 - x^2)^k dx / int e^{-k x^2} dx
    = B(1/2, k + 1) / sqrt(pi / k) = sqrt(k) Gamma(k + 1) / Gamma(k + 3/2)."""
    return math.exp(0.5 * math.log(k) + math.lgamma(k + 1.0) - math.lgamma(k + 1.5))


def sphere_coordinate(size: int, dim: int, rng: np.random.Generator, out: np.ndarray | None = None, *,
                      method: str = "ziggurat") -> np.ndarray:
    """``size`` i.i.d. draws of one coordinate X of a uniform unit vector of R^dim (dim >= 4), exact in law.

    Density: f(x) proportional to (1 - x^2)^k on (-1, 1), k = (dim - 3)/2, i.e. (1 + X)/2 ~ Beta(a, a) with
    a = (dim - 1)/2 (paper 1 §2; the law of <q, K> for a uniform key K on S^{dim-1}).

    ``method="ziggurat"`` (default): :func:`attnlimits.numerics.montecarlo.ziggurat.ziggurat_coordinate`, one 64-bit
    word per draw and tables computed once per dim. ``method="gauss"``: the rejection below.

    Gaussian method: rejection (von Neumann) from the Gaussian proposal X = Z / sqrt(2k). Since
    log(1 - y) <= -y, (1 - x^2)^k <= e^{-k x^2}, so a proposal x is accepted with probability
    p(x) = (1 - x^2)^k e^{k x^2} = exp(k (log(1 - x^2) + x^2)) (|x| < 1), the overall acceptance being
    sqrt(k) Gamma(k + 1)/Gamma(k + 3/2) (0.63 at dim = 4, 0.994 at dim = 128, 0.9993 at dim = 1024).
    Squeeze: log(1 - y) + y >= -y^2/(2(1 - y)) (compare the series term by term) and e^t >= 1 + t give
    p(x) >= 1 - k y^2/(2(1 - y)), y = x^2; a uniform U below that bound accepts without a logarithm, the
    rest take the full test log U <= k (log1p(-y) + y). Accepted proposals are kept in proposal order
    (an order independent of their values), so the returned draws are i.i.d. with density f.
    Cost per draw: one normal, one uniform and a few array passes, against two gammas for ``rng.beta``.

    The squared coordinates of a unit vector of R^dim sum to 1, so E X^2 = 1/dim:

    >>> x = sphere_coordinate(200000, 10, np.random.default_rng(0))
    >>> round(float((x * x).mean()), 2), bool(np.all(np.abs(x) < 1))
    (0.1, True)
    """
    size, dim = whole(size, "size", low=0), whole(dim, "dim", low=4)
    generator(rng)
    choice(method, "method", ("ziggurat", "gauss"))
    out = _out(out, size)
    k = (dim - 3) / 2.0
    if method == "ziggurat":
        from attnlimits.numerics.montecarlo.ziggurat import ziggurat_coordinate

        return ziggurat_coordinate(size, dim, rng, out)
    s = 1.0 / math.sqrt(2.0 * k)
    p_acc = _acceptance(k)
    res = np.empty(size) if out is None else out[:size]
    filled = 0
    while filled < size:
        want = size - filled
        m = int(want / p_acc + 4.0 * math.sqrt(want)) + 16  # rarely short: then the loop draws the rest
        z = rng.standard_normal(m)
        v = rng.random(m)  # V = 1 - U, uniform as well
        # with w = z^2 = 2k y the squeeze U <= 1 - k y^2/(2(1 - y)) reads w (w + 4V) <= 8k V; it also
        # rejects every w >= 2k (|x| >= 1), since then w (w + 4V) >= 4k^2 + 8kV
        w = np.multiply(z, z)
        t = np.multiply(v, 4.0)
        t += w
        t *= w
        r = np.multiply(v, 8.0 * k)
        ok = t <= r
        und = np.flatnonzero(~ok)
        if und.size:
            yy = w[und] * (0.5 / k)
            with np.errstate(invalid="ignore", divide="ignore"):  # y >= 1: log1p gives nan/-inf, test False
                ok[und] = np.log1p(-v[und]) <= k * (np.log1p(-yy) + yy)
        got = z[ok]
        g = min(got.size, want)
        np.multiply(got[:g], s, out=res[filled: filled + g])
        filled += g
    return res


def draw_cosine(m: int, size, rng: np.random.Generator) -> np.ndarray:
    """Cosine between two independent uniform directions of R^m: (1 + C)/2 ~ Beta((m-1)/2, (m-1)/2).

    m = 3: C is uniform on [-1, 1] (Archimedes); m = 1: C = +-1.

    >>> c = draw_cosine(3, 100000, np.random.default_rng(0))
    >>> bool(c.min() >= -1 and c.max() <= 1), round(float(c.mean()), 2) == 0
    (True, True)
    >>> np.unique(draw_cosine(1, 50, np.random.default_rng(0))).tolist()
    [-1.0, 1.0]
    """
    m = whole(m, "m")
    generator(rng)
    if isinstance(size, tuple):
        size = tuple(whole(s, "size", low=0) for s in size)
    else:
        size = whole(size, "size", low=0)
    if m == 1:
        return np.where(rng.random(size) < 0.5, -1.0, 1.0)
    if m == 2:
        return np.cos(np.pi * rng.random(size))
    if m == 3:
        return 2.0 * rng.random(size) - 1.0
    count = size if isinstance(size, (int, np.integer)) else math.prod(size)  # np.prod costs 4 us per call
    return sphere_coordinate(int(count), m, rng).reshape(size)


def merge_down(r, m: int, rng: np.random.Generator, cos=None, *, stop: int = 1, overwrite: bool = False) -> np.ndarray:
    """Merge the norms ``r`` of independent isotropic vectors of R^m pairwise until at most ``stop`` remain.

    Level by level, the first half of the current norms is merged with the second half (an odd last
    one is carried up): |A + B|^2 = a (a + 2 b C) + b^2, written in place. Returns the remaining norms
    (a view of the work array): each is the norm of the sum over a disjoint set of the inputs, and
    these partial sums are again independent and isotropic, so they can be merged later, with
    anything else independent of them. ``cos``: cosines with the law of :func:`draw_cosine`,
    independent of ``r`` and of each other, consumed in order (at least len(r) - stop are needed;
    drawn from ``rng`` when None). ``overwrite``: ``r`` (a float64 array) may be used as the work space.

    Four norms merged down to two with cosines 0: the first half with the second, |(3, 12)| and |(4, 0)|:

    >>> merge_down([3.0, 4.0, 12.0, 0.0], 2, np.random.default_rng(0), cos=np.zeros(3), stop=2).tolist()
    [12.36931687685298, 4.0]
    """
    r = float_array(r, "r", low=0.0, ndim=None)
    m = whole(m, "m")
    generator(rng)
    stop = whole(stop, "stop")
    if not overwrite or r.ndim != 1 or not r.flags.writeable:
        r = np.array(r, dtype=float).ravel()
    n = r.size
    if n <= stop:
        return r
    if cos is not None:
        cos = float_array(cos, "cos", low=-1.0, high=1.0)
        if cos.size < n - stop:
            raise InputError(f"cos must hold at least len(r) - stop = {n - stop} cosines, got {cos.size}")
    c2 = draw_cosine(m, n - 1, rng) if cos is None else np.array(cos[: n - 1], dtype=float)
    c2 *= 2.0
    buf = np.empty(n // 2)
    used = 0
    size = n
    while size > stop:
        h = size // 2
        a, b, t = r[:h], r[h: 2 * h], buf[:h]
        np.multiply(b, c2[used: used + h], out=t)
        used += h
        t += a
        t *= a
        b *= b
        t += b
        # rounding can make t a few ulps negative when C = -1 and a = b
        np.maximum(t, 0.0, out=t)
        np.sqrt(t, out=a)
        if size % 2:
            r[h] = r[2 * h]
            size = h + 1
        else:
            size = h
    return r[:size]


def merge_norms(r, m: int, rng: np.random.Generator, cos=None, *, overwrite: bool = False) -> float:
    """Norm of sum_i r_i U_i (U_i i.i.d. uniform on S^{m-1}) by a vectorized pairwise tree merge.

    O(log len(r)) numpy passes and len(r) - 1 cosines (:func:`merge_down` to one norm). ``r`` holds
    non-negative coefficients. ``cos``: an array of at least len(r) - 1 cosines with the law of
    :func:`draw_cosine`, independent of ``r`` and of each other, consumed in order (drawn from ``rng``
    when None). ``overwrite``: ``r`` (a float64 array) may be used as the work space.

    Two isotropic vectors of norms 3 and 4 at cosine 1, 0, -1 (|A + B|^2 = 9 + 16 + 24 C):

    >>> [merge_norms(np.array([3.0, 4.0]), 3, np.random.default_rng(0), cos=np.array([c])) for c in (1.0, 0.0, -1.0)]
    [7.0, 5.0, 1.0]
    """
    r = float_array(r, "r", low=0.0, ndim=None)
    if r.size == 0:
        whole(m, "m")
        generator(rng)
        return 0.0
    return float(merge_down(r, m, rng, cos, stop=1, overwrite=overwrite)[0])


def uniform_direction(m: int, rng: np.random.Generator) -> np.ndarray:
    """A uniform unit vector of R^m (normalized Gaussian).

    >>> float(np.linalg.norm(uniform_direction(5, np.random.default_rng(0))))
    1.0
    """
    m = whole(m, "m")
    generator(rng)
    if m == 1:
        return np.array([1.0 if rng.random() < 0.5 else -1.0])
    while True:
        g = rng.standard_normal(m)
        nrm = np.linalg.norm(g)
        if nrm > 0:
            return g / nrm


def value_stats(y) -> dict:
    """Statistics of an output vector y = V ybar in R^{d_v} (V of shape d_v x d).

    ``parallel`` = y_1, ``gap`` = 1 - y_1, ``perp_norm`` = |(y_2, ..., y_{d_v})|, ``perp_coord`` = y_2 (0 when
    d_v = 1): for V = I these are <q, y>, 1 - <q, y>, |P_perp y> and one tangential coordinate (q = e_1);
    ``value_norm`` = |y| and ``value`` = y itself (a copy): keyword arguments of a
    :class:`~attnlimits.numerics.montecarlo.replicate.Replicate`.

    >>> value_stats([3.0, 4.0])
    {'parallel': 3.0, 'gap': -2.0, 'perp_norm': 4.0, 'perp_coord': 4.0, 'value_norm': 5.0, 'value': array([3., 4.])}
    """
    y = np.array(float_array(y, "y", ndim=None), dtype=float).ravel()
    if y.size == 0:
        raise InputError("y must have at least one component")
    return {"parallel": float(y[0]), "gap": float(1.0 - y[0]), "perp_norm": _norm(y[1:]),
            "perp_coord": float(y[1]) if y.size > 1 else 0.0, "value_norm": _norm(y), "value": y}


def _norm(v: np.ndarray) -> float:
    """|v| in units of a power of two near max |v_i|: the squares neither overflow nor underflow (a value matrix
    may carry entries of 1e150 or 1e-300), and ordinary vectors give the bits of the plain formula."""
    top = float(np.abs(v).max()) if v.size else 0.0
    if top == 0.0:
        return 0.0
    s = math.ldexp(1.0, math.frexp(top)[1] - 1)
    u = v / s
    return float(np.sqrt(np.dot(u, u))) * s


def output_parts(gap: float, perp_norm: float, d: int, rng: np.random.Generator, V=None) -> dict:
    """The output's statistics from 1 - <q, y> and |P_perp y> (q = e_1), exact in law.

    P_perp y is isotropic in q^perp (dimension m = d - 1), so one coordinate is perp_norm times the cosine
    with a fixed direction; with a value matrix V (shape d_v x d), y = V ybar with
    ybar = (1 - gap, perp_norm U), U uniform on S^{d-2}, and the statistics are those of :func:`value_stats`.
    Returns the output's keyword arguments of a :class:`~attnlimits.numerics.montecarlo.replicate.Replicate`
    (a dictionary: the samplers splice it into the replicate with the weight statistics).

    >>> p = output_parts(0.1, 0.3, 3, np.random.default_rng(0))
    >>> p["parallel"], p["perp_norm"], abs(p["perp_coord"]) <= 0.3
    (0.9, 0.3, True)
    """
    # gap = sum w D in [0, 2] and |P_perp y| <= sum w sqrt(D (2 - D)) <= 1, up to the rounding of the sums
    gap = number(gap, "gap", low=0.0, high=2.0 + 1e-12, tiny=True)
    perp_norm = number(perp_norm, "perp_norm", low=0.0, high=1.0 + 1e-12, tiny=True)
    d = whole(d, "d", low=2)
    generator(rng)
    m = d - 1
    if V is None:
        return {"parallel": 1.0 - gap, "gap": gap, "perp_norm": perp_norm,
                "perp_coord": perp_norm * float(draw_cosine(m, 1, rng)[0])}
    ybar = np.empty(d)
    ybar[0] = 1.0 - gap
    ybar[1:] = perp_norm * uniform_direction(m, rng)
    V = float_array(V, "V", ndim=2)
    if V.shape[1] != d:
        raise InputError(f"V must be a d_v x {d} matrix, got shape {V.shape}")
    return value_stats(V @ ybar)
