"""Composite Gauss–Legendre panels in Arb arithmetic, with cumulative (indefinite) integrals.

The critical-regime and finite-n integrals have the form ∫ dt ∫ dv h(t, v, A(t, v)) where
A(t, v) = ∫_0^v a(t, w) dw is itself an integral. Evaluating A by a fresh quadrature at every outer
node costs a third nested integral; instead the v-axis is cut into panels, each carrying the
N-point Gauss–Legendre rule, and A is carried along the panels with the spectral integration matrix

    S[i][j] = ∫_{-1}^{x_i} ℓ_j(x) dx,    ℓ_j the Lagrange basis on the Gauss nodes x_0..x_{N-1},

so that ∫_{-1}^{x_i} f ≈ Σ_j S[i][j] f(x_j), exact for polynomials of degree < N (the standard
collocation integration matrix of spectral deferred correction). With the expansion
ℓ_j(x) = w_j Σ_k (2k+1)/2 P_k(x_j) P_k(x) and ∫_{-1}^y P_k = (P_{k+1}(y) − P_{k-1}(y))/(2k+1)
(DLMF 18.9.1, 18.17.1 for Legendre polynomials) the matrix is built exactly from the nodes.

Everything is python-flint ``arb`` (about twenty times faster than mpmath for exp/log at 50 digits);
the caller sets the Arb precision (``attnlimits.numerics.precision.arb_digits``).
"""
from __future__ import annotations

import functools

from flint import arb, arb_mat, ctx

__all__ = ["GLRule", "gl_rule", "to_mpf"]


class GLRule:
    """N-point Gauss–Legendre rule on [-1, 1] with its cumulative-integration matrix.

    Five nodes integrate polynomials of degree ≤ 9 exactly (∫ x⁸ = 2/9), and the cumulative matrix gives
    ∫_{-1}^{x_i} x dx = (x_i² − 1)/2 at every node (−1/2 at the middle node x_2 = 0):

    >>> import mpmath
    >>> g = GLRule(5)
    >>> mpmath.nstr(to_mpf(sum(w * x ** 8 for x, w in zip(g.x, g.w))), 12)
    '0.222222222222'
    >>> max(abs(to_mpf(c - (x * x - 1) / 2)) for c, x in zip(g.cumulative(g.x), g.x)) < 1e-15
    True
    >>> mpmath.nstr(to_mpf(g.cumulative(g.x)[2]), 12)
    '-0.5'
    """

    def __init__(self, n: int):
        self.n = n
        nodes, weights = [], []
        for k in range(n):
            x, w = arb.legendre_p_root(n, k, weight=True)
            nodes.append(x.mid())
            weights.append(w.mid())
        # legendre_p_root returns decreasing roots; store increasing
        self.x = nodes[::-1]
        self.w = weights[::-1]
        # Legendre values P_k(x_j), k = 0..n
        P = [[arb(1)] * n, list(self.x)]
        for k in range(1, n):
            P.append([((2 * k + 1) * xx * P[k][j] - k * P[k - 1][j]) / (k + 1) for j, xx in enumerate(self.x)])
        self.S = []
        for i in range(n):
            row = []
            for j in range(n):
                s = (self.x[i] + 1) / 2
                for k in range(1, n):
                    s += P[k][j] * (P[k + 1][i] - P[k - 1][i]) / 2
                row.append((self.w[j] * s).mid())
            self.S.append(row)
        self.S_mat = arb_mat(self.S)

    def cumulative(self, values):
        """[Σ_j S[i][j] values[j] for each node i]: ∫_{-1}^{x_i} of the interpolant (C-level product)."""
        col = self.S_mat * arb_mat([[v] for v in values])
        return [col[i, 0] for i in range(self.n)]


@functools.lru_cache(maxsize=16)
def _rule(n: int, prec: int) -> GLRule:
    old = ctx.prec
    ctx.prec = prec + 20
    try:
        return GLRule(n)
    finally:
        ctx.prec = old


def gl_rule(n: int = 24) -> GLRule:
    """The cached N-point rule at the current Arb precision.

    >>> import mpmath
    >>> g = gl_rule(8)
    >>> g is gl_rule(8), g.n, mpmath.nstr(to_mpf(sum(g.w)), 15)  # cached; the weights sum to 2
    (True, 8, '2.0')
    """
    return _rule(n, ctx.prec)


def to_mpf(x):
    """The midpoint of an Arb ball as an mpmath mpf (at the caller's mpmath precision).

    >>> import mpmath
    >>> from flint import arb
    >>> mpmath.nstr(to_mpf(arb(1) / 3), 15), to_mpf(arb.pi()) == mpmath.pi  # both at 53 bits
    ('0.333333333333333', True)
    """
    import mpmath

    return mpmath.mpf(x.mid()._mpf_)
