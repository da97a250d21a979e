"""Subcritical regime, evaluated: mean, bias, exact CLT covariance, n_eff, and the Monte Carlo comparison.

Formulas from :mod:`attnlimits.theory.subcritical` (derived there): with A_1 = A_d(beta), A_2 = A_d(2 beta) and
R = M(2 beta)/M(beta)^2,

    var_par  = R (1 - (d-1) A_2/(2 beta) - 2 A_1 A_2 + A_1^2)   (n Var<q, y> in the limit n -> oo),
    var_perp = R A_2 / (2 beta)                               (n Var of each coordinate of P_perp y),

exact for every finite beta (the CLT is in n; docs/mathematics.md §5). Main route: Perron's fraction for A,
scaled Bessel for R (:mod:`attnlimits.numerics.special.bessel_ratio`). Independent routes for checking: the 0F1
route (:func:`clt_variances_hyp0f1`, derivatives of 0F1 by DLMF 16.3.1, no Bessel and no ODE identity) and direct
quadrature against the density of X (:func:`clt_variances_quadrature`). All three return :class:`CLTVariances`.
:func:`subcritical_summary` gathers what ``attnlimits law subcritical`` prints.
"""
from __future__ import annotations

import dataclasses
import math

import mpmath
import numpy as np
from scipy import stats as _st

from attnlimits.numerics.laws.sphere import neff_constant
from attnlimits.numerics.montecarlo.stats import Comparison, ks_compare, z_compare
from attnlimits.numerics.precision import precise, working_digits
from attnlimits.numerics.results import Result
from attnlimits.numerics.special.bessel_ratio import mean_resultant, mgf_ratio
from attnlimits.theory.validation import InputError, count, dimension, positive_real

__all__ = ["CLTVariances", "clt_variances", "clt_covariance", "clt_variances_hyp0f1", "clt_variances_quadrature",
           "n_eff", "output_bias", "ratio_bias", "SubcriticalSummary", "subcritical_summary", "variance_compare",
           "monte_carlo_comparisons"]


@dataclasses.dataclass(frozen=True)
class CLTVariances(Result):
    """Mean and exact CLT variances of the attention output y over n uniform keys (docs/mathematics.md §5).

    sqrt(n)(y - m) => N(0, Sigma) as n -> oo at fixed beta, with m = A_d(beta) q and
    Sigma = var_parallel q q^T + var_perp (I - q q^T). Every route fills the first three fields; a route that
    does not compute the last two leaves them None. Values are mpf at the requested digits.

    - ``mean_resultant``: A_d(beta) = I_{d/2}(beta)/I_{d/2-1}(beta), the length of m;
    - ``var_parallel``: the limit of n Var<q, y>;
    - ``var_perp``: the limit of n Var of each coordinate of P_perp y;
    - ``mgf_ratio``: R = M(2 beta)/M(beta)^2, M(b) = E e^{b X} (n / R is Kish's effective sample size);
    - ``mean_resultant_2beta``: A_d(2 beta).

    d = 3: A_3(beta) = coth beta - 1/beta:

    >>> v = clt_variances(3, 2, 10)
    >>> mpmath.nstr(v.mean_resultant, 10), mpmath.nstr(mpmath.coth(2) - 0.5, 10)
    ('0.5373147207', '0.5373147207')
    >>> v.to_json(6)["mean_resultant_2beta"], mpmath.nstr(mpmath.coth(4) - 0.25, 6)
    ('0.750671', '0.750671')
    """

    mean_resultant: mpmath.mpf
    var_parallel: mpmath.mpf
    var_perp: mpmath.mpf
    mgf_ratio: mpmath.mpf | None = None
    mean_resultant_2beta: mpmath.mpf | None = None


def _cancellation_digits(beta) -> int:
    """Guard digits for var_parallel, whose bracket cancels to O(beta^{-2}) at large beta."""
    return 2 * max(0, int(mpmath.log10(mpmath.mpf(beta)))) + 10


