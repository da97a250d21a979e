"""Constants of uniform keys on S^{d-1} at requested precision, and the table of constants (paper 1, §2-§3).

kappa_d = 2^{-a} / (a B(a, a)), a = alpha = (d - 1)/2 (:func:`attnlimits.theory.sphere.kappa`), evaluated
in log space with log-Gamma so that any d up to 10^9 works:

    log kappa_d = -a log 2 + log Gamma(2a) - log a - 2 log Gamma(a).

The critical scale is beta*_n = (kappa_d n)^{2/(d-1)} = C_d n^{2/(d-1)} with C_d = kappa_d^{1/alpha}, and
n_eff = kappa_d Gamma(alpha + 1) n beta^{-alpha} (docs/mathematics.md §2-§3).

:data:`CONSTANT_ROWS` is the table printed by ``attnlimits constants``: a list of
(key, LaTeX name, value function (d, digits) -> mpf or list of mpf); :func:`constants` returns them all as one
:class:`SphereConstants`. Adding a constant is adding a row here and the field of the same name there.
"""
from __future__ import annotations

import dataclasses

import mpmath

from attnlimits.numerics.precision import precise
from attnlimits.numerics.results import Result
from attnlimits.theory.validation import dimension, integer

__all__ = ["alpha_value", "log_kappa_value", "kappa_value", "critical_exponent_value", "critical_constant",
           "neff_constant", "cap_series_values", "cap_series_powers", "CONSTANT_ROWS", "SphereConstants",
           "constants"]


def _a(d):
    return mpmath.mpf(d - 1) / 2


@precise
def alpha_value(d, digits=20):
    """alpha = (d - 1)/2, the local exponent of the cap law P(D <= t) ~ kappa_d t^alpha.

    >>> alpha_value(3, 20)
    mpf('1.0')
    """
    d = dimension(d)
    return _a(d)


@precise
def log_kappa_value(d, digits=20):
    """log kappa_d = -a log 2 + log Gamma(2a) - log a - 2 log Gamma(a).

    >>> mpmath.nstr(log_kappa_value(3, 20), 15)  # kappa_3 = 1/2
    '-0.693147180559945'
    """
    d = dimension(d)
    a = _a(d)
    return -a * mpmath.log(2) + mpmath.loggamma(2 * a) - mpmath.log(a) - 2 * mpmath.loggamma(a)


@precise
def kappa_value(d, digits=20):
    """kappa_d = 2^{-a} / (a B(a, a)) to ``digits`` significant digits.

    >>> mpmath.nstr(kappa_value(3, 20), 15), mpmath.nstr(kappa_value(2, 20) * mpmath.pi, 15)  # 1/2, sqrt(2)/pi
    ('0.5', '1.41421356237309')
    """
    return mpmath.exp(log_kappa_value(d, digits))


@precise
def critical_exponent_value(d, digits=20):
    """2/(d - 1) = 1/alpha, the exponent of n in beta*_n.

    >>> critical_exponent_value(5, 20)
    mpf('0.5')
    """
    d = dimension(d)
    return 1 / _a(d)


@precise
def critical_constant(d, digits=20):
    """C_d = kappa_d^{2/(d-1)}: beta*_n = C_d n^{2/(d-1)}.

    >>> mpmath.nstr(critical_constant(5, 20), 15)  # kappa_5 = 3/4, so C_5 = sqrt(3)/2
    '0.866025403784439'
    """
    d = dimension(d)
    return mpmath.exp(log_kappa_value(d, digits) / _a(d))


@precise
def neff_constant(d, digits=20):
    """kappa_d Gamma(alpha + 1): n_eff = kappa_d Gamma(alpha + 1) n beta^{-alpha}.

    >>> mpmath.nstr(neff_constant(3, 20), 15)  # kappa_3 Gamma(2) = 1/2
    '0.5'
    """
    d = dimension(d)
    return mpmath.exp(log_kappa_value(d, digits) + mpmath.loggamma(_a(d) + 1))


@precise
def cap_series_values(d, digits=20, order=4):
    """Coefficients C_0..C_{order-1} of P(D <= t) = sum_k C_k t^{a+k} (theory's symbolic-d series at d).

    >>> [mpmath.nstr(c, 15) for c in cap_series_values(5, 20)]  # (1+X)/2 ~ Beta(2, 2): P = 3t^2/4 - t^3/4
    ['0.75', '-0.25', '0.0', '0.0']
    """
    from attnlimits.numerics.laws.cap import cap_series_coefficients

    return [c for _, c in cap_series_coefficients(d, order, digits)]


def cap_series_powers(d, order=4):
    """The powers a + k of t in the cap series (half-integers, exact at any precision).

    >>> cap_series_powers(4, 2)
    [mpf('1.5'), mpf('2.5')]
    """
    d = dimension(d)
    order = integer(order, "order", low=1, high=60)
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


@dataclasses.dataclass(frozen=True)
class SphereConstants(Result):
    """The constants of uniform keys on S^{d-1} at one d (docs/mathematics.md §2-§3), mpf at the requested digits.

    Fields, in the order of :data:`CONSTANT_ROWS`:

    - ``alpha``: alpha = (d - 1)/2, the local exponent of P(D <= t) ~ kappa_d t^alpha;
    - ``kappa``: kappa_d = 2^{-alpha}/(alpha B(alpha, alpha));
    - ``critical_exponent``: 2/(d - 1), the exponent of n in beta*_n;
    - ``critical_constant``: kappa_d^{2/(d-1)} = beta*_n / n^{2/(d-1)};
    - ``neff_constant``: kappa_d Gamma(alpha + 1) = n_eff beta^alpha / n;
    - ``cap_series``: the coefficients C_0, C_1, ... of P(D <= t) = sum_k C_k t^{alpha+k};
    - ``cap_series_powers``: the powers alpha + k of t in that series.

    d = 5: alpha = 2, kappa_5 = 3/4, critical constant kappa_5^{1/2} = sqrt(3)/2, and (1 + X)/2 ~ Beta(2, 2) gives
    P(D <= t) = 3t^2/4 - t^3/4:

    >>> c = constants(5, 10)
    >>> mpmath.nstr(c.critical_constant, 10), mpmath.nstr(mpmath.sqrt(3) / 2, 10)
    ('0.8660254038', '0.8660254038')
    >>> {k: c.to_json(6)[k] for k in ("alpha", "kappa", "cap_series")}
    {'alpha': '2.00000', 'kappa': '0.750000', 'cap_series': ['0.750000', '-0.250000', '0.00000', '0.00000']}
    """

    alpha: mpmath.mpf
    kappa: mpmath.mpf
    critical_exponent: mpmath.mpf
    critical_constant: mpmath.mpf
    neff_constant: mpmath.mpf
    cap_series: tuple
    cap_series_powers: tuple


@precise
def constants(d, digits=20) -> SphereConstants:
    """Every row of :data:`CONSTANT_ROWS` at d, and the powers of the cap series, as one :class:`SphereConstants`.

    >>> c = constants(3, 10)  # d = 3: X is uniform on [-1, 1], P(D <= t) = t/2
    >>> c.to_json(6)["kappa"], c.to_json(6)["cap_series_powers"][:2]
    ('0.500000', ['1.00000', '2.00000'])
    """
    d = dimension(d)
    values = {key: fn(d, digits) for key, _, fn in CONSTANT_ROWS}
    values["cap_series"] = tuple(values["cap_series"])
    return SphereConstants(**values, cap_series_powers=tuple(cap_series_powers(d, len(values["cap_series"]))))
