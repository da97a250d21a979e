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
M(beta) = E e^{beta X} = 0F1(; d/2; beta^2/4) (DLMF 10.25.2 with 10.39.9).
"""
from __future__ import annotations

import sympy as sp

from attnlimits.theory.cap import density_series_terms
from attnlimits.theory.sphere import symbolic_dimension, alpha, beta, critical_scale, d, kappa, n, s

__all__ = ["laplace_terms", "watson_expansion", "exact_laplace", "n_eff", "critical_scale",
           "critical_scale_closed"]

_E = sp.Dummy("e", positive=True)  # e_k + 1 > 0 stands in while integrating


def laplace_terms(density_terms, b=beta):
    """Watson's lemma term by term: [(power p_k, coefficient A_k)] with E e^{-b D} ~ sum A_k b^{-p_k}.

    ``density_terms`` is a list of (e_k, b_k) for the density sum_k b_k s^{e_k}; each
    int_0^oo e^{-b s} s^{e_k} ds is integrated by sympy (with e_k + 1 > 0 made explicit).

    >>> laplace_terms([(0, sp.Rational(1, 2))])  # the density 1/2 of D at d = 3: E e^{-beta D} ~ 1/(2 beta)
    [(1, 1/2)]
    """
    out = []
    for e, coeff in density_terms:
        lap = sp.integrate(sp.exp(-b * s) * s ** (_E - 1), (s, 0, sp.oo), conds="none").subs(_E, e + 1)
        out.append((sp.simplify(e + 1), sp.simplify(coeff * lap * b ** (e + 1))))
    return out


def watson_expansion(order, dd=d, b=beta):
    """The first ``order`` terms of E e^{-beta D} in powers of 1/beta for uniform keys (symbolic d allowed;
    docs/mathematics.md §2.5).

    >>> watson_expansion(1, 3)
    1/(2*beta)
    >>> watson_expansion(2, 4)
    sqrt(2)/(sqrt(pi)*beta**(3/2)) - 3*sqrt(2)/(8*sqrt(pi)*beta**(5/2))
    """
    terms = laplace_terms(density_series_terms(order, symbolic_dimension(dd)), b)
    return sp.Add(*[c * b ** (-p) for p, c in terms])


def exact_laplace(dd=d, b=beta):
    """E e^{-beta D} = e^{-beta} 0F1(; d/2; beta^2/4) for uniform keys on S^{d-1}.

    >>> exact_laplace(3)
    exp(-beta)*hyper((), (3/2,), beta**2/4)
    """
    return sp.exp(-b) * sp.hyper([], [symbolic_dimension(dd) / 2], b**2 / 4)


def n_eff(nn=n, b=beta, dd=d, *, a=None, k=None):
    """n_eff = n kappa Gamma(alpha + 1) beta^{-alpha} (uniform keys unless ``a``=alpha, ``k``=kappa given).

    >>> n_eff(n, beta, 3)
    n/(2*beta)
    """
    a = alpha(dd) if a is None else a
    k = kappa(dd) if k is None else k
    return nn * k * sp.gamma(a + 1) * b ** (-a)


def critical_scale_closed(nn=n, dd=d):
    """beta*_n = (kappa_d n)^{2/(d-1)} written with kappa_d = 2^{-a}/(a B(a, a)), a = (d-1)/2.

    >>> critical_scale_closed(n, 3)
    n/2
    """
    dd = symbolic_dimension(dd)
    a = (dd - 1) / 2
    return (2 ** (-a) / (a * sp.beta(a, a)) * nn) ** (2 / (dd - 1))
