"""The cap law P(D <= t) for uniform keys on S^{d-1}, exactly and as a series in t (paper 1, §2).

With a = (d - 1)/2 the distance D = 1 - <q, K> has density c_d (s (2 - s))^{a-1} on [0, 2]
(:func:`attnlimits.theory.sphere.distance_density`), so

    P(D <= t) = I_{t/2}(a, a)                                        (DLMF 8.17.2, s = 2u)
              = (t/2)^a / (a B(a, a)) 2F1(a, 1 - a; a + 1; t/2)     (DLMF 8.17.8).

Series in t (the package's own derivation, no special-function asymptotics): write
(s (2 - s))^{a-1} = 2^{a-1} s^{a-1} (1 - s/2)^{a-1}, expand the last factor by the binomial theorem
(|s/2| < 1 on 0 < s < 2) and integrate term by term:

    P(D <= t) = sum_k  c_d 2^{a-1} binomial(a-1, k) (-1/2)^k t^{a+k} / (a + k).

:func:`cap_series_terms` performs exactly these two steps with sympy (``binomial`` of a symbolic
a, ``integrate`` of a monomial), so the coefficients are closed-form expressions of a symbolic d.
The leading term k = 0 gives the local exponent alpha = a and the constant kappa_d = c_d 2^{a-1}/a.

Forms that lambdify (docs/mathematics.md §11.7): the incomplete beta is
:class:`attnlimits.theory.special.betainc_regularized` (sympy's own lambdifies to the *unregularized* B_x(a, a) in
mpmath and to nothing in numpy); binomial(a-1, k) is written as its polynomial in a (sympy's prints as a Gamma ratio
with poles at every odd d); c_d is rf(a, 1/2)/sqrt(pi) (:func:`attnlimits.theory.sphere.normalizer`); the series
groups 2^{a-1} t^{a+k} as (2t)^a t^k/2, so that no term overflows where its value does not.
"""
from __future__ import annotations

import sympy as sp

from attnlimits.theory import special
from attnlimits.theory.sphere import symbolic_dimension, d, half, normalizer, s, t
from attnlimits.theory.validation import count

__all__ = [
    "cap_probability",
    "cap_probability_hyper",
    "density_series_terms",
    "cap_series_terms",
    "cap_series",
    "derived_alpha",
    "derived_kappa",
    "integrate_monomial",
]

# A positive stand-in for a = (d-1)/2 while integrating: it tells sympy that s^{a-1+k} is integrable
# at 0 (a > 0 is d > 1), which a bare positive d does not imply.
_A = sp.Dummy("a", positive=True)


def cap_probability(dd=d, tt=t):
    """P(D <= t) = I_{t/2}(a, a), the regularized incomplete beta function (DLMF 8.17.2; docs/mathematics.md §2.2).

    Lambdified with mpmath (``mpmath.betainc(..., regularized=True)``), numpy and scipy (``scipy.special.betainc``,
    arrays of d and t): tested up to d = 10^4. In double a cap below 2.2e-308 underflows to 0 (d = 4096,
    t = 0.1 is 1e-1278); the numerics route ``attnlimits.numerics.laws.cap`` has no such floor.

    >>> cap_probability(3)
    betainc_regularized(1, 1, 0, t/2)
    """
    a = half(symbolic_dimension(dd))
    return special.betainc_regularized(a, a, 0, tt / 2)


def cap_probability_hyper(dd=d, tt=t):
    """P(D <= t) = (t/2)^a / (a B(a, a)) 2F1(a, 1-a; a+1; t/2)  (DLMF 8.17.8 with b = a).

    Lambdified with mpmath (tested up to d = 10^4). numpy and scipy refuse it at lambdify time: scipy's ``hyp2f1``
    loses every digit at these parameters (a wrong number at d = 64 already); use :func:`cap_probability` there.

    >>> sp.simplify(cap_probability_hyper(3))
    t/2
    """
    a = half(symbolic_dimension(dd))
    return (tt / 2) ** a / (a * sp.beta(a, a)) * special.hyper([a, 1 - a], [a + 1], tt / 2)


def density_series_terms(order, dd=d):
    """Terms (exponent e_k, coefficient b_k) of the density of D: c_d (s(2-s))^{a-1} = sum_k b_k s^{e_k}.

    Binomial theorem on (1 - s/2)^{a-1}: e_k = a - 1 + k, b_k = c_d 2^{a-1} binomial(a-1, k) (-1/2)^k.
    For odd d (integer a) the sum terminates: binomial(a-1, k) = 0 for k >= a. The binomial is written as its
    polynomial (a-1)(a-2)...(a-k)/k! (k is an integer: the order is integer-only), finite at every d.

    Coefficients lambdified with numpy (arrays of d), scipy and mpmath: tested up to d = 10^4; b_k grows like
    2^{d/2} and is inf in double beyond d = 2050, where it is that large.

    >>> density_series_terms(2, 5)  # 3 s (2 - s)/4 = (3/2) s - (3/4) s^2
    [(1, 3/2), (2, -3/4)]
    """
    order = count(order, "order")
    dd = symbolic_dimension(dd)
    a, c = half(dd), normalizer(dd)
    return [(a - 1 + k, c * 2 ** (a - 1) * _binomial_polynomial(a - 1, k) * sp.Rational(-1, 2) ** k)
            for k in range(order)]


