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
import math

import mpmath

from attnlimits.numerics.special.incomplete_gamma import dickman_tail
from attnlimits.numerics.precision import precise
from attnlimits.numerics.results import Result
from attnlimits.theory.validation import InputError, count, dimension, positive_real, real
from attnlimits.theory.validation import to_mpf as read_mpf

__all__ = ["collapse_probability_alpha1", "gap_survival", "gap_mean", "nearest_survival_exact",
           "nearest_survival_limit", "output_excess", "SupercriticalLaws", "supercritical_laws"]


@precise
def collapse_probability_alpha1(lam, eps, digits: int = 30):
    """P(W_(1) > 1 − ε) for α = 1 (d = 3), exact for 0 < ε ≤ 1/2: e^{−γ/λ} (ε/(1 − ε))^{1/λ}/Γ(1 + 1/λ)
    (generalised Dickman law; docs/mathematics.md §7).

    The value is formed from its logarithm with log10 |log P| extra digits, so that a tail far below the
    double range (small λ: P ~ 1/Γ(1 + 1/λ)) still carries ``digits`` significant digits.

    >>> import mpmath
    >>> mpmath.nstr(collapse_probability_alpha1(1, "0.5", digits=20), 15)  # λ = 1, ε = 1/2: e^{−γ}
    '0.561459483566885'
    >>> p = collapse_probability_alpha1("1/1000", "1/4", digits=15)  # λ = 1/1000: 3^{−1000} e^{−1000γ}/1000!
    >>> with mpmath.workdps(40):
    ...     mpmath.nstr(p, 15), mpmath.nstr(mpmath.mpf(3) ** -1000 * mpmath.exp(-1000 * mpmath.euler) / mpmath.factorial(1000), 15)
    ('3.91311781179647e-3296', '3.91311781179647e-3296')
    """
    lam = read_mpf(positive_real(lam, "lambda"))
    eps = read_mpf(real(eps, "eps", low=0, high="1/2", low_open=True))
    return dickman_tail(1 / lam, eps / (1 - eps))


#: Largest x^α in exp(−x^α) (gap and Weibull laws): the value is then 10^{−4.3·10^{999}}; beyond, its decimal
#: exponent alone would need more than a thousand digits.
MAX_POWER_LOG10 = 1000


def _power_log10(x, a, name: str):
    """log10 of x^α (x > 0), refusing x^α beyond 10^MAX_POWER_LOG10 (checked mpf inputs)."""
    p = a * mpmath.log10(x)
    if p > MAX_POWER_LOG10:
        raise InputError(f"{name}^alpha = 10^{mpmath.nstr(p, 4)} is out of range: exp(-{name}^alpha) is below "
                         f"10^(-10^{MAX_POWER_LOG10}), beyond the numbers the package carries "
                         f"({name}^alpha <= 10^{MAX_POWER_LOG10})")
    return p


def _exp_neg_power(x_raw, a_raw, p10, shift=0):
    """e^{−x^α + shift} with x^α = 10^{p10}: x and α re-read and the power taken with p10 extra digits, so that
    every digit of the mantissa survives a huge x^α (the exponent then needs p10 more digits than the result)."""
    extra = max(0, int(p10)) + 5
    with mpmath.workdps(mpmath.mp.dps + extra):
        val = mpmath.exp(-read_mpf(x_raw) ** read_mpf(a_raw) + shift)
    return +val


@precise
def gap_survival(alpha, h, digits: int = 30):
    """P(S_2 − S_1 > h) = ∫_0^∞ α x^{α−1} exp(−(x + h)^α) dx (condition on S_1 = x): the λ → ∞ law of
    −log(1 − W_(1))/λ (docs/mathematics.md §7).

    Evaluated (beyond moderate α and h^α, where the direct form in u = x^α serves) as
    e^{−h^α} ∫ exp(η − h^α expm1(α log1p(x/h))) dη in η = α log x (x^α = e^η), whose integrand
    is a smooth bump of unit width around the root of ln x + (α − 1)(ln h + log1p(x/h)) = 0 for every α and h:
    no cancellation, and the tiny tails of large h or large α keep their digits (docs/critical.md §5).

    >>> import mpmath
    >>> mpmath.nstr(gap_survival(1, 2, digits=20), 15), mpmath.nstr(mpmath.exp(-2), 15)  # α = 1: Exp(1)
    ('0.135335283236613', '0.135335283236613')
    >>> with mpmath.workdps(40):  # α = 2: e^{−h²} − h√π erfc(h)
    ...     ref = mpmath.exp(-9) - 3 * mpmath.sqrt(mpmath.pi) * mpmath.erfc(3)
    >>> mpmath.nstr(gap_survival(2, 3, digits=15), 12), mpmath.nstr(ref, 12)
    ('5.946644666e-6', '5.946644666e-6')
    """
    a = read_mpf(positive_real(alpha, "alpha"))
    h_raw = real(h, "h", low=0)
    h = read_mpf(h_raw)
    if h == 0:
        return mpmath.mpf(1)
    p10 = _power_log10(h, a, "h")
    ha = h ** a
    if 1 <= a <= 30 and ha <= 30:
        # moderate tail: the direct form in u = S_1^α, ∫ exp(−(u^{1/α} + h)^α) du, is as accurate and 5× cheaper
        return mpmath.quad(lambda u: mpmath.exp(-(u ** (1 / a) + h) ** a), [0, 1, 10, mpmath.inf])

    def log_integrand(eta):
        x = mpmath.exp(eta / a)
        return eta - ha * mpmath.expm1(a * mpmath.log1p(x / h))

    # the peak: d/dη = 0 ⇔ ln x + (α − 1)(ln h + log1p(x/h)) = 0, increasing in ln x (bisection in double)
    af, lhf = float(a), float(mpmath.log(h))

    def slope(lx):
        return lx + (af - 1) * (lhf + math.log1p(math.exp(min(lx - lhf, 700.0))))

    lo, hi = -1e6, 1e6
    for _ in range(80):
        mid = (lo + hi) / 2
        if slope(mid) > 0:
            hi = mid
        else:
            lo = mid
    eta0 = mpmath.mpf(af * lo)
    top = log_integrand(eta0)
    depth = mpmath.mp.prec * mpmath.log(2) + 20
    pts = [eta0 - depth, eta0 - 8, eta0, eta0 + 4, eta0 + 30]
    with mpmath.workdps(mpmath.mp.dps + 5):
        val = mpmath.quad(lambda e: mpmath.exp(log_integrand(e) - top), pts)
    return _exp_neg_power(h_raw, alpha, p10, top + mpmath.log(val))


