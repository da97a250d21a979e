"""Which regime a given (n, d, beta) is in, where beta sits, and what attention does there (uniform keys on S^{d-1}).

The verdict uses exact finite-n figures only (docs/regimes.md §2). With w = E W_(1), exact at this n, and its
excess over equal weights e = (w - 1/n)/(1 - 1/n) (0 for equal weights, 1 for collapse; e = w as n -> oo):

1. **supercritical** when w >= 0.9: the nearest key takes almost all the mass.
2. **critical window** when e >= 0.1: a few nearest keys share the mass.
3. **uniform averaging** when the Kish effective sample size n / R_d(beta), R_d = M(2 beta)/M(beta)^2
   (the exact n E[w]^2 / E[w^2] of the unnormalized weights w = e^{beta X}), is at least n/2.
4. otherwise **subcritical**, split by comparing the deterministic bias |A_d(beta) - 1| of the output
   with the size of its fluctuations sqrt(tr Sigma / n) (exact CLT covariance, P1 §4): bias-dominated
   when the bias is larger (beta << n^{2/(d+1)}), fluctuation-dominated otherwise.

The top weight is tested first and against its excess over 1/n, so that the verdict agrees with E W_(1) at every
n (with n = 3 keys, w = 0.55 is past the half-mass point however flat Kish's n/R finds the weights).
Thresholds 1/2, 0.1 and 0.9 are conventions of this package; the figures they are applied to are exact. The
typical nearest-key distance is the median of D_(1) = min_i (1 - <q, K_i>), solving P(D_(1) > t) = (1 - F(t))^n
= 1/2 with the exact cap law F (P1 §2).

:func:`regime_position` says where beta sits against the exact critical window at this (n, d): beta over the exact
half-mass beta (E W_(1) = 1/2), and whether the fixed-d asymptotic figures lambda and n_eff apply at all: they
rest on the local cap law P(D <= t) ~ kappa_d t^alpha, whose error at the distance where the weight sits is
``local_law_error`` (derivation and measurements: docs/regimes.md §3–4). The supported range (docs/regimes.md §5)
is checked before any work.
"""
from __future__ import annotations

import dataclasses
import time

import mpmath

from attnlimits.numerics.special.bessel_ratio import mean_resultant, mgf_ratio
from attnlimits.numerics.precision import check_digits, precise
from attnlimits.numerics.results import Result, json_value
from attnlimits.numerics.laws.sphere import log_kappa_value, neff_constant
from attnlimits.theory.validation import InputError, count, dimension, positive_real, real, to_mpf

# cap (sympy), finite_n and subcritical (scipy.stats) are imported where they are used: a refusal of an input
# outside the supported range then comes before seconds of imports

__all__ = ["REGIMES", "classify", "median_nearest_distance", "regime_report", "RegimeReport", "rule_beta", "RuleBeta", "rule_expression", "rule_params_from_text",
           "regime_position", "RegimePosition", "critical_scale", "local_law_error", "check_supported"]

REGIMES = ("uniform averaging", "subcritical, bias-dominated", "subcritical, fluctuation-dominated",
           "critical window", "supercritical")

UNIFORM_KISH_FRACTION = 0.5
CRITICAL_LOW, CRITICAL_HIGH = 0.1, 0.9
#: The fixed-d asymptotic figures apply when the local cap law errs by at most this where the weight sits.
LOCAL_LAW_TOLERANCE = 0.1

# The supported range (docs/regimes.md §5), checked before any work: beyond it the exact finite-n integral costs
# minutes (its guard digits grow with log10 n, its nodes with d and with the digits asked for), or, for beta far
# beyond the critical scale, loses its nodes while E W_(1) = 1 - O(1/beta) is 1 to every digit asked for.
MAX_N = 10**30
MAX_D = 1024
MAX_DIGITS = 30
MAX_BETA_FACTOR = 10**4
#: The half-mass beta is solved in double precision (numerics/laws/critical_beta.py): about 6 digits.
HALF_MASS_DIGITS = 6
#: Wall-clock budget of the half-mass solve; past it the position is reported as not computed.
HALF_MASS_SECONDS = 10.0


