"""The exact finite-(n, d) critical inverse temperature for i.i.d. uniform keys, and the laws it is compared with.

Where the two papers meet (package extension). Fix a query q and n i.i.d. keys uniform on S^{d-1};
W_(1) is the largest attention weight. The critical beta is defined by the half-mass criterion

    beta_crit(n, d) = the beta with E W_(1) = 1/2

(E W_(1) increases in beta: W_(1) = 1/(1 + sum_j exp(-beta gap_j)) with gaps >= 0). It is compared with

- paper 1's scale (kappa_d n)^{2/(d-1)} (d fixed, n -> oo);
- the random-energy (Gaussian score) law sqrt(2 d log n) (X ~ N(0, 1/d) for d >> log n);
- the log n law of paper 2 through the slope beta_crit / log n;
- the package's energy-entropy interpolation beta_LD = (d - 1) x/(1 - x^2), x^2 = 1 - n^{-2/(d-1)}
  (freezing where the tilt beta balances the entropy slope of the cap, log P(X > x) ~ ((d-1)/2) log(1 - x^2)):
  it tends to (d - 1) n^{2/(d-1)} for fixed d, to sqrt(2 (d - 1) log n) for log n << d, and is proportional to
  log n when d ~ c log n.

Exact E W_(1) (docs/mathematics.md §8, rewritten; own implementation, independent of numerics/laws/finite_n.py of issue 4,
which should replace ``expected_top_weight`` as the default evaluator after merge). With 1/(1 + R) =
int_0^oo e^{-u(1 + R)} du and the top key at level x,

    E W_(1) = E_top[ int_0^oo e^{-u} (1 - psi(u, x)/F(x))^{n-1} du ],
    psi(u, x) = E[(1 - exp(-u e^{-beta (x - X)})) 1{X < x}],  F(x) = P(X < x),

which is the formula n int f(x) e^{beta x} int_0^oo e^{-t e^{beta x}} (E[e^{-tY} 1{X<x}])^{n-1} dt dx with
t = u e^{-beta x}. The top is parametrized by w with F(x(w))^n = e^{-w}, so E_top[h] = int_0^oo e^{-w} h(x(w)) dw,
and the power is taken as exp((n - 1) log1p(-psi/F)). For the sphere everything is written in
D = 1 - X (D/2 ~ Beta(a, a), a = (d - 1)/2), so that tiny caps (d = 3, n = 10^12) keep their digits.
Quadrature: Gauss-Legendre panels in log w, log u and in the gap v = beta (x - X), truncated where the
integrand's envelope is below e^{-50} of its peak. Double precision; about 6 significant digits (n = 2, d = 3: 3e-7 absolute against the closed form).
"""
from __future__ import annotations

import dataclasses
import math
from typing import Callable

import numpy as np
from scipy import optimize, special

from attnlimits.numerics.laws.sphere import log_kappa_value
from attnlimits.numerics.results import Result
from attnlimits.theory.validation import InputError, choice, count, dimension, positive_real, real

__all__ = ["SphereScores", "GaussianScores", "expected_top_weight", "critical_beta", "laws",
           "CRITERIA", "MAX_N", "table", "AsymptoticLaws", "CriticalBetaRow", "critical_beta_row"]

CRITERIA = ("half-mass",)

#: Gauss-Legendre panels (8 nodes each) in log w and log u; the tests double them to check convergence.
GRID = {"w_panels": 13, "u_panels": 14}


