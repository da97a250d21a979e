"""Population self-attention with non-uniform keys: the density drift and one backward-heat step (docs/mathematics.md §6, P1 §3).

Key densities p (with respect to the normalised uniform measure on S^{d-1}), given as tuples:

* ``("harmonic", ell, eps)``: p = 1 + eps Y_l(<e, k>), Y_l the zonal harmonic normalised by Y_l(1) = 1
  (Chebyshev T_l for d = 2, Legendre P_l for d = 3, C_l^{nu}/C_l^{nu}(1) in general), axis e = e_1;
* ``("vmf", mu, kappa0)``: p ∝ e^{kappa0 <mu, k>}.

Population output m_beta(q) = int k e^{beta<q,k>} p(k) dsigma / int e^{beta<q,k>} p(k) dsigma by two routes:
:func:`drift_closed_form` (Funk–Hecke / vMF closed forms derived in :mod:`attnlimits.theory.heat`) and
:func:`drift_quadrature` (direct quadrature on S^1 and S^2). The prediction is
(1 - (d-1)/(2 beta)) q + grad_S log p(q)/beta (:func:`drift_prediction`).

Transport step (:func:`backward_step`): tokens with density rho = 1 + eps Y_l move to x -> m_beta(x)/|m_beta(x)|
with keys drawn from rho itself. By zonal symmetry a token at polar angle theta (from e) moves to Theta(theta) in the
same meridian plane, and the new density is rho_new(Theta) = rho(theta) (sin theta / sin Theta)^{d-2} / Theta'(theta)
(conservation of mass). It is compared with one explicit step of the backward heat equation,
rho - Delta rho / beta = 1 + eps (1 + l(l+d-2)/beta) Y_l (the result: :class:`BackwardStep`).
"""
from __future__ import annotations

import dataclasses
import functools

import mpmath

from attnlimits.numerics.precision import precise
from attnlimits.numerics.results import Result
from attnlimits.numerics.special.bessel_ratio import bessel_ratio_gap, mean_resultant
from attnlimits.theory.validation import InputError, choice, dimension, integer, positive_real, real

__all__ = ["zonal", "zonal_derivative", "drift_closed_form", "drift_quadrature", "drift_prediction", "drift_error",
           "BackwardStep", "backward_step"]


def zonal(d, ell, t):
    """Zonal harmonic of degree l on S^{d-1} as a function of t = <e, k>, normalised to 1 at t = 1
    (Chebyshev T_l for d = 2, Gegenbauer C_l^nu / C_l^nu(1), nu = d/2 - 1, in general; Legendre P_l for d = 3).

    >>> zonal(3, 2, 0.5), zonal(2, 3, 0.5)  # P_2(t) = (3t^2 - 1)/2, T_3(t) = 4t^3 - 3t
    (mpf('-0.125'), mpf('-1.0'))
    """
    if d == 2:
        return mpmath.chebyt(ell, t)
    nu = mpmath.mpf(d - 2) / 2
    return mpmath.gegenbauer(ell, nu, t) / mpmath.gegenbauer(ell, nu, 1)


def zonal_derivative(d, ell, t):
    """d/dt of :func:`zonal`: T_l' = l U_{l-1}; (C_l^nu)' = 2 nu C_{l-1}^{nu+1} (DLMF 18.9.19).

    >>> zonal_derivative(3, 2, 0.5)  # P_2'(t) = 3t
    mpf('1.5')
    """
    if ell == 0:
        return mpmath.mpf(0)
    if d == 2:
        return ell * mpmath.chebyu(ell - 1, t)
    nu = mpmath.mpf(d - 2) / 2
    return 2 * nu * mpmath.gegenbauer(ell - 1, nu + 1, t) / mpmath.gegenbauer(ell, nu, 1)


def _check_density(d, density):
    if not isinstance(density, tuple) or not density:
        raise InputError("density must be ('harmonic', ell, eps) or ('vmf', mu, kappa0)")
    kind = choice(density[0], "density", ("harmonic", "vmf"))
    if kind == "harmonic":
        ell = integer(density[1], "degree", low=0, high=10**4)
        eps = mpmath.mpf(real(density[2], "eps"))
        if abs(eps) >= 1:
            raise InputError(f"eps must satisfy |eps| < 1 so that 1 + eps Y stays positive, got {density[2]}")
        return kind, ell, eps
    mu = _unit(d, density[1], "mu")
    return kind, mu, mpmath.mpf(real(density[2], "kappa0", low=0))


