"""The cap probability P(D <= t) for uniform keys, at any requested precision (paper 1, §2).

P(D <= t) = I_{t/2}(a, a), a = (d - 1)/2 (:mod:`attnlimits.theory.cap`, docs/mathematics.md §2). Two routes:

- :func:`cap_probability` -- python-flint (Arb) ``arb.beta_lower(a, a, regularized=True)``, a rigorous
  ball for the decimal t typed by the user, tightened until its relative radius is below
  10^-(digits+3); the mpf returned is its midpoint, the ball itself with ``certified=True``.
  For t > 1 the symmetry P(D <= t) = 1 - P(D <= 2 - t) keeps the relative accuracy of 1 - P, and
  :func:`log_cap_probability` then uses log1p;
- :func:`cap_probability_quad` -- tanh-sinh quadrature of the density after the substitution
  s = t e^{-z/a}, which turns the s^{a-1} spike into a smooth exponential decay in z.

The tests add a third, mpmath's regularized ``betainc`` (hypergeometric series) at 60 digits.

mpmath numbers have unbounded exponents, so d = 4096, t = 1e-3 (P about 1.6e-5529, where scipy's
beta.cdf underflows to 0) is handled at every precision.
"""
from __future__ import annotations

import functools

import mpmath
import sympy as sp

from attnlimits.numerics.precision import arb_digits, precise
from attnlimits.theory.validation import InputError, dimension, integer, real

__all__ = ["cap_probability", "log_cap_probability", "cap_probability_quad", "cap_series_coefficients", "check_t"]


def check_t(t):
    """t must lie in (0, 2] (D = 1 - <q, K> takes values in [0, 2]); returned unchanged (strings stripped).

    >>> check_t(" 1e-3 ")
    '1e-3'
    """
    return real(t, "t", low=0, high=2, low_open=True)


def _a(d):
    return mpmath.mpf(d - 1) / 2


def _parse(t):
    return mpmath.mpf(t) if not isinstance(t, mpmath.mpf) else t


@precise
def cap_probability(d, t, digits=20, *, certified=False):
    """P(D <= t) = I_{t/2}(a, a) to ``digits`` significant digits, or the Arb ball itself if ``certified``.

    Evaluated by Arb (``arb.beta_lower``, regularized), whose enclosure is tightened by raising the
    working precision until its relative radius is below 10^-(digits + 3); the returned mpf is the
    ball's midpoint, so every digit delivered is certified. Cross-checked against :func:`cap_probability_quad`
    and, in the tests, mpmath's ``betainc`` at 60 digits.

    >>> cap_probability(3, "0.5", 20)  # d = 3: X is uniform on [-1, 1], P(D <= t) = t/2
    mpf('0.25')
    """
    d = dimension(d)
    t = check_t(t)
    ball = _cap_ball(d, t, digits, log=False)
    return ball if certified else _arb_to_mpf(ball)


@precise
def log_cap_probability(d, t, digits=20, *, certified=False):
    """log P(D <= t) to ``digits`` significant digits (Arb; log1p of the complement when t > 1).

    >>> mpmath.nstr(log_cap_probability(3, "0.5", 20), 15)  # log(1/4)
    '-1.38629436111989'
    """
    d = dimension(d)
    t = check_t(t)
    ball = _cap_ball(d, t, digits, log=True)
    return ball if certified else _arb_to_mpf(ball)


def _arb_to_mpf(ball):
    """The midpoint of an Arb ball as an mpf at the current precision."""
    man, exp = ball.mid().man_exp()
    return mpmath.ldexp(mpmath.mpf(int(man)), int(exp))


def _cap_ball(d, t, digits, log=False):
    """Arb ball for P(D <= t) (or its log) whose relative radius is below 10^-(digits+3).

    Arb's enclosure of the incomplete beta can be much wider than the working precision: the guard digits are
    doubled (15, 30, ..., 480) until the ball is narrow enough.
    """
    from flint import arb

    guard = 15
    for _ in range(6):
        with arb_digits(digits, guard=guard):
            a = (arb(d) - 1) / 2
            tt = arb(_decimal_text(t))
            if tt <= 1:
                b = (tt / 2).beta_lower(a, a, regularized=True)
                b = b.log() if log else b
            else:
                q = (1 - tt / 2).beta_lower(a, a, regularized=True)
                b = (-q).log1p() if log else 1 - q
            if b == 0 or (b.mid() != 0 and b.rad() <= abs(b.mid()) * arb(10) ** (-(digits + 3))):
                return b
        guard *= 2
    raise InputError(f"could not reach {digits} certified digits for P(D <= {t}) in d = {d}")


