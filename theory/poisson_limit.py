"""The Poisson limit of the critical regime: exact pieces (paper 1, §3; docs/mathematics.md §3–4).

With β_n = λ (κ n)^{1/α}, the rescaled distances s_i = (κ n)^{1/α} D_i converge to a Poisson process
on (0, ∞) with mean measure d(s^α); its points are S_j = Γ_j^{1/α} (Γ_j unit-rate arrival times).
The unnormalised limiting weights are y_j = e^{-λ S_j}; in the variable v = λ S the points form a
Poisson process with intensity ρ(v) = α λ^{-α} v^{α-1}, and y = e^{-v}.

Laplace exponent (Campbell): E e^{-tT} = e^{-Φ(t)}, T = Σ_j y_j,

    Φ(t) = ∫_0^∞ (1 − exp(−t e^{−v})) ρ(v) dv = λ^{-α} φ_α(t),
    φ_α(t) = ∫_0^∞ v^α t e^{−v} exp(−t e^{−v}) dv        (integration by parts)
           = Γ(α+1) Σ_{m≥1} (−1)^{m+1} t^m / (m! m^α)    (termwise; an entire function of t).

For α = 1 (d = 3): φ_1 = Ein, Ein(z) = ∫_0^z (1 − e^{−u})/u du = E_1(z) + log z + γ (DLMF 6.2.3),
and the relative gaps v_j − v_1 form a homogeneous Poisson process of rate θ = 1/λ independent of v_1,
so 1/W_(1) − 1 = R has the generalised Dickman law GD(θ): E e^{−sR} = e^{−θ Ein(s)}, density
e^{−γθ} x^{θ−1}/Γ(θ) on (0, 1]. Hence, for d = 3,

    E W_(1)        = ∫_0^∞ exp(−τ − Ein(τ)/λ) dτ,
    P(W_(1) > w)   = e^{−γ/λ} ((1 − w)/w)^{1/λ} / Γ(1 + 1/λ),   1/2 ≤ w < 1,
    E Σ_j W_j²     = (1/λ) ∫_0^∞ e^{−Ein(t)/λ} (1 − (1 + t) e^{−t}) / t dt,
    E T            = Γ(α+1) λ^{−α}  (any α).

These are the package's derivations (docs/critical.md); each is re-checked numerically by the claims.

Forms that lambdify (docs/mathematics.md §11.7): 1 − exp(−x) is −expm1(−x) (exact for tiny x, where 1 − exp(−x) is
0 in double); Γ(α+1) λ^{−α} and the series terms are one exponential of log-Gammas (α = (d−1)/2 reaches 5000, where
Γ is inf and λ^{−α} is 0); the Gamma functions of the Dickman law are :class:`attnlimits.theory.special.gamma`
(vectorised in numpy code). Ein keeps sympy's own ``expint``: its numpy/scipy lambdification fails with a NameError
(the claims compare it structurally with ``sympy.expint``), and in mpmath E_1(t) + log t + γ cancels for small t
(about log10(1/t) digits lost).
"""
from __future__ import annotations

import sympy as sp
from sympy.codegen.cfunctions import expm1

from attnlimits.theory import special

__all__ = [
    "t", "v", "w", "m", "lam_sym", "alpha_sym",
    "phi_integrand", "phi_by_parts_integrand", "phi_series_term",
    "Ein", "laplace_exponent_alpha1", "mean_T",
    "max_weight_tail_alpha1", "dickman_density", "steutel_residual", "dickman_constant_limit",
]

t = sp.Symbol("t", positive=True)
v = sp.Symbol("v", positive=True)
w = sp.Symbol("w", positive=True)
m = sp.Symbol("m", integer=True, positive=True)
lam_sym = sp.Symbol("lambda", positive=True)
alpha_sym = sp.Symbol("alpha", positive=True)