@precise
def gap_mean(alpha, digits: int = 30):
    """E(S_2 − S_1) = Γ(2 + 1/α) − Γ(1 + 1/α) = Γ(1 + 1/α)/α (docs/mathematics.md §7).

    With S_j = Γ_j^{1/α}: E S_j = Γ(j + 1/α)/Γ(j), so E(S_2 − S_1) = Γ(2 + 1/α) − Γ(1 + 1/α), which is
    Γ(1 + 1/α)/α without the cancellation.

    >>> import mpmath
    >>> mpmath.nstr(gap_mean(2, digits=20), 15), mpmath.nstr(mpmath.sqrt(mpmath.pi) / 4, 15)  # Γ(5/2) − Γ(3/2)
    ('0.443113462726379', '0.443113462726379')
    """
    a = read_mpf(positive_real(alpha, "alpha"))
    return mpmath.gamma(1 + 1 / a) / a


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
    s = read_mpf(real(s, "s", low=0))
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
    a = read_mpf(positive_real(alpha, "alpha"))
    s_raw = real(s, "s", low=0)
    s = read_mpf(s_raw)
    if s == 0:
        return mpmath.mpf(1)
    return _exp_neg_power(s_raw, alpha, _power_log10(s, a, "s"))


@precise
def output_excess(lam, digits: int = 20):
    """E N − E S_1 = E Σ_j W_j (S_j − S_1) for α = 1: λ^{−2} ∫_0^∞ e^{−τ − Ein(τ)/λ} Ein(τ)/τ dτ
    (docs/critical.md §5: the gaps S_j − S_1 form a rate-1 Poisson process independent of S_1, Mecke's formula
    and 1/(1 + R + y) = ∫ e^{−τ(1+y)} dτ with E e^{−τR} = e^{−Ein(τ)/λ}). No cancellation at any λ:
    λ²(E N − 1) → π²/12 as λ → ∞, E N − 1 ~ 1/λ as λ → 0.

    >>> import mpmath
    >>> mpmath.nstr(output_excess(10, digits=10), 10)  # λ² · this → π²/12 as λ → ∞
    '0.007747354607'
    >>> mpmath.nstr(output_excess("1e300", digits=10) * mpmath.mpf(10) ** 600, 10), mpmath.nstr(mpmath.pi**2 / 12, 10)
    ('0.8224670334', '0.8224670334')
    """
    from attnlimits.numerics.special.incomplete_gamma import ein

    lam = read_mpf(positive_real(lam, "lambda"))
    bits = mpmath.mp.prec
    depth = bits * mpmath.log(2) + 20
    # in s = log τ the integrand e^{s}-decays at −∞ and double-exponentially beyond τ ≈ min(1, λ) · depth
    c = min(mpmath.log(lam), mpmath.mpf(0))
    lo = c - depth
    hi = mpmath.log(depth + 40) + 1
    pts = sorted(set(x for x in (lo, c - 20, c - 5, c, c + 2, c + 5, 0, 2, hi) if lo <= x <= hi))

    # mpmath.quad stops on an absolute error: the integrand is divided by its size, min(λ, 1)
    size = min(lam, mpmath.mpf(1))

    def f(s):
        tau = mpmath.exp(s)
        e = ein(tau)
        return mpmath.exp(-tau - e / lam) * e / size

    return mpmath.quad(f, pts) * size / lam ** 2


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
    a = mpmath.mpf(dimension(d) - 1) / 2 if d is not None else read_mpf(positive_real(alpha, "alpha"))
    # every argument is checked before any work, also those this α does not use (ε and λ for α ≠ 1)
    if lam is not None:
        positive_real(lam, "lambda")
    real(eps, "eps", low=0, high="1/2", low_open=True)
    for name, x in (("h", h), ("s", s)):
        xv = read_mpf(real(x, name, low=0))
        if xv > 0:
            _power_log10(xv, a, name)
    with_lam = a == 1 and lam is not None
    return SupercriticalLaws(
        alpha=a,
        P_gap_gt_h=gap_survival(a, h, digits),
        E_gap=gap_mean(a, digits),
        P_nearest_gt_s_weibull=nearest_survival_limit(a, s, digits),
        P_W1_gt_1_minus_eps=collapse_probability_alpha1(lam, eps, digits) if with_lam else None,
        E_output_excess=output_excess(lam, digits) if with_lam else None,
    )
