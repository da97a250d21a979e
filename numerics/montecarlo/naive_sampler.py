"""Naive sampler: the reference a user would write, with full d-dimensional keys.

Keys are normalized Gaussian vectors K = G/|G| (uniform on S^{d-1}), or von Mises–Fisher keys drawn
by ``scipy.stats.vonmises_fisher`` (an implementation independent of this package's), the query is
q = e_1, the logits are beta <q, K>, and the output is y = V sum_i w_i K_i (V = I by default; V of shape
d_v x d). The
keys are made in chunks with a running log-sum-exp, so that memory stays bounded, but every key is a
d-dimensional vector: the cost per key is of order d. Kept as a test oracle for the reduced samplers.
"""
from __future__ import annotations

import math

import numpy as np

from attnlimits.numerics.montecarlo.arguments import float_array, generator, whole
from attnlimits.numerics.montecarlo.isotropic_merge import value_stats
from attnlimits.numerics.montecarlo.replicate import Replicate
from attnlimits.numerics.montecarlo.sampling import (LAWS, MAX_DIMENSION, check_beta, check_sampler_args,
                                                     check_values)
from attnlimits.numerics.montecarlo.streaming import SoftmaxAccumulator
from attnlimits.theory.validation import InputError, choice

__all__ = ["naive_replicate", "naive_keys"]


def naive_keys(size: int, d: int, rng: np.random.Generator, *, law: str = "uniform", kappa0: float = 0.0,
               mu=None) -> np.ndarray:
    """``size`` keys on S^{d-1}: normalized Gaussians, or vMF(mu, kappa0) by scipy (mu = q = e_1 by default).

    Unit vectors; for uniform keys E X² = 1/d (X = ⟨q, K⟩), for vMF keys on S² E X = coth κ − 1/κ (0.8000908… at
    κ = 5):

    >>> rng = np.random.default_rng(0)
    >>> K = naive_keys(2000, 3, rng)
    >>> K.shape, bool(np.allclose(np.linalg.norm(K, axis=1), 1.0)), abs(float((K[:, 0] ** 2).mean()) - 1 / 3) < 0.02
    ((2000, 3), True, True)
    >>> K = naive_keys(2000, 3, rng, law="vmf", kappa0=5.0)
    >>> abs(float(K[:, 0].mean()) - (1 / math.tanh(5.0) - 1 / 5.0)) < 0.02
    True
    """
    size, d = whole(size, "size", low=0), whole(d, "d", low=2, high=MAX_DIMENSION)
    generator(rng)
    choice(law, "law", LAWS)
    kappa0, _ = check_sampler_args("naive", law, kappa0, d, None)
    if mu is not None:
        mu = float_array(mu, "mu")
        if mu.size != d or abs(float(np.linalg.norm(mu)) - 1.0) > 1e-12:
            raise InputError(f"mu must be a unit vector of R^{d}")
    if law == "vmf" and kappa0 > 0.0:
        from scipy.stats import vonmises_fisher

        if mu is None:
            mu = np.zeros(d)
            mu[0] = 1.0
        return np.asarray(vonmises_fisher(np.asarray(mu, float), kappa0).rvs(size, random_state=rng)).reshape(size, d)
    G = rng.standard_normal((size, d))
    G /= np.linalg.norm(G, axis=1, keepdims=True)
    return G


def naive_replicate(n: int, d: int, beta: float, k: int, rng: np.random.Generator, *,
                    law: str = "uniform", kappa0: float = 0.0, mu=None, V=None, chunk: int | None = None) -> Replicate:
    """One replicate with explicit keys; the same statistics as the exact reduced sampler.

    One key takes all the weight, and the output is that key (<q, y> = 1 - D_(1)):

    >>> r = naive_replicate(1, 3, 5.0, 2, np.random.default_rng(0))
    >>> r.top.tolist(), r.sum_w2, r.entropy, abs(r.parallel - (1 - r.min_dist)) < 1e-15
    ([1.0, 0.0], 1.0, 0.0, True)
    """
    n, d, k = whole(n, "n"), whole(d, "d", low=2, high=MAX_DIMENSION), whole(k, "k")
    beta = check_beta(beta)
    generator(rng)
    choice(law, "law", LAWS)
    kappa0, _ = check_sampler_args("naive", law, kappa0, d, None)
    if V is not None:
        V = check_values(V, d)
    if chunk is None:
        chunk = max(1, (1 << 21) // d)  # about 16 MB of keys at a time
    chunk = whole(chunk, "chunk")
    acc = SoftmaxAccumulator(k)
    yv = np.zeros(d)
    xmax = -math.inf
    for start in range(0, n, chunk):
        L = min(chunk, n - start)
        K = naive_keys(L, d, rng, law=law, kappa0=kappa0, mu=mu)
        X = K[:, 0]
        xmax = max(xmax, float(X.max()))
        e, f = acc.add(beta * X, 1.0 - X)
        yv = yv * f + e @ K
    weights = acc.finish()
    weights.pop("gap")
    y = yv / acc.S
    if V is not None:
        output = value_stats(V @ y)
    else:
        output = dict(parallel=float(y[0]), gap=float(1.0 - y[0]), perp_norm=float(np.linalg.norm(y[1:])),
                      perp_coord=float(y[1]))
    return Replicate(**weights, **output, min_dist=1.0 - xmax, truncation_bound=0.0)
