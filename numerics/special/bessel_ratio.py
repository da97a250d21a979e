"""Ratios of modified Bessel functions at any requested digits, without overflow.

Main algorithm: Perron's continued fraction (Gautschi & Slavik, Math. Comp. 32 (1978); also DLMF 10.33 for the
Gauss form)

    I_v(x) / I_{v-1}(x) = x / (2v + x - (2v+1)x / (2v+1+2x - (2v+3)x / (2v+2+2x - ...))),   v >= 1/2, x > 0,

evaluated backward from a depth N that is doubled until two depths agree to the working precision. It converges
in a few dozen to a few thousand terms for every (v, x) used here (d up to 10^4, x from 1e-8 to 1e8 and
beyond), never forms I_v itself, so nothing overflows (scipy's ``ive`` ratio is nan at x = 1e17, docs/mathematics.md §11.7).

Ratios with a larger gap, I_{v+l}/I_v (the Funk–Hecke eigenvalues), come from one Perron ratio at the top and
the backward recurrence r_{m-1} = 1 / (2(m-1)/x + r_m), r_m = I_m/I_{m-1} (from I_{m-2} - I_m = (2(m-1)/x) I_{m-1},
DLMF 10.29.1); running it downward is the stable direction for the minimal solution I_m.

Certified balls come from Arb (python-flint): the ratio of exponentially scaled ``bessel_i`` balls.
Scaled Bessel values e^{-x} I_v(x) and the ratio M(2b)/M(b)^2 of the moment generating function of X (used by
the CLT covariance) are also provided, via mpmath (main) and Arb (certified).
"""
from __future__ import annotations

import math

import mpmath

from attnlimits.numerics.precision import GUARD_DIGITS, precise, working_digits
from attnlimits.theory.validation import InputError, dimension, integer, positive_real, real

__all__ = ["perron_ratio", "mean_resultant", "mean_resultant_ball", "bessel_ratio_gap", "bessel_ratio_gap_ball",
           "mgf_ratio", "mgf_ratio_ball", "MAX_DEGREE"]

#: Largest Funk–Hecke degree accepted (the backward recurrence costs one division per degree).
MAX_DEGREE = 10**7


def _beta(beta):
    b = positive_real(beta, "beta")
    return mpmath.mpf(b)


def _perron(v, x, depth):
    t = mpmath.mpf(0)
    for k in range(depth, 0, -1):
        t = (2 * v + 2 * k - 1) * x / (2 * v + k + 2 * x - t)
    return x / (2 * v + x - t)


def perron_ratio(v, x):
    """I_v(x)/I_{v-1}(x) by Perron's continued fraction at the current mpmath precision (v >= 1/2, x > 0).

    The depth is doubled until two successive depths agree to 4 ulp; every term of the fraction is positive
    for v >= 1/2 (Gautschi–Slavik), so the backward evaluation is well conditioned.

    >>> mpmath.nstr(perron_ratio(1.5, 2), 15)  # I_{3/2}(x)/I_{1/2}(x) = coth x - 1/x
    '0.537314720727548'
    """
    v = mpmath.mpf(v)
    x = mpmath.mpf(x)
    if not v >= mpmath.mpf(1) / 2:
        raise InputError(f"Perron's fraction needs v >= 1/2, got {v}")
    if not x > 0:
        raise InputError(f"the argument must be > 0, got {x}")
    depth = 16
    old = _perron(v, x, depth)
    while True:
        depth *= 2
        new = _perron(v, x, depth)
        if abs(new - old) <= 4 * mpmath.eps * abs(new):
            return new
        if depth > 2**24:  # pragma: no cover - never reached for the documented range
            raise ArithmeticError(f"Perron's fraction did not converge for v={v}, x={x}")
        old = new


@precise
def mean_resultant(d, beta, digits: int = 20):
    """A_d(beta) = I_{d/2}(beta)/I_{d/2-1}(beta) = E[X e^{beta X}]/E[e^{beta X}] (docs/mathematics.md §5, P1 §4), as an mpf.

    The length of the population output m(beta) = A_d(beta) q (the vMF mean resultant length).

    >>> mpmath.nstr(mean_resultant(3, 2, digits=30), 15)  # d = 3: A_3(beta) = coth beta - 1/beta
    '0.537314720727548'
    """
    d = dimension(d)
    return perron_ratio(mpmath.mpf(d) / 2, _beta(beta))


def _arb(x_text):
    from flint import arb

    return arb(str(x_text)) if isinstance(x_text, str) else arb(mpmath.nstr(mpmath.mpf(x_text), mpmath.mp.dps + 5))


def _beta_ball(beta, digits: int, guard: int):
    """beta > 0 as an Arb ball, read with ``guard`` more digits than the result carries."""
    positive_real(beta, "beta")
    with working_digits(digits, guard=guard):
        return _arb(beta)