@dataclasses.dataclass(frozen=True)
class SphereScores:
    """X = <q, K>, K uniform on S^{d-1}; in the gap variable D = 1 - X, D/2 ~ Beta(a, a).

    >>> law = SphereScores(3)  # d = 3: a = 1, D uniform on [0, 2], density 1/2
    >>> law.a, round(float(law.top_gap(0.25)), 12), round(float(np.exp(law.log_density(0.7))), 12)
    (1.0, 0.5, 0.5)
    """

    d: int

    def __post_init__(self):
        object.__setattr__(self, "d", dimension(self.d))

    @property
    def a(self):
        return (self.d - 1) / 2

    def top_gap(self, p_upper):
        """D_top with P(D < D_top) = p_upper (the top key, as a distance)."""
        return 2.0 * special.betaincinv(self.a, self.a, p_upper)

    def log_density(self, D):
        a = self.a
        with np.errstate(divide="ignore", invalid="ignore"):
            return (-math.log(2) - special.betaln(a, a)
                    + (a - 1) * (np.log(D / 2) + np.log1p(-D / 2)))

    def gap_max(self, D_top):
        return 2.0


@dataclasses.dataclass(frozen=True)
class GaussianScores:
    """Scores X ~ N(0, sigma^2) i.i.d. (the random-energy model); D = -X.

    >>> law = GaussianScores(2.0)  # the 97.5% quantile of N(0, 4) is 2 x 1.959964
    >>> round(float(law.top_gap(0.975)), 6), round(float(np.exp(law.log_density(0.0))), 6)  # 1/(2 sqrt(2 pi))
    (3.919928, 0.199471)
    """

    sigma: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "sigma", float(positive_real(self.sigma, "sigma")))

    def top_gap(self, p_upper):
        return self.sigma * special.ndtri(p_upper)

    def log_density(self, D):
        z = D / self.sigma
        return -0.5 * z * z - math.log(self.sigma * math.sqrt(2 * math.pi))

    def gap_max(self, D_top):
        return max(D_top, 0.0) + 40.0 * self.sigma


def _gl_panels(edges, k):
    x, w = np.polynomial.legendre.leggauss(k)
    a, b = np.asarray(edges[:-1]), np.asarray(edges[1:])
    mid, half = (a + b) / 2, (b - a) / 2
    return (mid[:, None] + half[:, None] * x[None]).ravel(), (half[:, None] * w[None]).ravel()


def _psi_circle(D_top, beta, u, nodes=12):
    """psi(u, top) for d = 2 in the angle: X = cos theta with theta uniform on [0, pi], so
    psi = (1/pi) int_{theta_top}^{pi} (1 - exp(-u e^{-v(theta)})) dtheta, v = beta (D(theta) - D_top), D = 2 sin^2(theta/2).

    The density of D, 1/(pi sqrt(D (2 - D))), is singular at both ends; in theta the integrand is smooth (the
    panels in v missed the end D = 2 by 0.5 %, E W_(1) by 7e-4 at n = 3). Panels equidistributed in v (width <= 1/2)
    up to where u e^{-v} < e^{-60} of the largest u.
    """
    s_top = math.sqrt(D_top / 2)
    th_top = 2 * math.asin(min(s_top, 1.0))

    def v_of(th):  # beta (2 sin^2(th/2) - D_top) without the cancellation at th_top
        sh = np.sin(th / 2)
        return 2 * beta * (sh - s_top) * (sh + s_top)

    v_hi = math.log(max(u.max(), 1.0)) + 60
    if v_of(np.pi) <= v_hi:
        th_hi = np.pi
    else:  # 2 sin^2(th/2) = D_top + v_hi/beta
        th_hi = 2 * math.asin(math.sqrt(min((D_top + v_hi / beta) / 2, 1.0)))
    if th_hi <= th_top:
        return np.zeros_like(u)
    grid = np.linspace(th_top, th_hi, 4001)
    vg = v_of(grid)
    # edges at every half unit of v and at least 16 panels in theta
    cost = np.maximum(2 * vg, (grid - th_top) * 16 / (th_hi - th_top))
    cost = np.maximum.accumulate(cost)
    npan = int(min(2000, max(16, math.ceil(cost[-1]))))
    edges = np.interp(np.linspace(0, cost[-1], npan + 1), cost, grid)
    edges = np.unique(edges)
    th, wt = _gl_panels(edges, nodes)
    M = -np.expm1(-u[:, None] * np.exp(-v_of(th))[None, :])
    return (M @ wt) / np.pi


