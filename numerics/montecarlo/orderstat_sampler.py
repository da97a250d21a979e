"""Order-statistics sampler: the m nearest of n uniform keys drawn exactly, the rest bounded (n up to 10^18).

Nearest distances (Rényi's representation, e.g. David & Nagaraja, *Order Statistics*, §2.5). For n
i.i.d. uniforms, the ordered values U_(1) < ... < U_(n) satisfy

    -log(1 - U_(j)) = sum_{i=1}^{j} E_i / (n - i + 1),     E_i i.i.d. standard exponential,

so the j smallest are drawn sequentially with j exponentials, whatever n. With F(t) = P(D <= t) =
I_{t/2}(a, a), a = (d - 1)/2 (paper 1 §2), D_(j) = F^{-1}(U_(j)); U_(j) = -expm1(-s_j) keeps full
relative precision when U_(j) ~ 10^{-18}. The inverse is closed-form for d = 3 (F(t) = t/2) and
d = 2 (F(t) = (2/pi) arcsin sqrt(t/2)); for other d it is ``scipy.special.betaincinv`` refined by
Newton steps on log I_x(a, a).

Truncation (certified). Keys beyond the m-th nearest have D >= D_(m), so each contributes at most
e^{-beta D_(m)} to the normalizer. With S_m = sum_{j<=m} e^{-beta D_(j)} and R the rest's sum,

    0 <= R / S_m <= delta := (n - m) e^{-beta (D_(m) - D_(1))} / sum_{j<=m} e^{-beta (D_(j) - D_(1))}.

The statistics are those of the m explicit keys normalized by S_m; the true weights of these keys are
w_j / (1 + R/S_m), so every reported weight is off by a relative factor at most delta, the output by
at most 2 delta in norm, sum w^2 by at most 3 delta (absolute), and the entropy by at most
delta (H + 1 + log((n - m)/delta)). The sampler draws further nearest keys (in geometrically growing
blocks) until delta <= ``tol`` or all n keys are explicit (then delta = 0 and the replicate is exact).
Drawing more keys in a data-dependent way does not bias anything: the j-th drawn key is the exact
j-th order statistic whatever the stopping rule. The tangential part is the isotropic merge of the
explicit keys (:mod:`attnlimits.numerics.montecarlo.isotropic_merge`).

Uniform keys only (a vMF key law changes F; the exact reduced sampler covers it).
"""
from __future__ import annotations

import math

import numpy as np
from scipy import special as sc

from attnlimits.numerics.montecarlo.arguments import float_array, generator, number, whole
from attnlimits.numerics.montecarlo.isotropic_merge import merge_norms, output_parts
from attnlimits.numerics.montecarlo.replicate import Replicate
from attnlimits.numerics.montecarlo.sampling import MAX_DIMENSION, check_beta, check_values
from attnlimits.theory.validation import InputError

__all__ = ["cap_inverse", "nearest_distances", "orderstat_replicate", "DEFAULT_TOL", "DEFAULT_MAX_KEYS"]

DEFAULT_TOL = 1e-13
DEFAULT_MAX_KEYS = 1 << 22


def _log_cap(x: np.ndarray, a: float) -> np.ndarray:
    """log I_x(a, a) for 0 < x <= 1/2: series x^a/(a B) 2F1(a, 1 - a; a + 1; x) when I_x would underflow."""
    with np.errstate(divide="ignore"):
        direct = np.log(sc.betainc(a, a, x))
    tiny = ~np.isfinite(direct) | (direct < -700.0)
    if np.any(tiny):
        xs = x[tiny]
        direct[tiny] = (a * np.log(xs) - math.log(a) - sc.betaln(a, a)
                        + np.log(sc.hyp2f1(a, 1.0 - a, a + 1.0, xs)))
    return direct


def cap_inverse(u: np.ndarray, a: float, logu: np.ndarray | None = None) -> np.ndarray:
    """t with P(D <= t) = I_{t/2}(a, a) = u, for u in (0, 1/2] (the near side of the sphere; u in (0, 1] for the
    closed forms, a = 1/2 and 1).

    d = 3 (a = 1): the closed form t = 2u (P(D <= t) = t/2); d = 5 (a = 2), Newton's route, checked against
    I_x(2, 2) = x^2 (3 - 2x):

    >>> cap_inverse(np.array([1e-20, 0.25]), 1.0).tolist()
    [2e-20, 0.5]
    >>> u = np.array([0.104, 1e-30]); x = cap_inverse(u, 2.0) / 2
    >>> bool(np.allclose(x * x * (3 - 2 * x), u, rtol=1e-13, atol=0)), round(float(x[0]), 12)
    (True, 0.2)
    """
    a = number(a, "a", low=0.5)
    u = float_array(u, "u", low=0.0, high=1.0 if a in (0.5, 1.0) else 0.5, low_open=True, ndim=None)
    if logu is not None:
        logu = float_array(logu, "logu", high=math.log(0.5) + 1e-12, ndim=None)
        if logu.shape != u.shape:
            raise InputError(f"logu must have the shape of u, {u.shape}; got {logu.shape}")
    if a == 1.0:
        return 2.0 * u
    if a == 0.5:
        s = np.sin(0.5 * np.pi * u)
        return 2.0 * s * s
    if logu is None:
        logu = np.log(u)
    x = sc.betaincinv(a, a, u)
    bad = ~(x > 0)
    if np.any(bad):  # start from the leading term x^a/(a B(a,a)) = u
        x[bad] = np.exp((logu[bad] + math.log(a) + sc.betaln(a, a)) / a)
    y = np.log(x)
    lb = sc.betaln(a, a)
    for _ in range(8):
        xx = np.exp(y)
        li = _log_cap(xx, a)
        # d log I / d log x = x^a (1 - x)^{a-1} / (B I)
        slope = np.exp(a * y + (a - 1.0) * np.log1p(-xx) - lb - li)
        step = (li - logu) / slope
        y = y - step
        if np.all(np.abs(step) < 1e-15):
            break
    return 2.0 * np.exp(y)


