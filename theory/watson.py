"""Watson's lemma for E e^{-beta D}, the effective number of keys, and the critical scale (paper 1, §2-§3).

If the density of D near 0 is sum_k b_k s^{e_k} (e_k > -1 increasing), Watson's lemma
(e.g. Olver, *Asymptotics and Special Functions*, ch. 3 §3; DLMF 2.3.2) gives

    E e^{-beta D} ~ sum_k b_k Gamma(e_k + 1) beta^{-(e_k + 1)}      (beta -> oo),

each term being int_0^oo e^{-beta s} s^{e_k} ds, which :func:`laplace_terms` computes with sympy.
For uniform keys the b_k are those of :func:`attnlimits.theory.cap.density_series_terms`; the
leading term is kappa Gamma(alpha + 1) beta^{-alpha}, so n E e^{-beta D} ~ n_eff with

    n_eff = n kappa Gamma(alpha + 1) beta^{-alpha},

the effective number of keys sharing the attention mass; n_eff = Gamma(alpha + 1) at the critical
scale beta*_n = (kappa n)^{1/alpha}. The exact transform is E e^{-beta D} = e^{-beta} M(beta),
M(beta) = E e^{beta X} = 0F1(; d/2; beta^2/4) (DLMF 10.25.2 with 10.39.9), which is 1F1(a; 2a; -2 beta), the
moment generating function of D/2 ~ Beta(a, a) at -2 beta (DLMF 10.39.5 and Kummer's transformation 13.2.39).

Forms that lambdify (docs/mathematics.md §11.7): the common factor kappa Gamma(alpha + 1) beta^{-alpha} of n_eff and of
every Watson term is exp(log Gamma(d/2) + a log(2/beta))/(2 sqrt(pi)) (Gamma(d/2) overflows beyond d = 343 and
beta^{-a} underflows, while their product is the size of the answer); the exact transform is the 1F1 above (values in
(0, 1], scipy's ``hyp1f1`` is accurate there, whereas e^{-beta} 0F1 is inf times 0 in double from beta ~ 700).
"""
from __future__ import annotations

import sympy as sp

from attnlimits.theory import special
from attnlimits.theory.cap import density_series_terms
from attnlimits.theory.sphere import symbolic_dimension, alpha, beta, critical_scale, d, half, kappa, n, normalizer, s

__all__ = ["laplace_terms", "watson_expansion", "exact_laplace", "n_eff", "critical_scale",
           "critical_scale_closed"]

_E = sp.Dummy("e", positive=True)  # e_k + 1 > 0 stands in while integrating


def laplace_terms(density_terms, b=beta):
    """Watson's lemma term by term: [(power p_k, coefficient A_k)] with E e^{-b D} ~ sum A_k b^{-p_k}.

    ``density_terms`` is a list of (e_k, b_k) for the density sum_k b_k s^{e_k}; each
    int_0^oo e^{-b s} s^{e_k} ds is integrated by sympy (with e_k + 1 > 0 made explicit). The coefficients carry
    Gamma(e_k + 1) (vectorised in numpy code through :func:`attnlimits.theory.special.refine`); lambdified with numpy,
    scipy and mpmath they are right wherever they are in double range (Gamma overflows beyond 171).

    >>> laplace_terms([(0, sp.Rational(1, 2))])  # the density 1/2 of D at d = 3: E e^{-beta D} ~ 1/(2 beta)
    [(1, 1/2)]
    """
    out = []
    for e, coeff in density_terms:
        lap = sp.integrate(sp.exp(-b * s) * s ** (_E - 1), (s, 0, sp.oo), conds="none").subs(_E, e + 1)
        out.append((sp.simplify(e + 1), special.refine(sp.simplify(coeff * lap * b ** (e + 1)))))
    return out


def _lead(dd, b):
    """kappa_d Gamma(a + 1) b^{-a} = Gamma(d/2) (2/b)^a / (2 sqrt(pi)), as one exponential (no overflow)."""
    return sp.exp(special.loggamma(dd / 2) + half(dd) * sp.log(2 / b)) / (2 * sp.sqrt(sp.pi))


