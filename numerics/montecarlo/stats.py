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

from attnlimits.numerics.montecarlo.arguments import float_array, number
from attnlimits.numerics.results import Result
from attnlimits.theory.validation import InputError

__all__ = ["Comparison", "mean_se", "z_compare", "ks_compare", "ks_two_sample", "two_sample_z", "holm",
           "family_verdict", "DEFAULT_LEVEL"]

#: Family-wise false-alarm level used by the package's statistical claims (about a 5-sigma two-sided tail).
DEFAULT_LEVEL = 5.733e-7


@dataclasses.dataclass(frozen=True)
class Comparison(Result):
    """One comparison of a check: ``name``; ``estimate`` (the sample mean, or the KS statistic); ``reference``
    (the exact value, or the other sample's mean; 0 for KS); ``se`` (the standard error of the estimate, or the
    KS scale); ``z`` (the estimate's distance from the reference in units of ``se``); ``p`` (the two-sided
    p-value).

    >>> c = Comparison("mean", 2.5, 2.0, 0.5, 1.0, 0.3173)
    >>> c.z, c.to_json(4)
    (1.0, {'name': 'mean', 'estimate': 2.5, 'reference': 2.0, 'se': 0.5, 'z': 1.0, 'p': 0.3173})
    """

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
    x = _replicates(x, "x")
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size))


def _replicates(x, name: str) -> np.ndarray:
    x = float_array(x, name)
    if x.size < 2:
        raise InputError(f"{name} must hold at least two replicates for a standard error, got {x.size}")
    return x


def z_compare(name: str, samples, reference) -> Comparison:
    """Compare the mean of i.i.d. replicates with an exact ``reference``: z = (mean − ref)/se.

    >>> c = z_compare("mean", [1.0, 2.0, 3.0, 4.0], 2.0)
    >>> c.estimate, round(c.z, 6), round(c.p, 6)
    (2.5, 0.774597, 0.438578)
    """
    m, se = mean_se(_replicates(samples, "samples"))
    ref = number(reference, "reference")
    if se == 0.0:
        z = 0.0 if m == ref else math.inf
    else:
        z = (m - ref) / se
    p = float(2 * _st.norm.sf(abs(z)))
    return Comparison(name, m, ref, se, z, p)


def ks_compare(name: str, samples, cdf) -> Comparison:
    """One-sample Kolmogorov–Smirnov test of ``samples`` against a continuous ``cdf``.

    ``estimate`` holds the KS statistic; ``z`` its size in units of 1/sqrt(N).

    Five points at the midpoints (i − 1/2)/5 of [0, 1] attain the smallest possible statistic, 1/(2N) = 0.1,
    so p = 1; a seeded uniform sample passes too:

    >>> import numpy as np
    >>> from scipy import stats
    >>> c = ks_compare("midpoints", [0.1, 0.3, 0.5, 0.7, 0.9], stats.uniform.cdf)
    >>> round(c.estimate, 12), round(c.z, 6), c.p  # z = 0.1 sqrt(5)
    (0.1, 0.223607, 1.0)
    >>> ks_compare("seeded", np.random.default_rng(0).random(1000), stats.uniform.cdf).p > 0.01
    True
    """
    x = float_array(samples, "samples")
    if x.size == 0:
        raise InputError("samples must not be empty")
    if not callable(cdf):
        raise InputError(f"cdf must be a function, got {type(cdf).__name__}")
    res = _st.kstest(x, cdf)
    return Comparison(name, float(res.statistic), 0.0, 1 / math.sqrt(x.size),
                      float(res.statistic * math.sqrt(x.size)), float(res.pvalue))


def ks_two_sample(name: str, a, b) -> Comparison:
    """Two-sample Kolmogorov–Smirnov test that samples ``a`` and ``b`` come from the same continuous law.

    ``estimate`` holds the KS statistic; ``z`` its size in units of sqrt(1/N_a + 1/N_b). Used to
    compare two samplers with each other (neither is the reference of the other).

    Two disjoint samples of 3 have statistic 1, and p = 2/C(6, 3) = 0.1 exactly; two seeded normal samples of
    500 agree:

    >>> import numpy as np
    >>> c = ks_two_sample("apart", [0.0, 1.0, 2.0], [10.0, 11.0, 12.0])
    >>> c.estimate, round(c.p, 12)
    (1.0, 0.1)
    >>> rng = np.random.default_rng(1)
    >>> c = ks_two_sample("same law", rng.standard_normal(500), rng.standard_normal(500))
    >>> round(c.se, 6), round((2 / 500) ** 0.5, 6), c.p > 0.01
    (0.063246, 0.063246, True)
    """
    x, y = float_array(a, "a"), float_array(b, "b")
    if x.size == 0 or y.size == 0:
        raise InputError("a and b must not be empty")
    res = _st.ks_2samp(x, y)
    scale = math.sqrt(1 / x.size + 1 / y.size)
    return Comparison(name, float(res.statistic), 0.0, scale, float(res.statistic / scale), float(res.pvalue))


def two_sample_z(name: str, a, b) -> Comparison:
    """Difference of the means of two independent samples: z = (mean_a - mean_b)/sqrt(se_a^2 + se_b^2).

    With a = (0, 2) (mean 1, se 1) and a constant b = (0, 0): z = 1, p = 2 (1 − Φ(1)) = 0.3173105...;
    two seeded samples of the same normal law agree:

    >>> import numpy as np
    >>> c = two_sample_z("by hand", [0.0, 2.0], [0.0, 0.0])
    >>> c.estimate, c.reference, c.se, c.z, round(c.p, 7)
    (1.0, 0.0, 1.0, 1.0, 0.3173105)
    >>> rng = np.random.default_rng(2)
    >>> abs(two_sample_z("seeded", rng.normal(1, 1, 400), rng.normal(1, 1, 400)).z) < 3
    True
    """
    ma, sa = mean_se(_replicates(a, "a"))
    mb, sb = mean_se(_replicates(b, "b"))
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
    p = float_array(pvalues, "pvalues", low=0.0, high=1.0)
    level = number(level, "level", low=0, high=1, low_open=True)
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
    """True when no comparison is rejected by Holm at ``level``; figures for the claim's report.

    >>> ok = Comparison("a", 0.0, 0.0, 1.0, 0.5, 0.617)
    >>> bad = Comparison("b", 6.5, 0.0, 1.0, 6.5, 8.0e-11)   # below DEFAULT_LEVEL / 2: rejected
    >>> family_verdict([ok])[0], family_verdict([ok, bad])
    (True, (False, {'comparisons': 2, 'max_abs_z': 6.5, 'worst': 'b', 'min_p': 8e-11, 'family_level': 5.733e-07}))
    >>> import numpy as np   # seeded replicates against their exact mean 0
    >>> rng = np.random.default_rng(3)
    >>> family_verdict([z_compare(f"x{i}", rng.standard_normal(200), 0.0) for i in range(4)])[0]
    True
    """
    if not isinstance(comparisons, (list, tuple)) or not comparisons or \
            not all(isinstance(c, Comparison) for c in comparisons):
        raise InputError("comparisons must be a non-empty list of Comparison results")
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
