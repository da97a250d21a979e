"""The equiangular (simplex) model of paper 2 (arXiv 2510.05554, §2), in closed form.

Convention (the package's; paper 2's own text is known only through secondary sources)
--------------------------------------------------------------------------------------
Tokens x_1..x_n in R^d with |x_i|^2 = q. Pre-LN puts them on the unit sphere, y_i = x_i/|x_i|, and
the equiangular model asks <y_i, y_j> = rho for i != j (the Gram matrix (1 - rho) I + rho 11^T, which is
positive definite for -1/(n-1) < rho < 1 and needs d >= n). Attention with Q = K = V = I:

    A_ij = exp(beta <y_i, y_j>) / sum_k exp(beta <y_i, y_k>),    x_i' = sum_j A_ij y_j + alpha x_i,

(alpha = residual weight, the residual adds the un-normalized token). The output "inner product" is
the cosine of the outputs, <y_i', y_j'> with y_i' = x_i'/|x_i'|: this is the convention under which
the critical value 4 rho/(1 + 3 rho) of Theorem 2.1 comes out (the raw inner product <x_i', x_j'> has
the limit rho in the subcritical phase, not 1).

Derivation (exact, every n >= 2). By symmetry the self-weight and the cross weight are

    s = A_ii = 1/(1 + eps),  eps = (n - 1) exp(-beta (1 - rho)),   t = A_ij = (1 - s)/(n - 1),

so x_i' = a y_i + b S with S = sum_j y_j, a = s - t + alpha sqrt(q), b = t. With g = 1 + (n-1) rho,
<y_i, S> = g and |S|^2 = n g, whence

    <x_i', x_j'> = a^2 rho + 2 a b g + b^2 n g,   |x_i'|^2 = a^2 + 2 a b g + b^2 n g.

Writing h = 1/n, both b g and b^2 n g are polynomials in (s, h) over (1 - h)^2, so the cosine is a
function F(s, h) that is continuous on [0, 1] x [0, 1/2] with positive denominator. With
beta = gamma log n, eps_n = (n - 1) n^{-gamma (1 - rho)} tends to infinity, 1 or 0 as gamma is below,
at or above gamma_c = 1/(1 - rho); so s_n -> 0, 1/2, 1 and the limit is F(s_*, 0).
Inside the window beta = gamma_c log n + c, eps_n -> exp(-c (1 - rho)) and the profile is F(s_c, 0) with
s_c = 1/(1 + exp(-c (1 - rho))).

The gradient statistic eta = |dX'/dX|_F^2/(n d) of Theorem 2.4 lives in
:mod:`attnlimits.theory.gradient_stat`.
"""
from __future__ import annotations

import sympy as sp

__all__ = [
    "rho", "beta", "gamma", "n", "q", "alpha_res", "s", "h", "c",
    "gamma_c", "self_weight", "inner_finite", "inner_of_sh", "limit_inner_of_s",
    "phase_self_weight_limits", "phase_limits", "window_profile", "phase_name",
]

rho = sp.Symbol("rho", real=True)
beta = sp.Symbol("beta", positive=True)
gamma = sp.Symbol("gamma", positive=True)
n = sp.Symbol("n", positive=True)
q = sp.Symbol("q", positive=True)
alpha_res = sp.Symbol("alpha", nonnegative=True)
s = sp.Symbol("s", nonnegative=True)  # the self-weight A_ii
h = sp.Symbol("h", nonnegative=True)  # 1/n
c = sp.Symbol("c", real=True)  # offset inside the critical window


def gamma_c(r=rho):
    """Critical slope gamma_c = 1/(1 - rho) of beta = gamma log n (paper 2, Thm 2.1; docs/mathematics.md §10.1).
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> gamma_c(sp.Rational(1, 2))
    2
    """
    return 1 / (1 - r)


def self_weight(nn=n, b=beta, r=rho):
    """A_ii = 1/(1 + (n - 1) exp(-beta (1 - rho))) in the equiangular model.
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> self_weight(n, beta, 1)  # identical tokens (rho = 1): uniform weights
    1/n
    >>> sw = self_weight(n, gamma_c(sp.Rational(1, 2)) * sp.log(n), sp.Rational(1, 2))  # beta = gamma_c log n
    >>> sp.simplify(sw), sp.limit(sw, n, sp.oo)  # the critical self-weight 1/2
    (n/(2*n - 1), 1/2)
    """
    return 1 / (1 + (nn - 1) * sp.exp(-b * (1 - r)))


def _cosine(a, b, g, nn, r):
    num = a**2 * r + 2 * a * b * g + b**2 * nn * g
    den = a**2 + 2 * a * b * g + b**2 * nn * g
    return num / den


def inner_finite(nn=n, b=beta, r=rho, alpha=alpha_res, qq=q):
    """Exact <y_i', y_j'> (cosine of the outputs) for n equiangular tokens after one layer (docs/mathematics.md §10.2).
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> inner_finite(10**9, 2 * sp.log(10**9), sp.Rational(1, 2), 0, 1).evalf(15)  # at gamma_c: 4 rho/(1 + 3 rho)
    0.800000000280000
    """
    sw = self_weight(nn, b, r)
    t = (1 - sw) / (nn - 1)
    a = sw - t + alpha * sp.sqrt(qq)
    return _cosine(a, t, 1 + (nn - 1) * r, nn, r)


