"""Subcritical regime, evaluated: mean, bias, exact CLT covariance, n_eff, and the Monte Carlo comparison.

Formulas from :mod:`attnlimits.theory.subcritical` (derived there): with A_1 = A_d(beta), A_2 = A_d(2 beta) and
R = M(2 beta)/M(beta)^2,

    var_par  = R (1 - (d-1) A_2/(2 beta) - 2 A_1 A_2 + A_1^2)   (n Var<q, y> in the limit n -> oo),
    var_perp = R A_2 / (2 beta)                               (n Var of each coordinate of P_perp y),

exact for every finite beta (the CLT is in n). Main route: Perron's fraction for A, scaled Bessel for R
(:mod:`attnlimits.numerics.special.bessel_ratio`). Independent routes for checking: the 0F1 route
(:func:`clt_variances_hyp0f1`, derivatives of 0F1 by DLMF 16.3.1, no Bessel and no ODE identity) and direct
quadrature against the density of X (:func:`clt_variances_quadrature`).
"""
from __future__ import annotations

import math

import mpmath
import numpy as np
from scipy import stats as _st

from attnlimits.numerics.special.bessel_ratio import mean_resultant, mgf_ratio
from attnlimits.numerics.precision import check_digits, working_digits
from attnlimits.numerics.montecarlo.stats import Comparison, ks_compare, z_compare
from attnlimits.theory.validation import count, dimension, positive_real

__all__ = ["clt_variances", "clt_covariance", "clt_variances_hyp0f1", "clt_variances_quadrature", "n_eff",
           "ratio_bias", "variance_compare", "monte_carlo_comparisons"]


def _cancellation_digits(beta) -> int:
    """Guard digits for var_parallel, whose bracket cancels to O(beta^{-2}) at large beta."""
    return 2 * max(0, int(mpmath.log10(mpmath.mpf(beta)))) + 10


def clt_variances(d, beta, digits: int = 20) -> dict:
    """{'mean_resultant', 'var_parallel', 'var_perp', 'R'} as mpf at ``digits`` (see the module docstring)."""
    d = dimension(d)
    digits = check_digits(digits)
    positive_real(beta, "beta")
    extra = _cancellation_digits(beta)
    with working_digits(digits + extra):
        b = mpmath.mpf(beta)
        a1 = mean_resultant(d, beta, digits + extra)
        a2 = mean_resultant(d, 2 * b, digits + extra)
        r = mgf_ratio(d, beta, digits + extra)
        par = r * (1 - (d - 1) * a2 / (2 * b) - 2 * a1 * a2 + a1 * a1)
        perp = r * a2 / (2 * b)
        out = {"mean_resultant": a1, "var_parallel": par, "var_perp": perp, "R": r, "A_2beta": a2}
    with working_digits(digits):
        return {k: +v for k, v in out.items()}


def clt_covariance(d, beta, digits: int = 20, V=None, q=None):
    """The limit covariance of sqrt(n)(V y - V m): V Sigma V^T, Sigma = var_par q q^T + var_perp (I - q q^T).

    ``q`` defaults to e_1; ``V`` (a k x d nested list / array) defaults to the identity. Returns an mpmath matrix.
    """
    d = dimension(d)
    v = clt_variances(d, beta, digits)
    with working_digits(digits):
        qv = mpmath.matrix([1] + [0] * (d - 1)) if q is None else mpmath.matrix([mpmath.mpf(t) for t in q])
        if qv.rows != d:
            from attnlimits.theory.validation import InputError
            raise InputError(f"q must have {d} entries, got {qv.rows}")
        qv = qv / mpmath.norm(qv)
        P = qv * qv.T
        S = v["var_parallel"] * P + v["var_perp"] * (mpmath.eye(d) - P)
        if V is None:
            return S
        Vm = mpmath.matrix([[mpmath.mpf(t) for t in row] for row in V])
        if Vm.cols != d:
            from attnlimits.theory.validation import InputError
            raise InputError(f"V must have {d} columns, got {Vm.cols}")
        return Vm * S * Vm.T