def _psi(law, D_top, beta, u, nodes=12):
    """psi(u, top) = (1/beta) int_0^V f(D_top + v/beta) (1 - exp(-u e^{-v})) dv for every u in the array."""
    if isinstance(law, SphereScores) and law.d == 2:
        return _psi_circle(D_top, beta, u, nodes)
    V = beta * (law.gap_max(D_top) - D_top)
    if V <= 0:
        return np.zeros_like(u)
    # envelope of the log integrand (at the largest u) on a coarse grid, dense near v = 0 where the density
    # factor (D_top + v/beta)^{a-1} can be steep; where it is below peak - 50 the tail is dropped
    vg = np.unique(np.concatenate([np.linspace(0, min(V, 60.0), 241), np.geomspace(1e-8, V, 600),
                                   np.linspace(min(V, 60.0), V, 2001)]))
    vg = vg[vg <= V]
    env = law.log_density(D_top + vg / beta) + np.minimum(0.0, math.log(u.max()) - vg)
    env = np.where(np.isfinite(env), env, -np.inf)
    keep = np.nonzero(env > env.max() - 50.0)[0]
    i_lo, i_hi = max(keep[0] - 1, 0), min(keep[-1] + 1, vg.size - 1)
    seg_v = vg[i_lo:i_hi + 1]
    seg_e = np.where(np.isfinite(env[i_lo:i_hi + 1]), env[i_lo:i_hi + 1], env.max() - 60.0)
    # panels equidistributed in the cost c(v) = int max(1/2, |d env/dv|/4) dv: width <= 2 where the factor
    # 1 - exp(-u e^{-v}) sets the scale, <= 4 log-units of the density where that is steeper
    dv = np.diff(seg_v)
    slope = np.abs(np.diff(seg_e)) / np.maximum(dv, 1e-300)
    cost = np.concatenate([[0.0], np.cumsum(np.maximum(0.5, slope / 4.0) * dv)])
    npan = int(min(400, max(4, math.ceil(cost[-1]))))
    edges = np.interp(np.linspace(0, cost[-1], npan + 1), cost, seg_v)
    v, wv = _gl_panels(edges, nodes)
    f = np.exp(law.log_density(D_top + v / beta))
    f = np.where(np.isfinite(f), f, 0.0)
    M = -np.expm1(-u[:, None] * np.exp(-v)[None, :])
    return (M @ (wv * f)) / beta


def expected_top_weight(n, beta, law, *, psi: Callable | None = None) -> float:
    """E W_(1) for n i.i.d. scores of ``law`` at inverse temperature beta (see the module docstring).

    ``psi(u, D_top, beta)`` may replace the quadrature of the inner expectation (used by the tests for
    the d = 3 closed form with exponential integrals).

    n = 2: W_(1) = 1/(1 + e^{-beta |X_1 - X_2|}); for d = 3, |X_1 - X_2| has the density (2 - z)/2 on [0, 2], for
    N(0, 1) scores X_1 - X_2 ~ N(0, 2) (about 6 significant digits, module docstring):

    >>> import mpmath
    >>> ref = mpmath.quad(lambda z: (2 - z) / 2 / (1 + mpmath.exp(-4 * z)), [0, 2])
    >>> abs(float(expected_top_weight(2, 4, SphereScores(3))) - float(ref)) < 1e-6
    True
    >>> ref = mpmath.quad(lambda z: 2 * mpmath.npdf(z, 0, mpmath.sqrt(2)) / (1 + mpmath.exp(-z)), [0, mpmath.inf])
    >>> abs(float(expected_top_weight(2, 1, GaussianScores(1.0))) - float(ref)) < 1e-6, round(float(ref), 6)
    (True, 0.725213)
    """
    n = count(n, "n", low=2)
    beta = float(positive_real(beta, "beta"))
    _check_law(law)
    if psi is not None and not callable(psi):
        raise InputError(f"psi must be a callable psi(u, D_top, beta), got {type(psi).__name__}")
    sig, wsig = _gl_panels(np.linspace(-22.0, math.log(60.0), GRID["w_panels"] + 1), 8)  # w = e^sigma
    tau, wtau = _gl_panels(np.linspace(-36.0, math.log(45.0), GRID["u_panels"] + 1), 8)  # u = e^tau
    w_nodes = np.exp(sig)
    u = np.exp(tau)
    total = 0.0
    for wn, ws in zip(w_nodes, wsig):
        p_up = -math.expm1(-wn / n)  # P(gap below the top) = 1 - F(top)
        D_top = law.top_gap(p_up)
        ps = psi(u, D_top, beta) if psi is not None else _psi(law, D_top, beta, u)
        F = math.exp(-wn / n)
        ratio = np.minimum(ps / F, 1.0)
        with np.errstate(divide="ignore"):  # ratio = 1 gives log1p(-1) = -inf and K = 0, as it should
            K = np.exp((n - 1) * np.log1p(-ratio))
        inner = float((wtau * np.exp(-u) * K * u).sum())  # int_0^{e^-36} is below 3e-16
        total += ws * math.exp(-wn) * wn * inner
    return total


