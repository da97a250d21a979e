"""The Gauss rule for the standard Gumbel density e^{−t − e^{−t}} on ℝ (Gauss–Gumbel quadrature).

E_G[g(G)] for G standard Gumbel (E e^{zG} = Γ(1 − z)): the Gumbel expectations E_G[Λ̃(ℓ + G)] of the
law of W_(1) (``numerics.laws.max_weight``), exact for polynomials g of degree < 2n. The moments come from the
cumulants of log Γ(1 − z), so no integral is needed to build the rule. docs/mathematics.md §11.
"""
from __future__ import annotations

import functools
import math

from flint import arb, ctx

from attnlimits.numerics.precision import bits_for

__all__ = ["gumbel_rule"]


@functools.lru_cache(maxsize=8)
def gumbel_rule(n: int, digits: int):
    """The n-point Gauss rule for the standard Gumbel density e^{−t − e^{−t}} on ℝ (nodes, weights as arb).

    Moments μ_k = E G^k from the cumulants κ_1 = γ, κ_k = (k−1)! ζ(k) (log Γ(1 − z), DLMF 5.7.3);
    recurrence coefficients by Chebyshev's algorithm (Gautschi, Orthogonal Polynomials (2004), Alg. 2.1)
    at digits + 4n guard digits (the moment map is ill-conditioned); nodes by Newton's method on the
    monic orthogonal polynomial from the double-precision Jacobi eigenvalues; Christoffel weights.
    The same rule serves E_G[Λ̃(ℓ + G)] and the average over the first point (log Γ_1 = −G in law).

    >>> from flint import arb
    >>> xs, ws = gumbel_rule(8, 20)
    >>> round(float(sum(ws).mid()), 15), round(float(sum(w * x for x, w in zip(xs, ws)).mid()), 15)  # 1 and E G = γ
    (1.0, 0.577215664901533)
    """
    import numpy as np

    old = ctx.prec
    ctx.prec = bits_for(digits + 4 * n + 30)
    try:
        K = 2 * n
        kap = [arb(0), arb.const_euler()] + [arb.fac_ui(k - 1) * arb(k).zeta() for k in range(2, K + 1)]
        mu = [arb(1)]
        for m in range(1, K + 1):
            mu.append(sum((arb.bin_uiui(m - 1, k - 1) * kap[k] * mu[m - k] for k in range(1, m + 1)), arb(0)))
        sig_prev, sig = [arb(0)] * (K + 1), mu[:]
        a, b = [mu[1] / mu[0]], [mu[0]]
        for k in range(1, n):
            new = [arb(0)] * (K + 1)
            for l in range(k, K - k):
                new[l] = sig[l + 1] - a[k - 1] * sig[l] - b[k - 1] * sig_prev[l]
            a.append(new[k + 1] / new[k] - sig[k] / sig[k - 1])
            b.append(new[k] / sig[k - 1])
            sig_prev, sig = sig, new
        off = [math.sqrt(float(x.mid())) for x in b[1:]]
        jac = np.diag([float(x.mid()) for x in a]) + np.diag(off, 1) + np.diag(off, -1)
        nodes, weights = [], []
        tol = 10.0 ** (-digits - 10)
        for x0 in np.linalg.eigvalsh(jac):
            x = arb(float(x0))
            for it in range(100):
                p0, p1, d0, d1 = arb(0), arb(1), arb(0), arb(0)
                for k in range(n):
                    p2 = (x - a[k]) * p1 - (b[k] * p0 if k else 0)
                    d2 = p1 + (x - a[k]) * d1 - (b[k] * d0 if k else 0)
                    p0, p1, d0, d1 = p1, p2, d1, d2
                dx = p1 / d1
                x = (x - dx).mid()
                if it > 2 and abs(float(dx.mid())) < tol * max(1.0, abs(float(x))):
                    break
            p0, p1, norm = arb(0), arb(1), b[0]
            ssum = 1 / norm
            for k in range(n - 1):
                p0, p1 = p1, (x - a[k]) * p1 - (b[k] * p0 if k else 0)
                norm = norm * b[k + 1]
                ssum += p1 * p1 / norm
            nodes.append(x)
            weights.append((1 / ssum).mid())
        return tuple(nodes), tuple(weights)
    finally:
        ctx.prec = old
