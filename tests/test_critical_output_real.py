"""The real-space route of the critical output law (numerics.laws.positive_id, numerics.laws.critical_output_real;
docs/critical_output.md §9).

References, none computed by the code under test: the generalised Dickman law in closed form (y ≤ 2); the
compound Poisson law with uniform jumps (Irwin–Hall mixture, mpmath); the Laplace transforms of the two sides of Z
from Campbell's exponent by mpmath.quad; the Gil-Pelaez inversion (another algorithm: a transform inverted on the
real line); a Monte Carlo of the limit process itself (partial sums of exponentials, fixed seeds, 5 sigma).
"""
from __future__ import annotations

import math
import time

import mpmath
import numpy as np
import pytest

from attnlimits.numerics.laws import critical_output as CO
from attnlimits.numerics.laws import critical_output_real as RS
from attnlimits.numerics.quadrature.positive_id import JumpMap, graded_breaks, solve_cdf
from attnlimits.theory.validation import InputError


def _dickman(theta):
    jm = JumpMap([(0.0, 40.0, False, lambda z: -np.log(z))], lambda v: np.exp(-v), lambda v: theta + 0 * v,
                 tail=theta * math.exp(-40))
    # the top, 26: P(X > 26) < 1e-17 for theta <= 3 (the normalisation F(top) = 1)
    br = graded_breaks(1e-30, [1.0, 2.0, 3.0], 26.0, first_width=1.0, grading=lambda i: 30, fill=0.5)
    return solve_cdf(jm, br, seed=theta, kinks=[float(k) for k in range(1, 26)])


@pytest.mark.parametrize("theta", [0.25, 1.0, 3.0])
def test_dickman_closed_form(theta):
    # Poisson jumps of intensity theta dy/y on (0, 1): F(y) = e^{-gamma theta} y^theta / Gamma(1 + theta), y <= 1
    F = _dickman(theta)
    # relative error 1e-12 (2.4e-12 at y = 1e-9, theta = 3, where F = 3e-29 is 21 decades above the seed's end)
    for y, tol in ((1e-9, 1e-11), (0.01, 1e-12), (0.5, 1e-12), (1.0, 1e-12)):
        exact = mpmath.exp(-mpmath.euler * theta) * mpmath.mpf(y) ** theta / mpmath.gamma(1 + theta)
        assert abs(F(np.array([y]))[0] / float(exact) - 1) < tol


def test_dickman_beyond_one():
    # theta = 1: the density is e^{-gamma} rho(y), rho = 1 - log y on [1, 2] (Dickman's function)
    F = _dickman(1.0)
    for y in (1.5, 2.0):
        y_ = mpmath.mpf(y)
        exact = mpmath.exp(-mpmath.euler) * (1 + (y_ - 1) - (y_ * mpmath.log(y_) - y_ + 1))
        assert abs(F(np.array([y]))[0] - float(exact)) < 1e-14


def test_compound_poisson_with_atom():
    # 8 jumps on average, uniform on (0, 1): F(y) = sum_k e^{-8} 8^k/k! IrwinHall_k(y), with the atom e^{-8}
    lam = 8.0
    jm = JumpMap([(0.0, 1.0, True, lambda z: z)], lambda v: v, lambda v: lam + 0 * v)
    br = [0.0] + graded_breaks(1.0 / 64, [float(k) for k in range(1, 30)], 30.0, first_width=1.0,
                               grading=lambda i: 8, fill=0.25)
    F = solve_cdf(jm, br, atom=math.exp(-lam), kinks=[float(k) for k in range(1, 31)])

    def exact(y):
        y = mpmath.mpf(y)
        tot = mpmath.exp(-lam)
        for k in range(1, 90):
            ih = sum((-1) ** j * mpmath.binomial(k, j) * max(y - j, 0) ** k for j in range(int(y) + 1))
            tot += mpmath.exp(-lam) * mpmath.mpf(lam) ** k / mpmath.factorial(k) * ih / mpmath.factorial(k)
        return float(tot)

    for y in (0.5, 3.0, 8.0):
        assert abs(F(np.array([y]))[0] - exact(y)) < 1e-13


def _laplace(F, s):
    """s ∫_0^∞ e^{−sy} F(y) dy (= E e^{−sX}), Gauss–Legendre on the panels of F."""
    xg, wg = np.polynomial.legendre.leggauss(30)
    b = F.breaks
    tot = 0.0
    for lo, hi in zip([0.0] + list(b[:-1]), b):
        y = (lo + hi) / 2 + (hi - lo) / 2 * xg
        tot += (hi - lo) / 2 * (wg @ (np.exp(-s * y) * F(y)))
    return s * tot + math.exp(-s * b[-1]) * F(b[-1:])[0]


