"""Benchmark of the samplers, side by side on the same (n, d, beta) (``attnlimits bench``).

Method for the ratios (robust to a shared machine's load). Times are CPU time of the calling thread
(``time.thread_time``). A ratio is measured in ``rounds`` (>= 5) interleaved rounds: in each round one
naive replicate and then ``EXACT_PER_ROUND`` exact replicates run back to back on the same (n, d, beta)
and generator, and the round's ratio is the naive time over the *mean* exact time of that round (the
same statistic for both samplers, so neither gets a best-of advantage). Both samplers of a round see
the same moment of the machine's load, so the load largely cancels in the ratio. Reported: the median
over rounds (``ratio_d<d>``), its range (``ratio_d<d>_min``, ``ratio_d<d>_max``) and the median
nanoseconds per key of each sampler. The floor ratio at d = 3 is measured the same way (one exact
replicate against one fill of uniforms per round).

Figures:

- naive against exact reduced at d = 3, 128 and 1024, at the critical scale beta = (kappa_d n)^{2/(d-1)}
  (lambda = 1): nanoseconds per key and their ratio (median and range over rounds);
- the random-number floor: nanoseconds per uniform double from the same generator (PCG64), filled in
  place, and the exact sampler's nanoseconds per key at d = 3 divided by it (median and range);
- the order-statistics sampler: milliseconds per replicate at n = 10^6, 10^12, 10^18 (d = 3, lambda = 1)
  and the largest certified relative truncation bound over the replicates;
- peak resident memory of one exact replicate at n = 10^8, d = 3, measured in a fresh subprocess
  (VmHWM of /proc/self/status, else ``ru_maxrss``), next to the same subprocess's peak before the run
  (the interpreter and numpy), and the peak of the allocations traced by ``tracemalloc`` during the run.
- the exact finite-n output (``numerics.laws.finite_output.exact_output``, every field, 15 digits) at
  n = 10^12: CPU seconds of one call at d = 3 and 256, lambda = 1 and 100 (docs/output.md §2); with ``quick``
  only d = 256, lambda = 100 (about 3 s).
"""
from __future__ import annotations

import dataclasses
import json
import statistics
import subprocess
import sys
import time

import numpy as np

from attnlimits.numerics.progress import progress
from attnlimits.numerics.results import Result
from attnlimits.numerics.montecarlo.arguments import whole
from attnlimits.numerics.montecarlo.exact_sampler import exact_replicate
from attnlimits.numerics.montecarlo.naive_sampler import naive_replicate
from attnlimits.numerics.montecarlo.orderstat_sampler import orderstat_replicate
from attnlimits.theory.validation import InputError

__all__ = ["run_bench", "BenchReport", "critical_beta", "interleaved_ratio", "RatioTiming", "EXACT_PER_ROUND"]

#: Exact replicates per round of :func:`interleaved_ratio` (their mean time is the round's exact time).
EXACT_PER_ROUND = 4


def critical_beta(n: float, d: int, lam: float = 1.0) -> float:
    """beta = lam (kappa_d n)^{2/(d-1)} (docs/mathematics.md §3), as a double.

    >>> critical_beta(10**6, 3)  # kappa_3 = 1/2
    500000.0
    """
    from attnlimits.numerics.montecarlo.sweep import beta_from_lambda

    return beta_from_lambda(lam, whole(n, "n"), d)


def _cpu(f) -> float:
    t = time.thread_time()
    f()
    return time.thread_time() - t


@dataclasses.dataclass(frozen=True)
class RatioTiming(Result):
    """The timing of ``slow`` against ``fast`` by :func:`interleaved_ratio`.

    Fields: ``ratio``, the median over rounds of the round's slow/fast time ratio; ``ratio_min`` and
    ``ratio_max``, its range over rounds; ``slow`` and ``fast``, the median CPU seconds of one call of each;
    ``rounds``, the number of rounds.
    """

    ratio: float
    ratio_min: float
    ratio_max: float
    slow: float
    fast: float
    rounds: int


def interleaved_ratio(slow, fast, rounds: int, fast_per_round: int = EXACT_PER_ROUND) -> RatioTiming:
    """Time ``slow`` against ``fast`` in ``rounds`` interleaved rounds (see the module docstring).

    Per round: one call of ``slow``, then ``fast_per_round`` calls of ``fast`` (their mean); the round's
    ratio is slow/fast.

    >>> t = interleaved_ratio(lambda: sum(range(20000)), lambda: sum(range(2000)), rounds=3)
    >>> t.rounds, t.ratio_min <= t.ratio <= t.ratio_max
    (3, True)
    """
    rounds, fast_per_round = whole(rounds, "rounds"), whole(fast_per_round, "fast_per_round")
    if not (callable(slow) and callable(fast)):
        raise InputError("slow and fast must be functions of no argument")
    ratios, ts, tf = [], [], []
    for _ in range(rounds):
        a = _cpu(slow)
        b = sum(_cpu(fast) for _ in range(fast_per_round)) / fast_per_round
        ts.append(a)
        tf.append(b)
        ratios.append(a / b)
    return RatioTiming(statistics.median(ratios), min(ratios), max(ratios), statistics.median(ts),
                       statistics.median(tf), rounds)


