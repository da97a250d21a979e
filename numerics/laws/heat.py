"""Funk–Hecke eigenvalues of softmax averaging against the heat semigroup, evaluated (notes §6, P1 §3).

lambda_l(beta) = I_{l+nu}(beta)/I_nu(beta), nu = d/2 - 1 (:func:`funk_hecke_eigenvalue`), against
e^{-l(l+d-2)/(2 beta)} (:func:`heat_semigroup`). Their difference is exactly -l(l+d-2)/(4 beta^2) + O(beta^{-3})
(:func:`attnlimits.theory.heat.heat_difference_coefficients`); :func:`difference_slope` measures the log-log
slope of |difference| in beta, which must approach -2.
"""
from __future__ import annotations

import mpmath

from attnlimits.numerics.special.bessel_ratio import bessel_ratio_gap, bessel_ratio_gap_ball
from attnlimits.numerics.precision import check_digits, working_digits
from attnlimits.theory.validation import dimension, integer, positive_real

__all__ = ["funk_hecke_eigenvalue", "heat_semigroup", "heat_values", "difference_slope", "funk_hecke_quadrature"]


def funk_hecke_eigenvalue(d, degree, beta, digits: int = 20, certified: bool = False):
    """lambda_l(beta) = I_{l+d/2-1}(beta)/I_{d/2-1}(beta): softmax averaging of a degree-l harmonic (Funk–Hecke).

    ``certified=True`` returns an Arb ball (python-flint) instead of an mpf.
    """
    d = dimension(d)
    degree = integer(degree, "degree", low=0)
    nu = mpmath.mpf(d - 2) / 2
    if certified:
        return bessel_ratio_gap_ball(nu, degree, beta, digits)
    return bessel_ratio_gap(nu, degree, beta, digits)


def heat_semigroup(d, degree, beta, digits: int = 20):
    """e^{-l(l+d-2) t} at t = 1/(2 beta): the heat semigroup e^{t Delta} on a degree-l harmonic of S^{d-1}."""
    d = dimension(d)
    degree = integer(degree, "degree", low=0)
    digits = check_digits(digits)
    positive_real(beta, "beta")
    with working_digits(digits):
        return +mpmath.exp(-mpmath.mpf(degree) * (degree + d - 2) / (2 * mpmath.mpf(beta)))


def heat_values(d, degree, beta, digits: int = 20) -> dict:
    """{'eigenvalue', 'heat_semigroup', 'difference'}; the difference is delivered to ``digits`` significant
    digits by computing both terms with log10(beta^2 / (l(l+d-2) + 1)) extra digits (the cancellation)."""
    d = dimension(d)
    degree = integer(degree, "degree", low=0)
    digits = check_digits(digits)
    positive_real(beta, "beta")
    b = mpmath.mpf(beta)
    extra = max(0, int(mpmath.log10(b * b / (degree * (degree + d - 2) + 1) + 1))) + 5
    lam = funk_hecke_eigenvalue(d, degree, beta, digits + extra)
    heat = heat_semigroup(d, degree, beta, digits + extra)
    with working_digits(digits + extra):
        diff = lam - heat
    with working_digits(digits):
        return {"eigenvalue": +lam, "heat_semigroup": +heat, "difference": +diff}


def difference_slope(d, degree, betas, digits: int = 30) -> list:
    """Local log-log slopes of |lambda_l - e^{-l(l+d-2)/(2 beta)}| between consecutive betas (-> -2)."""
    vals = [abs(heat_values(d, degree, b, digits)["difference"]) for b in betas]
    with working_digits(digits):
        return [+(mpmath.log(vals[i + 1] / vals[i]) / mpmath.log(mpmath.mpf(betas[i + 1]) / mpmath.mpf(betas[i])))
                for i in range(len(betas) - 1)]


def funk_hecke_quadrature(d, degree, beta, digits: int = 20):
    """Independent route to lambda_l(beta): the softmax average of the zonal harmonic Z_l(<q, k>) (Z_l(1) = 1)
    about q itself, by quadrature in the angle phi = angle(q, k):

        int_0^pi Z_l(cos phi) e^{beta (cos phi - 1)} sin^{d-2} phi dphi / int_0^pi e^{beta (cos phi - 1)} sin^{d-2} phi dphi,

    which equals lambda_l(beta) Z_l(1) = lambda_l(beta) by the Funk–Hecke formula. No Bessel function is used.
    """
    from attnlimits.numerics.laws.transport import zonal

    d = dimension(d)
    degree = integer(degree, "degree", low=0, high=10**4)
    digits = check_digits(digits)
    positive_real(beta, "beta")
    # Z_l's monomial cancellation costs about l log10(2) digits
    with working_digits(digits, guard=15 + degree):
        b = mpmath.mpf(beta)
        pts = [mpmath.mpf(0)] + [mpmath.acos(1 - mpmath.mpf(2) ** j / b) for j in range(-3, 64)
                                 if mpmath.mpf(2) ** j < b] + [mpmath.pi]
        w = lambda p: mpmath.sin(p) ** (d - 2) * mpmath.exp(-2 * b * mpmath.sin(p / 2) ** 2)  # noqa: E731
        num = mpmath.quad(lambda p: zonal(d, degree, mpmath.cos(p)) * w(p), pts)
        den = mpmath.quad(w, pts)
        return +(num / den)