def _unit(d, v, name):
    u = mpmath.matrix([mpmath.mpf(t) for t in v])
    if u.rows != d:
        raise InputError(f"{name} must have {d} entries, got {u.rows}")
    nrm = mpmath.norm(u)
    if nrm == 0:
        raise InputError(f"{name} must be nonzero")
    return u / nrm


def _e1(d):
    return mpmath.matrix([1] + [0] * (d - 1))


@precise
def drift_closed_form(d, beta, q, density, digits: int = 20):
    """Exact m_beta(q) (an mpmath column vector) from the closed forms of the module docstring.

    >>> m = drift_closed_form(3, 2, [1, 0, 0], ("harmonic", 1, 0), 20)  # eps = 0, uniform keys: A_3(beta) q
    >>> [mpmath.nstr(m[i], 15) for i in range(3)]
    ['0.537314720727548', '0.0', '0.0']
    """
    d = dimension(d)
    positive_real(beta, "beta")
    b = mpmath.mpf(beta)
    qv = _unit(d, q, "q")
    kind, a, c = _check_density(d, density)
    if kind == "vmf":
        v = b * qv + c * a
        r = mpmath.norm(v)
        return mean_resultant(d, r, digits + 5) * v / r
    ell, eps = a, c
    e = _e1(d)
    t = (e.T * qv)[0]
    y = zonal(d, ell, t)
    grad = zonal_derivative(d, ell, t) * (e - t * qv)
    nu = mpmath.mpf(d - 2) / 2
    A = mean_resultant(d, b, digits + 5)
    lam = bessel_ratio_gap(nu, ell, b, digits + 5)
    lam1 = bessel_ratio_gap(nu, ell + 1, b, digits + 5)
    num = A * qv + eps * ((lam1 + ell * lam / b) * y * qv + lam * grad / b)
    return num / (1 + eps * lam * y)


