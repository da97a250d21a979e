"""A catalog of key laws for the local-exponent engine (paper 1, §2; the others are extensions).

Each constructor returns a :class:`~attnlimits.theory.local_exponent.PolarLaw`: the law's density with
respect to the normalized uniform measure, written in geodesic polar coordinates (theta, u) about the
query q (see :mod:`attnlimits.theory.local_exponent`). Only the law is written here; its exponent and
constant are derived by :func:`~attnlimits.theory.local_exponent.local_exponent`.

The dimension d (and m) may be an integer or a sympy symbol such as :data:`attnlimits.theory.sphere.d`.

- uniform on S^{d-1};
- von Mises-Fisher vMF(mu, kappa0): density exp(kappa0 <mu, K>) / M(kappa0), M(kappa0) = 0F1(; d/2; kappa0^2/4)
  (DLMF 10.25.2, 10.39.9), mu at angle ``angle`` from q;
- uniform on the cap {<mu, K> >= cos r} of geodesic radius r, centre mu at angle ``angle`` from q:
  density 1/sigma(cap), sigma(cap) = I_{(1 - cos r)/2}(a, a);
- uniform on a great subsphere S^{m-1} through q;
- density proportional to |K - q|^gamma: |K - q|^2 = 2 - 2 cos(theta), normalizer
  E|K - q|^gamma = 2^gamma B(a + gamma/2, a) / B(a, a) for uniform K (since |K - q|^2/4 ~ Beta(a, a));
  |K - q| = 2 sin(theta/2).

In polar coordinates about q with nu the unit tangent pointing towards mu:
<mu, K> = cos(theta) cos(angle) + sin(theta) sin(angle) u.

The densities lambdify in (theta, u) with numpy, scipy and mpmath (docs/mathematics.md §11.7): the vMF normalizer is
:class:`attnlimits.theory.special.hyper` (scipy's ``hyp0f1``; in double e^{kappa0} overflows beyond kappa0 = 709),
the cap mass the regularized incomplete beta of :func:`attnlimits.theory.cap.cap_probability`, and for a symbolic d
the ratio B(a + gamma/2, a)/B(a, a) of the vanishing law is rf(a, gamma/2)/rf(2a, gamma/2) (the two Beta functions
underflow from d = 1025).
"""
from __future__ import annotations

import sympy as sp

from attnlimits.theory import special
from attnlimits.theory.cap import cap_probability
from attnlimits.theory.local_exponent import polar_law, theta, u
from attnlimits.theory.sphere import symbolic_dimension, half
from attnlimits.theory.validation import InputError, real

__all__ = ["uniform", "von_mises_fisher", "cap", "subsphere", "vanishing", "mu_dot_k"]


def _angle(x, name):
    """An angle in [0, pi] given as a number or a sympy expression (e.g. pi/3)."""
    v = sp.sympify(x)
    if not v.is_number or not v.is_real:
        raise InputError(f"{name} must be a real number in [0, pi], got {x!r}")
    real(float(sp.N(v, 30)), name, low=0, high=float(sp.N(sp.pi, 30)))
    return sp.nsimplify(v) if isinstance(x, float) else v


def mu_dot_k(angle):
    """<mu, K> in polar coordinates about q, for mu at geodesic angle ``angle`` from q.
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> mu_dot_k(0), mu_dot_k(sp.pi / 2), mu_dot_k(sp.pi)  # mu = q, mu orthogonal to q, mu = -q
    (cos(theta), u*sin(theta), -cos(theta))
    """
    return sp.cos(theta) * sp.cos(angle) + sp.sin(theta) * sp.sin(angle) * u


def uniform(d):
    """Uniform keys on S^{d-1}: density 1.

    >>> from attnlimits.theory.local_exponent import local_exponent
    >>> law = uniform(3)
    >>> law.density, law.support
    (1, None)
    >>> le = local_exponent(law)
    >>> le.alpha, le.kappa  # d = 3: D is uniform on [0, 2], P(D <= t) = t/2
    (1, 1/2)
    """
    dd = symbolic_dimension(d)
    return polar_law(dd, sp.Integer(1), name="uniform", params=(("d", dd),))


