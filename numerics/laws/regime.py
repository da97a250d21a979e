"""Which regime a given (n, d, beta) is in, and what attention does there (uniform keys on S^{d-1}).

The classification uses exact finite-n quantities, not only the asymptotic scales:

1. **uniform averaging** when the Kish effective sample size n / R_d(beta), R_d = M(2 beta)/M(beta)^2
   (the exact n E[w]^2 / E[w^2] of the unnormalized weights w = e^{beta X}), is at least n/2: the
   weights are close to uniform and the output is close to the mean of the keys.
2. **supercritical** when the exact finite-n E W_(1) >= 0.9: the nearest key takes almost all the mass.
3. **critical window** when 0.1 <= E W_(1) < 0.9: a few nearest keys share the mass (P1 §3,
   lambda = beta / (kappa_d n)^{2/(d-1)} of order one).
4. otherwise **subcritical**, split by comparing the deterministic bias |A_d(beta) - 1| of the output
   with the size of its fluctuations sqrt(tr Sigma / n) (exact CLT covariance, P1 §4): bias-dominated
   when the bias is larger (beta << n^{2/(d+1)}), fluctuation-dominated otherwise.

Thresholds 1/2, 0.1 and 0.9 are conventions of this package; the figures they are applied to are
exact. The typical nearest-key distance is the median of D_(1) = min_i (1 - <q, K_i>), solving
P(D_(1) > t) = (1 - F(t))^n = 1/2 with the exact cap law F (P1 §2).
"""
from __future__ import annotations

import dataclasses

import mpmath

from attnlimits.numerics.special.bessel_ratio import mgf_ratio
from attnlimits.numerics.laws.cap import log_cap_probability
from attnlimits.numerics.laws.finite_n import exact_finite
from attnlimits.numerics.precision import precise
from attnlimits.numerics.results import Result
from attnlimits.numerics.laws.sphere import log_kappa_value, neff_constant
from attnlimits.numerics.laws.subcritical import clt_variances
from attnlimits.theory.validation import count, dimension, positive_real

__all__ = ["REGIMES", "classify", "median_nearest_distance", "regime_report", "RegimeReport", "rule_beta", "RuleBeta"]

REGIMES = ("uniform averaging", "subcritical, bias-dominated", "subcritical, fluctuation-dominated",
           "critical window", "supercritical")

UNIFORM_KISH_FRACTION = 0.5
CRITICAL_LOW, CRITICAL_HIGH = 0.1, 0.9


def classify(kish_fraction, e_w1, bias, fluctuation) -> str:
    """The regime from the four exact figures (rules in the module docstring).

    >>> classify(0.1, 0.5, -1e-6, 1e-3)  # E W_(1) = 0.5: a few keys share the mass
    'critical window'
    """
    if kish_fraction >= UNIFORM_KISH_FRACTION:
        return REGIMES[0]
    if e_w1 >= CRITICAL_HIGH:
        return REGIMES[4]
    if e_w1 >= CRITICAL_LOW:
        return REGIMES[3]
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
    target = mpmath.log(-mpmath.expm1(-mpmath.log(2) / n))  # log(1 - 2^{-1/n}) < 0

    def g(u):
        t = mpmath.exp(u)
        return log_cap_probability(d, mpmath.nstr(t, mpmath.mp.dps), digits + 5) - target

    hi = mpmath.log(2)  # g(hi) = -target > 0 since F(2) = 1
    a = mpmath.mpf(d - 1) / 2
    # the asymptotic guess (log 2 / (kappa n))^{1/alpha}, pushed down until g < 0
    lo = (mpmath.log(mpmath.log(2) / n) - log_kappa_value(d, digits)) / a
    lo = min(lo, hi - 1)
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