@precise
def drift_quadrature(d, beta, q, density, digits: int = 20):
    """m_beta(q) by direct quadrature, d in {2, 3} (independent of every Bessel identity).

    Coordinates about q: k = (1 - s) q + sqrt(s(2 - s)) U, U on the unit sphere of q^perp, s = u/beta. The uniform
    measure becomes (s(2 - s))^{(d-3)/2} ds dU; the factor e^{beta<q,k>} = e^{beta} e^{-u}. The u-integral is
    tanh-sinh on [0, 1, 4, 16, U] with U = digits ln 10 + 40 (the rest weighs < e^{-U} relative), and the
    U-integral is the two points +-e for d = 2 and a trapezoid rule in the angle for d = 3 (exact for
    the trigonometric polynomials of the harmonic case, spectrally accurate for the vMF case).

    >>> m = drift_quadrature(2, 2, [1, 0], ("harmonic", 1, 0), 20)  # uniform keys on S^1: I_1(beta)/I_0(beta) q
    >>> mpmath.nstr(m[0], 15), mpmath.nstr(mpmath.besseli(1, 2) / mpmath.besseli(0, 2), 15)
    ('0.697774657964008', '0.697774657964008')
    """
    d = dimension(d)
    if d not in (2, 3):
        raise InputError(f"drift_quadrature handles d = 2 and d = 3, got d = {d}")
    positive_real(beta, "beta")
    b = mpmath.mpf(beta)
    qv = _unit(d, q, "q")
    kind, a, c = _check_density(d, density)
    # orthonormal basis of q^perp
    basis = []
    for j in range(d):
        v = mpmath.matrix([1 if i == j else 0 for i in range(d)])
        v = v - (qv.T * v)[0] * qv
        for w_ in basis:
            v = v - (w_.T * v)[0] * w_
        if mpmath.norm(v) > mpmath.mpf("0.1"):
            basis.append(v / mpmath.norm(v))
        if len(basis) == d - 1:
            break
    if d == 2:
        dirs = [(basis[0], mpmath.mpf(1) / 2), (-basis[0], mpmath.mpf(1) / 2)]
    else:
        # trapezoid in the angle: exact for the degree-(l+1) trigonometric polynomials of the harmonic case;
        # for the vMF case the error is about (kappa0/2)^N / N!, far below 10^-digits with this N
        N = a + 4 if kind == "harmonic" else int(2 * c) + digits + 16
        dirs = [(mpmath.cos(2 * mpmath.pi * j / N) * basis[0] + mpmath.sin(2 * mpmath.pi * j / N) * basis[1],
                 mpmath.mpf(1) / N) for j in range(N)]
    qs = [qv[i] for i in range(d)]
    dirs = [([U[i] for i in range(d)], cw) for U, cw in dirs]
    ex = mpmath.mpf(d - 3) / 2
    if kind == "vmf":
        mus = [a[i] for i in range(d)]
        dens = lambda k: mpmath.exp(c * (mpmath.fsum(m_ * k_ for m_, k_ in zip(mus, k)) - 1))  # noqa: E731
    else:
        dens = lambda k: 1 + c * zonal(d, a, k[0])  # noqa: E731

    @functools.lru_cache(maxsize=None)
    def vec(u):
        s = u / b
        rad = mpmath.sqrt(s * (2 - s))
        wgt = (s * (2 - s)) ** ex * mpmath.exp(-u) if ex != 0 else mpmath.exp(-u)
        acc = [mpmath.mpf(0)] * (d + 1)
        for U, cw in dirs:
            k = [(1 - s) * qi + rad * ui for qi, ui in zip(qs, U)]
            f = dens(k) * cw * wgt
            acc[0] += f
            for i in range(d):
                acc[i + 1] += f * k[i]
        return tuple(acc)

    top = min(2 * b, digits * mpmath.log(10) + 40)
    pts = [p for p in (mpmath.mpf(0), mpmath.mpf(1), mpmath.mpf(4), mpmath.mpf(16)) if p < top] + [top]
    if d == 2:
        # u = t^2 removes the endpoint singularity of (s(2 - s))^{-1/2} at u = 0: du = 2 t dt, and
        # 2 t (s(2 - s))^{-1/2} -> 2 sqrt(beta/2) as t -> 0 (the limit is used at t = 0 itself)
        pts = [mpmath.sqrt(p) for p in pts]
        g = lambda t, i: (vec(t * t)[i] * 2 * t if t > 0  # noqa: E731
                          else 2 * mpmath.sqrt(b / 2) * _vec0(i))
    else:
        g = lambda u, i: vec(u)[i]  # noqa: E731

    def _vec0(i):
        # the density times k at k = q (u = 0), for the t = 0 limit above
        k = qs
        f = dens(k)
        return f if i == 0 else f * k[i - 1]

    den = mpmath.quad(lambda u: g(u, 0), pts)
    return mpmath.matrix([mpmath.quad(lambda u, i=i: g(u, i + 1), pts) / den for i in range(d)])


@precise
def drift_prediction(d, beta, q, density, digits: int = 20):
    """(1 - (d-1)/(2 beta)) q + grad_S log p(q)/beta: the O(1/beta) prediction of docs/mathematics.md §6.

    >>> m = drift_prediction(3, 100, [1, 0, 0], ("harmonic", 1, 0), 20)  # uniform keys: (1 - 2/200) q
    >>> [mpmath.nstr(m[i], 15) for i in range(3)]
    ['0.99', '0.0', '0.0']
    """
    d = dimension(d)
    b = mpmath.mpf(beta)
    qv = _unit(d, q, "q")
    kind, a, c = _check_density(d, density)
    if kind == "vmf":
        grad = c * (a - (a.T * qv)[0] * qv)
    else:
        e = _e1(d)
        t = (e.T * qv)[0]
        grad = c * zonal_derivative(d, a, t) * (e - t * qv) / (1 + c * zonal(d, a, t))
    return (1 - mpmath.mpf(d - 1) / (2 * b)) * qv + grad / b


@precise
def drift_error(d, beta, q, density, digits: int = 20):
    """|m_beta(q) - prediction| (Euclidean norm), exact m from :func:`drift_closed_form`.

    >>> e = drift_error(3, 10, [1, 0, 0], ("harmonic", 1, 0), 20)  # d = 3, uniform: coth 10 - 1 = 2/(e^20 - 1)
    >>> mpmath.nstr(e, 10), mpmath.nstr(2 / (mpmath.exp(20) - 1), 10)
    ('4.122307253e-9', '4.122307253e-9')
    """
    return mpmath.norm(drift_closed_form(d, beta, q, density, digits)
                       - drift_prediction(d, beta, q, density, digits))


