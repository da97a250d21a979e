"""Statistics for Monte Carlo evidence: z-scores against exact values, KS tests, multiplicity control.

A statistical claim compares Monte Carlo estimates with exact (or high-precision) values. Each
comparison gives a two-sided p-value; a check that makes m comparisons controls its family-wise
false-alarm rate at level ``alpha`` with Holm's step-down procedure (Holm 1979), which is valid under
any dependence between the comparisons. With fixed seeds the outcome is deterministic; the level
says how unlikely a false alarm would be for a fresh seed.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np
from scipy import stats as _st

from attnlimits.numerics.results import Result

__all__ = ["Comparison", "mean_se", "z_compare", "ks_compare", "ks_two_sample", "two_sample_z", "holm",
           "family_verdict", "DEFAULT_LEVEL"]

#: Family-wise false-alarm level used by the package's statistical claims (about a 5-sigma two-sided tail).
DEFAULT_LEVEL = 5.733e-7


@dataclasses.dataclass(frozen=True)
class Comparison(Result):
    """One comparison of a check: ``name``; ``estimate`` (the sample mean, or the KS statistic); ``reference``
    (the exact value, or the other sample's mean; 0 for KS); ``se`` (the standard error of the estimate, or the
    KS scale); ``z`` (the estimate's distance from the reference in units of ``se``); ``p`` (the two-sided
    p-value)."""

    name: str
    estimate: float
    reference: float
    se: float
    z: float
    p: float


def mean_se(x) -> tuple[float, float]:
    """Sample mean and its standard error s/sqrt(R) of replicates ``x``.

    >>> mean_se([1.0, 2.0, 3.0])  # s = 1
    (2.0, 0.5773502691896258)
    """
    x = np.asarray(x, dtype=float)
    if x.size < 2:
        raise ValueError("at least two replicates are needed for a standard error")
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size))


def z_compare(name: str, samples, reference) -> Comparison:
    """Compare the mean of i.i.d. replicates with an exact ``reference``: z = (mean − ref)/se.

    >>> c = z_compare("mean", [1.0, 2.0, 3.0, 4.0], 2.0)
    >>> c.estimate, round(c.z, 6), round(c.p, 6)
    (2.5, 0.774597, 0.438578)
    """
    m, se = mean_se(samples)
    ref = float(reference)
    if se == 0.0:
        z = 0.0 if m == ref else math.inf
    else:
        z = (m - ref) / se
    p = float(2 * _st.norm.sf(abs(z)))
    return Comparison(name, m, ref, se, z, p)


def ks_compare(name: str, samples, cdf) -> Comparison:
    """One-sample Kolmogorov–Smirnov test of ``samples`` against a continuous ``cdf``.

    ``estimate`` holds the KS statistic; ``z`` its size in units of 1/sqrt(N).
    """
    x = np.asarray(samples, dtype=float)
    res = _st.kstest(x, cdf)
    return Comparison(name, float(res.statistic), 0.0, 1 / math.sqrt(x.size),
                      float(res.statistic * math.sqrt(x.size)), float(res.pvalue))


def ks_two_sample(name: str, a, b) -> Comparison:
    """Two-sample Kolmogorov–Smirnov test that samples ``a`` and ``b`` come from the same continuous law.

    ``estimate`` holds the KS statistic; ``z`` its size in units of sqrt(1/N_a + 1/N_b). Used to
    compare two samplers with each other (neither is the reference of the other).
    """
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    res = _st.ks_2samp(x, y)
    scale = math.sqrt(1 / x.size + 1 / y.size)
    return Comparison(name, float(res.statistic), 0.0, scale, float(res.statistic / scale), float(res.pvalue))


def two_sample_z(name: str, a, b) -> Comparison:
    """Difference of the means of two independent samples: z = (mean_a - mean_b)/sqrt(se_a^2 + se_b^2)."""
    ma, sa = mean_se(a)
    mb, sb = mean_se(b)
    se = math.hypot(sa, sb)
    if se == 0.0:
        z = 0.0 if ma == mb else math.inf
    else:
        z = (ma - mb) / se
    return Comparison(name, ma, mb, se, z, float(2 * _st.norm.sf(abs(z))))


def holm(pvalues, level: float = DEFAULT_LEVEL) -> list[bool]:
    """Holm's step-down rejections at family-wise ``level``: True where a comparison is rejected.

    The smallest p is tested at level/m, the next at level/(m - 1), ...; the first acceptance stops:

    >>> holm([0.01, 0.04], 0.05), holm([0.03, 0.04], 0.05)
    ([True, True], [False, False])
    """
    p = np.asarray(pvalues, dtype=float)
    order = np.argsort(p)
    m = p.size
    reject = np.zeros(m, dtype=bool)
    for rank, i in enumerate(order):
        if p[i] <= level / (m - rank):
            reject[i] = True
        else:
            break
    return reject.tolist()


def family_verdict(comparisons: list[Comparison], level: float = DEFAULT_LEVEL) -> tuple[bool, dict]:
    """True when no comparison is rejected by Holm at ``level``; figures for the claim's report."""
    rej = holm([c.p for c in comparisons], level)
    worst = max(comparisons, key=lambda c: abs(c.z))
    figures = {
        "comparisons": len(comparisons),
        "max_abs_z": round(abs(worst.z), 3),
        "worst": worst.name,
        "min_p": float(f"{min(c.p for c in comparisons):.3g}"),
        "family_level": level,
    }
    return (not any(rej)), figures