def _campbell(alpha, lam, c, s, far):
    """exp(−∫ ρ (1 − e^{−s J(v)}) dv) by mpmath.quad, J = e^{−v}(v − c) beyond c (far) or e^{−v}(c − v) below."""
    with mpmath.workdps(30):
        a, la = mpmath.mpf(alpha), mpmath.mpf(lam)

        def f(v):
            J = mpmath.exp(-v) * ((v - c) if far else (c - v))
            return a * la ** (-a) * v ** (a - 1) * -mpmath.expm1(-s * J)

        if far:
            return float(mpmath.exp(-mpmath.quad(f, [c, c + 1, c + 10, c + 60, mpmath.inf])))
        # below c in t = sqrt(v): rho(v) dv = 2 t rho(t^2) dt has no singularity at 0 for alpha >= 1/2
        return float(mpmath.exp(-mpmath.quad(lambda t: 2 * t * f(t * t), [0, mpmath.sqrt(c)])))


@pytest.mark.parametrize("alpha,lam,x", [(1.0, 1.0, 1.2), (0.5, 1.0, 3.0), (1.0, 10.0, 2.0), (3.0, 1.5, 2.0)])
def test_both_sides_against_their_laplace_transforms(alpha, lam, x):
    c = lam * x
    jmax = math.exp(-c - 1)
    G = RS.far_cdf(alpha, lam, c)
    FY = RS.near_cdf(alpha, lam, x)
    for s in (0.3, 3.0):
        assert abs(_laplace(G, s / jmax) - _campbell(alpha, lam, c, s / jmax, True)) < 1e-12
        assert abs(_laplace(FY, s / c) - _campbell(alpha, lam, c, s / c, False)) < 1e-12


def test_real_space_agrees_with_gil_pelaez():
    # d = 5, lambda = 1, x = 2 and d = 3, lambda = 1/4, x = 4: both routes in range; they share no code
    for alpha, lam, x in ((2, 1, 2), (1, "0.25", 4)):
        gp = CO.output_cdf(alpha, lam, x, digits=12, route="gil_pelaez").cdf
        rs = CO.output_cdf(alpha, lam, x, digits=10, route="real_space")
        assert rs.route == "real_space" and rs.significant_digits == 10
        assert abs(rs.cdf - gp) < 1e-11


def _limit_process(alpha, lam, reps, seed, points=400):
    rng = np.random.default_rng(seed)
    out = np.empty(reps)
    for i in range(0, reps, 20000):
        g = np.cumsum(rng.exponential(size=(20000, points)), axis=1)
        S = g ** (1 / alpha)
        lw = -lam * (S - S[:, :1])
        w = np.exp(lw)
        w /= w.sum(axis=1, keepdims=True)
        out[i:i + 20000] = (w * S).sum(axis=1)
    return out


@pytest.mark.slow
def test_d3_lambda_one_against_the_limit_process():
    # the flagship critical case: d = 3 (alpha = 1), lambda = 1, where the inversions are out of range (§8)
    N = _limit_process(1.0, 1.0, 200000, seed=14101)
    for x in ("0.8", "1.6"):
        r = CO.output_cdf(1, 1, x, digits=10)
        assert r.route == "real_space"
        p = float(r.cdf)
        z = (np.mean(N <= float(x)) - p) / math.sqrt(p * (1 - p) / N.size)
        assert abs(z) < 5


def test_auto_route_and_refusals():
    assert CO.choose_route(1, 1, 1, 10) == "real_space"
    assert CO.choose_route(2, 1, 2, 12) == "gil_pelaez"
    t = time.time()
    with pytest.raises(InputError, match="at most 10 digits"):
        CO.output_cdf(1, 1, 1, digits=12, route="real_space")
    with pytest.raises(InputError, match="0.05 <= lambda <= 20"):
        CO.output_cdf(1, 40, 1, digits=8, route="real_space")
    with pytest.raises(InputError, match="real-space route answers for d <= 9, 0.05 <= lambda <= 20"):
        CO.output_cdf(1, 1, 1, digits=12)          # auto: the inversion is out of range, real space at 12 digits too
    assert time.time() - t < 10