@dataclasses.dataclass(frozen=True)
class BackwardStep(Result):
    """One transport step of rho = 1 + eps Y_l against one backward heat step (docs/mathematics.md §6), mpf.

    - ``max_error``: max over the grid theta_j = pi (j + 1/2)/points of |rho_new - (rho - Delta rho/beta)| at
      Theta(theta_j);
    - ``coefficient``: the Y_l-coefficient of rho_new (meaningful for l >= 1);
    - ``coefficient_predicted``: eps (1 + l(l+d-2)/beta), the backward-heat prediction;
    - ``coefficient_error``: |coefficient - coefficient_predicted|.
    """

    max_error: mpmath.mpf
    coefficient: mpmath.mpf
    coefficient_predicted: mpmath.mpf
    coefficient_error: mpmath.mpf


@precise
def backward_step(d, ell, eps, beta, digits: int = 20, points: int = 24) -> BackwardStep:
    """One population self-attention step on rho = 1 + eps Y_l against rho - Delta rho / beta (:class:`BackwardStep`).

    Theta(theta) = theta + atan2(tau, r) with the radial part r = A + eps (lambda_{l+1} + l lambda_l/beta) Y and
    tangential part tau = -eps lambda_l Y'(cos theta) sin theta / beta of the exact output (the common factor
    1/(1 + eps lambda_l Y) drops out of the angle); Theta' by mpmath's numerical differentiation. The
    coefficient uses mass conservation instead (no differentiation).

    >>> s = backward_step(2, 2, 0.2, 1000, 15, points=4)  # S^1, l = 2: predicted 0.2 (1 + 4/1000) = 0.2008
    >>> mpmath.nstr(s.coefficient_predicted, 15), mpmath.nstr(s.coefficient, 6), mpmath.nstr(s.max_error, 3)
    ('0.2008', '0.200799', '7.4e-7')
    """
    d = dimension(d)
    ell = integer(ell, "degree", low=0, high=10**4)
    positive_real(beta, "beta")
    points = integer(points, "points", low=2)
    eps = mpmath.mpf(real(eps, "eps"))
    if abs(eps) >= 1:
        raise InputError(f"eps must satisfy |eps| < 1, got {eps}")
    b = mpmath.mpf(beta)
    nu = mpmath.mpf(d - 2) / 2
    A = mean_resultant(d, b, digits + 10)
    lam = bessel_ratio_gap(nu, ell, b, digits + 10)
    lam1 = bessel_ratio_gap(nu, ell + 1, b, digits + 10)

    def Theta(th):
        y = zonal(d, ell, mpmath.cos(th))
        r = A + eps * (lam1 + ell * lam / b) * y
        tau = -eps * lam * zonal_derivative(d, ell, mpmath.cos(th)) * mpmath.sin(th) / b
        return th + mpmath.atan2(tau, r)

    L = ell * (ell + d - 2)
    worst = mpmath.mpf(0)
    for j in range(points):
        th = mpmath.pi * (j + mpmath.mpf(1) / 2) / points
        psi = Theta(th)
        jac = mpmath.diff(Theta, th)
        rho = 1 + eps * zonal(d, ell, mpmath.cos(th))
        new = rho / jac * ((mpmath.sin(th) / mpmath.sin(psi)) ** (d - 2) if d > 2 else 1)
        pred = 1 + eps * (1 + mpmath.mpf(L) / b) * zonal(d, ell, mpmath.cos(psi))
        worst = max(worst, abs(new - pred))
    # Coefficient of Y_l in rho_new without differentiating Theta: mass conservation turns
    # int rho_new(psi) Y(psi) dsigma into int rho(theta) Y(Theta(theta)) dsigma(theta).
    wgt = lambda th: mpmath.sin(th) ** (d - 2)  # noqa: E731
    norm = mpmath.quad(lambda th: zonal(d, ell, mpmath.cos(th)) ** 2 * wgt(th), [0, mpmath.pi])
    proj = mpmath.quad(lambda th: (1 + eps * zonal(d, ell, mpmath.cos(th))) * zonal(d, ell, mpmath.cos(Theta(th)))
                       * wgt(th), [0, mpmath.pi])
    coef = proj / norm
    coef_pred = eps * (1 + mpmath.mpf(L) / b)
    return BackwardStep(worst, coef, coef_pred, abs(coef - coef_pred))
