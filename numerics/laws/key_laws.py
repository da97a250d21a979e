"""Numerics of the key-law catalog: exact finite-t distance CDFs by quadrature, and exact samplers.

Exact CDF (any law of :mod:`attnlimits.theory.key_laws`, or any PolarLaw), by the polar formula of
:mod:`attnlimits.theory.local_exponent`:

    F(t) = P(D <= t) = int_0^{theta_t} c_m sin^{m-2}(theta) H(theta) dtheta,   theta_t = arccos(1 - t),
    H(theta) = E_u[p(theta, u) 1{g(theta, u) >= 0}],

with E_u an mpmath quadrature against the direction density c_{m-1} (1 - u^2)^{(m-4)/2} (m >= 3, taken in
the variable phi = arccos u; u = +-1 for m = 2). This route does not use the engine's leading-term algebra, so
F(t) / (kappa t^alpha) -> 1 is an independent check of the derived (alpha, kappa).

Samplers (numpy, exact in law, from the 1-D law of <mu, K>):

- vMF: Wood's rejection algorithm (Wood 1994, *Simulation of the von Mises Fisher distribution*)
  for W = <mu, K>;
- uniform on a cap: (1 + W)/2 ~ Beta(a, a) restricted to W >= cos r, by inversion of the Beta CDF;
- uniform on a great subsphere S^{m-1}: normalized standard Gaussian vectors of R^m.

For mu at angle phi from q, <q, K> = W cos(phi) + sqrt(1 - W^2) sin(phi) V, where V = <omega', e> is one
coordinate of a uniform unit vector of mu^perp (a copy of S^{d-2}): (1 + V)/2 ~ Beta((d-2)/2, (d-2)/2).
"""
from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp
from scipy import stats as _st

from attnlimits.numerics.precision import precise
from attnlimits.theory.local_exponent import PolarLaw, theta, u
from attnlimits.theory.validation import InputError, count, real

__all__ = ["distance_cdf", "leading_ratio", "sample_distance", "wood_vmf_w"]


def _direction_mean(f, m, lo, hi):
    """E_u[f(u) 1{lo <= u <= hi}] for m >= 3, with u = cos(phi): phi has density c_{m-1} sin^{m-3}(phi) on [0, pi],

    the same law as u's density c_{m-1} (1 - u^2)^{(m-4)/2}, but without its endpoint singularity when m = 3.
    """
    cm = mpmath.gamma(mpmath.mpf(m - 1) / 2) / (mpmath.sqrt(mpmath.pi) * mpmath.gamma(mpmath.mpf(m - 2) / 2))
    return mpmath.quad(lambda ph: f(mpmath.cos(ph)) * cm * mpmath.sin(ph) ** (m - 3),
                       [mpmath.acos(hi), mpmath.acos(lo)])


@precise(guard=5)
def distance_cdf(law: PolarLaw, t, digits=15):
    """P(D <= t) for ``law`` at finite t by nested quadrature (see the module docstring, docs/mathematics.md §9).

    Smooth integrands on finite intervals: 5 guard digits suffice for tanh-sinh quadrature.

    >>> from attnlimits.theory.key_laws import uniform
    >>> distance_cdf(uniform(3), "0.5", 15)  # d = 3: X is uniform on [-1, 1], P(D <= t) = t/2
    mpf('0.25')
    """
    if not isinstance(law, PolarLaw):
        raise InputError("distance_cdf needs a PolarLaw")
    t = real(t, "t", low=0, high=2, low_open=True)
    m = int(law.m)
    p = sp.lambdify((theta, u), law.density.evalf(digits + 20), "mpmath")
    g = None if law.support is None else sp.lambdify((theta, u), law.support.evalf(digits + 20), "mpmath")
    cm = mpmath.gamma(mpmath.mpf(m) / 2) / (mpmath.sqrt(mpmath.pi) * mpmath.gamma(mpmath.mpf(m - 1) / 2))
    depends_u = u in law.density.free_symbols or law.support is not None

    def H(th):
        if not depends_u:
            return p(th, 0)
        if m == 2:
            return sum(p(th, s) * (1 if g is None or g(th, s) >= 0 else 0) for s in (1, -1)) / 2
        lo, hi = mpmath.mpf(-1), mpmath.mpf(1)
        if g is not None:
            # g is affine in u for the catalog's supports: the region is an interval of u
            g0, g1 = g(th, 0), g(th, 1) - g(th, 0)
            if g1 == 0:
                return _direction_mean(lambda uu: p(th, uu), m, lo, hi) if g0 >= 0 else mpmath.mpf(0)
            u0 = -g0 / g1
            lo, hi = (max(lo, u0), hi) if g1 > 0 else (lo, min(hi, u0))
            if lo >= hi:
                return mpmath.mpf(0)
        return _direction_mean(lambda uu: p(th, uu), m, lo, hi)

    th_t = mpmath.acos(1 - mpmath.mpf(t))
    pts = [mpmath.mpf(0)] + (_kinks(g, th_t) if g is not None else []) + [th_t]
    return mpmath.quad(lambda th: cm * mpmath.sin(th) ** (m - 2) * H(th), pts)


