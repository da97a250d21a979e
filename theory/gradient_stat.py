"""The gradient statistic eta = |dX'/dX|_F^2 / (n d) of paper 2, Theorem 2.4, exact in the equiangular model.

Convention (the package's; it reproduces the three limits 0, (1/(4q))(1 - 1/d), (1/q)(1 - 1/d)):
X' = ATT(LN(X)) with LN(x) = x/|x| onto the *unit* sphere, A_ij = softmax_j(beta <y_i, y_j>), no residual,
evaluated at equiangular tokens with |x_i|^2 = q. The 1/q comes from d(x/|x|)/dx = P/|x|, P = I - y y^T.

Analytic Jacobian (derived in the package). With m_i = sum_k A_ik y_k and
Cov_i = sum_k A_ik y_k y_k^T - m_i m_i^T, the block d x_i'/d x_j (d x d) is

    J_ij = (1/sqrt q) [ A_ij P_j + beta A_ij (y_j - m_i)(P_j y_i)^T + [i = j] beta Cov_i P_i ]

(y_i enters as query, key and value; the key term of j = i dies because P_i y_i = 0).

Exact evaluation for symbolic n and d. Realize the tokens as y_k = sqrt(rho) e_0 + sqrt(1 - rho) u_k with
e_0, u_1, ..., u_n orthonormal (rotation invariance: |J|_F depends on the Gram matrix and on d only
through tr I = d, so the result, affine in d, holds for every d >= n). For a pair i != j, every matrix that
occurs acts on R^d = span(e_0, u_i, u_j, w) (+) V' (+) W, w the unit vector along sum_{k != i,j} u_k,
V' = the remaining (n - 3)-dimensional part of span(u_k : k != i, j), W the (d - n - 1)-dimensional rest,
as a 4 x 4 block plus a scalar on V' and a scalar on W. So |M|_F^2 = |M_4|^2 + (n - 3) v^2 + (d - n - 1) w^2
and eta = (|J_ii|^2 + (n - 1) |J_ij|^2)/d, an exact rational expression in (s, n, d, beta, rho, q).

Limits (beta = gamma log n, d = d_n >= n, which the model forces): write eta = e0 + beta e1 + beta^2 e2
with e_k functions of (s, h = 1/n, delta = 1/d). The package shows with sympy that e1 and e2 vanish at
(s_*, 0, 0) for each phase limit s_* in {0, 1/2, 1} and that e0(s_*, 0, delta) = 0, (1 - delta)/(4q),
(1 - delta)/q; since s_n - s_* is polynomially small in n and beta only logarithmic, the beta-terms go
to 0, giving eta_n - L(d_n) -> 0 with L = 0, (1/(4q))(1 - 1/d), (1/q)(1 - 1/d).
"""
from __future__ import annotations

import functools

import sympy as sp

from attnlimits.theory.equiangular import beta, n, q, rho, s

__all__ = ["d", "delta", "eta_of_s", "eta_finite", "eta_beta_coefficients", "eta_phase_limits",
           "block_norms"]

d = sp.Symbol("d", positive=True)
delta = sp.Symbol("delta", nonnegative=True)  # 1/d
_r = sp.Symbol("r", positive=True)  # sqrt(n - 2), eliminated at the end


class _M:
    """A matrix in the block algebra: 4 x 4 part, scalar on V' (dim n - 3), scalar on W (dim d - n - 1)."""

    def __init__(self, M, v=0, w=0):
        self.M, self.v, self.w = sp.Matrix(M), sp.sympify(v), sp.sympify(w)

    def __add__(self, o):
        return _M(self.M + o.M, self.v + o.v, self.w + o.w)

    def __sub__(self, o):
        return _M(self.M - o.M, self.v - o.v, self.w - o.w)

    def __mul__(self, o):
        if isinstance(o, _M):
            return _M(self.M * o.M, self.v * o.v, self.w * o.w)
        return _M(self.M * o, self.v * o, self.w * o)

    __rmul__ = __mul__

    def frob2(self):
        return (sum(x**2 for x in self.M) + (n - 3) * self.v**2 + (d - n - 1) * self.w**2)


def _outer(a, b):
    return _M(a * b.T)


def _vec(*c):
    return sp.Matrix(c)


_sr, _sc, _t = sp.symbols("sr sc t", positive=True)  # sqrt(rho), sqrt(1 - rho), A_ij (i != j)