def phi_integrand(alpha=alpha_sym, lam=lam_sym):
    """(1 − exp(−t e^{−v})) α λ^{−α} v^{α−1}: Φ(t) is its integral over v ∈ (0, ∞). The first factor is
    −expm1(−t e^{−v}), right at large v. Lambdified with numpy (arrays), scipy and mpmath (tested).

    >>> f = phi_integrand(sp.Integer(1), sp.Integer(1)).subs(t, 1)  # α = λ = 1: Φ(1) = Ein(1)
    >>> sp.N(sp.Integral(f, (v, 0, sp.oo)), 15), sp.N(Ein(1), 15)
    (0.796599599297053, 0.796599599297053)
    """
    return -expm1(-t * sp.exp(-v)) * alpha * lam ** (-alpha) * v ** (alpha - 1)


def phi_by_parts_integrand(alpha=alpha_sym):
    """v^α t e^{−v} exp(−t e^{−v}): the integrand of φ_α after integration by parts.
    Lambdified with numpy (arrays), scipy and mpmath (tested).

    >>> B = v**alpha_sym * (1 - sp.exp(-t * sp.exp(-v)))  # boundary term, 0 at v = 0 and v = ∞
    >>> sp.simplify(sp.diff(B, v) - (phi_integrand(lam=1) - phi_by_parts_integrand()).rewrite(sp.exp))
    0
    """
    return v ** alpha * t * sp.exp(-v) * sp.exp(-t * sp.exp(-v))


def phi_series_term(alpha=alpha_sym):
    """m-th Taylor coefficient term of φ_α: Γ(α+1) (−1)^{m+1} t^m/(m! m^α), written
    (−1)^{m+1} exp(log Γ(α+1) − log Γ(m+1) + m log t − α log m). m is integer-only (a series index). Lambdified
    with numpy (arrays of m, α, t), scipy and mpmath: tested up to α = 5000, m = 200.

    >>> phi_series_term(1)
    (-1)**(m + 1)*exp(m*log(t) - loggamma(m + 1))/m
    >>> [phi_series_term(1).subs(m, k) for k in (1, 2, 3)], sp.series(Ein(t), t, 0, 4)  # φ_1 = Ein
    ([t, -t**2/4, t**3/18], t - t**2/4 + t**3/18 + O(t**4))
    """
    return (-1) ** (m + 1) * sp.exp(special.loggamma(alpha + 1) - special.loggamma(m + 1) + m * sp.log(t)
                                    - alpha * sp.log(m))


def Ein(z):
    """Ein(z) = E_1(z) + log z + γ (DLMF 6.2.3); entire, Ein(z) = Σ (−1)^{m+1} z^m/(m·m!).

    Lambdified with mpmath only (tested; E_1(t) + log t + γ loses about log10(1/t) digits to cancellation as t → 0,
    so work at that many extra digits there, or use ``attnlimits.numerics.special.incomplete_gamma.ein``); numpy and
    scipy fail with a NameError on ``expint`` (sympy prints no scipy code for it, and this function keeps sympy's
    own ``expint`` because the claims compare it structurally with it).

    >>> Ein(t)
    log(t) + expint(1, t) + EulerGamma
    >>> sp.series(Ein(t), t, 0, 3)
    t - t**2/4 + O(t**3)
    """
    return sp.expint(1, z) + sp.log(z) + sp.EulerGamma


def laplace_exponent_alpha1(lam=lam_sym):
    """Φ(t) = Ein(t)/λ for α = 1 (d = 3; docs/mathematics.md §4.4). Lambdified with mpmath only (see :func:`Ein`).

    >>> laplace_exponent_alpha1(2)
    log(t)/2 + expint(1, t)/2 + EulerGamma/2
    """
    return Ein(t) / lam