_PEAK = """
import resource, sys, tracemalloc
import numpy as np
from attnlimits.numerics.montecarlo.exact_sampler import exact_replicate

def peak_kib():
    # VmHWM is reset by exec (ru_maxrss on Linux may keep the forked parent's size); KiB
    try:
        with open('/proc/self/status') as fh:
            for line in fh:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

n, beta = int(sys.argv[1]), float(sys.argv[2])
base = peak_kib()
tracemalloc.start()
exact_replicate(n, 3, beta, 5, np.random.default_rng(1))
traced = tracemalloc.get_traced_memory()[1]
print(base, peak_kib(), traced)
"""


def _peak_mb(n: int, beta: float) -> tuple[float, float, float]:
    """(peak resident MB after the run, before it, peak MB of Python/numpy allocations during it),
    all from a fresh interpreter."""
    out = subprocess.run([sys.executable, "-c", _PEAK, str(n), repr(beta)], capture_output=True, text=True,
                         check=True).stdout.split()
    return int(out[1]) / 1024.0, int(out[0]) / 1024.0, int(out[2]) / 2.0**20


@dataclasses.dataclass(frozen=True)
class BenchReport(Result):
    """The figures of ``attnlimits bench`` (see the module docstring for the method); the field names are the
    command's JSON keys.

    - per d in (3, 128, 1024): ``naive_ns_d<d>`` and ``exact_ns_d<d>``, the median nanoseconds per key of the
      naive and the exact reduced sampler; ``ratio_d<d>`` their median ratio over rounds, ``ratio_d<d>_min`` and
      ``ratio_d<d>_max`` its range; ``n_d<d>``, the number of keys;
    - ``rounds``: interleaved rounds per ratio;
    - the random-number floor: ``floor_ns``, nanoseconds per uniform double; ``exact_ns_d3_large``, the exact
      sampler's nanoseconds per key at d = 3 and ``n_floor`` keys; ``floor_ratio_d3`` (median) with
      ``floor_ratio_d3_min``, ``floor_ratio_d3_max``: the exact sampler's time per key over the time per double;
    - per n in (10^6, 10^12, 10^18): ``orderstat_ms_<n>``, mean milliseconds per order-statistics replicate, and
      ``orderstat_bound_<n>``, the largest certified truncation bound over them;
    - memory of one exact replicate at ``n_peak`` keys, in a fresh process: ``peak_mb`` (peak resident MB),
      ``peak_mb_baseline`` (the same process's peak before the run), ``traced_mb`` (peak of the allocations traced
      by tracemalloc); ``peak_mb_1e8``: ``peak_mb`` again when n_peak = 10^8 (full run; None with ``quick``);
    - ``output_s_d<d>_lam<l>``: CPU seconds of ``exact_output(10**12, d, beta, 15)`` at beta = l (kappa_d n)^{2/(d-1)},
      (d, l) in (3, 1), (3, 100), (256, 1), (256, 100) (None with ``quick`` except d = 256, lambda = 100) and
      ``output_nodes_d<d>_lam<l>``, its outer nodes;
    - ``seconds``: wall-clock time of the whole benchmark.
    """

    naive_ns_d3: float
    exact_ns_d3: float
    ratio_d3: float
    ratio_d3_min: float
    ratio_d3_max: float
    n_d3: int
    naive_ns_d128: float
    exact_ns_d128: float
    ratio_d128: float
    ratio_d128_min: float
    ratio_d128_max: float
    n_d128: int
    naive_ns_d1024: float
    exact_ns_d1024: float
    ratio_d1024: float
    ratio_d1024_min: float
    ratio_d1024_max: float
    n_d1024: int
    rounds: int
    floor_ns: float
    exact_ns_d3_large: float
    n_floor: int
    floor_ratio_d3: float
    floor_ratio_d3_min: float
    floor_ratio_d3_max: float
    orderstat_ms_1e6: float
    orderstat_bound_1e6: float
    orderstat_ms_1e12: float
    orderstat_bound_1e12: float
    orderstat_ms_1e18: float
    orderstat_bound_1e18: float
    peak_mb: float
    peak_mb_baseline: float
    traced_mb: float
    n_peak: int
    peak_mb_1e8: float | None
    output_s_d3_lam1: float | None
    output_nodes_d3_lam1: int | None
    output_s_d3_lam100: float | None
    output_nodes_d3_lam100: int | None
    output_s_d256_lam1: float | None
    output_nodes_d256_lam1: int | None
    output_s_d256_lam100: float | None
    output_nodes_d256_lam100: int | None
    seconds: float


