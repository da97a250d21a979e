"""The limit laws of attention and their exact finite-n counterparts, one module per law.

- ``sphere``: α, κ_d, the critical constant and n_eff of uniform keys; ``constants_table``: the tables of them.
- ``cap``: the cap probability P(D ≤ t) and its series; ``key_laws``: distance laws of the catalog key laws.
- ``subcritical``: A_d(β), bias and CLT covariance; ``heat``: Funk–Hecke against the heat semigroup;
  ``transport``: the density drift and the backward-heat step.
- ``poisson_limit``: functionals of the critical Poisson limit; ``max_weight``: the law of W_(1);
  ``supercritical``: collapse, gap and nearest-distance laws.
- ``finite_n``: exact finite-n E W_(1), E Σ W²; ``critical_beta``: the exact half-mass β;
  ``regime``: which regime an (n, d, β) is in.
- ``equiangular`` and ``almost_simplex``: paper 2's equiangular tokens at β = γ log n.
"""
from attnlimits.numerics.laws.cap import cap_probability, log_cap_probability
from attnlimits.numerics.laws.finite_n import exact_finite
from attnlimits.numerics.laws.poisson_limit import alpha1_functionals, campbell_functionals, first_point_functionals
from attnlimits.numerics.laws.regime import regime_report
from attnlimits.numerics.laws.sphere import constants, kappa_value
from attnlimits.numerics.laws.subcritical import clt_variances

__all__ = ["cap_probability", "log_cap_probability", "exact_finite", "alpha1_functionals", "campbell_functionals",
           "first_point_functionals", "regime_report", "constants", "kappa_value", "clt_variances"]
