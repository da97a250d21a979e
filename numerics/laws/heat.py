"""Funk–Hecke eigenvalues of softmax averaging against the heat semigroup, evaluated (docs/mathematics.md §6, P1 §3).

lambda_l(beta) = I_{l+nu}(beta)/I_nu(beta), nu = d/2 - 1 (:func:`funk_hecke_eigenvalue`), against
e^{-l(l+d-2)/(2 beta)} (:func:`heat_semigroup`). Their difference is exactly -l(l+d-2)/(4 beta^2) + O(beta^{-3})
(:func:`attnlimits.theory.heat.heat_difference_coefficients`); :func:`heat_values` returns all three as one
:class:`HeatValues`, and :func:`difference_slope` measures the log-log slope of |difference| in beta, which must
approach -2.
"""
from __future__ import annotations

import dataclasses

import mpmath

from attnlimits.numerics.precision import GUARD_DIGITS, precise, working_digits
from attnlimits.numerics.results import Result
from attnlimits.numerics.special.bessel_ratio import bessel_ratio_gap, bessel_ratio_gap_ball
from attnlimits.theory.validation import dimension, integer, positive_real

__all__ = ["funk_hecke_eigenvalue", "heat_semigroup", "HeatValues", "heat_values", "difference_slope",
           "funk_hecke_quadrature"]


@precise
def funk_hecke_eigenvalue(d, degree, beta, digits: int = 20, certified: bool = False):
    """lambda_l(beta) = I_{l+d/2-1}(beta)/I_{d/2-1}(beta): softmax averaging of a degree-l harmonic (Funk–Hecke,
    docs/mathematics.md §6).

    ``certified=True`` returns an Arb ball (python-flint) instead of an mpf.

    >>> funk_hecke_eigenvalue(3, 0, 2, 20)  # degree 0: constants are kept
    mpf('1.0')
    >>> mpmath.nstr(funk_hecke_eigenvalue(3, 2, 2, 20), 15)  # d = 3: 1 - 3 A_3(beta)/beta, A_3 = coth beta - 1/beta
    '0.194027918908678'
    """
    d = dimension(d)
    degree = integer(degree, "degree", low=0)
    nu = mpmath.mpf(d - 2) / 2
    if certified:
        return bessel_ratio_gap_ball(nu, degree, beta, digits)
    return bessel_ratio_gap(nu, degree, beta, digits)


@precise
def heat_semigroup(d, degree, beta, digits: int = 20):
    """e^{-l(l+d-2) t} at t = 1/(2 beta): the heat semigroup e^{t Delta} on a degree-l harmonic of S^{d-1}.

    >>> mpmath.nstr(heat_semigroup(3, 2, 2, 20), 15), mpmath.nstr(mpmath.exp(-1.5), 15)  # l(l+d-2) = 6
    ('0.22313016014843', '0.22313016014843')
    """
    d = dimension(d)
    degree = integer(degree, "degree", low=0)
    positive_real(beta, "beta")
    return mpmath.exp(-mpmath.mpf(degree) * (degree + d - 2) / (2 * mpmath.mpf(beta)))


@dataclasses.dataclass(frozen=True)
class HeatValues(Result):
    """A Funk–Hecke eigenvalue against the heat semigroup at one (d, l, beta) (docs/mathematics.md §6), mpf.

    - ``eigenvalue``: lambda_l(beta) = I_{l+nu}(beta)/I_nu(beta), nu = d/2 - 1;
    - ``heat_semigroup``: e^{-l(l+d-2)/(2 beta)}, the heat semigroup at time 1/(2 beta);
    - ``difference``: eigenvalue - heat_semigroup = -l(l+d-2)/(4 beta^2) + O(beta^-3), to the requested digits
      despite the cancellation.

    d = 3, l = 1: λ_1(β) = A_3(β) = coth β − 1/β and the semigroup is e^{−1/β}:

    >>> h = heat_values(3, 1, 2, 10)
    >>> mpmath.nstr(h.eigenvalue, 10), mpmath.nstr(mpmath.coth(2) - 0.5, 10), mpmath.nstr(h.heat_semigroup, 10)
    ('0.5373147207', '0.5373147207', '0.6065306597')
    >>> h.to_json(6)
    {'eigenvalue': '0.537315', 'heat_semigroup': '0.606531', 'difference': '-0.0692159'}
    """

    eigenvalue: mpmath.mpf
    heat_semigroup: mpmath.mpf
    difference: mpmath.mpf