@dataclasses.dataclass(frozen=True)
class RegimeReport(Result):
    """The regime of (n, d, beta) and the exact figures behind it (module docstring), mpmath numbers.

    - ``regime``: one of :data:`REGIMES`.
    - ``lam``: lambda = beta / (kappa_d n)^{2/(d-1)}, printed as ``lambda`` by :meth:`to_json`.
    - ``n_eff``: kappa_d Gamma(alpha+1) n beta^{-alpha}, the large-beta count of keys sharing the mass.
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
    and the median nearest distance D_(1) (with the Euclidean |q - K_(1)| = sqrt(2 D_(1))).

    >>> r = regime_report(10**4, 3, 5000, digits=6)  # d = 3: lambda = beta/(n/2) = 1
    >>> r.regime, r.to_json(6)["lambda"]
    ('critical window', '1.00000')
    """
    n = count(n, "n")
    d = dimension(d)
    positive_real(beta, "beta")
    b = mpmath.mpf(beta)
    a = mpmath.mpf(d - 1) / 2
    lam = b / mpmath.exp((log_kappa_value(d, digits + 5) + mpmath.log(n)) / a)
    n_eff = neff_constant(d, digits + 5) * n * b ** (-a)
    v = clt_variances(d, beta, digits + 5)
    kish_fraction = 1 / mgf_ratio(d, beta, digits + 5)
    fin = exact_finite(n, d, beta, digits)
    bias = v.mean_resultant - 1
    fluct = mpmath.sqrt((v.var_parallel + (d - 1) * v.var_perp) / n)
    dmed = _median_nearest_distance(n, d, digits)
    rep = RegimeReport(
        regime=classify(kish_fraction, fin.E_W1, bias, fluct),
        lam=lam, n_eff=n_eff, kish_n=n * kish_fraction,
        E_W1=fin.E_W1, E_sum_W2=fin.E_sum_W2,
        mean_resultant=v.mean_resultant, bias=bias, fluctuation=fluct,
        nearest_distance_median=dmed, nearest_euclidean_median=mpmath.sqrt(2 * dmed),
    )
    return dataclasses.replace(rep, summary=_sentence(rep))


@dataclasses.dataclass(frozen=True)
class RuleBeta(Result):
    """The inverse temperature a scaling rule gives at context length n.

    - ``rule``: the rule's name (:func:`attnlimits.theory.scaling_rules.multiplier`), or ``"none"``;
    - ``multiplier``: the rule's factor at this n (an mpf), 1 for ``"none"``;
    - ``beta``: base beta times the multiplier (an mpf).

    >>> r = rule_beta(2, "none", 100)
    >>> r.rule, r.to_json(4)
    ('none', {'rule': 'none', 'multiplier': '1.000', 'beta': '2.000'})
    """

    rule: str
    multiplier: object
    beta: object


@precise
def rule_beta(base_beta, rule: str, n, *, train_length=None, scale=None, ssmax_s=None, digits: int = 15) -> RuleBeta:
    """beta = base_beta × m(n), m the sympy factor of a scaling rule (docs/regimes.md) evaluated at ``digits``.

    ``yarn`` needs ``train_length`` (m depends on s = n/L) or ``scale`` (s itself); ``qwen-logn`` needs
    ``train_length``; ``ssmax`` needs ``ssmax_s``.

    >>> r = rule_beta(2, "qwen-logn", 4096 ** 2, train_length=4096, digits=10)  # log_L n = 2
    >>> mpmath.nstr(r.multiplier, 10), mpmath.nstr(r.beta, 10)
    ('2.0', '4.0')
    """
    import sympy as sp

    from attnlimits.theory.scaling_rules import L, multiplier, s
    from attnlimits.theory.scaling_rules import n as n_sym
    from attnlimits.theory.validation import InputError

    n = count(n, "n")
    positive_real(base_beta, "beta")
    if rule == "none":
        m = sp.Integer(1)
    else:
        subs = {n_sym: sp.Integer(n)}
        if rule in ("yarn", "qwen-logn"):
            if train_length is None and not (rule == "yarn" and scale is not None):
                raise InputError(f"rule {rule} needs --train-length (train_length=)")
            if rule == "yarn" and scale is not None:
                subs = {n_sym: sp.Rational(str(scale)), L: 1}
            else:
                subs[L] = sp.Integer(count(train_length, "train_length"))
        if rule == "ssmax":
            if ssmax_s is None:
                raise InputError("rule ssmax needs --ssmax-s (ssmax_s=)")
            subs[s] = sp.Rational(str(ssmax_s))
        m = multiplier(rule).subs(subs)
    mult = mpmath.mpf(str(sp.N(m, mpmath.mp.dps)))
    return RuleBeta(rule=rule, multiplier=mult, beta=mpmath.mpf(str(base_beta)) * mult)


def _fmt(x, k=3):
    return mpmath.nstr(x, k)


def _sentence(r: RegimeReport) -> str:
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
        return (f"A few nearest keys share the mass: the largest weight is {_fmt(r.E_W1)} on average and about "
                f"{_fmt(1 / r.E_sum_W2)} keys matter (1/E sum w^2); lambda = {_fmt(r.lam)}.")
    return (f"Attention collapses on the nearest key, which takes {_fmt(r.E_W1)} of the mass on average; the output "
            f"sits near that key, at distance about {_fmt(r.nearest_euclidean_median)} from the query.")