def classify(kish_fraction, e_w1, bias, fluctuation, n=None) -> str:
    """The regime from the exact figures (rules in the module docstring); ``n`` sets the equal-weights value 1/n
    of E W_(1) (None: n -> oo).

    >>> classify(0.1, 0.5, -1e-6, 1e-3)  # E W_(1) = 0.5: a few keys share the mass
    'critical window'
    >>> classify(0.54, 0.55, -0.9, 0.5, n=3)  # 3 keys: W_(1) = 0.55 is past the half-mass point
    'critical window'
    """
    if e_w1 >= CRITICAL_HIGH:
        return REGIMES[4]
    excess = e_w1 if n is None or n < 2 else (e_w1 - mpmath.mpf(1) / n) / (1 - mpmath.mpf(1) / n)
    if excess >= CRITICAL_LOW:
        return REGIMES[3]
    if kish_fraction >= UNIFORM_KISH_FRACTION:
        return REGIMES[0]
    return REGIMES[1] if abs(bias) >= fluctuation else REGIMES[2]


@precise
def median_nearest_distance(n, d, digits: int = 15):
    """Median of D_(1), the smallest of n i.i.d. distances D = 1 - <q, K>: F(t) = 1 - 2^{-1/n}.

    Bisection in log t on log F(t) (the exact cap law, :func:`attnlimits.numerics.laws.cap.log_cap_probability`),
    to ``digits`` significant digits.

    >>> import mpmath
    >>> ref = 2 * (1 - mpmath.mpf(2) ** (-mpmath.mpf(1) / 10))  # d = 3: F(t) = t/2, (1 - t/2)^n = 1/2
    >>> mpmath.nstr(median_nearest_distance(10, 3, digits=10), 10), mpmath.nstr(ref, 10)
    ('0.1339340169', '0.1339340169')
    """
    return _median_nearest_distance(count(n, "n"), dimension(d), digits)


def _median_nearest_distance(n: int, d: int, digits: int):
    """:func:`median_nearest_distance` at the current working precision (checked inputs)."""
    return _cap_quantile(d, mpmath.log(-mpmath.expm1(-mpmath.log(2) / n)), digits)  # log(1 - 2^{-1/n}) < 0


def _cap_quantile(d: int, log_p, digits: int):
    """The t in (0, 2) with log F(t) = log_p < 0 (F the exact cap law), by bisection in log t."""
    from attnlimits.numerics.laws.cap import log_cap_probability

    def g(u):
        return log_cap_probability(d, mpmath.nstr(mpmath.exp(u), mpmath.mp.dps), digits + 5) - log_p

    hi = mpmath.log(2)  # g(hi) = -log_p > 0 since F(2) = 1
    a = mpmath.mpf(d - 1) / 2
    # the local-law guess (p / kappa)^{1/alpha}, pushed down until g < 0
    lo = min((log_p - log_kappa_value(d, digits)) / a, hi - 1)
    while g(lo) > 0:
        lo -= 2
    tol = mpmath.mpf(10) ** (-digits - 2)
    while hi - lo > tol:
        mid = (lo + hi) / 2
        if g(mid) > 0:
            hi = mid
        else:
            lo = mid
    return mpmath.exp((lo + hi) / 2)


@precise
def critical_scale(n, d, digits: int = 15):
    """beta*_n = (kappa_d n)^{1/alpha}, alpha = (d - 1)/2: paper 1's critical scale (lambda = 1; P1 §3).

    >>> mpmath.nstr(critical_scale(100, 3, digits=10), 10)  # d = 3: kappa = 1/2, alpha = 1, beta* = n/2
    '50.0'
    """
    n, d = count(n, "n"), dimension(d)
    return _critical_scale(n, d, digits)


def _critical_scale(n: int, d: int, digits: int):
    return mpmath.exp((log_kappa_value(d, digits + 5) + mpmath.log(n)) / (mpmath.mpf(d - 1) / 2))


def _energy_entropy_scale(n: int, d: int):
    """(d - 1) x/(1 - x^2), x^2 = 1 - n^{-1/alpha}: within a factor 5 of the half-mass beta for every d
    (docs/equiangular.md §5), and a formula, so the supported range of beta can be checked before any work."""
    a = mpmath.mpf(d - 1) / 2
    y = mpmath.exp(-mpmath.log(n) / a)  # n^{-1/alpha} = 1 - x^2
    return (d - 1) * mpmath.sqrt(1 - y) / y