@precise
def clt_variances(d, beta, digits: int = 20) -> CLTVariances:
    """The main route (Perron's fraction for A, scaled Bessel for R; the formulas of the module docstring).

    >>> v = clt_variances(3, 2, 20)  # d = 3: R = beta coth beta and A_3 = coth beta - 1/beta, elementary
    >>> mpmath.nstr(v.var_perp, 15), mpmath.nstr(mpmath.coth(2) * (mpmath.coth(4) - 0.25) / 2, 15)
    ('0.389341117368574', '0.389341117368574')
    """
    d = dimension(d)
    positive_real(beta, "beta")
    extra = _cancellation_digits(beta)
    with working_digits(digits + extra):  # var_parallel's bracket cancels about 2 log10(beta) digits
        b = mpmath.mpf(beta)
        a1 = mean_resultant(d, beta, digits + extra)
        a2 = mean_resultant(d, 2 * b, digits + extra)
        r = mgf_ratio(d, beta, digits + extra)
        par = r * (1 - (d - 1) * a2 / (2 * b) - 2 * a1 * a2 + a1 * a1)
        perp = r * a2 / (2 * b)
    return CLTVariances(a1, par, perp, mgf_ratio=r, mean_resultant_2beta=a2)


@precise
def clt_covariance(d, beta, digits: int = 20, V=None, q=None):
    """The limit covariance of sqrt(n)(V y - V m): V Sigma V^T, Sigma = var_par q q^T + var_perp (I - q q^T).

    ``q`` defaults to e_1; ``V`` (a k x d nested list / array) defaults to the identity. Returns an mpmath matrix.

    >>> S = clt_covariance(3, 2, 20)  # diagonal for q = e_1: var_parallel, then var_perp twice
    >>> mpmath.nstr(S[1, 1], 15), S[0, 1]
    ('0.389341117368574', mpf('0.0'))
    """
    d = dimension(d)
    v = clt_variances(d, beta, digits)
    qv = mpmath.matrix([1] + [0] * (d - 1)) if q is None else mpmath.matrix([mpmath.mpf(t) for t in q])
    if qv.rows != d:
        raise InputError(f"q must have {d} entries, got {qv.rows}")
    qv = qv / mpmath.norm(qv)
    P = qv * qv.T
    S = v.var_parallel * P + v.var_perp * (mpmath.eye(d) - P)
    if V is None:
        return S
    Vm = mpmath.matrix([[mpmath.mpf(t) for t in row] for row in V])
    if Vm.cols != d:
        raise InputError(f"V must have {d} columns, got {Vm.cols}")
    return Vm * S * Vm.T


@precise
def clt_variances_hyp0f1(d, beta, digits: int = 20) -> CLTVariances:
    """Independent route: the same variances from 0F1 and its parameter-shifted derivatives (no Bessel ratios).

    M(b) = 0F1(; c; b^2/4), c = d/2;  M'(b) = (b/(2c)) 0F1(; c+1; b^2/4);
    M''(b) = (1/(2c)) 0F1(; c+1; b^2/4) + (b^2/(4c(c+1))) 0F1(; c+2; b^2/4)   (d/dz 0F1(;c;z) = 0F1(;c+1;z)/c).
    The 0F1 values grow like e^{b}; mpmath's numbers have unbounded exponents, so nothing overflows. Also fills
    R = M(2b)/M(b)^2 and A_d(2b) = M'(2b)/M(2b).

    >>> mpmath.nstr(clt_variances_hyp0f1(3, 2, 20).var_perp, 15)  # as clt_variances
    '0.389341117368574'
    """
    d = dimension(d)
    positive_real(beta, "beta")
    extra = _cancellation_digits(beta)
    with working_digits(digits + extra):  # var_parallel's bracket cancels about 2 log10(beta) digits
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
        r, a2 = M0 / m0**2, M1 / M0
    return CLTVariances(a1, par, perp, mgf_ratio=r, mean_resultant_2beta=a2)


@precise
def clt_variances_quadrature(d, beta, digits: int = 20) -> CLTVariances:
    """Independent route: Sigma's entries by quadrature of E[e^{2bX}(X - A)^2], E[e^{2bX}(1 - X^2)]/(d-1)
    against the density c_d (1 - x^2)^{(d-3)/2} of X (docs/mathematics.md §2), each normalised by (E e^{bX})^2.

    In the angle x = cos(phi) the weight is sin(phi)^{d-2} e^{k b (cos(phi) - 1)} on [0, pi], with no endpoint
    singularity for any d; tanh-sinh on pieces split at phi_j = acos(1 - 2^j/b), which resolve the boundary layer
    of width b^{-1/2}. Meant for moderate d and beta (the checks use d <= 64, beta <= 1e4). Leaves ``mgf_ratio``
    and ``mean_resultant_2beta`` None.

    >>> mpmath.nstr(clt_variances_quadrature(3, 2, 20).var_perp, 15)  # as clt_variances
    '0.389341117368574'
    """
    d = dimension(d)
    positive_real(beta, "beta")
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
    return CLTVariances(a, par, perp)


