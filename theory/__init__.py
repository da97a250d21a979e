"""Exact objects of the theory (sympy): laws, local exponents, expansions, critical scales.

Every expression here is a plain sympy expression that can be printed with ``sympy.latex`` and
evaluated with ``sympy.lambdify``.
"""
from attnlimits.theory.validation import InputError

__all__ = ["InputError"]