def _decimal_text(t):
    """The user's t as decimal text, so that Arb encloses exactly the number typed."""
    if isinstance(t, str):
        return t
    if isinstance(t, mpmath.mpf):
        return mpmath.nstr(t, mpmath.mp.dps + 20)
    return repr(t) if isinstance(t, float) else str(t)


@precise
def cap_probability_quad(d, t, digits=20):
    """P(D <= t) by quadrature of the density after s = t e^{-z/a}:

        P(D <= t) = (c_d t^a (2 - t)^{a-1} / a) int_0^oo e^{-z} ((2 - t e^{-z/a}) / (2 - t))^{a-1} dz,

    whose integrand starts at 1 and decays like e^{-(1 - c) z}, c = (t/2)/(1 - t/2) < 1 for t < 1, in every
    dimension; the prefactor is taken in log space. For t > 1 the complement P(D <= 2 - t) is integrated.

    >>> mpmath.nstr(cap_probability_quad(3, "0.5", 20), 15)  # d = 3: t/2
    '0.25'
    """
    d = dimension(d)
    t = check_t(t)
    a, tt = _a(d), _parse(t)
    small = tt if tt <= 1 else 2 - tt  # P(D <= t) = 1 - P(D <= 2 - t): keep the integrand tame
    if small == 0:
        return mpmath.mpf(1)
    log_c = mpmath.loggamma(mpmath.mpf(d) / 2) - mpmath.log(mpmath.pi) / 2 - mpmath.loggamma(a)
    log_pre = log_c + a * mpmath.log(small) + (a - 1) * mpmath.log(2 - small) - mpmath.log(a)
    inner = mpmath.quad(lambda z: mpmath.exp(-z + (a - 1) * mpmath.log((2 - small * mpmath.exp(-z / a))
                                                                        / (2 - small))), [0, 1, 10, mpmath.inf])
    p = mpmath.exp(log_pre) * inner
    return p if tt <= 1 else 1 - p


@functools.lru_cache(maxsize=8)
def _symbolic_terms(order):
    from attnlimits.theory.cap import cap_series_terms

    return tuple(cap_series_terms(order))


#: Most terms of the cap series a caller may ask for: each term is a symbolic binomial coefficient in d,
#: and beyond a few dozen the series is of no use (it converges only for t < 2 and slowly near 2).
MAX_SERIES_ORDER = 60


@functools.lru_cache(maxsize=8)
def _term_functions(order):
    from attnlimits.theory.sphere import d as d_sym

    # binomial(a-1, k) with integer k written as its polynomial, so that no Gamma pole appears (odd d)
    return tuple(sp.lambdify(d_sym, c.replace(sp.binomial, lambda x, k: sp.expand_func(sp.binomial(x, k))),
                             "mpmath") for _, c in _symbolic_terms(order))


@precise
def cap_series_coefficients(d, order=4, digits=20):
    """[(power a + k, coefficient C_k)] of P(D <= t) = sum_k C_k t^{a+k}: the theory's symbolic-d terms at d
    (binomial expansion of the density, docs/mathematics.md §2).

    >>> [(mpmath.nstr(p, 15), mpmath.nstr(c, 15)) for p, c in cap_series_coefficients(3, 3, 20)]  # d = 3: t/2
    [('1.0', '0.5'), ('2.0', '0.0'), ('3.0', '0.0')]
    """
    d = dimension(d)
    order = integer(order, "order", low=1, high=MAX_SERIES_ORDER)
    dd = mpmath.mpf(d)
    return [(_a(d) + k, mpmath.mpf(f(dd))) for k, f in enumerate(_term_functions(order))]