@precise
def heat_values(d, degree, beta, digits: int = 20) -> HeatValues:
    """The eigenvalue, the heat semigroup and their difference (:class:`HeatValues`). The difference is delivered
    to ``digits`` significant digits by computing both terms with log10(beta^2 / (l(l+d-2) + 1)) + 5 extra digits.

    >>> h = heat_values(3, 2, 1000, 20)  # d = 3: 1 - 3 A_3/beta = 0.997003 exactly up to e^{-2 beta} terms
    >>> mpmath.nstr(h.eigenvalue, 15), mpmath.nstr(h.difference * 1000**2, 15)  # -> -l(l+d-2)/4 = -1.5
    ('0.997003', '-1.49550337297601')
    """
    d = dimension(d)
    degree = integer(degree, "degree", low=0)
    positive_real(beta, "beta")
    b = mpmath.mpf(beta)
    extra = max(0, int(mpmath.log10(b * b / (degree * (degree + d - 2) + 1) + 1))) + 5
    lam = funk_hecke_eigenvalue(d, degree, beta, digits + extra)
    heat = heat_semigroup(d, degree, beta, digits + extra)
    with working_digits(digits + extra):  # the difference cancels about log10(beta^2 / l(l+d-2)) digits
        diff = lam - heat
    return HeatValues(lam, heat, diff)


@precise
def difference_slope(d, degree, betas, digits: int = 30) -> list:
    """Local log-log slopes of |lambda_l - e^{-l(l+d-2)/(2 beta)}| between consecutive betas (-> -2).

    >>> [round(float(s), 4) for s in difference_slope(3, 2, [10**3, 10**4], 20)]
    [-1.9988]
    """
    vals = [abs(heat_values(d, degree, b, digits).difference) for b in betas]
    return [mpmath.log(vals[i + 1] / vals[i]) / mpmath.log(mpmath.mpf(betas[i + 1]) / mpmath.mpf(betas[i]))
            for i in range(len(betas) - 1)]


@precise
def funk_hecke_quadrature(d, degree, beta, digits: int = 20):
    """Independent route to lambda_l(beta): the softmax average of the zonal harmonic Z_l(<q, k>) (Z_l(1) = 1)
    about q itself, by quadrature in the angle phi = angle(q, k):

        int_0^pi Z_l(cos phi) e^{beta (cos phi - 1)} sin^{d-2} phi dphi / int_0^pi e^{beta (cos phi - 1)} sin^{d-2} phi dphi,

    which equals lambda_l(beta) Z_l(1) = lambda_l(beta) by the Funk–Hecke formula. No Bessel function is used.

    >>> mpmath.nstr(funk_hecke_quadrature(3, 2, 2, 20), 15)  # as funk_hecke_eigenvalue(3, 2, 2)
    '0.194027918908678'
    """
    from attnlimits.numerics.laws.transport import zonal

    d = dimension(d)
    degree = integer(degree, "degree", low=0, high=10**4)
    positive_real(beta, "beta")
    # Z_l's monomial cancellation costs about l log10(2) digits: l more guard digits
    with working_digits(digits, guard=GUARD_DIGITS + degree):
        b = mpmath.mpf(beta)
        pts = [mpmath.mpf(0)] + [mpmath.acos(1 - mpmath.mpf(2) ** j / b) for j in range(-3, 64)
                                 if mpmath.mpf(2) ** j < b] + [mpmath.pi]
        w = lambda p: mpmath.sin(p) ** (d - 2) * mpmath.exp(-2 * b * mpmath.sin(p / 2) ** 2)  # noqa: E731
        num = mpmath.quad(lambda p: zonal(d, degree, mpmath.cos(p)) * w(p), pts)
        den = mpmath.quad(w, pts)
        return num / den