def _beta_value(n: int, d: int, beta, digits: int):
    """(beta as an mpf at the working precision, the argument to hand on) after the supported-range checks."""
    if isinstance(beta, str) and beta.strip() == "critical":
        b = _critical_scale(n, d, digits)
        arg = b
    else:
        arg = positive_real(beta, "beta")
        b = to_mpf(arg)
    cap = MAX_BETA_FACTOR * max(_energy_entropy_scale(n, d), mpmath.mpf(1))
    if b > cap:
        raise InputError(
            f"beta = {mpmath.nstr(b, 3)} is beyond the supported range of the regime calculator at n = {n}, d = {d}: "
            f"beta <= {mpmath.nstr(cap, 2)}, 1e4 times the energy-entropy scale (d-1)x/(1-x^2) = "
            f"{mpmath.nstr(cap / MAX_BETA_FACTOR, 3)} (docs/regimes.md §5); attention has collapsed on the nearest key "
            f"long before (E W_(1) = 1 - O(1/beta)), and the exact finite-n integral stalls further out")
    return b, arg


def check_supported(n, d, digits) -> None:
    """Refuse, before any work, an (n, d, digits) the exact finite-n integral cannot finish in about a minute
    (docs/regimes.md §5); beta is checked by :func:`regime_report` once it is known.

    >>> check_supported(10**31, 3, 6)
    Traceback (most recent call last):
    ...
    attnlimits.theory.validation.InputError: n = 1.00e+31 is beyond the supported range n <= 1e30 ...
    """
    _check_supported(count(n, "n"), dimension(d), check_digits(digits))


def _check_supported(n: int, d: int, digits: int) -> None:
    if n > MAX_N:
        raise InputError(
            f"n = {n:.2e} is beyond the supported range n <= 1e30 of the regime calculator: the exact finite-n "
            f"integrals carry log10(n) guard digits and take minutes beyond; `attnlimits law critical --d D --lam L` "
            f"gives the n -> infinity limit (it applies when the local cap law holds, docs/regimes.md §4)")
    if d > MAX_D:
        raise InputError(
            f"d = {d} is beyond the supported range d <= {MAX_D} of the regime calculator: beyond it the exact "
            f"finite-n integral takes from tens of seconds to minutes and does not converge at every beta (d = 4096, "
            f"docs/regimes.md §5); `attnlimits critical-beta --d D --n N` gives the half-mass beta and "
            f"`attnlimits law subcritical` the n -> infinity figures")
    if digits > MAX_DIGITS:
        raise InputError(
            f"digits = {digits}: the regime calculator delivers at most {MAX_DIGITS} digits (its exact finite-n "
            f"integrals take minutes beyond); `attnlimits law finite` gives E W_(1) alone")


def _local_law(d: int, nearest, one_minus_a, digits: int):
    """(error, t_w, shape, cap) of the local cap law where the weight sits (docs/regimes.md §4).

    t_w = max(median D_(1), 1 - A_d(beta)); shape = |alpha - 1| log(1/(1 - t_w/2)) is the log of the exact
    density's ratio to the local law's, (1 - t/2)^{alpha - 1}, at t_w; cap = F(t_w), the share of the keys within t_w
    (Le Cam's bound on the binomial-to-Poisson error). error = max(shape, cap).
    """
    from attnlimits.numerics.laws.cap import log_cap_probability

    a = mpmath.mpf(d - 1) / 2
    tw = max(nearest, one_minus_a)
    shape = abs(a - 1) * -mpmath.log1p(-tw / 2)
    cap = mpmath.exp(log_cap_probability(d, mpmath.nstr(tw, mpmath.mp.dps), digits + 5))
    return max(shape, cap), tw, shape, cap


@precise
def local_law_error(n, d, beta, digits: int = 10):
    """How far the local cap law kappa_d t^alpha, behind lambda, n_eff and every fixed-d limit, is from the exact
    law at the distance where the weight sits (docs/regimes.md §4): max(|alpha - 1| log(1/(1 - t_w/2)), F(t_w)),
    t_w = max(median D_(1), 1 - A_d(beta)). It tracks the relative error of the limit E W_(1)(lambda) against the
    exact finite-n value (docs/regimes.md §4 table).

    >>> mpmath.nstr(local_law_error(10**9, 8, 429.82, digits=6), 3)  # lambda = 1: the limit E W_(1) is 1.0% off
    '0.0102'
    """
    n, d = count(n, "n"), dimension(d)
    _check_supported(n, d, digits)
    b, arg = _beta_value(n, d, beta, digits)
    one_minus_a = 1 - mean_resultant(d, b, digits + 5)
    return _local_law(d, _median_nearest_distance(n, d, digits), one_minus_a, digits)[0]