def _binomial_polynomial(x, k):
    """binomial(x, k) for an integer k >= 0 as the polynomial x (x-1) ... (x-k+1)/k!, finite at every x (sympy's
    ``binomial`` of a symbolic x lambdifies to a Gamma ratio with poles at the integers).

    >>> _binomial_polynomial(sp.Symbol("x"), 2)
    x*(x - 1)/2
    """
    return sp.ff(x, count(k, "k", low=0)) / sp.factorial(k)


def integrate_monomial(exponent, upper):
    """int_0^upper s^e ds (e > -1), by sympy's integrator.
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> integrate_monomial(2, t)
    t**3/3
    """
    return sp.integrate(s ** exponent, (s, 0, upper), conds="none")


def cap_series_terms(order, dd=d):
    """Terms (exponent, coefficient) of P(D <= t) = sum_k C_k t^{a+k}: term-by-term integration.

    Each monomial of :func:`density_series_terms` is integrated from 0 to t by sympy, with a
    replaced by a positive symbol during the integration (so that d > 1 is known). The order is integer-only.
    Coefficients lambdified with numpy (arrays of d), scipy and mpmath: tested up to d = 10^4; like kappa_d they
    are inf in double beyond d = 2050, where they are that large.

    >>> cap_series_terms(2, 3)  # d = 3: D = 1 - X is uniform on [0, 2], so P(D <= t) = t/2 exactly
    [(1, 1/2), (2, 0)]
    >>> cap_series_terms(3, 5)  # d = 5: the integral of the density 3 s (2 - s)/4, computed directly below
    [(2, 3/4), (3, -1/4), (4, 0)]
    >>> sp.integrate(sp.Rational(3, 4) * s * (2 - s), (s, 0, t))
    -t**3/4 + 3*t**2/4
    """
    dd = symbolic_dimension(dd)
    a = half(dd)
    out = []
    for k, (e, b) in enumerate(density_series_terms(order, dd)):
        # e = a - 1 + k; integrate with the positive stand-in _A for a, then put a back
        integral = integrate_monomial(_A - 1 + k, t).subs(_A, a)
        coeff = sp.powsimp(b * integral / t ** (e + 1))  # no simplify: keep the binomial polynomial
        out.append((sp.simplify(e + 1), coeff))
    return out


def cap_series(order, dd=d, tt=t):
    """The first ``order`` terms of the series of P(D <= t) in t, as one sympy expression (docs/mathematics.md §2.3).

    The order is integer-only. For a symbolic d each term C_k t^{a+k} is written (C_k/2^{a-1}) (2t)^a t^k/2:
    C_k carries the factor 2^{a-1} (inf in double beyond d = 2050) and t^{a+k} underflows, while their product is the
    size of P. Lambdified with numpy (arrays of d and t), scipy and mpmath at every d, odd d included: tested up to
    d = 10^4.

    >>> cap_series(3, 5)  # odd d: the series terminates, P(D <= t) = 3t^2/4 - t^3/4 exactly
    -t**3/4 + 3*t**2/4
    >>> cap_series(1)  # symbolic d: the leading term kappa_d t^alpha
    (2*t)**(d/2 - 1/2)*RisingFactorial(d/2 - 1/2, 1/2)/(2*sqrt(pi)*(d/2 - 1/2))
    """
    dd = symbolic_dimension(dd)
    terms = cap_series_terms(order, dd)
    a = half(dd)
    if special.exact_number(a):
        return sp.Add(*[c * tt ** e for e, c in terms])
    return sp.Add(*[sp.powsimp(c / 2 ** (a - 1)) * (2 * tt) ** a * tt ** k / 2 for k, (_, c) in enumerate(terms)])


def derived_alpha(dd=d):
    """Exponent of the leading term of the cap series: alpha = a = (d-1)/2.
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> derived_alpha()
    d/2 - 1/2
    """
    return cap_series_terms(1, dd)[0][0]


def derived_kappa(dd=d):
    """Coefficient of the leading term of the cap series: kappa_d = c_d 2^{a-1} / a.

    Equal to 2^{-a} / (a B(a, a)) by Legendre's duplication formula (checked in the claims).
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> derived_kappa(3)
    1/2
    """
    return cap_series_terms(1, dd)[0][1]