def critical_beta(n, d=None, *, law=None, criterion="half-mass", evaluator=None, rtol=1e-7) -> float:
    """beta_crit(n, d): the beta with E W_(1) = 1/2 (bracketed and solved by Brent's method in log beta).

    ``evaluator(n, beta, law) -> E W_(1)`` defaults to :func:`expected_top_weight`; after merging issue 4
    it should be that module's exact evaluator. ``rtol`` (relative tolerance in beta) lies in [1e-12, 0.01].

    n >= 3: E W_(1) increases from 1/n at beta = 0 to 1, so the root exists and is unique; for n = 2 the
    larger weight is always >= 1/2 and the half-mass beta is 0, refused with that explanation:

    >>> critical_beta(2, 3)
    Traceback (most recent call last):
    ...
    attnlimits.theory.validation.InputError: n = 2: the larger of two weights, ... it is positive for n >= 3

    >>> b = critical_beta(100, 3)  # d = 3: beta_crit / (kappa_3 n) tends to the Poisson-limit lambda_1/2
    >>> round(b / 50, 3)
    0.802
    """
    choice(criterion, "criterion", CRITERIA)
    n = _check_n(n)
    if law is None:
        if d is None:
            raise InputError("give d or a score law")
        law = SphereScores(dimension(d, low=2))
    else:
        _check_law(law)
        if d is not None and (not isinstance(law, SphereScores) or dimension(d) != law.d):
            raise InputError("give either d or a score law, not both")
    if evaluator is not None and not callable(evaluator):
        raise InputError(f"evaluator must be a callable evaluator(n, beta, law), got {type(evaluator).__name__}")
    rtol = float(real(rtol, "rtol", low="1e-12", high="0.01"))
    ev = evaluator or expected_top_weight
    guess = _guess(n, law)
    f = lambda lb: ev(n, math.exp(lb), law) - 0.5  # noqa: E731
    lo, hi = math.log(guess) - 0.5, math.log(guess) + 0.5
    flo, fhi = f(lo), f(hi)
    # E W_(1) rises from 1/n (beta -> 0) to 1 (beta -> oo): the root is bracketed within a few steps of the
    # guess; the step limit only stops an evaluator that is not monotone from walking out of the double range
    for _ in range(60):
        if flo <= 0:
            break
        lo, hi, fhi = lo - 1.0, lo, flo
        flo = f(lo)
    for _ in range(60):
        if fhi >= 0:
            break
        lo, flo, hi = hi, fhi, hi + 1.0
        fhi = f(hi)
    if flo > 0 or fhi < 0:
        raise InputError(f"the half-mass beta at n = {n} was not bracketed within e^60 of the guess {guess:.3g}: "
                         f"the evaluator is not increasing in beta")
    return math.exp(optimize.brentq(f, lo, hi, xtol=rtol, rtol=rtol))


