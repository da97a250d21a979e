"""Supercritical regime (β ≫ n^{1/α}): collapse of the weights on the nearest key (paper 1, §3; docs/mathematics.md §7).

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

import dataclasses

import mpmath

from attnlimits.numerics.precision import precise
from attnlimits.numerics.results import Result
from attnlimits.theory.validation import InputError, count, dimension, positive_real, real

__all__ = ["collapse_probability_alpha1", "gap_survival", "gap_mean", "nearest_survival_exact",
           "nearest_survival_limit", "output_excess", "SupercriticalLaws", "supercritical_laws"]


@precise
def collapse_probability_alpha1(lam, eps, digits: int = 30):
    """P(W_(1) > 1 − ε) for α = 1 (d = 3), exact for 0 < ε ≤ 1/2: e^{−γ/λ} (ε/(1 − ε))^{1/λ}/Γ(1 + 1/λ)
    (generalised Dickman law; docs/mathematics.md §7).

    >>> import mpmath
    >>> mpmath.nstr(collapse_probability_alpha1(1, "0.5", digits=20), 15)  # λ = 1, ε = 1/2: e^{−γ}
    '0.561459483566885'
    """
    lam = mpmath.mpf(positive_real(lam, "lambda"))
    eps = mpmath.mpf(real(eps, "eps", low=0, high=0.5, low_open=True))
    th = 1 / lam
    return mpmath.exp(-mpmath.euler * th) * (eps / (1 - eps)) ** th / mpmath.gamma(1 + th)


@precise
def gap_survival(alpha, h, digits: int = 30):
    """P(S_2 − S_1 > h) = ∫_0^∞ α s^{α−1} exp(−(s + h)^α) ds: the λ → ∞ law of −log(1 − W_(1))/λ
    (docs/mathematics.md §7).

    >>> import mpmath
    >>> mpmath.nstr(gap_survival(1, 2, digits=20), 15), mpmath.nstr(mpmath.exp(-2), 15)  # α = 1: Exp(1)
    ('0.135335283236613', '0.135335283236613')
    """
    a = mpmath.mpf(positive_real(alpha, "alpha"))
    h = mpmath.mpf(real(h, "h", low=0))
    if h == 0:
        return mpmath.mpf(1)
    # u = s^α: ∫_0^∞ exp(−(u^{1/α} + h)^α) du
    return mpmath.quad(lambda u: mpmath.exp(-(u ** (1 / a) + h) ** a), [0, 1, 10, mpmath.inf])


@precise
def gap_mean(alpha, digits: int = 30):
    """E(S_2 − S_1) = ∫_0^∞ P(S_2 − S_1 > h) dh = Γ(2 + 1/α) − Γ(1 + 1/α) (docs/mathematics.md §7).

    With S_j = Γ_j^{1/α}: E S_j = Γ(j + 1/α)/Γ(j), so E(S_2 − S_1) = Γ(2 + 1/α) − Γ(1 + 1/α).

    >>> import mpmath
    >>> mpmath.nstr(gap_mean(2, digits=20), 15), mpmath.nstr(mpmath.sqrt(mpmath.pi) / 4, 15)  # Γ(5/2) − Γ(3/2)
    ('0.443113462726379', '0.443113462726379')
    """
    a = mpmath.mpf(positive_real(alpha, "alpha"))
    return mpmath.gamma(2 + 1 / a) - mpmath.gamma(1 + 1 / a)


# 25 guard digits, 10 beyond the usual: exp(n log1p(−p)) turns the rounding error of p into a relative error n p ε
@precise(guard=25)
def nearest_survival_exact(n, d, s, digits: int = 20):
    """P((κ_d n)^{1/α} D_(1) > s) = (1 − I_{δ/2}(a, a))^n, δ = s (κ_d n)^{−1/α}, exactly for n uniform keys
    (docs/mathematics.md §7).

    >>> import mpmath
    >>> mpmath.nstr(nearest_survival_exact(10, 3, 1, digits=15), 15)  # d = 3: (1 − s/n)^n = 0.9^10
    '0.3486784401'
    """
    from attnlimits.theory import sphere

    n, d = count(n, "n"), dimension(d)
    s = mpmath.mpf(real(s, "s", low=0))
    a = mpmath.mpf(d - 1) / 2
    k = mpmath.mpf(str(sphere.kappa(d).evalf(mpmath.mp.dps + 10)))
    delta = s * (k * n) ** (-1 / a)
    if delta >= 2:
        return mpmath.mpf(0)
    p = mpmath.betainc(a, a, 0, delta / 2, regularized=True)
    return mpmath.exp(n * mpmath.log1p(-p))


@precise
def nearest_survival_limit(alpha, s, digits: int = 20):
    """The Weibull limit exp(−s^α) of P((κ_d n)^{1/α} D_(1) > s) (docs/mathematics.md §7).

    >>> import mpmath
    >>> mpmath.nstr(nearest_survival_limit(2, 1, digits=20), 15), mpmath.nstr(mpmath.exp(-1), 15)
    ('0.367879441171442', '0.367879441171442')
    """
    a = mpmath.mpf(positive_real(alpha, "alpha"))
    s = mpmath.mpf(real(s, "s", low=0))
    return mpmath.exp(-s ** a)


@precise
def output_excess(lam, digits: int = 20):
    """E N − E S_1 = E Σ_j W_j (S_j − S_1) for α = 1: E N − 1 with E N = E Σ W v/λ (one-dimensional integral,
    :func:`attnlimits.numerics.laws.poisson_limit.alpha1_functionals`; docs/mathematics.md §7).

    >>> import mpmath
    >>> mpmath.nstr(output_excess(10, digits=10), 10)  # λ² · this → π²/12 as λ → ∞
    '0.007747354607'
    """
    from attnlimits.numerics.laws.poisson_limit import alpha1_functionals

    return alpha1_functionals(lam, digits).E_normal - 1


@dataclasses.dataclass(frozen=True)
class SupercriticalLaws(Result):
    """The supercritical laws at one α (module docstring; docs/mathematics.md §7), mpmath numbers.

    - ``alpha``: the local exponent α = (d − 1)/2.
    - ``P_gap_gt_h``: P(S_2 − S_1 > h), the λ → ∞ law of −log(1 − W_(1))/λ.
    - ``E_gap``: E(S_2 − S_1) = Γ(2 + 1/α) − Γ(1 + 1/α).
    - ``P_nearest_gt_s_weibull``: exp(−s^α), the limit of P((κn)^{1/α} D_(1) > s).
    - ``P_W1_gt_1_minus_eps``: P(W_(1) > 1 − ε), exact at every λ for α = 1 (None otherwise or without λ).
    - ``E_output_excess``: E N − E S_1 for α = 1 (None otherwise or without λ).
    """

    alpha: object
    P_gap_gt_h: object
    E_gap: object
    P_nearest_gt_s_weibull: object
    P_W1_gt_1_minus_eps: object = None
    E_output_excess: object = None


@precise
def supercritical_laws(*, alpha=None, d=None, lam=None, eps="0.01", h="1", s="1",
                       digits: int = 20) -> SupercriticalLaws:
    """The laws of :class:`SupercriticalLaws` at α (or α = (d − 1)/2), gap h and distance s; for α = 1 and a
    given λ also the exact P(W_(1) > 1 − ε) and the output's excess distance.

    >>> r = supercritical_laws(d=3, lam=10, digits=10)
    >>> r.to_json(10)["E_gap"], r.to_json(10)["P_W1_gt_1_minus_eps"]  # α = 1: E(S_2 − S_1) = 1
    ('1.000000000', '0.6266537585')
    """
    if (alpha is None) == (d is None):
        raise InputError("give d or alpha, not both" if alpha is not None else "give d or alpha")
    a = mpmath.mpf(dimension(d) - 1) / 2 if d is not None else mpmath.mpf(positive_real(alpha, "alpha"))
    real(h, "h", low=0)
    real(s, "s", low=0)
    with_lam = a == 1 and lam is not None
    return SupercriticalLaws(
        alpha=a,
        P_gap_gt_h=gap_survival(a, h, digits),
        E_gap=gap_mean(a, digits),
        P_nearest_gt_s_weibull=nearest_survival_limit(a, s, digits),
        P_W1_gt_1_minus_eps=collapse_probability_alpha1(lam, eps, digits) if with_lam else None,
        E_output_excess=output_excess(lam, digits) if with_lam else None,
    )
