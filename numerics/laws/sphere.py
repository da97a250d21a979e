"""Constants of uniform keys on S^{d-1} at requested precision, and the table of constants (paper 1, §2-§3).

kappa_d = 2^{-a} / (a B(a, a)), a = alpha = (d - 1)/2 (:func:`attnlimits.theory.sphere.kappa`), evaluated
in log space with log-Gamma so that any d up to 10^9 works:

    log kappa_d = -a log 2 + log Gamma(2a) - log a - 2 log Gamma(a).

The critical scale is beta*_n = (kappa_d n)^{2/(d-1)} = C_d n^{2/(d-1)} with C_d = kappa_d^{1/alpha}, and
n_eff = kappa_d Gamma(alpha + 1) n beta^{-alpha}.

:data:`CONSTANT_ROWS` is the table printed by ``attnlimits constants``: a list of
(key, LaTeX name, value function (d, digits) -> mpf or list of mpf). Another regime adds its rows by
appending to this list.
"""
from __future__ import annotations

import mpmath

from attnlimits.numerics.precision import check_digits, working_digits
from attnlimits.theory.validation import dimension

__all__ = ["alpha_value", "log_kappa_value", "kappa_value", "critical_exponent_value", "critical_constant",
           "neff_constant", "cap_series_values", "cap_series_powers", "CONSTANT_ROWS", "constants"]


def _a(d):
    return mpmath.mpf(d - 1) / 2


def alpha_value(d, digits=20):
    """alpha = (d - 1)/2."""
    d = dimension(d)
    with working_digits(digits):
        return _a(d)


def log_kappa_value(d, digits=20):
    """log kappa_d = -a log 2 + log Gamma(2a) - log a - 2 log Gamma(a)."""
    d = dimension(d)
    with working_digits(digits):
        a = _a(d)
        return -a * mpmath.log(2) + mpmath.loggamma(2 * a) - mpmath.log(a) - 2 * mpmath.loggamma(a)


def kappa_value(d, digits=20):
    """kappa_d = 2^{-a} / (a B(a, a)) to ``digits`` significant digits."""
    with working_digits(digits):
        return mpmath.exp(log_kappa_value(d, digits))


def critical_exponent_value(d, digits=20):
    """2/(d - 1) = 1/alpha, the exponent of n in beta*_n."""
    d = dimension(d)
    with working_digits(digits):
        return 1 / _a(d)


def critical_constant(d, digits=20):
    """C_d = kappa_d^{2/(d-1)}: beta*_n = C_d n^{2/(d-1)}."""
    d = dimension(d)
    with working_digits(digits):
        return mpmath.exp(log_kappa_value(d, digits) / _a(d))


def neff_constant(d, digits=20):
    """kappa_d Gamma(alpha + 1): n_eff = kappa_d Gamma(alpha + 1) n beta^{-alpha}."""
    d = dimension(d)
    with working_digits(digits):
        return mpmath.exp(log_kappa_value(d, digits) + mpmath.loggamma(_a(d) + 1))


def cap_series_values(d, digits=20, order=4):
    """Coefficients C_0..C_{order-1} of P(D <= t) = sum_k C_k t^{a+k} (theory's symbolic-d series at d)."""
    from attnlimits.numerics.laws.cap import cap_series_coefficients

    return [c for _, c in cap_series_coefficients(d, order, digits)]


def cap_series_powers(d, order=4):
    """The powers a + k of t in the cap series."""
    d = dimension(d)
    return [mpmath.mpf(d - 1) / 2 + k for k in range(order)]


#: (key, LaTeX name, value function (d, digits)); ``attnlimits constants`` prints them in this order.
CONSTANT_ROWS = [
    ("alpha", r"\alpha = \tfrac{d-1}{2}", alpha_value),
    ("kappa", r"\kappa_d = \tfrac{2^{-\alpha}}{\alpha B(\alpha,\alpha)}", kappa_value),
    ("critical_exponent", r"\tfrac{2}{d-1}", critical_exponent_value),
    ("critical_constant", r"\kappa_d^{2/(d-1)} = \beta^*_n / n^{2/(d-1)}", critical_constant),
    ("neff_constant", r"\kappa_d \Gamma(\alpha+1) = n_{\mathrm{eff}} \beta^{\alpha} / n", neff_constant),
    ("cap_series", r"C_k:\ P(D \le t) = \sum_k C_k t^{\alpha+k}", cap_series_values),
]


def constants(d, digits=20, rows=None):
    """{key: value} for every row of :data:`CONSTANT_ROWS` (or the given ``rows``)."""
    d = dimension(d)
    digits = check_digits(digits)
    return {key: fn(d, digits) for key, _, fn in (CONSTANT_ROWS if rows is None else rows)}