def mean_T(alpha=alpha_sym, lam=lam_sym):
    """E T = ∫ e^{−v} ρ(v) dv = Γ(α+1) λ^{−α}, written exp(log Γ(α+1) − α log λ): Γ(α+1) overflows in double beyond
    α = 170 and λ^{−α} underflows, while E T need not. Lambdified with numpy (arrays), scipy and mpmath: tested up
    to α = 5000.

    >>> mean_T()
    exp(-alpha*log(lambda) + loggamma(alpha + 1))
    >>> mean_T(sp.Integer(1), sp.Integer(2))
    1/2
    """
    return sp.exp(special.loggamma(alpha + 1) - alpha * sp.log(lam))


def max_weight_tail_alpha1(lam=lam_sym, ww=w):
    """P(W_(1) > w) = e^{−γ/λ} ((1−w)/w)^{1/λ} / Γ(1 + 1/λ) for 1/2 ≤ w < 1 (α = 1;
    docs/mathematics.md §4.4). Every factor is at most 1.13, so the Gamma form is safe in double (below λ = 1/170
    Γ(1 + 1/λ) is inf where the tail underflows anyway). Lambdified with numpy (arrays), scipy and mpmath (tested).

    >>> tail = max_weight_tail_alpha1(sp.Integer(1), sp.Rational(1, 2))  # = E W_(1) at lambda = 1
    >>> tail, sp.N(tail, 19)
    (exp(-EulerGamma), 0.5614594835668851698)
    """
    th = 1 / lam
    return sp.exp(-sp.EulerGamma * th) * ((1 - ww) / ww) ** th / special.gamma(1 + th)


def dickman_density(theta, x):
    """Generalised Dickman density on (0, 1]: e^{−γθ} x^{θ−1} / Γ(θ). Lambdified with numpy (arrays), scipy and
    mpmath (tested); in double Γ(θ) is inf beyond θ = 171, where the density underflows on (0, 1] anyway.

    >>> x = sp.Symbol("x", positive=True)
    >>> dickman_density(1, x)  # θ = 1: flat on (0, 1]
    exp(-EulerGamma)
    >>> P = sp.integrate(dickman_density(1, x), (x, 0, 1))  # P(R <= 1) = P(W_(1) >= 1/2) at λ = 1
    >>> P, P == max_weight_tail_alpha1(sp.Integer(1), sp.Rational(1, 2))
    (exp(-EulerGamma), True)
    """
    return sp.exp(-sp.EulerGamma * theta) * x ** (theta - 1) / special.gamma(theta)


def steutel_residual(theta):
    """x f(x) − θ ∫_0^x f(y) dy on (0, 1]: zero iff f solves the Steutel (Dickman) equation there.

    A positive infinitely divisible law with Lévy measure θ 1{0<y<1} dy/y has a density with
    x f(x) = θ ∫_{x−1}^{x} f(y) dy (Steutel & van Harn, Thm. 4.10); on (0, 1] the lower limit is 0.

    >>> steutel_residual(sp.Rational(1, 2))
    0
    """
    x, y = sp.symbols("x y", positive=True)
    f = dickman_density(theta, x)
    return sp.simplify(x * f - theta * sp.integrate(dickman_density(theta, y), (y, 0, x)))


def dickman_constant_limit(theta):
    """lim_{s→∞} s^θ e^{−θ Ein(s)}, which must equal C Γ(θ) when f(x) ~ C x^{θ−1} at 0 (Tauberian).
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> th, x = sp.symbols("theta x", positive=True)
    >>> dickman_constant_limit(th)
    exp(-EulerGamma*theta)
    >>> sp.simplify(special.to_gamma(dickman_density(th, x)) * sp.gamma(th) / x**(th - 1))  # C Γ(θ), C off the density
    exp(-EulerGamma*theta)
    """
    s = sp.Symbol("s", positive=True)
    # Ein(s) − log s = γ + E_1(s), and 0 < E_1(s) < e^{−s}/s (DLMF 6.8.2) → 0: squeeze
    rest = sp.simplify(Ein(s) - sp.log(s) - sp.expint(1, s))
    squeeze = sp.limit(sp.exp(-s) / s, s, sp.oo)
    expo = sp.limit(rest, s, sp.oo) + squeeze
    return sp.exp(-theta * expo)
