"""Special functions the laws are built from, at requested digits (mpmath) or as Arb balls.

- ``bessel_ratio``: I_{ν+1}(β)/I_ν(β) by Perron's continued fraction; the mean resultant A_d(β), the
  moment-generating ratios M(2β)/M(β)², and the gap 1 − I_{ℓ+ν}/I_ν of the Funk–Hecke eigenvalues.
- ``incomplete_gamma``: the table e^x Γ(α, x) by upward recurrence (DLMF 8.8.2) and Ein(z) (DLMF 6.2.3), the
  series coefficients and the α = 1 Laplace exponent of the Poisson limit; the generalised Dickman tail
  e^{−γθ} x^θ/Γ(1 + θ) at any θ.
"""
from attnlimits.numerics.exports import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "bessel_ratio_gap": "bessel_ratio", "mean_resultant": "bessel_ratio", "mean_resultant_ball": "bessel_ratio",
    "mgf_ratio": "bessel_ratio", "perron_ratio": "bessel_ratio", "ein": "incomplete_gamma",
    "scaled_upper_gamma_table": "incomplete_gamma", "dickman_tail": "incomplete_gamma",
})