def von_mises_fisher(d, kappa0, angle=0):
    """vMF(mu, kappa0) keys, mu at angle ``angle`` from q: density exp(kappa0 <mu, K>) / 0F1(; d/2; kappa0^2/4).
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> from attnlimits.theory.local_exponent import local_exponent
    >>> local_exponent(von_mises_fisher(3, 2)).kappa  # kappa_3 times the density e^2/0F1(; 3/2; 1) at q = mu
    exp(2)/(2*hyper((), (3/2,), 1))
    """
    dd = symbolic_dimension(d)
    k0 = sp.sympify(kappa0)
    if not k0.is_number or not k0.is_real:
        raise InputError(f"kappa0 must be a real number >= 0, got {kappa0!r}")
    real(float(sp.N(k0, 30)), "kappa0", low=0)
    k0 = sp.nsimplify(k0) if isinstance(kappa0, float) else k0
    ang = _angle(angle, "angle")
    M = special.hyper([], [dd / 2], k0**2 / 4)
    return polar_law(dd, sp.exp(k0 * mu_dot_k(ang)) / M, name="vmf",
                     params=(("d", dd), ("kappa0", k0), ("angle", ang)))


def cap(d, radius, angle=0):
    """Uniform keys on the cap {<mu, K> >= cos r}, r = ``radius`` in (0, pi), mu at angle ``angle`` from q.
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> from attnlimits.theory.local_exponent import local_exponent
    >>> hemi = local_exponent(cap(3, sp.pi / 2))  # hemisphere centred at q: density 2, kappa = 2 kappa_3
    >>> sp.N(hemi.kappa, 15)
    1.00000000000000
    >>> off = local_exponent(cap(3, sp.pi / 4, sp.pi / 2))  # cap of radius pi/4 at angle pi/2 from q
    >>> off.power_law, sp.N(off.nearest_distance, 15), sp.N(1 - sp.cos(sp.pi / 4), 15)  # nearest key at pi/4
    (False, 0.292893218813452, 0.292893218813452)
    """
    dd = symbolic_dimension(d)
    r = _angle(radius, "radius")
    if r == 0 or r == sp.pi:
        raise InputError("the cap radius must be in (0, pi)")
    ang = _angle(angle, "angle")
    mass = cap_probability(dd, 1 - sp.cos(r))
    return polar_law(dd, 1 / mass, support=mu_dot_k(ang) - sp.cos(r), name="cap",
                     params=(("d", dd), ("radius", r), ("angle", ang)))


def subsphere(d, m):
    """Uniform keys on a great subsphere S^{m-1} (2 <= m <= d) through q.

    >>> from attnlimits.theory.local_exponent import local_exponent
    >>> le = local_exponent(subsphere(5, 3))  # keys on a great S^2 in S^4: the cap law of uniform keys, d = 3
    >>> le.alpha, le.kappa
    (1, 1/2)
    """
    dd = symbolic_dimension(d)
    mm = symbolic_dimension(m, "m")
    return polar_law(dd, sp.Integer(1), m=mm, name="subsphere", params=(("d", dd), ("m", mm)))


def vanishing(d, gamma):
    """Density |K - q|^gamma / E|K - q|^gamma (gamma > -(d-1), else not integrable).
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> from attnlimits.theory.local_exponent import local_exponent
    >>> law = vanishing(3, 2)  # |K - q|^2 = 2 D, E|K - q|^2 = 2: the density is D = 1 - cos(theta)
    >>> law.density
    2*sin(theta/2)**2
    >>> le = local_exponent(law)
    >>> le.alpha, le.kappa  # P(D <= t) = int_0^t s ds/2 = t^2/4
    (2, 1/4)
    >>> vanishing(3, -2)
    Traceback (most recent call last):
    ...
    attnlimits.theory.validation.InputError: |K - q|^gamma is not integrable on S^2 for gamma = -2 <= -(d-1)
    """
    dd = symbolic_dimension(d)
    g = sp.sympify(gamma)
    if not g.is_real:  # a number, or a sympy symbol declared real
        raise InputError(f"gamma must be a real number (or a real sympy symbol), got {gamma!r}")
    g = sp.nsimplify(g) if isinstance(gamma, float) else g
    a = half(dd)
    if (a + g / 2).is_nonpositive:
        raise InputError(f"|K - q|^gamma is not integrable on S^{dd - 1} for gamma = {gamma} <= -(d-1)")
    if special.exact_number(a):
        norm = 2**g * special.beta(a + g / 2, a) / special.beta(a, a)
    else:  # B(a + g/2, a)/B(a, a) = Gamma(a + g/2) Gamma(2a)/(Gamma(a) Gamma(2a + g/2)): no Beta underflow
        norm = 2**g * special.RisingFactorial(a, g / 2) / special.RisingFactorial(2 * a, g / 2)
    # |K - q| = 2 sin(theta/2) (chord of the geodesic angle theta), free of cancellation at theta -> 0
    return polar_law(dd, (2 * sp.sin(theta / 2)) ** g / norm, name="vanishing",
                     params=(("d", dd), ("gamma", g)), symbols=g.free_symbols)