def _exact_top_weight(n: int, d: int, arg, b, digits: int):
    """``exact_finite`` at (n, d, beta), its failures refused in one line (a value below 1/n is one: W_(1) >= 1/n)."""
    from attnlimits.numerics.laws.finite_n import exact_finite

    where = f"n = {n}, d = {d}, beta = {mpmath.nstr(b, 6)}"
    try:
        fin = exact_finite(n, d, arg, digits)
    except mpmath.libmp.NoConvergence as exc:
        raise InputError(f"the exact finite-n integral behind the regime did not converge at {where} ({exc}); "
                         f"docs/regimes.md §5 gives the range where it is known to") from None
    if not fin.E_W1 * n > 1 - mpmath.mpf(10) ** (3 - digits):
        raise InputError(f"the exact finite-n integral behind the regime failed at {where} (E W_(1) = "
                         f"{mpmath.nstr(fin.E_W1, 6)} < 1/n); docs/regimes.md §5 gives the range where it is known to "
                         f"work")
    return fin


@dataclasses.dataclass(frozen=True)
class RegimeReport(Result):
    """The regime of (n, d, beta) and the exact figures behind it (module docstring), mpmath numbers.

    - ``regime``: one of :data:`REGIMES`.
    - ``lam``: lambda = beta / (kappa_d n)^{2/(d-1)}, printed as ``lambda`` by :meth:`to_json` (a fixed-d asymptotic
      figure: :func:`regime_position` says whether it applies).
    - ``n_eff``: kappa_d Gamma(alpha+1) n beta^{-alpha}, the large-beta count of keys sharing the mass (asymptotic too).
    - ``kish_n``: n / R_d(beta), Kish's effective sample size of the weights e^{beta X} (exact).
    - ``E_W1``, ``E_sum_W2``: E w_(1) and E sum w^2, exact at this n (``numerics.laws.finite_n``).
    - ``mean_resultant``: A_d(beta); ``bias``: A_d(beta) - 1, the output's deterministic shrinkage.
    - ``fluctuation``: sqrt((var_parallel + (d-1) var_perp)/n), the size of its CLT fluctuation.
    - ``nearest_distance_median``: the median of D_(1); ``nearest_euclidean_median``: sqrt(2 D_(1)) there.
    - ``summary``: one sentence for people.

    d = 3, n = 100, beta = 50: lambda = beta/(n/2) = 1, n_eff = n/(2 beta) = 1, bias = coth 50 - 1/50 - 1:

    >>> r = regime_report(100, 3, 50, digits=6)
    >>> r.regime, mpmath.nstr(r.bias, 6), mpmath.nstr(mpmath.coth(50) - mpmath.mpf(1) / 50 - 1, 6)
    ('critical window', '-0.02', '-0.02')
    >>> {k: r.to_json(6)[k] for k in ("lambda", "n_eff")}  # ``lam`` is printed as ``lambda``
    {'lambda': '1.00000', 'n_eff': '1.00000'}
    """

    regime: str
    lam: object
    n_eff: object
    kish_n: object
    E_W1: object
    E_sum_W2: object
    mean_resultant: object
    bias: object
    fluctuation: object
    nearest_distance_median: object
    nearest_euclidean_median: object
    summary: str = ""

    def to_json(self, digits: int, *, skip_none: bool = False) -> dict:
        """As :meth:`Result.to_json`, with ``lam`` under the name the CLI and the docs print, ``lambda``."""
        out = super().to_json(digits, skip_none=skip_none)
        return {("lambda" if k == "lam" else k): v for k, v in out.items()}