def inner_of_sh(sw=s, hh=h, r=rho, alpha=alpha_res, qq=q):
    """The same cosine written as F(s, h), h = 1/n: a rational function continuous at h = 0.

    a = s - t + alpha sqrt(q), b g = (1 - s)(h + (1 - h) rho)/(1 - h), b^2 n g = (1 - s)^2 (h + (1 - h) rho)/(1 - h)^2.
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> sp.simplify(inner_of_sh(1, h, rho, 0, 1))  # s = 1, no residual: each output is its own token
    rho
    >>> r = sp.Rational(1, 3)  # n = 4, beta = (3/2) log 3: (n - 1) e^{-beta (1 - rho)} = 1, so s = 1/2
    >>> F = inner_of_sh(sp.Rational(1, 2), sp.Rational(1, 4), r, 0, 1)
    >>> F, inner_finite(4, sp.Rational(3, 2) * sp.log(3), r, 0, 1)
    (13/15, 13/15)
    """
    t = (1 - sw) * hh / (1 - hh)
    a = sw - t + alpha * sp.sqrt(qq)
    bg = (1 - sw) * (hh + (1 - hh) * r) / (1 - hh)
    b2ng = (1 - sw) ** 2 * (hh + (1 - hh) * r) / (1 - hh) ** 2
    num = a**2 * r + 2 * a * bg + b2ng
    den = a**2 + 2 * a * bg + b2ng
    return num / den


def limit_inner_of_s(sw=s, r=rho, alpha=alpha_res, qq=q):
    """F(s, 0) = rho (1 + alpha sqrt q)^2 / ((s + alpha sqrt q)^2 + 2 rho (s + alpha sqrt q)(1 - s) + rho (1 - s)^2).

    Derived from :func:`inner_of_sh` by sympy (limit h -> 0), not typed in.
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> a = s + alpha_res * sp.sqrt(q)  # the closed form above, typed in, against the derived limit
    >>> sp.simplify(limit_inner_of_s() - rho * (1 + alpha_res * sp.sqrt(q))**2
    ...             / (a**2 + 2 * rho * a * (1 - s) + rho * (1 - s)**2))
    0
    >>> limit_inner_of_s(sp.Rational(1, 2), alpha=0)  # s = 1/2: the critical value 4 rho/(1 + 3 rho)
    4*rho/(3*rho + 1)
    """
    return sp.factor(sp.simplify(sp.limit(inner_of_sh(sw, h, r, alpha, qq), h, 0)))


def phase_self_weight_limits():
    """Limits of s_n = A_ii with beta = gamma log n, derived by sympy in each phase.

    With e = 1 - gamma (1 - rho): e = k > 0 (gamma < gamma_c), e = 0, e = -k < 0 (gamma > gamma_c);
    eps_n = (n - 1) n^{e - 1}.

    >>> phase_self_weight_limits()  # eps_n -> oo, 1, 0
    {'subcritical': 0, 'critical': 1/2, 'supercritical': 1}
    """
    k = sp.Symbol("k", positive=True)
    N = sp.Symbol("N", positive=True)
    out = {}
    for name, e in (("subcritical", k), ("critical", sp.Integer(0)), ("supercritical", -k)):
        eps = (N - 1) * N ** (e - 1)
        out[name] = sp.limit(1 / (1 + eps), N, sp.oo)
    return out


def phase_limits(r=rho, alpha=alpha_res, qq=q):
    """lim <y_i', y_j'> in the three phases: F(lim s_n, 0). At alpha = 0: 1, 4 rho/(1 + 3 rho), rho.
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> phase_limits(alpha=0)
    {'subcritical': 1, 'critical': 4*rho/(3*rho + 1), 'supercritical': rho}
    """
    F = limit_inner_of_s(s, r, alpha, qq)
    return {name: sp.factor(sp.simplify(F.subs(s, s0))) for name, s0 in phase_self_weight_limits().items()}


def window_profile(cc=c, r=rho, alpha=alpha_res, qq=q):
    """Limit of <y_i', y_j'> for beta = gamma_c log n + c: F(1/(1 + exp(-c (1 - rho))), 0).

    The self-weight limit is derived by sympy from eps_n = (n - 1)/n * exp(-c (1 - rho)).
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> F = window_profile(r=sp.Rational(1, 2), alpha=0)
    >>> F.subs(c, 0), sp.limit(F, c, -sp.oo), sp.limit(F, c, sp.oo)  # 4 rho/(1 + 3 rho); the phases beside: 1, rho
    (4/5, 1, 1/2)
    """
    N = sp.Symbol("N", positive=True)
    s_c = sp.limit(1 / (1 + (N - 1) / N * sp.exp(-cc * (1 - r))), N, sp.oo)
    return sp.simplify(limit_inner_of_s(s, r, alpha, qq).subs(s, s_c))


def phase_name(gam, r) -> str:
    """'subcritical' if gamma < 1/(1 - rho), 'critical' if equal, 'supercritical' if above (exact comparison).

    >>> phase_name(2, "0.5"), phase_name(3, "0.5")
    ('critical', 'supercritical')
    """
    g = sp.nsimplify(gam) if not isinstance(gam, sp.Basic) else gam
    rr = sp.nsimplify(r) if not isinstance(r, sp.Basic) else r
    diff = sp.simplify(g * (1 - rr) - 1)
    if diff == 0:
        return "critical"
    return "subcritical" if diff < 0 else "supercritical"
