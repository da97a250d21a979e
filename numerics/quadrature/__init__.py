"""Quadrature engines shared by every law.

- ``double_exponential``: the double-exponential (sinh, exp-sinh, tanh-sinh) trapezoid rules of every outer integral.
- ``gauss_panels``: Gauss–Legendre panels in Arb, and the conversion of balls to mpmath numbers.
- ``campbell``: the Campbell–Mecke sweep, the inner integrals of the Poisson-limit and finite-n functionals.
"""
from attnlimits.numerics.quadrature.campbell import FiniteIntensity, LimitIntensity, sweep
from attnlimits.numerics.quadrature.double_exponential import de_integrate, de_integrate_split
from attnlimits.numerics.quadrature.gauss_panels import gl_rule, to_mpf

__all__ = ["FiniteIntensity", "LimitIntensity", "sweep", "de_integrate", "de_integrate_split", "gl_rule", "to_mpf"]
