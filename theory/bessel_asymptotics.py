"""Large- and small-argument expansions of the modified Bessel function I_mu, derived by the package.

Hankel's expansion (DLMF 10.40.1) is *derived* here from Bessel's equation rather than quoted:
sympy 1.14's own ``besseli(mu, x).series(x, oo)`` returns wrong-signed terms, so nothing below uses it.

Derivation (see :func:`hankel_recurrence`). Put y = e^x x^{-1/2} u(x) into x^2 y'' + x y' - (x^2 + mu^2) y = 0.
For the monomial u = x^{-k} the operator gives e^x x^{-1/2} [ -2k x^{1-k} + ((k + 1/2)^2 - mu^2) x^{-k} ],
so a formal solution u = sum_k c_k x^{-k} must satisfy

    c_{k+1} = c_k ((2k + 1)^2 - 4 mu^2) / (8 (k + 1)),

i.e. c_k = (-1)^k a_k(mu) with a_k(mu) = prod_{j=1..k} (4 mu^2 - (2j - 1)^2) / (k! 8^k). The normalisation
c_0 = 1 is fixed by I_mu(x) ~ e^x / sqrt(2 pi x) (Laplace's method on I_mu(x) = (1/pi) int_0^pi e^{x cos t} cos(mu t) dt
+ an O(e^{-x}) term), so I_mu(x) ~ e^x / sqrt(2 pi x) * sum_k c_k(mu) x^{-k}.

Ratios I_mu / I_nu then have the formal expansion sum_k b_k x^{-k} obtained by dividing the two series; the
exponentially small parts cancel to every polynomial order. At small argument the power series
I_mu(x) = (x/2)^mu sum_k (x^2/4)^k / (k! Gamma(mu + k + 1)) (DLMF 10.25.2) gives the other side.
All coefficients are exact sympy expressions; mu, nu may be symbols.
"""
from __future__ import annotations

import sympy as sp

from attnlimits.theory.validation import integer

__all__ = ["mu", "z", "hankel_recurrence", "hankel_coefficients", "hankel_product_formula",
           "ratio_large_coefficients", "ratio_small_coefficients", "series_quotient"]

mu = sp.Symbol("mu")
z = sp.Symbol("z", positive=True)  # z = 1/x
_x = sp.Symbol("x", positive=True)
_k = sp.Symbol("k", integer=True, nonnegative=True)


def hankel_recurrence(m=mu):
    """Derive c_{k+1}/c_k from Bessel's equation applied to e^x x^{-1/2-k} (returned as a sympy expression in k).

    Computed, not quoted: the operator L[y] = x^2 y'' + x y' - (x^2 + m^2) y is applied to y = e^x x^{-1/2-k}
    and the result, divided by e^x x^{-1/2-k}, is the linear polynomial p_1(k) x + p_0(k); the coefficient of
    x^{-k} in L[sum c_j x^{-j} e^x x^{-1/2}] is p_1(k+1) c_{k+1} + p_0(k) c_k, which must vanish.
    k (the series index) is integer-only. Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> hankel_recurrence()  # ((2k + 1)^2 - 4 mu^2) / (8 (k + 1))
    (2*k - 2*mu + 1)*(2*k + 2*mu + 1)/(8*(k + 1))
    """
    y = sp.exp(_x) * _x ** (-sp.Rational(1, 2) - _k)
    L = _x**2 * sp.diff(y, _x, 2) + _x * sp.diff(y, _x) - (_x**2 + m**2) * y
    poly = sp.Poly(sp.expand(sp.simplify(L / y)), _x)
    if poly.degree() != 1:
        raise ArithmeticError("Bessel operator did not reduce to a linear polynomial")  # pragma: no cover
    p1, p0 = poly.coeff_monomial(_x), poly.coeff_monomial(1)
    return sp.factor(-p0 / p1.subs(_k, _k + 1))


