"""The law of the critical output in real space: P(N ≤ x) as P(Z_far ≤ Y) (docs/critical_output.md §9).

With c = λx and the v-points of docs/critical_output.md §1 (intensity ρ(v) = α λ^{−α} v^{α−1}),
{N ≤ x} = {Z ≤ 0}, Z = Σ_j e^{−v_j}(v_j − c), splits at v = c into two independent positive sums:

    Y     = Σ_{v_j < c} e^{−v_j}(c − v_j)      (finitely many points: an atom e^{−x^α} at 0),
    Z_far = Σ_{v_j > c} e^{−v_j}(v_j − c)      (infinitely many, jumps at most J_max = e^{−c−1}, at v = c + 1),

    P(N ≤ x) = P(Z_far ≤ Y) = ∫_{(0, ∞)} G(y) dF_Y(y),        G(y) = P(Z_far ≤ y).                (9.2)

Both distribution functions solve the Volterra equation (9.1) of ``numerics.quadrature.positive_id``; (9.2) is a
Gauss–Legendre sum over the union of their panels. No transform is inverted: the scale singularity of Z at 0
that stops the inversion routes for d = 2, 3 at λ of order one (docs/critical_output.md §8) is the singular start
G(y) ~ y^θ of a distribution function, which graded panels resolve. Double precision: two passes (degree 20,
tanh-sinh level 3, seed below 10^{−40} J_max; degree 28, level 4, 10^{−60} J_max) and their difference is the
error estimate; at most :data:`MAX_DIGITS` digits are offered.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.special import lambertw

from attnlimits.numerics.quadrature.positive_id import JumpMap, chernoff_upper, graded_breaks, solve_cdf
from attnlimits.theory.validation import InputError, positive_real, real

__all__ = ["ALPHA_MAX", "MAX_DIGITS", "MAX_DIGITS_D2", "PASSES", "max_digits", "far_cdf", "near_cdf", "real_space_cdf", "real_space_output"]

#: Most digits of the route: double precision, and passes that agree to 1e−12 … 1e−11 (docs/critical_output.md §9.3).
MAX_DIGITS = 10

#: Most digits for d = 2 (α = 1/2): its distribution functions behave like |y − κ|^{1/2} on both sides of each kink
#: κ, and double precision grades the panels only down to a relative 1e−16 of κ, which leaves about 1e−8
#: (docs/critical_output.md §9.3).
MAX_DIGITS_D2 = 6


def max_digits(alpha) -> int:
    """The digits the route offers at α: :data:`MAX_DIGITS_D2` for d = 2, :data:`MAX_DIGITS` otherwise.

    >>> max_digits(0.5), max_digits(1)
    (6, 10)
    """
    return MAX_DIGITS_D2 if float(alpha) < 1 else MAX_DIGITS

#: Largest α (d = 9) of the route: measured to agree with the inversions and its Laplace transforms up to here;
#: d = 17 (α = 8, λ = 4) agrees with Gil-Pelaez to 1.2e−12 but takes 133 s (12 000 panels of width J_max/2;
#: docs/critical_output.md §9.3).
ALPHA_MAX = 4

#: The two passes (degree, tanh-sinh level, seed end / J_max).
PASSES = ((20, 3, 1e-40), (28, 4, 1e-60))

_EPS_TOP = 1e-18   # P(X > top) of each law at the top of its panels (Chernoff)


def _rho(alpha: float, lam: float):
    la = math.log(alpha) - alpha * math.log(lam)

    def rho(v):
        return np.exp(np.minimum(la + (alpha - 1) * np.log(np.maximum(v, 1e-300)), 700.0))
    return rho


def far_cdf(alpha: float, lam: float, c: float, p: int = 20, level: int = 3, seed_rel: float = 1e-40):
    """G, the distribution function of Z_far = Σ_{v_j > c} e^{−v_j}(v_j − c) (no atom; seed below J_max seed_rel),
    a :class:`~attnlimits.numerics.quadrature.positive_id.PanelFunction`. Its Laplace transform is
    exp(−∫_c^∞ ρ (1 − e^{−s e^{−v}(v − c)}) dv) (docs/critical_output.md §9.3).

    >>> G = far_cdf(1.0, 1.0, 1.2)
    >>> float(G(G.breaks[-1:])[0]), float(G(G.breaks[:1])[0]) < 1e-20
    (1.0, True)
    """
    alpha, lam, c = _floats(alpha, lam, c, "c")
    rho = _rho(alpha, lam)
    jmax = math.exp(-c - 1)
    ylo = jmax * seed_rel
    # V: the jumps beyond are below 1e−16 y_lo (w e^{−w} = y_lo 1e−16 e^c on the large branch), a first-order tail
    w = 1.0
    for _ in range(80):
        w = math.log(w) - math.log(ylo * 1e-16) - c
    V = c + w + max(0.0, alpha - 1) * math.log(c + w + 10) * 1.2 + 5
    v_t = np.linspace(V, V + 200, 4001)
    tail = float(np.trapezoid(rho(v_t) * np.exp(-v_t) * (v_t - c), v_t))
    ec = math.exp(c)

    def J(v):
        return np.exp(-v) * (v - c)

    jm = JumpMap([(c, c + 1.0, True, lambda z: c - lambertw(-z * ec, 0).real),
                  (c + 1.0, V, False, lambda z: c - lambertw(-z * ec, -1).real)], J, rho, tail)
    # local exponent k(z) = z × (jump density) of G at small z (θ = 1/λ for α = 1): the seed's power and
    # how strongly the kinks m J_max act (F ~ (y − m J_max)^{m θ + 1/2})
    vs = c - lambertw(-jmax * 1e-6 * ec, -1).real
    theta = float(rho(np.array([vs]))[0]) * (vs - c) / (vs - c - 1)
    top = chernoff_upper(jm, _EPS_TOP, jmax)
    kinks = [m * jmax for m in range(1, int(top / jmax) + 2)]

    def grading(i):
        e = (i + 1) * theta + 0.5
        return 0 if e >= 6 or i >= 12 else (60 if e < 3 and i < 3 else 24)

    br = graded_breaks(ylo, kinks, top, first_width=jmax, grading=grading, fill=jmax / 2)
    # the v-integrals are split only at the kinks that are graded (the others are smooth to working accuracy)
    strong = [k for i, k in enumerate(kinks) if grading(i) > 0]
    return solve_cdf(jm, br, p=p, level=level, seed=max(theta, 1e-3), kinks=strong)


def near_cdf(alpha: float, lam: float, x: float, p: int = 20, level: int = 3):
    """F_Y, the distribution function of Y = Σ_{v_j < c} e^{−v_j}(c − v_j) (c = λx; atom e^{−x^α} at 0), a
    :class:`~attnlimits.numerics.quadrature.positive_id.PanelFunction` (docs/critical_output.md §9).

    >>> F = near_cdf(1.0, 1.0, 1.2)
    >>> round(float(F(F.breaks[:1])[0]), 15) == round(math.exp(-1.2), 15)
    True
    """
    alpha, lam, x = _floats(alpha, lam, x)
    c = lam * x
    rho = _rho(alpha, lam)
    ec = math.exp(c)

    def J(v):
        return np.exp(-v) * (c - v)

    jm = JumpMap([(0.0, c, False, lambda z: c - lambertw(z * ec, 0).real)], J, rho, 0.0)
    top = chernoff_upper(jm, _EPS_TOP, c)
    kinks = [m * c for m in range(1, int(top / c) + 2)]
    start = min(c * 2.0 ** -30, math.exp(-c) * 1e-6)
    grading = (lambda i: 40 if i < 4 else 12) if alpha <= 1 else (lambda i: 12 if i < 2 else 0)
    br = graded_breaks(start, kinks, top, first_width=c, grading=grading, fill=c / 4)
    if x ** alpha > 50:
        # the atom e^{−x^α} < 2e−22 is below the route's accuracy, and marching up from it loses every digit (the
        # values grow by x^α/ln 10 decades): march from a flat seed (F nearly constant below the first panel, as
        # the jump density is bounded at 0) and normalise at the top, as for Z_far
        return solve_cdf(jm, br, p=p, level=level, seed=1e-3, kinks=kinks)
    return solve_cdf(jm, [0.0] + br, p=p, level=level, atom=math.exp(-x ** alpha), kinks=kinks)


def _floats(alpha, lam, x, name="x"):
    """(α, λ, x) as doubles, checked: 2α a positive integer, α ≤ :data:`ALPHA_MAX`, λ in [0.05, 20], 0 ≤ x, λx ≤ 60 (or c > 0,
    c ≤ 60 when ``name`` is "c")."""
    a = float(positive_real(alpha, "alpha"))
    if 2 * a != int(2 * a) or a > ALPHA_MAX:
        raise InputError(f"alpha = {alpha}: the real-space route takes alpha = (d-1)/2 with 2 <= d <= "
                         f"{int(2 * ALPHA_MAX) + 1} (measured there; d = 17 takes minutes, docs/critical_output.md "
                         "§9.3); the inversion routes answer for larger d where in range")
    la = float(positive_real(lam, "lambda"))
    if not 0.05 <= la <= 20:
        raise InputError(f"lambda = {lam} is beyond the range 0.05 <= lambda <= 20 of the real-space route "
                         "(docs/critical_output.md §9.3)")
    xv = float(real(x, name, low=0)) if name == "x" else float(positive_real(x, name))
    c = la * xv if name == "x" else xv
    if c > 60:
        raise InputError(f"{name} = {x}: c = lambda x = {c:.6g} is beyond 60 (the jumps e^(-v)(v - c) near the "
                         "point c + 1 fall below 1e-26; docs/critical_output.md §9.3)")
    return a, la, xv


def real_space_cdf(alpha, lam, x, *, p: int = 20, level: int = 3, seed_rel: float = 1e-40) -> float:
    """P(N ≤ x) by (9.2) in one pass (double precision). d = 3, λ = 1: the median of N is near 1.2:

    >>> round(real_space_cdf(1.0, 1.0, 1.2), 9)
    0.499083084
    """
    alpha, lam, x = _floats(alpha, lam, x)
    if x <= 0:
        return 0.0
    c = lam * x
    G = far_cdf(alpha, lam, c, p, level, seed_rel)
    FY = near_cdf(alpha, lam, x, p, level)
    q = FY.derivative()
    ys = sorted(set(FY.breaks.tolist()) | {b for b in G.breaks.tolist() if b < FY.breaks[-1]} | {0.0})
    xg, wg = np.polynomial.legendre.leggauss(30)
    total = 0.0
    for a, b in zip(ys[:-1], ys[1:]):
        y = (a + b) / 2 + (b - a) / 2 * xg
        total += (b - a) / 2 * (wg @ (G(y) * q(y)))
    return float(total)


def real_space_output(alpha: float, lam: float, x: float) -> tuple[float, float]:
    """(P(N ≤ x), the difference of the two passes of :data:`PASSES`): the value of the finer pass and its
    error estimate.

    >>> v, e = real_space_output(1.0, 1.0, 1.2)
    >>> round(v, 9), e < 1e-10
    (0.499083084, True)
    """
    alpha, lam, x = _floats(alpha, lam, x)
    vals = [real_space_cdf(alpha, lam, x, p=p, level=lv, seed_rel=s) for p, lv, s in PASSES]
    return vals[-1], abs(vals[-1] - vals[0])
