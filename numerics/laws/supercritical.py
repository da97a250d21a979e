"""Supercritical regime (β ≫ n^{1/α}): collapse of the weights on the nearest key (paper 1, §3; notes §7).

In the Poisson limit with S_1 < S_2 < … (S_j = Γ_j^{1/α}) and y_j = e^{−λ S_j}:

* 1 − W_(1) = R/(1 + R), R = Σ_{j≥2} e^{−λ(S_j − S_1)}, so −log(1 − W_(1))/λ → S_2 − S_1 in law as λ → ∞,
  with P(S_2 − S_1 > h) = ∫_0^∞ α s^{α−1} exp(−(s + h)^α) ds (condition on S_1 = s; no point in (s, s+h)).
  For α = 1 the gap is Exp(1); and exactly, for every λ (generalised Dickman law, theory.poisson_limit),
  P(W_(1) > 1 − ε) = e^{−γ/λ} (ε/(1 − ε))^{1/λ} / Γ(1 + 1/λ) for 0 < ε ≤ 1/2.
* Nearest key: P((κn)^{1/α} D_(1) > s) = (1 − I_{δ/2}(a, a))^n at δ = s (κn)^{−1/α} exactly,
  → exp(−s^α) (Weibull) as n → ∞.
* Output: (κn)^{1/α}(1 − ⟨q, y⟩) → N = Σ W_j S_j and N − S_1 = Σ_j W_j (S_j − S_1) ≥ 0 is the output's
  excess normal distance over the nearest key; E N − Γ(1 + 1/α) → 0 as λ → ∞.
"""
from __future__ import annotations

import mpmath

from attnlimits.numerics.precision import check_digits, working_digits
from attnlimits.theory.validation import InputError, count, dimension, positive_real, real

__all__ = ["collapse_probability_alpha1", "gap_survival", "gap_mean", "nearest_survival_exact",
           "nearest_survival_limit", "output_excess"]


def collapse_probability_alpha1(lam, eps, digits: int = 30):
    """P(W_(1) > 1 − ε) for α = 1 (d = 3), exact for 0 < ε ≤ 1/2 (generalised Dickman law)."""
    positive_real(lam, "lambda")
    real(eps, "eps", low=0, high=0.5, low_open=True)
    with working_digits(check_digits(digits)):
        lam, eps = mpmath.mpf(lam), mpmath.mpf(eps)
        th = 1 / lam
        return +(mpmath.exp(-mpmath.euler * th) * (eps / (1 - eps)) ** th / mpmath.gamma(1 + th))


def gap_survival(alpha, h, digits: int = 30):
    """P(S_2 − S_1 > h) = ∫_0^∞ α s^{α−1} exp(−(s + h)^α) ds: the λ → ∞ law of −log(1 − W_(1))/λ."""
    positive_real(alpha, "alpha")
    real(h, "h", low=0)
    with working_digits(check_digits(digits)):
        a, h = mpmath.mpf(alpha), mpmath.mpf(h)
        if h == 0:
            return mpmath.mpf(1)
        # u = s^α: ∫_0^∞ exp(−(u^{1/α} + h)^α) du
        return +mpmath.quad(lambda u: mpmath.exp(-(u ** (1 / a) + h) ** a), [0, 1, 10, mpmath.inf])


def gap_mean(alpha, digits: int = 30):
    """E(S_2 − S_1) = ∫_0^∞ P(S_2 − S_1 > h) dh = Γ(2 + 1/α)/... computed as Γ(1+1/α)(Γ(2+1/α)/Γ(1+1/α) − 1).

    With S_j = Γ_j^{1/α}: E S_j = Γ(j + 1/α)/Γ(j), so E(S_2 − S_1) = Γ(2 + 1/α) − Γ(1 + 1/α).
    """
    positive_real(alpha, "alpha")
    with working_digits(check_digits(digits)):
        a = mpmath.mpf(alpha)
        return +(mpmath.gamma(2 + 1 / a) - mpmath.gamma(1 + 1 / a))


def nearest_survival_exact(n, d, s, digits: int = 20):
    """P((κ_d n)^{1/α} D_(1) > s) = (1 − I_{δ/2}(a, a))^n, δ = s (κ_d n)^{−1/α}, exactly for n uniform keys."""
    from attnlimits.theory import sphere

    n, d = count(n, "n"), dimension(d)
    real(s, "s", low=0)
    with working_digits(check_digits(digits) + 10):
        a = mpmath.mpf(d - 1) / 2
        k = mpmath.mpf(str(sphere.kappa(d).evalf(mpmath.mp.dps + 10)))
        delta = mpmath.mpf(s) * (k * n) ** (-1 / a)
        if delta >= 2:
            return mpmath.mpf(0)
        p = mpmath.betainc(a, a, 0, delta / 2, regularized=True)
        return +mpmath.exp(n * mpmath.log1p(-p))


def nearest_survival_limit(alpha, s, digits: int = 20):
    """Weibull limit exp(−s^α)."""
    with working_digits(check_digits(digits)):
        return +mpmath.exp(-mpmath.mpf(s) ** mpmath.mpf(alpha))


def output_excess(lam, digits: int = 20):
    """E N − E S_1 = E Σ_j W_j (S_j − S_1) for α = 1: (1/λ) E Σ W v − 1 (one-dimensional integral)."""
    from attnlimits.numerics.laws.poisson_limit import alpha1_functionals

    r = alpha1_functionals(lam, digits)
    with working_digits(digits):
        return r["E_sum_Wv"] / mpmath.mpf(lam) - 1
