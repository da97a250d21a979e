"""The limit laws of attention and their exact finite-n counterparts, one module per law.

- ``sphere``: α, κ_d, the critical constant and n_eff of uniform keys; ``constants_table``: the tables of them.
- ``cap``: the cap probability P(D ≤ t) and its series; ``key_laws``: distance laws of the catalog key laws.
- ``subcritical``: A_d(β), bias and CLT covariance; ``heat``: Funk–Hecke against the heat semigroup;
  ``transport``: the density drift and the backward-heat step.
- ``poisson_limit``: functionals of the critical Poisson limit; ``max_weight``: the law of W_(1);
  ``supercritical``: collapse, gap and nearest-distance laws.
- ``finite_n``: exact finite-n E W_(1), E Σ W²; ``critical_beta``: the exact half-mass β;
  ``regime``: which regime an (n, d, β) is in.
- ``weight_functionals``: ``WeightFunctionals``, the one typed result of every route to E W_(1), E Σ W², …
  (the Poisson-limit routes and exact finite n).
- ``equiangular`` and ``almost_simplex``: paper 2's equiangular tokens at β = γ log n.
"""
from attnlimits.numerics.exports import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "cap_probability": "cap", "log_cap_probability": "cap", "exact_finite": "finite_n",
    "alpha1_functionals": "poisson_limit", "campbell_functionals": "poisson_limit",
    "first_point_functionals": "poisson_limit", "regime_report": "regime", "constants": "sphere",
    "kappa_value": "sphere", "clt_variances": "subcritical", "WeightFunctionals": "weight_functionals",
})
