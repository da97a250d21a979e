"""Incomplete-gamma-type functions of the Poisson-limit series: e^x Γ(α, x) and Ein(z).

``scaled_upper_gamma_table(alpha, xs)``  [e^x Γ(α, x) for x in xs] as Arb balls, by the upward recurrence

        e^x Γ(s + 1, x) = s e^x Γ(s, x) + x^s          (DLMF 8.8.2, times e^x)

    from α_0 = α − ⌈α⌉ + 1 ∈ (0, 1], where e^x Γ(α_0, x) is 1 (α_0 = 1), √π e^x erfc(√x) (α_0 = 1/2,
    DLMF 8.4.6) or Arb's ``gamma_upper`` times e^x. The recurrence adds positive terms, so it is stable
    upward. These are the moments C_m = α λ^{−α} m^{−α} e^x Γ(α, x), x = m v_1, of the shifted Poisson
    process of the first-point route (docs/mathematics.md §4).

``ein(z)``  the entire exponential integral Ein(z) = Σ_{m≥1} (−1)^{m+1} z^m/(m·m!) = ∫_0^z (1 − e^{−t}) dt/t
    (DLMF 6.2.3), the Laplace exponent of the α = 1 Poisson limit (Φ(t) = Ein(t)/λ, docs/mathematics.md §4)
    and of d = 3 keys (docs/mathematics.md §8). The series is summed for z < 2; beyond, where its terms
    cancel, Ein(z) = E_1(z) + log z + γ (DLMF 6.2.4).

``lower_gamma_2(z)``  γ(2, z) = 1 − (1 + z) e^{−z} = Σ_{k≥2} (−1)^k (k − 1) z^k/k! (DLMF 8.7.1), summed directly for
    z < 1, where the closed form cancels (the finite-n output at d = 3 and the α = 1 Poisson limit).

``dickman_tail(theta, x)``  e^{−γθ} x^θ/Γ(1 + θ), the generalised Dickman law GD(θ) at x ≤ 1 (P(R < x), R the
    sum of the other weights over the largest one in the α = 1 Poisson limit, θ = 1/λ; docs/mathematics.md §4),
    formed from its logarithm with log10 |log| extra digits, so that a tail far below the double range
    (θ = 10^300: P ~ 1/Γ(10^300)) keeps every digit of its mantissa.

All of them work at the caller's precision (Arb's ``ctx.prec`` for the table, mpmath's ``mp.prec`` for ``ein``):
they are called inside the working precision of the laws that use them.
"""
from __future__ import annotations

import math

import mpmath
from flint import arb

__all__ = ["scaled_upper_gamma_table", "ein", "lower_gamma_2", "dickman_tail"]


def scaled_upper_gamma_table(alpha: arb, xs) -> list:
    """[e^x Γ(α, x) for x in xs] (Arb balls, x ≥ 0) by the upward recurrence of DLMF 8.8.2 (module docstring).

    >>> from flint import arb, ctx
    >>> old, ctx.prec = ctx.prec, 100
    >>> g = scaled_upper_gamma_table(arb(5) / 2, [arb(1), arb(3)])
    >>> import mpmath
    >>> mpmath.nstr(mpmath.mpf(g[0].mid()._mpf_), 15), mpmath.nstr(mpmath.e * mpmath.gammainc(2.5, 1), 15)
    ('3.06840411710598', '3.06840411710598')
    >>> ctx.prec = old
    """
    steps = int(math.ceil(float(alpha.mid()))) - 1
    a0 = alpha - steps
    out = []
    half = arb(1) / 2
    for x in xs:
        if a0 == 1:
            g = arb(1)
        elif a0 == half:
            rx = x.sqrt()
            g = arb.const_sqrt_pi() * x.exp() * rx.erfc()
        else:
            g = x.gamma_upper(a0) * x.exp()
        s = a0
        for _ in range(steps):
            g = s * g + x ** s
            s = s + 1
        out.append(g)
    return out


def ein(z):
    """Ein(z) = Σ (−1)^{m+1} z^m/(m·m!) (DLMF 6.2.3) for real z ≥ 0 at the current mpmath precision; via
    E_1(z) + log z + γ (DLMF 6.2.4) for z ≥ 2, where the series would cancel.

    >>> import mpmath
    >>> mpmath.nstr(ein(mpmath.mpf(1)), 15), mpmath.nstr(mpmath.e1(1) + mpmath.euler, 15)
    ('0.796599599297053', '0.796599599297053')
    >>> mpmath.nstr(ein(mpmath.mpf(30)), 15), mpmath.nstr(mpmath.quad(lambda t: -mpmath.expm1(-t) / t, [0, 30]), 15)
    ('3.97841304656369', '3.97841304656369')
    """
    if z < 2:
        eps = mpmath.eps
        term, tot, k = z, z, 1
        while abs(term) > eps * abs(tot):
            term *= -z * k / ((k + 1) ** 2)
            tot += term
            k += 1
        return tot
    return mpmath.e1(z) + mpmath.log(z) + mpmath.euler


def lower_gamma_2(z):
    """γ(2, z) = 1 − (1 + z) e^{−z} for real z ≥ 0 at the current mpmath precision, by its series for z < 1 (no
    cancellation) and the closed form beyond (module docstring).

    >>> import mpmath
    >>> mpmath.nstr(lower_gamma_2(mpmath.mpf("1e-10")), 15), mpmath.nstr(mpmath.gammainc(2, 0, mpmath.mpf("1e-10")), 15)
    ('4.99999999966667e-21', '4.99999999966667e-21')
    """
    if z < 1:
        eps = mpmath.eps
        term = z * z / 2
        tot, k = term, 2
        while abs(term) > eps * tot:
            term *= -z / (k + 1)
            tot += term * k
            k += 1
        return tot
    return 1 - (1 + z) * mpmath.exp(-z)


def dickman_tail(theta, x):
    """e^{−γθ} x^θ/Γ(1 + θ) for θ > 0, 0 < x ≤ 1 (mpf) at the current mpmath precision, from its logarithm with
    log10 |log| extra digits (module docstring).

    >>> import mpmath
    >>> mpmath.nstr(dickman_tail(mpmath.mpf(1) / 2, mpmath.mpf(1)), 15), mpmath.nstr(mpmath.exp(-mpmath.euler / 2) / mpmath.gamma(1.5), 15)
    ('0.845501281633529', '0.845501281633529')
    >>> th = mpmath.mpf(2) ** 1000   # exact in binary; log10 of the tail is about −3·10^303
    >>> with mpmath.workdps(20):
    ...     a = dickman_tail(th, mpmath.mpf(1))
    >>> with mpmath.workdps(340):   # the same expression with every digit of the exponent carried
    ...     b = mpmath.exp(-mpmath.euler * th - mpmath.loggamma(1 + th))
    >>> with mpmath.workdps(40):
    ...     abs(a / b - 1) < mpmath.mpf(10) ** -20
    True
    """
    with mpmath.workdps(mpmath.mp.dps + 5):
        lg = -mpmath.euler * theta + theta * mpmath.log(x) - mpmath.loggamma(1 + theta)
    extra = int(mpmath.log10(abs(lg))) + 5 if abs(lg) > 1 else 0
    with mpmath.workdps(mpmath.mp.dps + extra):
        val = mpmath.exp(-mpmath.euler * theta + theta * mpmath.log(x) - mpmath.loggamma(1 + theta))
    return +val