@precise
def regime_report(n, d, beta, digits: int = 10) -> RegimeReport:
    """Everything a practitioner asks about (n, d, beta): the regime and the figures behind it.

    The figures of :class:`RegimeReport` at ``digits`` digits: ``lam`` = beta / (kappa_d n)^{2/(d-1)},
    ``n_eff`` = kappa_d Gamma(alpha+1) n beta^{-alpha}, ``kish_n`` = n / R_d(beta) (exact), ``E_W1`` and
    ``E_sum_W2`` exact at this n, ``bias`` = A_d(beta) - 1, ``fluctuation`` = sqrt((var_parallel + (d-1) var_perp)/n),
    and the median nearest distance D_(1) (with the Euclidean |q - K_(1)| = sqrt(2 D_(1))). ``beta`` is a number
    (decimal text and ratios such as "10/7" are read at the working precision) or ``"critical"``, the critical
    scale (kappa_d n)^{1/alpha} (lambda = 1). Beyond the supported range (docs/regimes.md §5: n <= 1e30,
    d <= 1024, digits <= 30, beta <= 1e4 times the critical scale) it refuses before any work.

    >>> r = regime_report(10**4, 3, 5000, digits=6)  # d = 3: lambda = beta/(n/2) = 1
    >>> r.regime, r.to_json(6)["lambda"]
    ('critical window', '1.00000')
    """
    n = count(n, "n")
    d = dimension(d)
    _check_supported(n, d, digits)
    b, arg = _beta_value(n, d, beta, digits)
    from attnlimits.numerics.laws.subcritical import clt_variances

    a = mpmath.mpf(d - 1) / 2
    lam = b / _critical_scale(n, d, digits)
    n_eff = neff_constant(d, digits + 5) * n * b ** (-a)
    v = clt_variances(d, arg, digits + 5)
    kish_fraction = 1 / mgf_ratio(d, arg, digits + 5)
    fin = _exact_top_weight(n, d, arg, b, digits)
    bias = v.mean_resultant - 1
    fluct = mpmath.sqrt((v.var_parallel + (d - 1) * v.var_perp) / n)
    dmed = _median_nearest_distance(n, d, digits)
    local = _local_law(d, dmed, 1 - v.mean_resultant, digits)[0] <= LOCAL_LAW_TOLERANCE
    rep = RegimeReport(
        regime=classify(kish_fraction, fin.E_W1, bias, fluct, n=n),
        lam=lam, n_eff=n_eff, kish_n=n * kish_fraction,
        E_W1=fin.E_W1, E_sum_W2=fin.E_sum_W2,
        mean_resultant=v.mean_resultant, bias=bias, fluctuation=fluct,
        nearest_distance_median=dmed, nearest_euclidean_median=mpmath.sqrt(2 * dmed),
    )
    return dataclasses.replace(rep, summary=_sentence(rep, n, local))


@dataclasses.dataclass(frozen=True)
class RegimePosition(Result):
    """Where beta sits at this (n, d), and whether the fixed-d asymptotic figures apply (docs/regimes.md §3–4).

    - ``beta_half_mass``: the exact finite-(n, d) half-mass beta, E W_(1) = 1/2 (about 6 digits, double-precision
      solve of ``numerics.laws.critical_beta``); None when there is none (n <= 2) or it was not computed.
    - ``beta_over_half_mass``: beta / beta_half_mass: below 1 under the middle of the critical window, above 1 past it.
    - ``half_mass_note``: why ``beta_half_mass`` is None, else None.
    - ``asymptotics_apply``: whether ``local_law_error`` <= 0.1, i.e. lambda, n_eff and the fixed-d limit laws
      describe this (n, beta).
    - ``local_law_error``: :func:`local_law_error`; ``weight_distance``: t_w, the distance where the weight sits.
    - ``asymptotics_note``: one line saying why they apply or not, and from which n and beta they would.

    >>> p = regime_position(100, 3, 50, digits=6)  # d = 3: beta_1/2 / (n/2) = 0.80 (docs/equiangular.md §5)
    >>> p.to_json(6)["beta_half_mass"], p.asymptotics_apply
    ('40.0904', True)
    """

    beta_half_mass: object
    beta_over_half_mass: object
    half_mass_note: str | None
    asymptotics_apply: bool
    local_law_error: object
    weight_distance: object
    asymptotics_note: str

    def to_json(self, digits: int, *, skip_none: bool = False) -> dict:
        """As :meth:`Result.to_json`; the half-mass figures carry at most the 6 digits the solver delivers."""
        out = super().to_json(digits, skip_none=skip_none)
        for k in ("beta_half_mass", "beta_over_half_mass"):
            out[k] = json_value(getattr(self, k), min(digits, HALF_MASS_DIGITS))
        return out


class _OutOfTime(Exception):
    """The half-mass solve ran past its budget."""