def nearest_distances(n: int, d: int, count: int, rng: np.random.Generator, *, start: int = 0,
                      s0: float = 0.0) -> tuple[np.ndarray, float]:
    """D_(start+1), ..., D_(start+count) of n uniform keys, continuing the Rényi sum from ``s0``.

    Returns the distances and the new value of the sum s = -log(1 - U_(start+count)).

    >>> D, s = nearest_distances(10**12, 3, 3, np.random.default_rng(0))
    >>> bool(np.all(np.diff(D) > 0)), bool(D[-1] < 1e-10)
    (True, True)
    >>> bool(np.isclose(D[-1], -2 * np.expm1(-s), rtol=1e-15, atol=0))  # d = 3: D = 2U, U_(3) = 1 - e^{-s}
    True
    """
    n, d, count = whole(n, "n"), whole(d, "d", low=2, high=MAX_DIMENSION), whole(count, "count")
    generator(rng)
    start = whole(start, "start", low=0)
    if start + count > n:
        raise InputError(f"start + count must be <= n = {n}, got {start} + {count}")
    s0 = number(s0, "s0", low=0)
    E = rng.standard_exponential(count)
    denom = float(n) - (start + np.arange(count, dtype=float))  # n - i + 1 for i = start+1, ...
    s = s0 + np.cumsum(E / denom)
    u = -np.expm1(-s)
    a = (d - 1) / 2.0
    if a in (0.5, 1.0):
        D = cap_inverse(u, a)
    else:
        D = np.empty_like(u)
        near = u <= 0.5
        D[near] = cap_inverse(u[near], a, np.log(u[near]))
        # beyond the equator use the symmetry D -> 2 - D: P(D <= t) = 1 - I_{1 - t/2}(a, a)
        far = ~near
        if np.any(far):
            D[far] = 2.0 - cap_inverse(np.exp(-s[far]), a, -s[far])
    return D, float(s[-1])


def orderstat_replicate(n: int, d: int, beta: float, k: int, rng: np.random.Generator, *, V=None,
                        tol: float = DEFAULT_TOL, max_keys: int = DEFAULT_MAX_KEYS, block: int = 64) -> Replicate:
    """One replicate from the nearest keys, with the certified relative bound ``truncation_bound`` (module docstring)
    and the number of keys drawn, ``explicit_keys``.

    At n = 10^12, d = 3 and the critical scale lambda = 1 (beta = n/2), a few hundred keys certify 1e-13:

    >>> r = orderstat_replicate(10**12, 3, 0.5e12, 3, np.random.default_rng(1))
    >>> r.truncation_bound <= 1e-13, r.explicit_keys < 1000
    (True, True)
    """
    n, d, k = whole(n, "n"), whole(d, "d", low=2, high=MAX_DIMENSION), whole(k, "k")
    beta = check_beta(beta)
    generator(rng)
    if V is not None:
        V = check_values(V, d)
    tol = number(tol, "tol", low=0)  # 0: draw every key (up to max_keys)
    max_keys, block = whole(max_keys, "max_keys"), whole(block, "block")
    m_dim = d - 1
    parts = []
    got = 0
    s = 0.0
    bound = math.inf
    while True:
        b = min(block, n - got, max_keys - got)
        D, s = nearest_distances(n, d, b, rng, start=got, s0=s)
        parts.append(D)
        got += b
        Dall = np.concatenate(parts) if len(parts) > 1 else parts[0]
        parts = [Dall]
        rel = -beta * (Dall - Dall[0])  # logits shifted by the largest one (D_(1) is the smallest)
        e = np.exp(rel)
        Sm = float(e.sum())
        rest = n - got
        bound = 0.0 if rest == 0 else math.exp(math.log(rest) + float(rel[-1]) - math.log(Sm))
        if bound <= tol or rest == 0 or got >= max_keys:
            break
        block *= 2
    w = e / Sm
    top = np.zeros(k)
    kk = min(k, w.size)
    top[:kk] = w[:kk]  # already in decreasing order: D_(j) increases with j
    wl = w[w > 0]
    gap = float((w * Dall).sum())
    r = merge_norms(w * np.sqrt(Dall * (2.0 - Dall)), m_dim, rng)
    return Replicate(top=top, sum_w2=float((w * w).sum()), entropy=float(-(wl * np.log(wl)).sum()),
                     min_dist=float(Dall[0]), truncation_bound=bound, explicit_keys=float(got),
                     **output_parts(gap, r, d, rng, V))