@precise
def mean_resultant_ball(d, beta, digits: int = 20):
    """A certified Arb ball for A_d(beta) = I_{d/2}(beta)/I_{d/2-1}(beta): ratio of scaled ``bessel_i`` balls.

    >>> from flint import arb
    >>> mean_resultant_ball(3, 2, 20).overlaps(arb(2).coth() - arb(1) / 2)  # A_3 = coth beta - 1/beta
    True
    """
    from flint import arb

    d = dimension(d)
    x = _beta_ball(beta, digits, guard=30)
    nu = arb(d - 2) / 2
    return x.bessel_i(nu + 1, scaled=True) / x.bessel_i(nu, scaled=True)


@precise
def bessel_ratio_gap(nu, ell, beta, digits: int = 20):
    """I_{nu+ell}(beta)/I_nu(beta) for nu >= -1/2 and an integer gap ell >= 0 (Funk–Hecke eigenvalue, docs/mathematics.md §6).

    One Perron ratio at the top (index nu + ell) and the stable backward recurrence down to nu + 1; the product of
    the ell successive ratios is formed with log10(ell) extra guard digits.

    >>> mpmath.nstr(bessel_ratio_gap(0.5, 2, 2, 20), 15)  # I_{5/2}/I_{1/2} = 1 - 3 A_3(beta)/beta
    '0.194027918908678'
    >>> bessel_ratio_gap(0.5, 0, 2, 20)  # degree 0: the identity
    mpf('1.0')
    """
    ell = integer(ell, "degree", low=0, high=MAX_DEGREE)
    nu = real(nu, "nu", low=-0.5)
    # the product of ell ratios accumulates about log10(ell) digits of rounding: carry that many more
    with working_digits(digits, guard=GUARD_DIGITS + int(math.log10(ell + 1)) + 1):
        nu = mpmath.mpf(nu)
        x = _beta(beta)
        if ell == 0:
            return mpmath.mpf(1)
        r = perron_ratio(nu + ell, x)  # I_{nu+ell}/I_{nu+ell-1}
        prod = r
        for m in range(ell - 1, 0, -1):  # r_{nu+m} from r_{nu+m+1}
            r = 1 / (2 * (nu + m) / x + r)
            prod *= r
        return prod


@precise
def bessel_ratio_gap_ball(nu, ell, beta, digits: int = 20):
    """Certified Arb ball for I_{nu+ell}(beta)/I_nu(beta) (scaled ``bessel_i`` balls).

    >>> from flint import arb
    >>> b = arb(2)
    >>> bessel_ratio_gap_ball(0.5, 2, 2, 20).overlaps(1 - 3 * (b.coth() - 1 / b) / b)  # d = 3, degree 2
    True
    """
    ell = integer(ell, "degree", low=0, high=MAX_DEGREE)
    positive_real(beta, "beta")

    with working_digits(digits, guard=30):  # beta and nu are read with more digits than the ball carries
        x = _arb(beta)
        n = _arb(real(nu, "nu", low=-0.5))
    return x.bessel_i(n + ell, scaled=True) / x.bessel_i(n, scaled=True)


@precise(guard=25)
def mgf_ratio(d, beta, digits: int = 20):
    """R_d(beta) = M(2 beta)/M(beta)^2, M(b) = E e^{b X} = 0F1(; d/2; b^2/4) = Gamma(d/2)(2/b)^nu I_nu(b)
    (docs/mathematics.md §5); n / R_d is Kish's effective sample size of the weights e^{beta X}.

    Written as (beta/4)^nu Ie_nu(2 beta) / (Gamma(d/2) Ie_nu(beta)^2) with Ie_nu(x) = e^{-x} I_nu(x), so the
    e^{2 beta} factors cancel before anything is formed (no overflow at beta = 1e8). mpmath's ``besseli``,
    with 25 guard digits (the Bessel values of large order lose digits).

    >>> mpmath.nstr(mgf_ratio(3, 2, 20), 15)  # d = 3: M(b) = sinh(b)/b, so R = beta coth beta
    '2.0746294414551'
    """
    d = dimension(d)
    b = _beta(beta)
    nu = mpmath.mpf(d - 2) / 2

    def ie(x):
        # log-scale to avoid forming e^{x}: mpmath handles huge exponents, but the scaled form is cheaper
        return mpmath.besseli(nu, x) * mpmath.exp(-x)

    return (b / 4) ** nu * ie(2 * b) / (mpmath.gamma(mpmath.mpf(d) / 2) * ie(b) ** 2)


@precise(guard=25)
def mgf_ratio_ball(d, beta, digits: int = 20):
    """Certified Arb ball for R_d(beta) = M(2 beta)/M(beta)^2 via scaled ``bessel_i`` balls.

    >>> from flint import arb
    >>> mgf_ratio_ball(3, 2, 20).overlaps(2 * arb(2).coth())  # d = 3: R = beta coth beta
    True
    """
    from flint import arb

    d = dimension(d)
    x = _beta_ball(beta, digits, guard=40)
    nu = arb(d - 2) / 2
    return (x / 4) ** nu * (2 * x).bessel_i(nu, scaled=True) / (
        (arb(d) / 2).gamma() * x.bessel_i(nu, scaled=True) ** 2)
