"""Which limit law describes attention at (n, d, β), and to what accuracy (docs/output.md §4).

The exact finite-n values of ``numerics.laws.finite_output`` (weights and output) are compared with the three
limit descriptions, each with its own predictions of the same five functionals:

| functional | subcritical Gaussian | critical Poisson limit (λ = β/(κ_d n)^{1/α}) | supercritical collapse |
|---|---|---|---|
| E W_(1) | (not described: every weight → 0) | E W_(1)(λ) | 1 |
| E Σ w² | R/n (Kish) | E Σ W²(λ) | 1 |
| E(1 − ⟨q, y⟩) | 1 − A_d(β) | E N/s | E D_(1) |
| Var⟨q, y⟩ | var_par/n | (E N² − (E N)²)/s² | Var D_(1) |
| E\\|P_⊥ y\\|² | (d − 1) var_perp/n | E\\|Σ W √(2S) U\\|²/s | E D_(1)(2 − D_(1)) |

with s = (κ_d n)^{1/α}, A_d, R, var_par, var_perp of docs/mathematics.md §5 and the Poisson functionals of
docs/mathematics.md §4. The error of a description is the largest relative error |described − exact|/|exact| over
the functionals it describes; the report names the description with the smallest error.
"""
from __future__ import annotations

import dataclasses
import time

import mpmath

from attnlimits.numerics.precision import precise
from attnlimits.numerics.results import Result
from attnlimits.theory.validation import InputError, dimension, positive_real

__all__ = ["ValidityReport", "validity", "DESCRIPTIONS"]

#: The three limit descriptions, in the order of β.
DESCRIPTIONS = ("subcritical", "critical", "supercritical")

_FUNCTIONALS = ("E_W1", "E_sum_W2", "E_gap", "Var_inner", "E_perp2")


@dataclasses.dataclass(frozen=True)
class ValidityReport(Result):
    """The distance of each limit description from the exact finite-n truth at (n, d, β) (module docstring).

    - ``n``, ``d``, ``beta``; ``lam`` = β/(κ_d n)^{1/α};
    - ``exact``: the exact finite-n values {functional: value} (E_W1, E_sum_W2, E_gap = E(1 − ⟨q, y⟩),
      Var_inner, E_perp2);
    - ``described``: {description: {functional: value}} (a functional a description does not predict is absent);
    - ``errors``: {description: largest relative error}, None where the description could not be evaluated
      (``unavailable`` says why: the Poisson limit's supported range);
    - ``best``: the description with the smallest error; ``best_error``: that error;
    - ``seconds``: wall time.

    >>> r = ValidityReport(n=10, d=3, beta=1, lam=mpmath.mpf("0.2"), exact={}, described={},
    ...                    errors={"critical": mpmath.mpf("0.25")}, best="critical", best_error=mpmath.mpf("0.25"))
    >>> r.summary(3)
    {'law': 'critical', 'error': '0.250', 'errors': {'critical': '0.250'}}
    """

    n: int
    d: int
    beta: object
    lam: object
    exact: dict
    described: dict
    errors: dict
    best: str | None = None
    best_error: object = None
    unavailable: dict | None = None
    seconds: float | None = None

    def summary(self, digits: int = 3) -> dict:
        """The ``validity`` value of ``attnlimits regime --validity --json``: the law, its error, every error."""
        from attnlimits.numerics.results import json_value

        return {"law": self.best, "error": json_value(self.best_error, digits),
                "errors": {k: json_value(v, digits) for k, v in self.errors.items()}}


def _relerr(pred, exact):
    return abs(pred - exact) / abs(exact) if exact != 0 else abs(pred)


@precise
def validity(n, d, beta, digits: int = 6) -> ValidityReport:
    """The error of each limit description at (n, d, β) against the exact finite-n values (module docstring).

    ``digits``: of every value compared (errors below 10^{−digits} are not resolved). Supported: the range of
    ``finite_output.exact_output`` (n ≤ 10^18, d ≤ 4096, β ≤ 10^14, λ ≤ 100; ``finite_output.check_output_range``
    refuses the rest at once); a critical description outside the Poisson limit's
    supported (α, λ) is reported as unavailable, not refused.

    Ten keys at d = 3, λ = β/(n/2) = 1: the Poisson limit is the closest description, and still 44 % off:

    >>> r = validity(10, 3, 5, digits=3)
    >>> r.best, [mpmath.nstr(r.errors[k], 2) for k in DESCRIPTIONS]
    ('critical', ['0.67', '0.44', '1.4'])
    """
    from attnlimits.numerics.laws import poisson_limit as C
    from attnlimits.numerics.laws.finite_output import exact_output, nearest_distance_moments
    from attnlimits.numerics.laws.sphere import log_kappa_value
    from attnlimits.numerics.laws.subcritical import clt_variances
    from attnlimits.theory.validation import count, to_mpf

    n = count(n, "n")
    d = dimension(d)
    positive_real(beta, "beta")
    t0 = time.perf_counter()
    ex = exact_output(n, d, beta, digits, k_max=1, entropy=False)
    b = to_mpf(beta)
    exact = {f: getattr(ex, f) for f in _FUNCTIONALS}
    alpha = mpmath.mpf(d - 1) / 2
    scale = mpmath.exp((log_kappa_value(d, digits + 5) + mpmath.log(n)) / alpha)
    lam = b / scale
    described, unavailable = {}, {}

    v = clt_variances(d, beta, digits)
    described["subcritical"] = {"E_sum_W2": v.mgf_ratio / n, "E_gap": 1 - v.mean_resultant,
                                "Var_inner": v.var_parallel / n, "E_perp2": (d - 1) * v.var_perp / n}
    try:
        lim = C.campbell_functionals(alpha, lam, digits, k_max=1)
        crit = {"E_W1": lim.E_W1, "E_sum_W2": lim.E_sum_W2, "E_gap": lim.E_normal / scale}
        if lim.E_normal_sq is not None:
            crit["Var_inner"] = (lim.E_normal_sq - lim.E_normal ** 2) / scale ** 2
        if lim.E_tangential_sq is not None:
            crit["E_perp2"] = lim.E_tangential_sq / scale
        described["critical"] = crit
    except InputError as exc:
        unavailable["critical"] = str(exc)
    m1, m2 = nearest_distance_moments(n, d, digits + 5)
    described["supercritical"] = {"E_W1": mpmath.mpf(1), "E_sum_W2": mpmath.mpf(1), "E_gap": m1,
                                  "Var_inner": m2 - m1 * m1, "E_perp2": 2 * m1 - m2}
    errors = {name: max(_relerr(p, exact[f]) for f, p in described[name].items()) if name in described else None
              for name in DESCRIPTIONS}
    ok = {k: e for k, e in errors.items() if e is not None}
    best = min(ok, key=lambda k: ok[k])
    return ValidityReport(n=n, d=d, beta=b, lam=lam, exact=exact, described=described, errors=errors, best=best,
                          best_error=ok[best], unavailable=unavailable or None, seconds=time.perf_counter() - t0)
