"""Exact objects of the theory (sympy): laws, local exponents, expansions, critical scales.

Every expression here is a sympy expression that can be printed with ``sympy.latex`` and evaluated with
``sympy.lambdify(args, expr, "numpy" | "scipy" | "mpmath")``: each exported one is tested in all three against
the package's high-precision routes, up to d = 10^4, or its refusal is where no module gives the right number (the
2F1 form of the cap and Ein in double; docs/mathematics.md §11.7). The special functions in it are
those of :mod:`attnlimits.theory.special` (sympy's own, with the numpy/scipy/mpmath code sympy gets wrong), and the
Gamma ratios are written so that double precision does not overflow where the value does not. Pass float arrays.
"""
from attnlimits.theory.validation import InputError

__all__ = ["InputError"]
