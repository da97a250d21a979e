"""Attention as a heat semigroup (paper 1, §3; docs/mathematics.md §6): exact expansions derived with sympy.

Funk–Hecke. For a spherical harmonic Y of degree l on S^{d-1} and nu = d/2 - 1,
    int Y(k) e^{beta<q,k>} dsigma(k) / int e^{beta<q,k>} dsigma(k) = lambda_l(beta) Y(q),
    lambda_l(beta) = I_{l+nu}(beta)/I_nu(beta)
(Funk–Hecke formula with the Gegenbauer integral DLMF 10.32.2 / 18.17.37; the normalisation cancels in the ratio).
The heat semigroup e^{t Delta} multiplies Y by e^{-t l(l+d-2)}; at t = 1/(2 beta) the two agree to first order in
1/beta. :func:`funk_hecke_coefficients` divides the derived Hankel series (l and d symbolic), and
:func:`heat_difference_coefficients` gives the exact coefficients of lambda_l - e^{-l(l+d-2)/(2 beta)}.

Density drift. For keys with density p = 1 + eps Y (Y zonal of degree l) the exact population output is
    m = [A u + eps ((lambda_{l+1} + l lambda_l / beta) Y(u) u + lambda_l grad_S Y(u)/beta)] / (1 + eps lambda_l Y(u))
(u = q; gradient of v -> int e^{<v,k>} p(k) dsigma, whose Funk–Hecke form is M(|v|)(1 + eps lambda_l(|v|) Y(v/|v|)),
using (r^{-nu} I_{l+nu})' = r^{-nu}(I_{l+nu+1} + (l/r) I_{l+nu})). For a vMF density p ∝ e^{kappa0 <mu,k>} the output
is A_d(|v|) v/|v| with v = beta q + kappa0 mu. :func:`drift_expansion_harmonic` and :func:`drift_expansion_vmf`
expand both in 1/beta and return the O(1/beta) parts, to be compared with (1 - (d-1)/(2 beta)) q + grad_S log p / beta.
"""
from __future__ import annotations

import sympy as sp

from attnlimits.theory.bessel_asymptotics import ratio_large_coefficients
from attnlimits.theory.sphere import d as d_sym
from attnlimits.theory.validation import integer

__all__ = ["ell", "eps", "w", "funk_hecke_coefficients", "heat_coefficients", "heat_difference_coefficients",
           "first_order_gap", "drift_expansion_harmonic", "drift_expansion_vmf"]

ell = sp.Symbol("ell", nonnegative=True, integer=True)
eps = sp.Symbol("epsilon", real=True)
w = sp.Symbol("w", positive=True)  # w = 1/beta


def _dd(dd):
    return d_sym if dd is None else (dd if isinstance(dd, sp.Basic) else sp.Integer(integer(dd, "d", low=2)))


def _ll(l_):
    return ell if l_ is None else (l_ if isinstance(l_, sp.Basic) else sp.Integer(integer(l_, "degree", low=0)))


def funk_hecke_coefficients(order, degree=None, dd=None) -> list:
    """f_0..f_order with I_{l+nu}(beta)/I_nu(beta) ~ sum_k f_k beta^{-k} (derived Hankel series; l, d may be symbols).
    ell (the harmonic degree) is integer-only. Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> funk_hecke_coefficients(2, 1, 3)  # d = 3, l = 1: I_{3/2}/I_{1/2} = coth(beta) - 1/beta
    [1, -1, 0]
    """
    D, L = _dd(dd), _ll(degree)
    return ratio_large_coefficients(order, L + D / 2 - 1, D / 2 - 1)


def heat_coefficients(order, degree=None, dd=None) -> list:
    """h_k with e^{-l(l+d-2)/(2 beta)} = sum_k h_k beta^{-k}, h_k = (-l(l+d-2)/2)^k / k!.
    ell (the harmonic degree) is integer-only. Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> heat_coefficients(2, 1, 3)
    [1, -1, 1/2]
    """
    order = integer(order, "order", low=0)
    D, L = _dd(dd), _ll(degree)
    lam = -L * (L + D - 2) / 2
    return [sp.factor(lam**k / sp.factorial(k)) for k in range(order + 1)]


def heat_difference_coefficients(order, degree=None, dd=None) -> list:
    """Coefficients of lambda_l(beta) - e^{-l(l+d-2)/(2 beta)} in powers of 1/beta (exact, factored;
    docs/mathematics.md §6.2).
    ell (the harmonic degree) is integer-only. Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> heat_difference_coefficients(2)  # agreement to first order, -l(l+d-2)/(4 beta^2) next
    [0, 0, -ell*(d + ell - 2)/4]
    """
    f = funk_hecke_coefficients(order, degree, dd)
    h = heat_coefficients(order, degree, dd)
    return [sp.factor(sp.expand(a - b)) for a, b in zip(f, h)]