#: (d, lambda) of the exact-output timings at n = 10^12 (the cheapest, used alone with ``quick``, last).
OUTPUT_CASES = ((3, 1), (3, 100), (256, 1), (256, 100))


def _output_timings(quick: bool) -> dict:
    """CPU seconds and outer nodes of ``exact_output(10**12, d, beta, 15)`` per case of :data:`OUTPUT_CASES`."""
    from attnlimits.numerics.laws.finite_n import beta_from_lambda
    from attnlimits.numerics.laws.finite_output import exact_output

    out = {}
    for d, lam in OUTPUT_CASES:
        secs = nodes = None
        if not quick or (d, lam) == OUTPUT_CASES[-1]:
            beta = beta_from_lambda(10 ** 12, d, lam, 20)
            t = time.thread_time()
            r = exact_output(10 ** 12, d, beta, 15)
            secs, nodes = time.thread_time() - t, r.outer_nodes
        out[f"output_s_d{d}_lam{lam}"] = secs
        out[f"output_nodes_d{d}_lam{lam}"] = nodes
    return out


def run_bench(quick: bool = False, seed: int = 0) -> BenchReport:
    """Run every measurement (about 10 s with ``quick``, a minute without; the exact-output timings add about
    3 s and 15 s of those); see :class:`BenchReport`."""
    rng = np.random.default_rng(whole(seed, "seed", low=0))
    t0 = time.perf_counter()
    sizes = {3: 100_000 if quick else 1_000_000, 128: 5_000 if quick else 100_000, 1024: 1_500 if quick else 30_000}
    rounds = 5 if quick else 7
    res: dict = {}
    steps = progress(total=7, desc="bench", unit="step")
    for d, n in sizes.items():
        beta = critical_beta(n, d)
        exact_replicate(n, d, beta, 5, rng)  # warm-up: imports, first allocations
        r = interleaved_ratio(lambda: naive_replicate(n, d, beta, 5, rng),
                              lambda: exact_replicate(n, d, beta, 5, rng), rounds)
        res[f"naive_ns_d{d}"] = r.slow / n * 1e9
        res[f"exact_ns_d{d}"] = r.fast / n * 1e9
        res[f"ratio_d{d}"] = r.ratio
        res[f"ratio_d{d}_min"] = r.ratio_min
        res[f"ratio_d{d}_max"] = r.ratio_max
        res[f"n_d{d}"] = n
        steps.update(1)
    res["rounds"] = rounds
    buf = np.empty(1 << 20)
    n3 = 10**6 if quick else 10**7
    b3 = critical_beta(n3, 3)
    # slow = the exact sampler per key, fast = one fill of uniforms per double: the ratio is "keys per double"
    r = interleaved_ratio(lambda: exact_replicate(n3, 3, b3, 5, rng), lambda: rng.random(out=buf), rounds)
    scale = buf.size / n3
    res.update(floor_ns=r.fast / buf.size * 1e9, exact_ns_d3_large=r.slow / n3 * 1e9, n_floor=n3,
               floor_ratio_d3=r.ratio * scale, floor_ratio_d3_min=r.ratio_min * scale,
               floor_ratio_d3_max=r.ratio_max * scale)
    steps.update(1)
    reps = 20 if quick else 100
    for tag, n in (("1e6", 10**6), ("1e12", 10**12), ("1e18", 10**18)):
        beta = critical_beta(n, 3)
        t = time.thread_time()
        bounds = [orderstat_replicate(n, 3, beta, 5, rng).truncation_bound for _ in range(reps)]
        res[f"orderstat_ms_{tag}"] = (time.thread_time() - t) / reps * 1e3
        res[f"orderstat_bound_{tag}"] = max(bounds)
    steps.update(1)
    npk = 10**7 if quick else 10**8
    peak, base, traced = _peak_mb(npk, critical_beta(npk, 3))
    res.update(peak_mb=peak, peak_mb_baseline=base, traced_mb=traced, n_peak=npk, peak_mb_1e8=None if quick else peak)
    steps.update(1)
    res.update(_output_timings(quick))
    steps.update(1)
    steps.close()
    return BenchReport(**res, seconds=time.perf_counter() - t0)


if __name__ == "__main__":  # pragma: no cover
    print(json.dumps(run_bench(quick="--quick" in sys.argv).to_json(4), indent=2))