def _half_mass(n: int, d: int):
    """(beta_1/2 as a float, None) or (None, the reason it is missing)."""
    if n == 1:
        return None, "n = 1: the one key takes all the mass at every beta, there is no half-mass point"
    if n == 2:
        return None, "n = 2: E W_(1) > 1/2 at every beta > 0, the half-mass point is beta = 0"
    from attnlimits.numerics.laws.critical_beta import critical_beta, expected_top_weight

    deadline = time.perf_counter() + HALF_MASS_SECONDS

    def evaluator(nn, beta, law):
        if time.perf_counter() > deadline:
            raise _OutOfTime
        return expected_top_weight(nn, beta, law)

    try:
        return critical_beta(n, d, evaluator=evaluator), None
    except _OutOfTime:
        return None, (f"not computed: the half-mass solve took more than {HALF_MASS_SECONDS:g} s at this (n, d); "
                      f"try `attnlimits critical-beta --d {d} --n {n}`")
    except (ValueError, ArithmeticError) as exc:  # the solver's refusal or failure at this (n, d): the rest stands
        return None, f"not computed: the half-mass solver failed at this (n, d) ({type(exc).__name__}: {exc})"


def _local_limits(d: int, digits: int):
    """(t*, n_local, beta_local): the largest t_w with local_law_error <= 0.1, and the n and beta from which the
    nearest key and the tilted mean 1 - A_d(beta) lie within it (docs/regimes.md §4)."""
    from attnlimits.numerics.laws.cap import log_cap_probability

    eps = mpmath.mpf(LOCAL_LAW_TOLERANCE)
    a = mpmath.mpf(d - 1) / 2
    t_cap = _cap_quantile(d, mpmath.log(eps), digits)
    t_star = t_cap if a == 1 else min(t_cap, -2 * mpmath.expm1(-eps / abs(a - 1)))
    p_star = mpmath.exp(log_cap_probability(d, mpmath.nstr(t_star, mpmath.mp.dps), digits + 5))
    n_local = mpmath.log(2) / -mpmath.log1p(-p_star)

    def gap(lb):  # 1 - A_d(beta) - t*, decreasing in beta
        return 1 - mean_resultant(d, mpmath.exp(lb), digits) - t_star

    lo = hi = mpmath.log(max(a, 1) / t_star)
    while gap(lo) < 0:
        lo -= 1
    while gap(hi) > 0:
        hi += 1
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if gap(mid) > 0 else (lo, mid)
    return t_star, n_local, mpmath.exp(hi)


@precise
def regime_position(n, d, beta, digits: int = 10) -> RegimePosition:
    """Where beta sits against the exact critical window at this (n, d), and whether lambda and n_eff mean anything.

    beta over the exact finite-(n, d) half-mass beta (:func:`attnlimits.numerics.laws.critical_beta.critical_beta`,
    within a budget of 10 s), and :func:`local_law_error` against 0.1 (docs/regimes.md §3–4). ``beta`` as in
    :func:`regime_report`, which refuses the same range.

    >>> p = regime_position(131072, 128, "20.4898", digits=6)  # the README's YaRN head: no asymptotics at d = 128
    >>> p.asymptotics_apply, p.to_json(6)["beta_over_half_mass"]
    (False, '0.2507...')
    """
    n = count(n, "n")
    d = dimension(d)
    _check_supported(n, d, digits)
    b, _ = _beta_value(n, d, beta, digits)
    half, half_note = _half_mass(n, d)
    one_minus_a = 1 - mean_resultant(d, b, digits + 5)
    dmed = _median_nearest_distance(n, d, digits)
    err, tw, shape, cap = _local_law(d, dmed, one_minus_a, digits)
    ok = bool(err <= LOCAL_LAW_TOLERANCE)
    where = (f"the weight sits at distance {_fmt(tw)} from the query (nearest key {_fmt(dmed)}, tilted mean "
             f"1 - A_d(beta) = {_fmt(one_minus_a)})")
    if ok:
        note = (f"yes: {where}, where the local cap law kappa_d t^alpha behind lambda and n_eff holds to "
                f"{_fmt(100 * err, 2)}%")
    else:
        t_star, n_local, beta_local = _local_limits(d, min(digits, 10))
        if shape >= cap:
            why = f"the exact density of distances is {_fmt(mpmath.exp(shape), 2)} times off the local law's"
        else:
            why = f"the cap within that distance holds {_fmt(100 * cap, 2)}% of the keys, not a small share"
        note = (f"no: {where}, where {why}; at d = {d} the local cap law kappa_d t^alpha behind lambda and n_eff "
                f"holds to 10% only within distance {_fmt(t_star, 2)}, i.e. for n >= {_count_text(n_local)} and "
                f"beta >= {_fmt(beta_local, 2)}")
    return RegimePosition(
        beta_half_mass=None if half is None else mpmath.mpf(half),
        beta_over_half_mass=None if half is None else b / mpmath.mpf(half),
        half_mass_note=half_note, asymptotics_apply=ok, local_law_error=err, weight_distance=tw,
        asymptotics_note=note)