#: Largest n: the nearest key is placed by P(D < D_top) = 1 - e^{-w/n} in double precision, and the exact
#: finite-n route that checks the solver (``numerics.laws.finite_n``) reaches n = 1e100.
MAX_N = 10 ** 100


def _check_n(n) -> int:
    """3 <= n <= MAX_N: with n = 2 the half-mass beta is 0 (see :func:`critical_beta`)."""
    n = count(n, "n", low=2)
    if n > MAX_N:
        raise InputError(f"n = {n:.3g} is beyond the supported range n <= 1e100 of the critical-beta solver (double "
                         f"precision; the exact finite-n route that checks it stops there too)")
    if n == 2:
        raise InputError("n = 2: the larger of two weights, 1/(1 + e^(-beta |X_1 - X_2|)), is at least 1/2, so "
                         "E W_(1) > 1/2 at every beta > 0 and the half-mass beta is 0; it is positive for n >= 3")
    return n


def _check_law(law):
    if not isinstance(law, (SphereScores, GaussianScores)):
        raise InputError(f"law must be SphereScores(d) or GaussianScores(sigma), got {type(law).__name__}")


def _guess(n, law):
    if isinstance(law, GaussianScores):
        return math.sqrt(2 * math.log(n)) / law.sigma
    return max(laws(n, law.d).energy_entropy, 1.0)


@dataclasses.dataclass(frozen=True)
class AsymptoticLaws(Result):
    """The asymptotic laws of the critical beta at (n, d) (module docstring), floats.

    - ``paper1_power``: (kappa_d n)^{2/(d-1)}, paper 1's critical scale (d fixed, n -> oo).
    - ``gaussian_scores``: sqrt(2 d log n), the random-energy (Gaussian score) law (d >> log n).
    - ``energy_entropy``: (d - 1) x/(1 - x^2), x^2 = 1 - n^{-2/(d-1)}, the package's interpolation.
    - ``log_n``: log n, paper 2's scale.
    """

    paper1_power: float
    gaussian_scores: float
    energy_entropy: float
    log_n: float


def laws(n, d) -> AsymptoticLaws:
    """The asymptotic laws beside beta_crit: paper 1, Gaussian scores, energy-entropy, and log n.

    >>> r = laws(100, 3)  # d = 3: (kappa_3 n)^{2/(d-1)} = n/2, sqrt(2 d log n) = sqrt(6 log 100)
    >>> round(r.paper1_power, 10), round(r.gaussian_scores ** 2 / 6 - r.log_n, 10)
    (50.0, 0.0)
    """
    n = count(n, "n", low=2)
    d = dimension(d, low=2)
    a = (d - 1) / 2
    L = math.log(n)
    # log kappa_d by log-gamma (numerics.laws.sphere): d = 10^9 costs what d = 3 does (sympy's exact Gamma(2a)
    # did not finish there)
    log_p1 = (float(log_kappa_value(d, 20)) + L) / a
    # 1 - x^2 = n^{-1/a} exactly: at d = 3, n = 1e18 the double 1 - (1 - 1e-18) would be 0
    log_ee = math.log(d - 1) + 0.5 * math.log(-math.expm1(-L / a)) + L / a
    _refuse_beyond_double(n, d, max(log_p1, log_ee))
    return AsymptoticLaws(
        paper1_power=math.exp(log_p1),  # (kappa_d n)^{2/(d-1)}
        gaussian_scores=math.sqrt(2 * d * L),  # sqrt(2 d log n)
        energy_entropy=math.exp(log_ee),  # (d-1) x/(1-x^2)
        log_n=L,
    )


#: log of the largest law value the double-precision solver handles (beta and the laws stay below 1e300).
_LOG_MAX = math.log(1e300)


