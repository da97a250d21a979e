"""Uniform keys on the sphere S^{d-1}: the law of X = <q, K> and of D = 1 - X (paper 1, §2).

For K uniform on S^{d-1} and a fixed unit query q, X = <q, K> has density

    c_d (1 - x^2)^{(d-3)/2} on [-1, 1],   c_d = Gamma(d/2) / (sqrt(pi) Gamma((d-1)/2)),

so (1 + X)/2 ~ Beta(a, a) with a = (d - 1)/2, and D = 1 - X = |q - K|^2 / 2 satisfies
P(D <= t) = I_{t/2}(a, a). Near t = 0 this is kappa_d t^alpha with alpha = a and
kappa_d = 2^{-a} / (a B(a, a)).

All functions accept an integer or a sympy symbol for ``d`` and return sympy expressions. The cap law
and its series are in :mod:`attnlimits.theory.cap`, Watson's expansion in :mod:`attnlimits.theory.watson`,
other key laws in :mod:`attnlimits.theory.local_exponent` and :mod:`attnlimits.theory.key_laws`.

Forms that lambdify (docs/mathematics.md §11.7). For a symbolic d (and a numeric d > 100) the Gamma ratio
Gamma(d/2)/Gamma((d-1)/2), which overflows in double beyond d = 343, is written as the rising factorial
rf(a, 1/2) (:class:`attnlimits.theory.special.RisingFactorial`, scipy's ``poch`` in numpy code) and the critical
scale as 2^{(a-1)/a} (n/(sqrt(pi) rf(d/2, 1/2)))^{1/a}, whose factors stay in range at every d. A numeric d up to
100 gives the exact closed forms (kappa(3) = 1/2). kappa_d itself exceeds the double range for d >= 2055
(kappa_4096 = 1.4e614): lambdified in double it is inf there, and :func:`log_kappa` is the form to use.
"""
from __future__ import annotations

import sympy as sp

from attnlimits.theory.special import RisingFactorial, exact_number
from attnlimits.theory.validation import dimension

__all__ = ["d", "x", "t", "s", "n", "beta", "symbolic_dimension", "half", "normalizer", "x_density", "distance_density",
           "alpha", "kappa", "log_kappa", "critical_scale", "critical_exponent", "half_gamma_ratio"]

d = sp.Symbol("d", positive=True)
x = sp.Symbol("x", real=True)
t = sp.Symbol("t", positive=True)
s = sp.Symbol("s", positive=True)  #: integration variable for D
n = sp.Symbol("n", positive=True)  #: number of keys
beta = sp.Symbol("beta", positive=True)  #: inverse temperature


def symbolic_dimension(dd, name="d"):
    """``dd`` as a sympy object: a symbol or expression is returned as it is, a number is checked to be an
    integer >= 2 (one clear line otherwise) and returned as ``sp.Integer``.

    >>> symbolic_dimension(3), symbolic_dimension(d)
    (3, d)
    """
    if isinstance(dd, sp.Basic) and not dd.is_Number:
        return dd
    return sp.Integer(dimension(dd, name))


def half(dd=d):
    """a = (d - 1)/2, the Beta parameter of (1 + X)/2.
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> half(5), half()
    (2, d/2 - 1/2)
    """
    return (symbolic_dimension(dd) - 1) / 2


def half_gamma_ratio(aa):
    """Gamma(a + 1/2)/Gamma(a): exact for a number up to 100, else the rising factorial rf(a, 1/2), which
    lambdifies without overflow (scipy ``poch``; relative error about 1e-16 |log Gamma(a)| in double).

    >>> half_gamma_ratio(1), half_gamma_ratio(half())
    (sqrt(pi)/2, RisingFactorial(d/2 - 1/2, 1/2))
    """
    aa = sp.sympify(aa)
    if exact_number(aa):
        return sp.gamma(aa + sp.S.Half) / sp.gamma(aa)
    return RisingFactorial(aa, sp.S.Half)


def normalizer(dd=d):
    """c_d = Gamma(d/2) / (sqrt(pi) Gamma((d-1)/2)) = rf((d-1)/2, 1/2)/sqrt(pi), the constant of the density of X
    (and of D). Lambdified with numpy (arrays of d), scipy and mpmath: tested up to d = 10^4.

    >>> normalizer(3)  # X is uniform on [-1, 1] for d = 3
    1/2
    >>> normalizer()
    RisingFactorial(d/2 - 1/2, 1/2)/sqrt(pi)
    """
    return half_gamma_ratio(half(dd)) / sp.sqrt(sp.pi)