@precise
def n_eff(n, d, beta, digits: int = 20):
    """n_eff = n kappa_d Gamma(alpha + 1) beta^{-alpha}, alpha = (d-1)/2 (Watson's lemma, docs/mathematics.md §2;
    the constant from :func:`attnlimits.numerics.laws.sphere.neff_constant`).

    >>> mpmath.nstr(n_eff(10**6, 3, 10, 20), 15)  # d = 3: kappa_3 = 1/2, alpha = 1, so n_eff = n/(2 beta)
    '50000.0'
    """
    n = count(n, "n")
    d = dimension(d)
    positive_real(beta, "beta")
    a = mpmath.mpf(d - 1) / 2
    return mpmath.mpf(n) * neff_constant(d, digits + 5) * mpmath.mpf(beta) ** (-a)


@precise
def output_bias(d, beta, digits: int = 20):
    """The bias A_d(beta) - 1 of the length of the population output m = A_d(beta) q (docs/mathematics.md §5).

    A_d(beta) - 1 cancels about log10(1/|A_d - 1|) digits when A_d is close to 1 (large beta): A_d is computed
    once with 5 extra digits to measure the cancellation, then again with that many more.

    >>> mpmath.nstr(output_bias(3, "1e6", 20), 15)  # d = 3: coth beta - 1/beta - 1 = -1/beta + O(e^{-2 beta})
    '-1.0e-6'
    """
    d = dimension(d)
    positive_real(beta, "beta")
    a = mean_resultant(d, beta, digits + 5)
    with working_digits(digits + 5):  # the 5 extra digits A_d carries
        bias = a - 1
    if bias == 0:
        return bias
    extra = max(0, int(-mpmath.log10(abs(bias)))) + 5
    with working_digits(digits + extra):  # A_d - 1 cancels about log10(1/|A_d - 1|) digits
        return mean_resultant(d, beta, digits + extra) - 1


@precise
def ratio_bias(n, d, beta, digits: int = 20):
    """O(1/n) bias of the self-normalised mean: E<q, y> - A_d(beta) = R (A_d(beta) - A_d(2 beta))/n + O(n^{-2})
    (second-order delta method, :func:`attnlimits.theory.subcritical.ratio_bias_symbolic`, docs/mathematics.md §5).

    A_d(beta) - A_d(2 beta) ~ (d - 1)/(4 beta) cancels about log10(beta) digits at large beta: both are computed
    with that many more digits (R = M(2 beta)/M(beta)^2 enters as a factor and needs none).

    >>> # d = 3: beta coth beta (coth beta - 1/beta - coth 2 beta + 1/(2 beta))/n = -0.000499591361467504...
    >>> mpmath.nstr(ratio_bias(1000, 3, 5, 20), 12)
    '-0.000499591361468'
    """
    n = count(n, "n")
    d = dimension(d)
    positive_real(beta, "beta")
    extra = max(0, int(mpmath.log10(mpmath.mpf(beta)))) + 1
    with working_digits(digits + extra):  # A_d(beta) - A_d(2 beta) cancels about log10(beta) digits
        b = mpmath.mpf(beta)
        diff = mean_resultant(d, b, digits + extra) - mean_resultant(d, 2 * b, digits + extra)
    return mgf_ratio(d, beta, digits) * diff / n


