"""Evaluation of the theory: mpmath at requested digits, python-flint balls, numpy Monte Carlo."""
from attnlimits.numerics.precision import MAX_DIGITS, working_digits

__all__ = ["MAX_DIGITS", "working_digits"]