def x_density(dd=d):
    """Density of X = <q, K> on [-1, 1]: Gamma(d/2)/(sqrt(pi) Gamma((d-1)/2)) (1 - x^2)^((d-3)/2).
    Lambdified with numpy (arrays), scipy and mpmath: tested up to d = 10^4.

    >>> x_density(3), x_density(4)  # uniform on [-1, 1] (Archimedes); the semicircle law
    (1/2, 2*sqrt(1 - x**2)/pi)
    >>> sp.integrate(x_density(5), (x, -1, 1))
    1
    """
    D = symbolic_dimension(dd)
    return normalizer(D) * (1 - x**2) ** ((D - 3) / 2)


def distance_density(dd=d, var=s):
    """Density of D = 1 - X on [0, 2]: c_d (s (2 - s))^{(d-3)/2}, since 1 - x^2 = s (2 - s) at x = 1 - s.
    Lambdified with numpy (arrays), scipy and mpmath: tested up to d = 10^4.

    >>> distance_density(5)
    3*s*(2 - s)/4
    """
    return normalizer(dd) * (var * (2 - var)) ** (half(dd) - 1)


def alpha(dd=d):
    """Local exponent of D = 1 - <q, K> at 0 for uniform keys: P(D <= t) ~ kappa t^alpha, alpha = (d-1)/2
    (docs/mathematics.md §2.4).
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> alpha(5), alpha()
    (2, d/2 - 1/2)
    """
    return half(dd)


def kappa(dd=d):
    """Constant of the cap law: P(D <= t) ~ kappa_d t^{(d-1)/2}, kappa_d = 2^{-a}/(a B(a, a)), a = (d-1)/2
    (docs/mathematics.md §2.4); by Legendre's duplication formula (DLMF 5.5.5)
    kappa_d = 2^{a-1}/(sqrt(pi) rf(d/2, 1/2)), the form returned for a symbolic d.

    Lambdified with numpy (arrays of d), scipy and mpmath: tested up to d = 10^4. In double kappa_d overflows to inf
    for d >= 2055 (its true size: 1.4e614 at d = 4096); :func:`log_kappa` is finite everywhere.

    >>> kappa(3), kappa(2)  # X uniform on [-1, 1]; the angle uniform on the circle
    (1/2, sqrt(2)/pi)
    >>> kappa()
    2**(d/2 - 3/2)/(sqrt(pi)*RisingFactorial(d/2, 1/2))
    """
    a = half(dd)
    if exact_number(a):
        return 2 ** (-a) * sp.gamma(2 * a) / (a * sp.gamma(a) ** 2)
    return 2 ** (a - 1) / (sp.sqrt(sp.pi) * half_gamma_ratio(a + sp.S.Half))


def log_kappa(dd=d):
    """log kappa_d = (a - 1) log 2 - log(pi)/2 - log rf(d/2, 1/2), finite in double at every d.
    Lambdified with numpy (arrays of d), scipy and mpmath: tested up to d = 10^4.

    >>> log_kappa(3)
    -log(2)
    >>> round(float(log_kappa(4096)), 6)  # kappa_4096 = 1.4e614
    1414.141092
    """
    a = half(dd)
    if exact_number(a):
        return sp.log(kappa(dd))
    return (a - 1) * sp.log(2) - sp.log(sp.pi) / 2 - sp.log(half_gamma_ratio(a + sp.S.Half))


def critical_scale(n, dd=d):
    """beta*_n = (kappa_d n)^{1/alpha} = (kappa_d n)^{2/(d-1)}: the scale at which selectivity appears
    (docs/mathematics.md §3.1). For a symbolic d it is written 2^{(a-1)/a} (n/(sqrt(pi) rf(d/2, 1/2)))^{1/a}, whose
    factors stay in double range at every d and n (kappa_d alone overflows beyond d = 2055).

    Lambdified with numpy (arrays of d and n), scipy and mpmath: tested up to d = 10^4 and n = 10^300.

    >>> critical_scale(n, 3), critical_scale(n, 5)
    (n/2, sqrt(3)*sqrt(n)/2)
    """
    a = alpha(dd)
    if exact_number(a):
        return (kappa(dd) * n) ** (1 / a)
    return 2 ** ((a - 1) / a) * (n / (sp.sqrt(sp.pi) * half_gamma_ratio(a + sp.S.Half))) ** (1 / a)


def critical_exponent(dd=d):
    """2/(d - 1) = 1/alpha: beta*_n grows like n^{2/(d-1)}.
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> critical_exponent(5)
    1/2
    """
    return 1 / alpha(dd)