@dataclasses.dataclass(frozen=True)
class SubcriticalSummary(Result):
    """What ``attnlimits law subcritical`` prints: the output's mean, bias and CLT fluctuations (docs/mathematics.md §5).

    Values are mpf at the requested digits; the fields after ``n`` need the number of keys and are None without it.

    - ``mean_resultant``: A_d(beta), the length of the population output m = A_d(beta) q;
    - ``bias``: A_d(beta) - 1 (:func:`output_bias`, all digits despite the cancellation);
    - ``var_parallel``, ``var_perp``: n times the limiting variances of <q, y> and of each coordinate of P_perp y;
    - ``n``: the number of keys (an int), or None;
    - ``n_eff``: n kappa_d Gamma(alpha + 1) beta^{-alpha}, the large-beta Laplace count of the keys sharing the mass;
    - ``kish_n``: n / R = n M(beta)^2 / M(2 beta), Kish's effective sample size of the weights, exact in beta
      (asymptotically 2^alpha n_eff);
    - ``sd_parallel``, ``sd_perp``: sqrt(var_parallel/n), sqrt(var_perp/n), the sizes of the fluctuations;
    - ``ratio_bias``: R (A_d(beta) - A_d(2 beta))/n, the O(1/n) bias of the self-normalised mean (:func:`ratio_bias`).
    """

    mean_resultant: mpmath.mpf
    bias: mpmath.mpf
    var_parallel: mpmath.mpf
    var_perp: mpmath.mpf
    n: int | None = None
    n_eff: mpmath.mpf | None = None
    kish_n: mpmath.mpf | None = None
    sd_parallel: mpmath.mpf | None = None
    sd_perp: mpmath.mpf | None = None
    ratio_bias: mpmath.mpf | None = None


@precise
def subcritical_summary(d, beta, n=None, digits: int = 20) -> SubcriticalSummary:
    """Mean, bias and CLT variances at (d, beta), and with ``n`` the n-dependent figures (:class:`SubcriticalSummary`).

    The CLT variances are computed with 5 extra digits, so that kish_n and the standard deviations derived from
    them are correctly rounded too.

    >>> s = subcritical_summary(3, 10, 10**6, 15)  # d = 3: n_eff = n/(2 beta), kish_n = n/(beta coth beta)
    >>> mpmath.nstr(s.n_eff, 15), mpmath.nstr(s.kish_n, 15), mpmath.nstr(10**5 / mpmath.coth(10), 15)
    ('50000.0', '99999.9995877693', '99999.9995877693')
    """
    d = dimension(d)
    positive_real(beta, "beta")
    n = None if n is None else count(n, "n")
    v = clt_variances(d, beta, digits + 5)
    head = dict(mean_resultant=v.mean_resultant, bias=output_bias(d, beta, digits), var_parallel=v.var_parallel,
                var_perp=v.var_perp)
    if n is None:
        return SubcriticalSummary(**head)
    return SubcriticalSummary(**head, n=n, n_eff=n_eff(n, d, beta, digits), kish_n=n / v.mgf_ratio,
                              sd_parallel=mpmath.sqrt(v.var_parallel / n), sd_perp=mpmath.sqrt(v.var_perp / n),
                              ratio_bias=ratio_bias(n, d, beta, digits))


def variance_compare(name: str, samples, reference_var, scale: float = 1.0) -> Comparison:
    """Compare scale * sample variance with ``reference_var``; SE from the fourth central moment,
    se(s^2) ~ sqrt((m_4 - s^4)/R) (delta method for the sample variance of R i.i.d. replicates).

    >>> c = variance_compare("unit normal", np.random.default_rng(0).standard_normal(10000), 1.0)
    >>> abs(c.z) < 3, round(c.se, 3)  # se(s^2) = sqrt(2/R) for a normal sample
    (True, 0.014)
    """
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

    >>> [c.name for c in monte_carlo_comparisons(500, 3, 2.0, 100, 1)][:2]
    ['mean parallel n=500,d=3,beta=2', 'mean perp n=500,d=3,beta=2']
    """
    from attnlimits.numerics.montecarlo.sampling import replicates

    n = count(n, "n")
    v = clt_variances(d, beta, 20)
    mean_ref = float(v.mean_resultant + ratio_bias(n, d, beta, 20))
    par_ref, perp_ref = float(v.var_parallel), float(v.var_perp)
    rep = replicates(n, d, float(beta), reps, seed)
    tag = f"n={n},d={d},beta={float(beta):g}"
    par, perp = rep.parallel, rep.perp_coord
    return [
        z_compare(f"mean parallel {tag}", par, mean_ref),
        z_compare(f"mean perp {tag}", perp, 0.0),
        variance_compare(f"n var parallel {tag}", par, par_ref, scale=n),
        variance_compare(f"n var perp {tag}", perp, perp_ref, scale=n),
        ks_compare(f"KS parallel {tag}", (par - mean_ref) * math.sqrt(n / par_ref), _st.norm.cdf),
        ks_compare(f"KS perp {tag}", perp * math.sqrt(n / perp_ref), _st.norm.cdf),
    ]