def first_order_gap(degree=None, dd=None):
    """f_1 - h_1 (0 means the first-order agreement with the heat semigroup at t = 1/(2 beta)) and f_1 itself.
    ell (the harmonic degree) is integer-only. Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> first_order_gap()
    (0, -ell*(d + ell - 2)/2)
    """
    f = funk_hecke_coefficients(1, degree, dd)
    h = heat_coefficients(1, degree, dd)
    return sp.simplify(f[1] - h[1]), sp.factor(f[1])


def _series_in_w(coeffs, scale=1):
    return sum(c * (w * scale) ** k for k, c in enumerate(coeffs))


def drift_expansion_harmonic(degree=None, dd=None, order: int = 2) -> dict:
    """Expand the exact output for p = 1 + eps Y (zonal degree-l harmonic) in w = 1/beta.

    The output has a radial part rad = <m, q> and a tangential part tan * grad_S Y(q); with y = Y(q):
        rad = [A + eps y (lambda_{l+1} + l w lambda_l)] / (1 + eps y lambda_l),
        tan = eps w lambda_l / (1 + eps y lambda_l).
    Returns the w^0, w^1 coefficients of both and their differences from the prediction
    rad ~ 1 - (d-1) w/2, tan ~ eps w/(1 + eps y) (grad_S log p = eps grad_S Y/(1 + eps Y)).
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> out = drift_expansion_harmonic(1, 3)  # l = 1 on S^2: A_3 = coth(beta) - 1/beta gives rad = 1 - w
    >>> out["rad"], out["tan"]
    ([1, -1], [0, epsilon/(epsilon*y + 1)])
    >>> out["rad_gap"], out["tan_gap"]
    ([0, 0], [0, 0])
    """
    D, L = _dd(dd), _ll(degree)
    y = sp.Symbol("y", real=True)
    A = _series_in_w(ratio_large_coefficients(order, D / 2, D / 2 - 1))
    lam = _series_in_w(funk_hecke_coefficients(order, L, D))
    lam1 = _series_in_w(funk_hecke_coefficients(order, L + 1, D))
    rad = (A + eps * y * (lam1 + L * w * lam)) / (1 + eps * y * lam)
    tan = eps * w * lam / (1 + eps * y * lam)
    rs = sp.series(rad, w, 0, 2).removeO()
    ts = sp.series(tan, w, 0, 2).removeO()
    out = {
        "rad": [sp.simplify(rs.coeff(w, j)) for j in range(2)],
        "tan": [sp.simplify(ts.coeff(w, j)) for j in range(2)],
    }
    out["rad_gap"] = [sp.simplify(out["rad"][0] - 1), sp.simplify(out["rad"][1] + (D - 1) / 2)]
    out["tan_gap"] = [sp.simplify(out["tan"][0]), sp.simplify(out["tan"][1] - eps / (1 + eps * y))]
    return out


def drift_expansion_vmf(dd=None, order: int = 2) -> dict:
    """Expand m = A_d(|v|) v/|v|, v = beta q + kappa0 mu, in w = 1/beta (q, mu unit, <q, mu> = c).

    Writes m = rad q + tan (mu - c q) and returns the w^0, w^1 coefficients and their gaps from the prediction
    rad ~ 1 - (d-1) w/2, tan ~ kappa0 w (grad_S log p(q) = kappa0 (mu - c q)).
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> out = drift_expansion_vmf(3)  # d = 3: rad = 1 - w, tan = kappa0 w
    >>> out["rad"], out["tan"], out["rad_gap"], out["tan_gap"]
    ([1, -1], [0, kappa_0], [0, 0], [0, 0])
    """
    D = _dd(dd)
    k0, c = sp.symbols("kappa_0 c", real=True)
    r = sp.sqrt(1 + 2 * k0 * c * w + k0**2 * w**2)  # |v| / beta
    A = _series_in_w(ratio_large_coefficients(order, D / 2, D / 2 - 1), 1 / r)  # A(beta r) in powers of w/r
    # v/|v| = (q + k0 w mu)/r = ((1 + k0 w c) q + k0 w (mu - c q))/r
    rad = A * (1 + k0 * w * c) / r
    tan = A * k0 * w / r
    rs = sp.series(rad, w, 0, 2).removeO()
    ts = sp.series(tan, w, 0, 2).removeO()
    out = {"rad": [sp.simplify(rs.coeff(w, j)) for j in range(2)], "tan": [sp.simplify(ts.coeff(w, j)) for j in range(2)]}
    out["rad_gap"] = [sp.simplify(out["rad"][0] - 1), sp.simplify(out["rad"][1] + (D - 1) / 2)]
    out["tan_gap"] = [sp.simplify(out["tan"][0]), sp.simplify(out["tan"][1] - k0)]
    return out