def _to_rho(expr):
    """Replace sr^i sc^j r^k (even i, j, k only occur) by rho^{i/2} (1 - rho)^{j/2} (n - 2)^{k/2}."""
    P = sp.Poly(expr, _sr, _sc, _r)
    out = 0
    for (i, j, k), cf in P.terms():
        if i % 2 or j % 2 or k % 2:
            raise AssertionError("odd power of a square root left in |J|_F^2")
        out += cf * rho ** (i // 2) * (1 - rho) ** (j // 2) * (n - 2) ** (k // 2)
    return out


@functools.lru_cache(maxsize=None)
def block_norms():
    """(|J_ii|^2, |J_ij|^2) times q, exact, as expressions in s, n, d, beta, rho.
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> sp.factor(block_norms()[0].subs({s: 1, beta: 0}))  # all weight on itself: J_ii = P_i/sqrt(q), |P_i|^2 = d - 1
    d - 1
    """
    t = _t
    sr, sc = _sr, _sc
    I = _M(sp.eye(4), 1, 1)
    yi = _vec(sr, sc, 0, 0)
    yj = _vec(sr, 0, sc, 0)
    e0 = _vec(1, 0, 0, 0)
    w = _vec(0, 0, 0, 1)
    S_rest = (n - 2) * sr * e0 + sc * _r * w  # sum_{k != i, j} y_k
    Pi_rest = _M(w * w.T, 1, 0)  # sum_{k != i, j} u_k u_k^T
    Sig_rest = ((n - 2) * sr**2) * _outer(e0, e0) + (sr * sc * _r) * (_outer(e0, w) + _outer(w, e0)) \
        + sc**2 * Pi_rest  # sum_{k != i, j} y_k y_k^T
    m_i = s * yi + t * yj + t * S_rest
    Cov = s * _outer(yi, yi) + t * _outer(yj, yj) + t * Sig_rest - _outer(m_i, m_i)
    P_i = I - _outer(yi, yi)
    P_j = I - _outer(yj, yj)
    # |y|^2 = sr^2 + sc^2 = 1 is used implicitly through the final substitution
    J_ii = s * P_i + beta * (Cov * P_i)
    J_ij = t * P_j + (beta * t) * (_outer(yj - m_i, yi) * P_j)  # (y_j - m_i)(P_j y_i)^T = (y_j - m_i) y_i^T P_j
    out = []
    for J in (J_ii, J_ij):
        e = _to_rho(sp.expand(J.frob2()))
        out.append(sp.expand(e.subs(_t, (1 - s) / (n - 1))))
    return tuple(out)


@functools.lru_cache(maxsize=None)
def eta_of_s():
    """eta as an exact expression in (s, n, d, beta, rho, q): (|J_ii|^2 + (n - 1)|J_ij|^2)/(q d).
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> sp.factor(eta_of_s().subs({s: 1, beta: 0}))  # J_ij = 0 for i != j, |J_ii|^2 = (d - 1)/q
    (d - 1)/(d*q)
    """
    a, b = block_norms()
    return sp.expand(a + (n - 1) * b) / (q * d)


def eta_finite(nn, bb, r, dd, qq):
    """eta at finite n for beta = bb: s = 1/(1 + (n - 1) exp(-beta (1 - rho))) substituted.
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> eta_finite(10, 0, sp.Rational(1, 2), 20, 1)  # beta = 0: A_ij = 1/n, eta = (d - 1)/(n d q) by hand
    19/200
    """
    sw = 1 / (1 + (nn - 1) * sp.exp(-bb * (1 - r)))
    return eta_of_s().subs({s: sw, n: nn, beta: bb, rho: r, d: dd, q: qq})


@functools.lru_cache(maxsize=None)
def eta_beta_coefficients():
    """(e0, e1, e2): eta = e0 + beta e1 + beta^2 e2, each in (s, h = 1/n, delta = 1/d, rho, q), and the symbol h.
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> (e0, e1, e2), h = eta_beta_coefficients()
    >>> sp.factor(e0.subs(s, 1)), e1.subs(s, 1), e2.subs(s, 1)  # s = 1: the beta-terms vanish, e0 = (1 - 1/d)/q
    (-(delta - 1)/q, 0, 0)
    """
    h = sp.Symbol("h", positive=True)
    poly = sp.Poly(eta_of_s(), beta)
    assert poly.degree() <= 2
    coeffs = [poly.coeff_monomial(beta**k) for k in range(3)]
    return tuple(sp.together(sp.expand(cf.subs({n: 1 / h, d: 1 / delta}))) for cf in coeffs), h


def eta_phase_limits():
    """Per phase: e0(s_*, 0, delta) and e1, e2 at (s_*, 0, 0); the limit is e0 when e1 = e2 = 0 there.

    The limits are lambdified with numpy (arrays), scipy and mpmath: tested. Theorem 2.4's limits 0,
    (1 - 1/d)/(4q), (1 - 1/d)/q (delta = 1/d), with no beta-term left at the limit (about 2 s on the first call,
    which builds the exact :func:`block_norms`; cached afterwards):

    >>> lim = eta_phase_limits()
    >>> [sp.simplify(lim[p]["limit"] - L) for p, L in
    ...  (("subcritical", 0), ("critical", (1 - delta) / (4 * q)), ("supercritical", (1 - delta) / q))]
    [0, 0, 0]
    >>> sorted({v[k] for v in lim.values() for k in ("beta_coeff_at_limit", "beta2_coeff_at_limit")})
    [0]
    """
    (e0, e1, e2), h = eta_beta_coefficients()
    out = {}
    for name, s0 in (("subcritical", 0), ("critical", sp.Rational(1, 2)), ("supercritical", 1)):
        lim0 = sp.factor(sp.simplify(sp.limit(e0.subs(s, s0), h, 0)))
        v1 = sp.simplify(sp.limit(sp.limit(e1.subs(s, s0), h, 0), delta, 0))
        v2 = sp.simplify(sp.limit(sp.limit(e2.subs(s, s0), h, 0), delta, 0))
        out[name] = {"limit": lim0, "beta_coeff_at_limit": v1, "beta2_coeff_at_limit": v2}
    return out