def _refuse_beyond_double(n: int, d: int, log_value: float):
    if log_value > _LOG_MAX:
        raise InputError(f"n = {n:.3g} at d = {d}: the critical scale (kappa_d n)^(2/(d-1)) is about "
                         f"1e{log_value / math.log(10):.0f}, beyond the double range of this double-precision "
                         f"solver (it needs (kappa_d n)^(2/(d-1)) < 1e300: a smaller n)")


@dataclasses.dataclass(frozen=True)
class CriticalBetaRow(Result):
    """beta_crit(n, d) beside the asymptotic laws and the ratios to them (floats; module docstring).

    - ``d``, ``n``: the dimension and the number of keys.
    - ``beta_crit``: the beta with E W_(1) = 1/2 (about 6 correct digits, double precision).
    - ``paper1_power``, ``gaussian_scores``, ``energy_entropy``, ``log_n``: the laws of :class:`AsymptoticLaws`.
    - ``ratio_paper1_power``, ``ratio_gaussian_scores``, ``ratio_energy_entropy``, ``ratio_log_n``:
      beta_crit divided by each law (a ratio flat in n is the law that holds).
    - ``gaussian_exact``: the exact finite-n half-mass beta of n i.i.d. Gaussian scores N(0, 1/d), the variance of
      <q, K> for K uniform on S^{d-1} (Gumbel domain); ``ratio_gaussian_exact`` = beta_crit / gaussian_exact.
      The sphere's scores have a Weibull top (alpha = (d-1)/2); the ratio tends to 1 when d >> log n, where the
      top of the sample never reaches the region in which the two laws differ (docs/score_laws.md §9). None unless
      asked for (``both_domains=True``).
    """

    d: int
    n: int
    beta_crit: float
    paper1_power: float
    gaussian_scores: float
    energy_entropy: float
    log_n: float
    ratio_paper1_power: float
    ratio_gaussian_scores: float
    ratio_energy_entropy: float
    ratio_log_n: float
    gaussian_exact: float | None = None
    ratio_gaussian_exact: float | None = None


def critical_beta_row(n, d, *, criterion="half-mass", evaluator=None, both_domains: bool = False) -> CriticalBetaRow:
    """beta_crit(n, d) (:func:`critical_beta`), the laws (:func:`laws`) and the ratios beta_crit/law; with
    ``both_domains`` also the exact finite-n half-mass beta of Gaussian scores of the same variance 1/d.

    >>> r = critical_beta_row(100, 3)
    >>> round(r.ratio_paper1_power, 3), r.ratio_log_n == r.beta_crit / r.log_n
    (0.802, True)
    """
    n, d = _check_n(n), dimension(d, low=2)
    lw = laws(n, d)  # refuses at once an n whose critical scale leaves the double range
    b = critical_beta(n, d, criterion=criterion, evaluator=evaluator)
    values = {k: getattr(lw, k) for k in lw.fields()}
    extra = {}
    if both_domains:
        g = critical_beta(n, law=GaussianScores(1 / math.sqrt(d)), criterion=criterion, evaluator=evaluator)
        extra = {"gaussian_exact": g, "ratio_gaussian_exact": b / g}
    return CriticalBetaRow(d=d, n=n, beta_crit=b, **values, **{f"ratio_{k}": b / v for k, v in values.items()},
                           **extra)


def table(ds, ns, *, evaluator=None, progress_bar=True) -> list[CriticalBetaRow]:
    """:func:`critical_beta_row` for every (d, n); every pair is checked before the first is solved.

    >>> [round(r.ratio_paper1_power, 3) for r in table((3,), (100,), progress_bar=False)]
    [0.802]
    """
    from attnlimits.numerics.progress import progress

    try:
        pairs = [(dimension(d, low=2), _check_n(n)) for d in ds for n in ns]
    except TypeError:
        raise InputError("ds and ns must be sequences of dimensions and key counts") from None
    for d, n in pairs:
        laws(n, d)
    return [critical_beta_row(n, d, evaluator=evaluator)
            for d, n in progress(pairs, desc="critical beta", disable=not progress_bar)]
