"""Monte Carlo of the attention weights and output, with fixed seeds.

- ``replicate``: the typed results, ``Replicate`` (one replicate's statistics, the same fields for every sampler)
  and ``Replicates`` (their arrays over replicates);
- ``sampling``: ``replicates`` and ``one_replicate``, the entry points; the samplers behind them:
  ``naive_sampler`` (d-dimensional keys), ``exact_sampler`` (the exact reduced law: one inner product and one
  tangential norm per key), ``orderstat_sampler`` (the nearest keys by order statistics, n up to 10^18).
- ``ziggurat``: one sphere coordinate per 64-bit word; ``isotropic_merge``: the exact law of Σ c_i U_i;
  ``streaming``: a softmax accumulator that never holds n weights.
- ``sweep``: sweeps over (n, d, λ) with a resumable store and worker processes, and their ``Summary``;
  ``bench``: the samplers side by side (``BenchReport``).
- ``stats``: z and KS comparisons, Holm's procedure.
- ``cost``: the cost model (work and memory of a run) and ``check_run``, the up-front refusal of runs that cannot
  finish; ``arguments``: the argument checks every public function uses (docs/montecarlo.md §9).
"""
from attnlimits.numerics.exports import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "Replicate": "replicate", "Replicates": "replicate", "one_replicate": "sampling", "replicates": "sampling",
    "family_verdict": "stats", "holm": "stats", "ks_compare": "stats", "z_compare": "stats",
    "check_run": "cost",
})