def hankel_coefficients(order, m=mu) -> list:
    """c_0..c_order of I_m(x) ~ e^x/sqrt(2 pi x) sum_k c_k x^{-k}, from the derived recurrence (c_0 = 1).
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> hankel_coefficients(2, sp.Rational(1, 2))  # I_{1/2}(x) = sqrt(2/(pi x)) sinh x: no correction
    [1, 0, 0]
    """
    order = integer(order, "order", low=0, high=400)
    rec = hankel_recurrence(m)
    cs = [sp.Integer(1)]
    for k in range(order):
        cs.append(sp.expand(cs[-1] * rec.subs(_k, k)))
    return cs


def hankel_product_formula(k, m=mu):
    """The textbook form (-1)^k a_k(m), a_k(m) = prod_{j=1..k}(4m^2 - (2j-1)^2)/(k! 8^k) (DLMF 10.40.1, 10.17.1).
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> hankel_product_formula(1)
    1/8 - mu**2/2
    """
    k = integer(k, "k", low=0)
    a = sp.Mul(*[(4 * m**2 - (2 * j - 1) ** 2) for j in range(1, k + 1)]) / (sp.factorial(k) * 8**k)
    return sp.expand((-1) ** k * a)


def series_quotient(num: list, den: list, order: int) -> list:
    """Coefficients of (sum num_k z^k) / (sum den_k z^k) up to z^order (den_0 != 0), exactly.
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> one = sp.Integer(1)
    >>> series_quotient([one], [one, -one], 3)  # 1/(1 - z)
    [1, 1, 1, 1]
    """
    out = []
    for k in range(order + 1):
        s = num[k] if k < len(num) else 0
        for j in range(1, k + 1):
            if j < len(den):
                s -= den[j] * out[k - j]
        out.append(sp.factor(sp.cancel(s / den[0])))
    return out


def ratio_large_coefficients(order, top, bottom) -> list:
    """b_0..b_order with I_top(x)/I_bottom(x) ~ sum_k b_k x^{-k} as x -> oo (the quotient of Hankel series).
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> ratio_large_coefficients(2, sp.Rational(3, 2), sp.Rational(1, 2))  # coth x - 1/x
    [1, -1, 0]
    """
    order = integer(order, "order", low=0, high=400)
    return series_quotient(hankel_coefficients(order, top), hankel_coefficients(order, bottom), order)


def ratio_small_coefficients(order, top_shift, bottom):
    """Coefficients e_0..e_order (in powers of x^2) with I_{bottom+s}(x)/I_bottom(x) = (x/2)^s G(x^2),
    G(x^2) = sum_k e_k x^{2k}, for an integer shift s = ``top_shift`` >= 0 (DLMF 10.25.2 for both series).
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> ratio_small_coefficients(2, 1, sp.Rational(1, 2))  # I_{3/2}/I_{1/2} = coth x - 1/x = (x/2) G(x^2)
    [2/3, -2/45, 4/945]
    >>> x = sp.Symbol("x")
    >>> G = sum(e * x**(2 * k) for k, e in enumerate(ratio_small_coefficients(2, 1, sp.Rational(1, 2))))
    >>> sp.series(x / 2 * G - (sp.coth(x) - 1 / x), x, 0, 7)  # the Laurent series of coth agrees to x^6
    O(x**7)
    >>> ratio_small_coefficients(2, 0, mu)  # shift 0: the ratio is 1
    [1, 0, 0]
    """
    order = integer(order, "order", low=0, high=400)
    s = integer(top_shift, "shift", low=0)
    num = [1 / (4**k * sp.factorial(k) * sp.rf(bottom + 1, s + k)) for k in range(order + 1)]
    den = [1 / (4**k * sp.factorial(k) * sp.rf(bottom + 1, k)) for k in range(order + 1)]
    # both series share the factor 1/Gamma(bottom + 1); rf(bottom + 1, s + k) = Gamma(bottom + s + k + 1)/Gamma(bottom + 1)
    return series_quotient(num, den, order)
