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
"""
from __future__ import annotations

import sympy as sp

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
    """(1 − exp(−t e^{−v})) α λ^{−α} v^{α−1}: Φ(t) is its integral over v ∈ (0, ∞).

    >>> f = phi_integrand(sp.Integer(1), sp.Integer(1)).subs(t, 1)  # α = λ = 1: Φ(1) = Ein(1)
    >>> sp.N(sp.Integral(f, (v, 0, sp.oo)), 15), sp.N(Ein(1), 15)
    (0.796599599297053, 0.796599599297053)
    """
    return (1 - sp.exp(-t * sp.exp(-v))) * alpha * lam ** (-alpha) * v ** (alpha - 1)


def phi_by_parts_integrand(alpha=alpha_sym):
    """v^α t e^{−v} exp(−t e^{−v}): the integrand of φ_α after integration by parts.

    >>> B = v**alpha_sym * (1 - sp.exp(-t * sp.exp(-v)))  # boundary term, 0 at v = 0 and v = ∞
    >>> sp.simplify(sp.diff(B, v) - (phi_integrand(lam=1) - phi_by_parts_integrand()))
    0
    """
    return v ** alpha * t * sp.exp(-v) * sp.exp(-t * sp.exp(-v))


def phi_series_term(alpha=alpha_sym):
    """m-th Taylor coefficient term of φ_α: Γ(α+1) (−1)^{m+1} t^m/(m! m^α).

    >>> phi_series_term(1)
    (-1)**(m + 1)*t**m/(m*factorial(m))
    >>> [phi_series_term(1).subs(m, k) for k in (1, 2, 3)], sp.series(Ein(t), t, 0, 4)  # φ_1 = Ein
    ([t, -t**2/4, t**3/18], t - t**2/4 + t**3/18 + O(t**4))
    """
    return sp.gamma(alpha + 1) * (-1) ** (m + 1) * t ** m / (sp.factorial(m) * m ** alpha)


def Ein(z):
    """Ein(z) = E_1(z) + log z + γ (DLMF 6.2.3); entire, Ein(z) = Σ (−1)^{m+1} z^m/(m·m!).

    >>> Ein(t)
    log(t) + expint(1, t) + EulerGamma
    >>> sp.series(Ein(t), t, 0, 3)
    t - t**2/4 + O(t**3)
    """
    return sp.expint(1, z) + sp.log(z) + sp.EulerGamma


def laplace_exponent_alpha1(lam=lam_sym):
    """Φ(t) = Ein(t)/λ for α = 1 (d = 3; docs/mathematics.md §4.4).

    >>> laplace_exponent_alpha1(2)
    log(t)/2 + expint(1, t)/2 + EulerGamma/2
    """
    return Ein(t) / lam


def mean_T(alpha=alpha_sym, lam=lam_sym):
    """E T = ∫ e^{−v} ρ(v) dv = Γ(α+1) λ^{−α}.

    >>> mean_T()
    gamma(alpha + 1)/lambda**alpha
    >>> mean_T(sp.Integer(1), sp.Integer(2))
    1/2
    """
    return sp.gamma(alpha + 1) * lam ** (-alpha)


def max_weight_tail_alpha1(lam=lam_sym, ww=w):
    """P(W_(1) > w) = e^{−γ/λ} ((1−w)/w)^{1/λ} / Γ(1 + 1/λ) for 1/2 ≤ w < 1 (α = 1;
    docs/mathematics.md §4.4).

    >>> tail = max_weight_tail_alpha1(sp.Integer(1), sp.Rational(1, 2))  # = E W_(1) at lambda = 1
    >>> tail, sp.N(tail, 19)
    (exp(-EulerGamma), 0.5614594835668851698)
    """
    th = 1 / lam
    return sp.exp(-sp.EulerGamma * th) * ((1 - ww) / ww) ** th / sp.gamma(1 + th)


def dickman_density(theta, x):
    """Generalised Dickman density on (0, 1]: e^{−γθ} x^{θ−1} / Γ(θ).

    >>> x = sp.Symbol("x", positive=True)
    >>> dickman_density(1, x)  # θ = 1: flat on (0, 1]
    exp(-EulerGamma)
    >>> P = sp.integrate(dickman_density(1, x), (x, 0, 1))  # P(R <= 1) = P(W_(1) >= 1/2) at λ = 1
    >>> P, P == max_weight_tail_alpha1(sp.Integer(1), sp.Rational(1, 2))
    (exp(-EulerGamma), True)
    """
    return sp.exp(-sp.EulerGamma * theta) * x ** (theta - 1) / sp.gamma(theta)


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

    >>> th, x = sp.symbols("theta x", positive=True)
    >>> dickman_constant_limit(th)
    exp(-EulerGamma*theta)
    >>> sp.simplify(dickman_density(th, x) * sp.gamma(th) / x**(th - 1))  # C Γ(θ), C read off the density
    exp(-EulerGamma*theta)
    """
    s = sp.Symbol("s", positive=True)
    # Ein(s) − log s = γ + E_1(s), and 0 < E_1(s) < e^{−s}/s (DLMF 6.8.2) → 0: squeeze
    rest = sp.simplify(Ein(s) - sp.log(s) - sp.expint(1, s))
    squeeze = sp.limit(sp.exp(-s) / s, s, sp.oo)
    expo = sp.limit(rest, s, sp.oo) + squeeze
    return sp.exp(-theta * expo)