def _kinks(g, th_t, grid=256):
    """Angles in (0, th_t) where the support's u-interval reaches u = +-1 (H has a kink there).

    Found as sign changes of g(theta, 1) and g(theta, -1) on a grid, refined by bisection; quadrature
    is split at them so that tanh-sinh sees smooth pieces.
    """
    out = []
    for s in (1, -1):
        f = lambda th: g(th, s)  # noqa: E731
        prev_th, prev = mpmath.mpf(0), f(mpmath.mpf(0))
        for i in range(1, grid + 1):
            th = th_t * i / grid
            cur = f(th)
            if (prev < 0) != (cur < 0):
                lo, hi = prev_th, th
                for _ in range(mpmath.mp.prec):
                    mid = (lo + hi) / 2
                    if (f(mid) < 0) == (prev < 0):
                        lo = mid
                    else:
                        hi = mid
                    if hi - lo < mpmath.eps * 4:
                        break
                if 0 < lo < th_t:
                    out.append(lo)
            prev_th, prev = th, cur
    return sorted(out)


@precise
def leading_ratio(law: PolarLaw, alpha, kappa, t, digits=15):
    """F(t) / (kappa t^alpha) for the exact finite-t CDF F of ``law`` (-> 1 as t -> 0 for the engine's alpha, kappa).

    >>> import sympy
    >>> from attnlimits.theory.key_laws import uniform
    >>> leading_ratio(uniform(3), 1, sympy.Rational(1, 2), "0.5", 15)  # d = 3: F(t) = t/2 exactly
    mpf('1.0')
    """
    k = mpmath.mpf(str(sp.N(kappa, digits + 20)))
    a = mpmath.mpf(str(sp.N(alpha, digits + 20)))
    return distance_cdf(law, t, digits) / (k * mpmath.mpf(t) ** a)


def wood_vmf_w(d, kappa0, size, rng):
    """``size`` draws of W = <mu, K> for K ~ vMF(mu, kappa0) on S^{d-1} by Wood's (1994) rejection algorithm.

    >>> w = wood_vmf_w(3, 2.0, 200000, np.random.default_rng(0))
    >>> round(float(w.mean()), 2)  # E W = A_3(kappa0) = coth 2 - 1/2 = 0.537...
    0.54
    """
    d = count(d, "d", low=2)
    k = float(kappa0)
    if k == 0:
        return 2.0 * rng.beta((d - 1) / 2, (d - 1) / 2, size) - 1.0
    p1 = d - 1.0
    b = p1 / (2.0 * k + np.sqrt(4.0 * k * k + p1 * p1))  # = (-2k + sqrt(4k^2 + p1^2)) / p1, without cancellation
    x0 = (1.0 - b) / (1.0 + b)
    c = k * x0 + p1 * np.log(1.0 - x0 * x0)
    out = np.empty(0)
    while out.size < size:
        n = int(1.3 * (size - out.size)) + 16
        z = rng.beta(p1 / 2, p1 / 2, n)
        wv = (1.0 - (1.0 + b) * z) / (1.0 - (1.0 - b) * z)
        uu = rng.uniform(size=n)
        ok = k * wv + p1 * np.log(1.0 - x0 * wv) - c >= np.log(uu)
        out = np.concatenate([out, wv[ok]])
    return out[:size]


def _tilt(wv, phi, d, rng):
    """<q, K> for q at angle phi from mu, given W = <mu, K>: W cos(phi) + sqrt(1 - W^2) sin(phi) V."""
    if phi == 0:
        return wv
    if d == 2:
        v = rng.choice([-1.0, 1.0], size=wv.size)
    else:
        v = 2.0 * rng.beta((d - 2) / 2, (d - 2) / 2, wv.size) - 1.0
    return wv * np.cos(phi) + np.sqrt(np.clip(1.0 - wv * wv, 0.0, None)) * np.sin(phi) * v


def sample_distance(law: PolarLaw, size, seed):
    """``size`` exact draws of D = 1 - <q, K> for a catalog law (uniform, vmf, cap, subsphere).

    >>> from attnlimits.theory.key_laws import uniform
    >>> round(float(sample_distance(uniform(3), 200000, 1).mean()), 2)  # d = 3: D is uniform on [0, 2]
    1.0
    """
    size = count(size, "size")
    seed = count(seed, "seed", low=0)
    rng = np.random.Generator(np.random.PCG64(seed))
    prm = dict(law.params)
    d = int(law.d)
    if law.name == "uniform":
        x = 2.0 * rng.beta((d - 1) / 2, (d - 1) / 2, size) - 1.0
    elif law.name == "vmf":
        x = _tilt(wood_vmf_w(d, float(prm["kappa0"]), size, rng), float(prm["angle"]), d, rng)
    elif law.name == "cap":
        a = (d - 1) / 2
        r = float(prm["radius"])
        lo = _st.beta(a, a).cdf((1 + np.cos(r)) / 2)
        wv = 2.0 * _st.beta(a, a).ppf(lo + (1 - lo) * rng.uniform(size=size)) - 1.0
        x = _tilt(wv, float(prm["angle"]), d, rng)
    elif law.name == "subsphere":
        m = int(prm["m"])
        g = rng.standard_normal((size, m))
        x = g[:, 0] / np.linalg.norm(g, axis=1)  # q is the first axis of the subsphere
    else:
        raise InputError(f"no exact sampler for the law {law.name!r}")
    return 1.0 - x
