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

import mpmath

from attnlimits.numerics.special.bessel_ratio import mgf_ratio
from attnlimits.numerics.laws.cap import log_cap_probability
from attnlimits.numerics.laws.finite_n import exact_finite
from attnlimits.numerics.precision import check_digits, working_digits
from attnlimits.numerics.laws.sphere import log_kappa_value, neff_constant
from attnlimits.numerics.laws.subcritical import clt_variances
from attnlimits.theory.validation import count, dimension, positive_real

__all__ = ["REGIMES", "classify", "median_nearest_distance", "regime_report"]

REGIMES = ("uniform averaging", "subcritical, bias-dominated", "subcritical, fluctuation-dominated",
           "critical window", "supercritical")

UNIFORM_KISH_FRACTION = 0.5
CRITICAL_LOW, CRITICAL_HIGH = 0.1, 0.9


def classify(kish_fraction, e_w1, bias, fluctuation) -> str:
    """The regime from the four exact figures (rules in the module docstring)."""
    if kish_fraction >= UNIFORM_KISH_FRACTION:
        return REGIMES[0]
    if e_w1 >= CRITICAL_HIGH:
        return REGIMES[4]
    if e_w1 >= CRITICAL_LOW:
        return REGIMES[3]
    return REGIMES[1] if abs(bias) >= fluctuation else REGIMES[2]


def median_nearest_distance(n, d, digits: int = 15):
    """Median of D_(1), the smallest of n i.i.d. distances D = 1 - <q, K>: F(t) = 1 - 2^{-1/n}.

    Bisection in log t on log F(t) (the exact cap law, :func:`attnlimits.numerics.laws.cap.log_cap_probability`),
    to ``digits`` significant digits.
    """
    n = count(n, "n")
    d = dimension(d)
    digits = check_digits(digits)
    with working_digits(digits):
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
        return +mpmath.exp((lo + hi) / 2)


def regime_report(n, d, beta, digits: int = 10) -> dict:
    """Everything a practitioner asks about (n, d, beta): the regime and the figures behind it.

    Values are mpf at ``digits`` (the regime itself is a string): ``lambda`` = beta / (kappa_d n)^{2/(d-1)},
    ``n_eff`` = kappa_d Gamma(alpha+1) n beta^{-alpha} (the large-beta count of keys sharing the mass),
    ``kish_n`` = n / R_d(beta) (exact), ``E_W1`` and ``E_sum_W2`` exact at this n, ``bias`` = A_d(beta) - 1,
    ``fluctuation`` = sqrt((var_parallel + (d-1) var_perp)/n), and the median nearest distance D_(1)
    (with the Euclidean |q - K_(1)| = sqrt(2 D_(1))).
    """
    n = count(n, "n")
    d = dimension(d)
    positive_real(beta, "beta")
    digits = check_digits(digits)
    with working_digits(digits):
        b = mpmath.mpf(beta)
        a = mpmath.mpf(d - 1) / 2
        lam = b / mpmath.exp((log_kappa_value(d, digits + 5) + mpmath.log(n)) / a)
        n_eff = neff_constant(d, digits + 5) * n * b ** (-a)
        v = clt_variances(d, beta, digits + 5)
        kish_fraction = 1 / mgf_ratio(d, beta, digits + 5)
        fin = exact_finite(n, d, beta, digits)
        e_w1, e_w2 = mpmath.mpf(fin["E_W1"]), mpmath.mpf(fin["E_sum_W2"])
        bias = v["mean_resultant"] - 1
        fluct = mpmath.sqrt((v["var_parallel"] + (d - 1) * v["var_perp"]) / n)
        dmed = median_nearest_distance(n, d, digits)
        reg = classify(kish_fraction, e_w1, bias, fluct)
        out = {
            "regime": reg,
            "lambda": lam, "n_eff": n_eff, "kish_n": n * kish_fraction,
            "E_W1": e_w1, "E_sum_W2": e_w2,
            "mean_resultant": v["mean_resultant"], "bias": bias, "fluctuation": fluct,
            "nearest_distance_median": dmed, "nearest_euclidean_median": mpmath.sqrt(2 * dmed),
        }
        out["summary"] = _sentence(out)
        return out


def _fmt(x, k=3):
    return mpmath.nstr(x, k)


def _sentence(r) -> str:
    reg = r["regime"]
    if reg == REGIMES[0]:
        return (f"Attention averages nearly all keys with almost equal weights (effective sample size "
                f"{_fmt(r['kish_n'])}): the output is close to the mean of the keys, of length {_fmt(r['mean_resultant'])}.")
    if reg == REGIMES[1]:
        return (f"Attention is a local average around the query over about {_fmt(r['kish_n'])} keys; its deterministic "
                f"shrinkage toward the center (bias {_fmt(r['bias'])}) outweighs its random fluctuation "
                f"({_fmt(r['fluctuation'])}).")
    if reg == REGIMES[2]:
        return (f"Attention is a local average around the query over about {_fmt(r['kish_n'])} keys; its random "
                f"fluctuation ({_fmt(r['fluctuation'])}) outweighs its deterministic bias ({_fmt(r['bias'])}), and the "
                f"largest weight is still small (E W_(1) = {_fmt(r['E_W1'])}).")
    if reg == REGIMES[3]:
        return (f"A few nearest keys share the mass: the largest weight is {_fmt(r['E_W1'])} on average and about "
                f"{_fmt(1 / r['E_sum_W2'])} keys matter (1/E sum w^2); lambda = {_fmt(r['lambda'])}.")
    return (f"Attention collapses on the nearest key, which takes {_fmt(r['E_W1'])} of the mass on average; the output "
            f"sits near that key, at distance about {_fmt(r['nearest_euclidean_median'])} from the query.")