@dataclasses.dataclass(frozen=True)
class RuleBeta(Result):
    """The inverse temperature a scaling rule gives at context length n.

    - ``rule``: the rule's name (:data:`attnlimits.theory.scaling_rules.RULES`), ``"none"``, or the user's
      expression as sympy prints it (position rules at pos = n - 1, docs/rules.md §1);
    - ``multiplier``: the rule's factor at this n (an mpf), 1 for ``"none"``;
    - ``beta``: base beta times the multiplier (an mpf).

    >>> r = rule_beta(2, "none", 100)
    >>> r.rule, r.to_json(4)
    ('none', {'rule': 'none', 'multiplier': '1.000', 'beta': '2.000'})
    """

    rule: str
    multiplier: object
    beta: object


#: Qwen-1's training length (its ``seq_length``), the default L_train of ``qwen-logn``.
QWEN_TRAIN_LENGTH = 2048


def rule_expression(rule: str, *, train_length=None, scale=None, ssmax_s=None, params=None):
    """(m, name): the multiplier of a scaling rule as a sympy expression of n alone (every parameter substituted,
    position rules at pos = n - 1; docs/rules.md §1–2) and the rule's name (a user's expression: as sympy prints it).

    ``rule`` is ``"none"``, a name of :data:`attnlimits.theory.scaling_rules.RULES`, or any other text, read as the
    user's sympy expression of n or pos (:func:`attnlimits.theory.scaling_rules.parse_rule`). ``yarn`` and
    ``yarn-mscale`` need ``train_length`` (m depends on s = n/L) or ``scale`` (s itself: m is then a constant),
    ``yarn-mscale`` also ``params = {"mscale": .., "mscale_all_dim": ..}`` (each >= 0); ``qwen-logn`` takes
    ``train_length`` (default 2048, Qwen-1's); ``ssmax`` needs ``ssmax_s``; ``llama4``, ``mistral``, ``grok2`` take
    their models' constants unless ``params`` overrides them (:data:`attnlimits.theory.scaling_rules.RULE_PARAMETERS`).
    Every number is read exactly (ratios such as "10/7" too).

    >>> rule_expression("qwen-logn")
    (Piecewise((log(n)/log(2048), n > 2048), (1, True)), 'qwen-logn')
    """
    import sympy as sp

    from attnlimits.theory.scaling_rules import L, RULE_PARAMETERS, RULES, multiplier, parse_rule, s
    from attnlimits.theory.scaling_rules import n as n_sym

    params = dict(params or {})

    def exact(x, name):
        return sp.Rational(str(positive_real(x, name)))

    if rule == "none":
        if params:
            raise InputError(f"rule none takes no parameter {sorted(params)[0]}")
        return sp.Integer(1), "none"
    if not isinstance(rule, str):
        raise InputError(f"rule must be a name or an expression (text), got {type(rule).__name__}")
    if rule not in RULES:
        if params:
            raise InputError(f"a rule expression takes no parameters, got {sorted(params)[0]}")
        expr = parse_rule(rule)
        return expr, str(expr)
    known = RULE_PARAMETERS.get(rule, {})
    for k in params:
        if k not in known:
            raise InputError(f"rule {rule} takes no parameter {k}"
                             + (f" (its parameters: {', '.join(known)})" if known else ""))
    # YaRN's mscale constants may be 0 (no attention factor), the other parameters are positive
    kw = {k: (sp.Rational(str(real(v, k, low=0))) if k.startswith("mscale") else exact(v, k))
          for k, v in params.items()}
    subs = {}
    if rule in ("yarn", "yarn-mscale"):
        if scale is not None:
            subs = {n_sym: exact(scale, "scale"), L: 1}
        elif train_length is None:
            raise InputError(f"rule {rule} needs --train-length (train_length=) or --scale (scale=)")
        else:
            subs[L] = sp.Integer(count(train_length, "train_length"))
        if rule == "yarn-mscale":
            missing = [k for k in known if k not in kw]
            if missing:
                raise InputError(f"rule yarn-mscale needs {' and '.join(missing)} (params=)")
    if rule == "qwen-logn":
        subs[L] = sp.Integer(count(train_length if train_length is not None else QWEN_TRAIN_LENGTH, "train_length"))
    if rule == "ssmax":
        if ssmax_s is None:
            raise InputError("rule ssmax needs --ssmax-s (ssmax_s=)")
        subs[s] = exact(ssmax_s, "ssmax_s")
    return multiplier(rule, **kw).subs(subs), rule