def clt_variances_hyp0f1(d, beta, digits: int = 20) -> dict:
    """Independent route: the same variances from 0F1 and its parameter-shifted derivatives (no Bessel ratios).

    M(b) = 0F1(; c; b^2/4), c = d/2;  M'(b) = (b/(2c)) 0F1(; c+1; b^2/4);
    M''(b) = (1/(2c)) 0F1(; c+1; b^2/4) + (b^2/(4c(c+1))) 0F1(; c+2; b^2/4)   (d/dz 0F1(;c;z) = 0F1(;c+1;z)/c).
    Every 0F1 is multiplied by e^{-b} (the growth of all three is e^{b} b^{...}) so ratios stay well scaled.
    """
    d = dimension(d)
    digits = check_digits(digits)
    positive_real(beta, "beta")
    extra = _cancellation_digits(beta)
    with working_digits(digits + extra):
        b = mpmath.mpf(beta)
        c = mpmath.mpf(d) / 2

        def derivs(s):
            z = s * s / 4
            f0, f1, f2 = (mpmath.hyp0f1(c + j, z) for j in range(3))
            return f0, s / (2 * c) * f1, f1 / (2 * c) + s * s / (4 * c * (c + 1)) * f2

        m0, m1, _ = derivs(b)
        M0, M1, M2 = derivs(2 * b)
        a1 = m1 / m0
        par = (M2 - 2 * a1 * M1 + a1 * a1 * M0) / m0**2
        perp = (M0 - M2) / ((d - 1) * m0**2)
        out = {"mean_resultant": a1, "var_parallel": par, "var_perp": perp}
    with working_digits(digits):
        return {k: +v for k, v in out.items()}


def clt_variances_quadrature(d, beta, digits: int = 20) -> dict:
    """Independent route: Sigma's entries by quadrature of E[e^{2bX}(X - A)^2], E[e^{2bX}(1 - X^2)]/(d-1)
    against the density c_d (1 - x^2)^{(d-3)/2} of X (notes §2), each normalised by (E e^{bX})^2.

    In the angle x = cos(phi) the weight is sin(phi)^{d-2} e^{k b (cos(phi) - 1)} on [0, pi], with no endpoint
    singularity for any d; tanh-sinh on pieces split at phi_j = acos(1 - 2^j/b), which resolve the boundary layer
    of width b^{-1/2}. Meant for moderate d and beta (the checks use d <= 64, beta <= 1e4).
    """
    d = dimension(d)
    digits = check_digits(digits)
    positive_real(beta, "beta")
    with working_digits(digits):
        b = mpmath.mpf(beta)
        pts = [mpmath.mpf(0)] + [mpmath.acos(1 - mpmath.mpf(2) ** j / b) for j in range(-3, 64)
                                 if mpmath.mpf(2) ** j < b] + [mpmath.pi]

        def C(k):
            # log of the peak of sin^{d-2} e^{-k u} in u = b (1 - cos phi) ~ phi^2 b / 2: the integrand is divided
            # by e^C so that it is O(1) (mpmath's quad stops on an absolute tolerance)
            if d == 2:
                return mpmath.mpf(0)
            us = mpmath.mpf(d - 2) / (2 * k)
            return (mpmath.mpf(d - 2) / 2) * mpmath.log(2 * us / b) - k * us

        def J(k, h):
            ck = C(k)
            f = lambda p: (mpmath.sin(p) ** (d - 2) * mpmath.exp(-2 * k * b * mpmath.sin(p / 2) ** 2 - ck)  # noqa: E731
                           * h(mpmath.cos(p)))
            return mpmath.quad(f, pts)

        one = lambda x: 1  # noqa: E731
        j1 = J(1, one)
        a = J(1, lambda x: x) / j1
        cd = mpmath.gamma(mpmath.mpf(d) / 2) / (mpmath.sqrt(mpmath.pi) * mpmath.gamma(mpmath.mpf(d - 1) / 2))
        # int (1-x^2)^{(d-3)/2} e^{k b (x-1)} h dx = e^{C_k} J_k[h]; the e^{2b} and c_d factors: see the docstring
        scale = mpmath.exp(C(2) - 2 * C(1)) / (cd * j1 * j1)
        par = scale * J(2, lambda x: (x - a) ** 2)
        perp = scale * J(2, lambda x: 1 - x * x) / (d - 1)
        return {"mean_resultant": +a, "var_parallel": +par, "var_perp": +perp}


