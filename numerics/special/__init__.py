"""Special functions the laws are built from, at requested digits (mpmath) or as Arb balls.

- ``bessel_ratio``: I_{ν+1}(β)/I_ν(β) by Perron's continued fraction; the mean resultant A_d(β), the
  moment-generating ratios M(2β)/M(β)², and the gap 1 − I_{ℓ+ν}/I_ν of the Funk–Hecke eigenvalues.
"""
from attnlimits.numerics.special.bessel_ratio import (bessel_ratio_gap, mean_resultant, mean_resultant_ball,
                                                      mgf_ratio, perron_ratio)

__all__ = ["bessel_ratio_gap", "mean_resultant", "mean_resultant_ball", "mgf_ratio", "perron_ratio"]