def rule_params_from_text(items) -> dict:
    """The rule constants of ``--rule-param NAME=VALUE`` options as a dict for :func:`rule_expression` (values kept
    as typed; each is checked there).

    >>> rule_params_from_text(["mscale=0.707", "mscale_all_dim=0.707"])
    {'mscale': '0.707', 'mscale_all_dim': '0.707'}
    """
    out = {}
    for item in items or ():
        name, sep, value = str(item).partition("=")
        if not sep or not name.strip() or not value.strip():
            raise InputError(f"--rule-param must be NAME=VALUE (e.g. mscale=0.707), got {item!r}")
        if name.strip() in out:
            raise InputError(f"--rule-param {name.strip()} is given twice")
        out[name.strip()] = value.strip()
    return out


@precise
def rule_beta(base_beta, rule: str, n, *, train_length=None, scale=None, ssmax_s=None, params=None,
              digits: int = 15) -> RuleBeta:
    """beta = base_beta × m(n), m the sympy factor of a scaling rule (docs/rules.md §2) evaluated at ``digits``;
    the rule and its parameters as in :func:`rule_expression`. A multiplier that is not a finite positive number at
    this n is refused.

    >>> r = rule_beta(2, "qwen-logn", 4096 ** 2, train_length=4096, digits=10)  # log_L n = 2
    >>> mpmath.nstr(r.multiplier, 10), mpmath.nstr(r.beta, 10)
    ('2.0', '4.0')
    >>> mpmath.nstr(rule_beta(1, "llama4", 3 * 8192, digits=10).multiplier, 10)  # log(4)/10 + 1 at pos = n - 1
    '1.138629436'
    """
    import sympy as sp

    from attnlimits.theory.scaling_rules import n as n_sym

    n = count(n, "n")
    positive_real(base_beta, "beta")
    expr, name = rule_expression(rule, train_length=train_length, scale=scale, ssmax_s=ssmax_s, params=params)
    m = expr.subs(n_sym, sp.Integer(n))
    val = sp.N(m, mpmath.mp.dps)
    if not (val.is_real and val.is_finite and val > 0):
        raise InputError(f"rule {name} gives the multiplier {sp.N(m, 6)} at n = {n}: a temperature multiplier must "
                         f"be a finite positive number")
    mult = mpmath.mpf(str(val))
    return RuleBeta(rule=name, multiplier=mult, beta=to_mpf(base_beta) * mult)


def _fmt(x, k=3):
    return mpmath.nstr(x, k)


def _count_text(x) -> str:
    """A threshold on n as people write it: the integer when small, two digits when astronomical."""
    return str(int(mpmath.ceil(x))) if x < 10**6 else _fmt(x, 2)


def _sentence(r: RegimeReport, n: int, local: bool) -> str:
    reg = r.regime
    if reg == REGIMES[0]:
        return (f"Attention averages nearly all keys with almost equal weights (effective sample size "
                f"{_fmt(r.kish_n)}): the output is close to the mean of the keys, of length {_fmt(r.mean_resultant)}.")
    if reg == REGIMES[1]:
        return (f"Attention is a local average around the query over about {_fmt(r.kish_n)} keys; its deterministic "
                f"shrinkage toward the center (bias {_fmt(r.bias)}) outweighs its random fluctuation "
                f"({_fmt(r.fluctuation)}).")
    if reg == REGIMES[2]:
        return (f"Attention is a local average around the query over about {_fmt(r.kish_n)} keys; its random "
                f"fluctuation ({_fmt(r.fluctuation)}) outweighs its deterministic bias ({_fmt(r.bias)}), and the "
                f"largest weight is still small (E W_(1) = {_fmt(r.E_W1)}).")
    if reg == REGIMES[3]:
        tail = (f"; lambda = {_fmt(r.lam)}." if local else
                " (lambda does not apply at this (n, d): see asymptotics_note).")
        return (f"A few nearest keys share the mass: the largest weight is {_fmt(r.E_W1)} on average and about "
                f"{_fmt(1 / r.E_sum_W2)} keys matter (1/E sum w^2){tail}")
    if n == 1:
        return "A single key takes all the mass: the output is that key."
    return (f"Attention collapses on the nearest key, which takes {_fmt(r.E_W1)} of the mass on average; the output "
            f"sits near that key, at distance about {_fmt(r.nearest_euclidean_median)} from the query.")
