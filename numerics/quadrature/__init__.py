"""Quadrature engines shared by every law.

- ``double_exponential``: the one double-exponential engine (sinh, exp-sinh, tanh-sinh and exponential maps, node
  cache, stopping rule; docs/mathematics.md §11) of every outer integral and of the fixed τ- and Gumbel rules.
- ``gauss_gumbel``: the Gauss rule for the standard Gumbel density.
- ``gauss_panels``: Gauss–Legendre panels in Arb, and the conversion of balls to mpmath numbers.
- ``campbell``: the Campbell–Mecke sweep, the inner integrals of the Poisson-limit and finite-n functionals.
"""
from attnlimits.numerics.exports import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "FiniteIntensity": "campbell", "LimitIntensity": "campbell", "sweep": "campbell",
    "DERule": "double_exponential", "DEResult": "double_exponential", "ExponentialMap": "double_exponential",
    "ExpSinhMap": "double_exponential", "SinhMap": "double_exponential", "TanhSinhMap": "double_exponential",
    "de_integrate": "double_exponential", "de_integrate_split": "double_exponential",
    "outer_log_integral": "double_exponential", "gumbel_rule": "gauss_gumbel", "gl_rule": "gauss_panels",
    "to_mpf": "gauss_panels",
})
