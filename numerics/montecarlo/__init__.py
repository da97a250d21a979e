"""Monte Carlo of the attention weights and output, with fixed seeds.

- ``sampling``: ``replicates`` and ``one_replicate``, the entry points; the samplers behind them:
  ``naive_sampler`` (d-dimensional keys), ``exact_sampler`` (the exact reduced law: one inner product and one
  tangential norm per key), ``orderstat_sampler`` (the nearest keys by order statistics, n up to 10^18).
- ``ziggurat``: one sphere coordinate per 64-bit word; ``isotropic_merge``: the exact law of Σ c_i U_i;
  ``streaming``: a softmax accumulator that never holds n weights.
- ``sweep``: sweeps over (n, d, λ) with a resumable store and worker processes; ``bench``: the samplers side by side.
- ``stats``: z and KS comparisons, Holm's procedure.
"""
from attnlimits.numerics.montecarlo.sampling import one_replicate, replicates
from attnlimits.numerics.montecarlo.stats import family_verdict, holm, ks_compare, z_compare

__all__ = ["one_replicate", "replicates", "family_verdict", "holm", "ks_compare", "z_compare"]