def n_eff(n, d, beta, digits: int = 20):
    """n_eff = n kappa_d Gamma(alpha + 1) beta^{-alpha}, alpha = (d-1)/2 (Watson's lemma; the constant from numerics.laws.sphere)."""
    n = count(n, "n")
    d = dimension(d)
    digits = check_digits(digits)
    positive_real(beta, "beta")
    from attnlimits.numerics.laws.sphere import neff_constant

    with working_digits(digits):
        a = mpmath.mpf(d - 1) / 2
        return +(mpmath.mpf(n) * neff_constant(d, digits + 5) * mpmath.mpf(beta) ** (-a))


def ratio_bias(n, d, beta, digits: int = 20):
    """O(1/n) bias of the self-normalised mean: E<q, y> - A_d(beta) = R (A_1 - A_2)/n + O(n^{-2})
    (second-order delta method, :func:`attnlimits.theory.subcritical.ratio_bias_symbolic`)."""
    n = count(n, "n")
    v = clt_variances(d, beta, digits)
    with working_digits(digits):
        return +(v["R"] * (v["mean_resultant"] - v["A_2beta"]) / n)


def variance_compare(name: str, samples, reference_var, scale: float = 1.0) -> Comparison:
    """Compare scale * sample variance with ``reference_var``; SE from the fourth central moment,
    se(s^2) ~ sqrt((m_4 - s^4)/R) (delta method for the sample variance of R i.i.d. replicates)."""
    x = np.asarray(samples, dtype=float)
    r = x.size
    c = x - x.mean()
    s2 = float(np.dot(c, c) / (r - 1))
    m4 = float(np.mean(c**4))
    se = math.sqrt(max(m4 - s2 * s2, 0.0) / r) * scale
    est = s2 * scale
    ref = float(reference_var)
    z = (est - ref) / se if se > 0 else (0.0 if est == ref else math.inf)
    return Comparison(name, est, ref, se, z, float(2 * _st.norm.sf(abs(z))))


def monte_carlo_comparisons(n, d, beta, reps, seed) -> list:
    """Monte Carlo of the subcritical CLT with the reference sampler, compared with the exact values.

    Six comparisons at (n, d, beta): mean of <q, y> against A_d + R(A_1 - A_2)/n; mean of the perp coordinate
    against 0; n Var<q, y> against var_par; n Var(perp coord) against var_perp; KS tests of both components
    standardised with the *exact* mean and variance against N(0, 1).
    """
    from attnlimits.numerics.montecarlo.sampling import replicates

    n = count(n, "n")
    v = clt_variances(d, beta, 20)
    mean_ref = float(v["mean_resultant"] + ratio_bias(n, d, beta, 20))
    par_ref, perp_ref = float(v["var_parallel"]), float(v["var_perp"])
    rep = replicates(n, d, float(beta), reps, seed)
    tag = f"n={n},d={d},beta={float(beta):g}"
    par, perp = rep["parallel"], rep["perp_coord"]
    return [
        z_compare(f"mean parallel {tag}", par, mean_ref),
        z_compare(f"mean perp {tag}", perp, 0.0),
        variance_compare(f"n var parallel {tag}", par, par_ref, scale=n),
        variance_compare(f"n var perp {tag}", perp, perp_ref, scale=n),
        ks_compare(f"KS parallel {tag}", (par - mean_ref) * math.sqrt(n / par_ref), _st.norm.cdf),
        ks_compare(f"KS perp {tag}", perp * math.sqrt(n / perp_ref), _st.norm.cdf),
    ]
