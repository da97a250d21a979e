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
"""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

import numpy as np

from attnlimits.numerics.progress import progress
from attnlimits.numerics.montecarlo.exact_sampler import exact_replicate
from attnlimits.numerics.montecarlo.naive_sampler import naive_replicate
from attnlimits.numerics.montecarlo.orderstat_sampler import orderstat_replicate

__all__ = ["run_bench", "critical_beta", "interleaved_ratio", "EXACT_PER_ROUND"]

#: Exact replicates per round of :func:`interleaved_ratio` (their mean time is the round's exact time).
EXACT_PER_ROUND = 4


def critical_beta(n: float, d: int, lam: float = 1.0) -> float:
    from attnlimits.numerics.montecarlo.sweep import beta_from_lambda

    return beta_from_lambda(lam, int(n), d)


def _cpu(f) -> float:
    t = time.thread_time()
    f()
    return time.thread_time() - t


def interleaved_ratio(slow, fast, rounds: int, fast_per_round: int = EXACT_PER_ROUND) -> dict:
    """Time ``slow`` against ``fast`` in ``rounds`` interleaved rounds (see the module docstring).

    Per round: one call of ``slow``, then ``fast_per_round`` calls of ``fast`` (their mean); the round's
    ratio is slow/fast. Returns the median and range of the ratios and the median times in seconds.
    """
    if rounds < 1:
        raise ValueError("rounds must be >= 1")
    ratios, ts, tf = [], [], []
    for _ in range(rounds):
        a = _cpu(slow)
        b = sum(_cpu(fast) for _ in range(fast_per_round)) / fast_per_round
        ts.append(a)
        tf.append(b)
        ratios.append(a / b)
    return {"ratio": statistics.median(ratios), "ratio_min": min(ratios), "ratio_max": max(ratios),
            "slow": statistics.median(ts), "fast": statistics.median(tf), "rounds": rounds}


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


def run_bench(quick: bool = False, seed: int = 0) -> dict:
    """Run every measurement; return the figures as floats (see the module docstring)."""
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    sizes = {3: 100_000 if quick else 1_000_000, 128: 5_000 if quick else 100_000, 1024: 1_500 if quick else 30_000}
    rounds = 5 if quick else 7
    res: dict = {}
    steps = progress(total=6, desc="bench", unit="step")
    for d, n in sizes.items():
        beta = critical_beta(n, d)
        exact_replicate(n, d, beta, 5, rng)  # warm-up: imports, first allocations
        r = interleaved_ratio(lambda: naive_replicate(n, d, beta, 5, rng),
                              lambda: exact_replicate(n, d, beta, 5, rng), rounds)
        res[f"naive_ns_d{d}"] = r["slow"] / n * 1e9
        res[f"exact_ns_d{d}"] = r["fast"] / n * 1e9
        res[f"ratio_d{d}"] = r["ratio"]
        res[f"ratio_d{d}_min"] = r["ratio_min"]
        res[f"ratio_d{d}_max"] = r["ratio_max"]
        res[f"n_d{d}"] = n
        steps.update(1)
    res["rounds"] = rounds
    buf = np.empty(1 << 20)
    n3 = 10**6 if quick else 10**7
    b3 = critical_beta(n3, 3)
    # slow = the exact sampler per key, fast = one fill of uniforms per double: the ratio is "keys per double"
    r = interleaved_ratio(lambda: exact_replicate(n3, 3, b3, 5, rng), lambda: rng.random(out=buf), rounds)
    scale = buf.size / n3
    res.update(floor_ns=r["fast"] / buf.size * 1e9, exact_ns_d3_large=r["slow"] / n3 * 1e9, n_floor=n3,
               floor_ratio_d3=r["ratio"] * scale, floor_ratio_d3_min=r["ratio_min"] * scale,
               floor_ratio_d3_max=r["ratio_max"] * scale)
    steps.update(1)
    reps = 20 if quick else 100
    for tag, n in (("1e6", 10**6), ("1e12", 10**12), ("1e18", 10**18)):
        beta = critical_beta(n, 3)
        t = time.thread_time()
        bounds = [orderstat_replicate(n, 3, beta, 5, rng)["truncation_bound"] for _ in range(reps)]
        res[f"orderstat_ms_{tag}"] = (time.thread_time() - t) / reps * 1e3
        res[f"orderstat_bound_{tag}"] = max(bounds)
    steps.update(1)
    npk = 10**7 if quick else 10**8
    peak, base, traced = _peak_mb(npk, critical_beta(npk, 3))
    res.update(peak_mb=peak, peak_mb_baseline=base, traced_mb=traced, n_peak=npk)
    if not quick:
        res["peak_mb_1e8"] = peak
    steps.update(1)
    steps.close()
    res["seconds"] = time.perf_counter() - t0
    return res


if __name__ == "__main__":  # pragma: no cover
    print(json.dumps(run_bench(quick="--quick" in sys.argv), indent=2))