def watson_expansion(order, dd=d, b=beta):
    """The first ``order`` terms of E e^{-beta D} in powers of 1/beta for uniform keys (symbolic d allowed;
    docs/mathematics.md §2.5). The order is integer-only.

    For a symbolic d the Laplace integrals are taken with the common factor c_d 2^{a-1} of the density terms set
    aside; the sum is then kappa_d Gamma(a + 1) beta^{-a} (one exponential, see the module docstring) times the
    polynomial ratios A_k/(c_d 2^{a-1} Gamma(a)) beta^{-k}. Lambdified with numpy (arrays of d and beta), scipy and
    mpmath: tested up to d = 10^4.

    >>> watson_expansion(1, 3)
    1/(2*beta)
    >>> watson_expansion(2, 4)
    sqrt(2)/(sqrt(pi)*beta**(3/2)) - 3*sqrt(2)/(8*sqrt(pi)*beta**(5/2))
    >>> watson_expansion(2)
    (1 - (d - 3)*(d - 1)/(8*beta))*exp((d/2 - 1/2)*log(2/beta) + loggamma(d/2))/(2*sqrt(pi))
    """
    D = symbolic_dimension(dd)
    if special.exact_number(D):
        terms = laplace_terms(density_series_terms(order, D), b)
        return sp.Add(*[c * b ** (-p) for p, c in terms])
    a = half(D)
    common = normalizer(D) * 2 ** (a - 1)
    terms = laplace_terms([(e, c / common) for e, c in density_series_terms(order, D)], b)
    poly = sp.Add(*[sp.factor(sp.expand_func(sp.gammasimp(c / sp.gamma(a)))) * b ** (-k)
                    for k, (_, c) in enumerate(terms)])
    return poly * _lead(D, b)


def exact_laplace(dd=d, b=beta):
    """E e^{-beta D} = e^{-beta} 0F1(; d/2; beta^2/4) = 1F1(a; 2a; -2 beta) for uniform keys on S^{d-1}, a = (d-1)/2
    (the moment generating function of D/2 ~ Beta(a, a); DLMF 13.2.2, or 10.39.5 with Kummer's 13.2.39).

    Returned as the 1F1, which stays in (0, 1]: lambdified with numpy (arrays of d and beta), scipy
    (``scipy.special.hyp1f1``) and mpmath, tested up to d = 10^4 and beta = 10^3.

    >>> exact_laplace(3)  # D uniform on [0, 2]: (1 - e^{-2 beta})/(2 beta)
    hyper((1,), (2,), -2*beta)
    >>> sp.simplify(sp.hyperexpand(exact_laplace(3)) - (1 - sp.exp(-2 * beta)) / (2 * beta))
    0
    """
    a = half(symbolic_dimension(dd))
    return special.hyper([a], [2 * a], -2 * b)


def n_eff(nn=n, b=beta, dd=d, *, a=None, k=None):
    """n_eff = n kappa Gamma(alpha + 1) beta^{-alpha} (uniform keys unless ``a``=alpha, ``k``=kappa given).

    For uniform keys and a symbolic d, kappa_d Gamma(a + 1) beta^{-a} = Gamma(d/2) (2/beta)^a/(2 sqrt(pi)) is one
    exponential (no overflow); with ``a`` and ``k`` given, Gamma(a + 1) beta^{-a} is. Lambdified with numpy (arrays
    of d, n, beta), scipy and mpmath: tested up to d = 10^4.

    >>> n_eff(n, beta, 3)
    n/(2*beta)
    >>> n_eff(n, beta, a=2, k=sp.Rational(3, 4))  # d = 5 by hand: kappa_5 Gamma(3) = 3/2
    3*n/(2*beta**2)
    """
    if a is None and k is None:
        D = symbolic_dimension(dd)
        if special.exact_number(D):
            return nn * kappa(D) * sp.gamma(alpha(D) + 1) * b ** (-alpha(D))
        return nn * _lead(D, b)
    a = alpha(dd) if a is None else sp.sympify(a)
    k = kappa(dd) if k is None else sp.sympify(k)
    return nn * k * sp.exp(special.loggamma(a + 1) - a * sp.log(b))


def critical_scale_closed(nn=n, dd=d):
    """beta*_n = (kappa_d n)^{2/(d-1)} written with kappa_d = 2^{-a}/(a B(a, a)), a = (d-1)/2.

    For a symbolic d, B(a, a) = 2^{1-2a} B(a, 1/2) (Legendre's duplication formula, DLMF 5.5.5) gives
    2^{(a-1)/a} (n/(a B(a, 1/2)))^{1/a}, whose factors stay in double range at every d (B(a, a) underflows from
    d = 1025). Lambdified with numpy (arrays of d and n), scipy and mpmath: tested up to d = 10^4.

    >>> critical_scale_closed(n, 3)
    n/2
    """
    dd = symbolic_dimension(dd)
    a = (dd - 1) / 2
    if special.exact_number(a):
        return (2 ** (-a) / (a * sp.beta(a, a)) * nn) ** (2 / (dd - 1))
    return 2 ** ((a - 1) / a) * (nn / (a * special.beta(a, sp.S.Half))) ** (1 / a)
