"""The cost model of a Monte Carlo run, and the up-front refusal of runs that cannot finish (docs/montecarlo.md §9).

**Work.** The unit is one random double drawn (2.3 ns at the random-number floor of ``attnlimits bench`` on
the development machine); what no replicate can avoid is drawing its random numbers, so for the streaming
samplers the model counts them, a lower bound on the work (the rest is a few arithmetic passes per number):

================  ==========================================================================================
sampler           work units per replicate
================  ==========================================================================================
``naive``         n d: one normal per coordinate of each of the n keys
``exact``         n (uniform keys, d = 2, 3; vMF keys, d = 3: one uniform per key), 2n (uniform keys, d >= 4:
                  two sphere coordinates per key), 3n (vMF keys, d != 3: Wood's proposal, a beta and a uniform)
``reference``     n (d + 1): a beta variate (two gammas) and d - 1 normals per key
``orderstat``     m c: m explicit nearest keys, each costing c = 100 units at d = 2, 3 and 500 above (measured
                  170 ns, and 0.7 to 1.2 us for the inversion of the cap law by Newton steps). m is the
                  expected count: the bound n e^{-beta (D_(m) - D_(1))} reaches ``tol`` when
                  F(D_(m)) = F(F^{-1}(1/n) + log(n/tol)/beta), F the cap law, so m = n F(...), at least one
                  block of 64 and at most 2^22 keys (the sampler's cap), whatever n
================  ==========================================================================================

A call (:func:`~attnlimits.numerics.montecarlo.sampling.replicates`, or
:func:`~attnlimits.numerics.montecarlo.sweep.run_sweep` over every replicate it still has to compute on its
whole grid) may cost at most :data:`WORK_BUDGET` = 2^40 = 1.1e12 units: an hour of one core at the
random-number floor and a few hours at the samplers' own speed (exact reduced, d = 3: 3 ns per key; naive: 14
to 50 ns per coordinate).
Beyond it the run is refused at once, naming the sampler that fits the budget if one does (``orderstat``,
whose cost does not grow with n, for uniform keys). A store of replicates (``out=``) can still be grown
past the budget in several calls: each one computes only the missing replicates.

**Memory.** The reference sampler keeps about 8 arrays of n doubles (64 n bytes); the naive sampler 3 arrays
of max(d, 2^21) doubles (a chunk of keys, at least one key); the order-statistics sampler about 16 arrays of
min(n, 2^22) doubles (measured: 500 MB at 2^22 keys); the exact sampler a fixed 16 MB; every replicate's
results are kept (``top``, k doubles, twice, and about :data:`RESULT_BYTES` of seeds, objects and statistics);
with several local worker processes each adds :data:`WORKER_BYTES` (the interpreter with numpy and scipy,
measured at 100 MB) and its own replicate. A run needing more than half of the machine's physical memory (the
other half is the system's and the other jobs') is refused.
"""
from __future__ import annotations

import math
import os

from attnlimits.numerics.montecarlo.arguments import number, whole
from attnlimits.theory.validation import InputError, choice

__all__ = ["WORK_BUDGET", "WORKER_BYTES", "RESULT_BYTES", "draws_per_replicate", "orderstat_keys",
           "bytes_per_replicate", "physical_memory", "check_run"]

#: Random doubles a call may draw (about an hour of one core at the random-number floor; module docstring).
WORK_BUDGET = 2**40
#: Resident memory of one local worker process (Python, numpy, scipy and the package; measured 100 MB).
WORKER_BYTES = 100 * 2**20
#: Memory kept per replicate besides ``top``: its seed sequence, result objects and row of statistics.
RESULT_BYTES = 2048
#: Keys per block, the cap on explicit keys and the target bound of the order-statistics sampler (its defaults).
_ORDERSTAT_BLOCK, _ORDERSTAT_MAX_KEYS, _DEFAULT_TOL = 64, 1 << 22, 1e-13
_SAMPLERS = ("reference", "naive", "exact", "orderstat")


def draws_per_replicate(n, d, sampler: str, law: str = "uniform", beta=None, tol=None) -> int:
    """The work units of one replicate (the module docstring's table); for ``orderstat`` without ``beta``, the
    least (one block of 64 keys).

    >>> draws_per_replicate(10**12, 3, "naive"), draws_per_replicate(10**12, 3, "exact")
    (3000000000000, 1000000000000)
    >>> draws_per_replicate(10**18, 3, "orderstat", beta=0.5e18)  # lambda = 1: about 73 keys, 100 units each
    7300
    >>> draws_per_replicate(10**12, 6000, "orderstat", beta=2.0) == 500 * 2**22  # every key matters: the cap
    True
    """
    n, d = whole(n, "n"), whole(d, "d", low=2)
    choice(sampler, "sampler", _SAMPLERS)
    choice(law, "law", ("uniform", "vmf"))
    if sampler == "naive":
        return n * d
    if sampler == "reference":
        return n * (d + 1)
    if sampler == "orderstat":
        return (100 if d <= 3 else 500) * orderstat_keys(n, d, beta, tol)
    if law == "vmf":
        return n if d == 3 else 3 * n
    return n if d <= 3 else 2 * n


def orderstat_keys(n, d, beta=None, tol=None) -> int:
    """The expected number of explicit keys of the order-statistics sampler (module docstring), from one block
    of 64 to the cap 2^22 (or n); without ``beta`` the least, one block.

    >>> orderstat_keys(10**12, 3, 0.5e12), orderstat_keys(10**12, 3, 0.0), orderstat_keys(10, 3)
    (64, 4194304, 10)
    """
    n, d = whole(n, "n"), whole(d, "d", low=2)
    low, cap = min(n, _ORDERSTAT_BLOCK), min(n, _ORDERSTAT_MAX_KEYS)
    if beta is None:
        return low
    beta = number(beta, "beta", low=0)
    tol = _DEFAULT_TOL if tol is None else number(tol, "tol", low=0)
    if beta == 0.0 or tol == 0.0:
        return cap
    from scipy import special

    a = (d - 1) / 2.0
    reach = (math.log(n) - math.log(tol)) / beta  # the distance beyond D_(1) the explicit keys must cover
    if a == 1.0:  # d = 3: F(t) = t/2
        t = 2.0 / n + reach
        share = min(1.0, t / 2.0)
    else:
        t = 2.0 * float(special.betaincinv(a, a, 1.0 / n)) + reach
        share = 1.0 if t >= 2.0 else float(special.betainc(a, a, t / 2.0))
    return int(max(low, min(cap, math.ceil(n * share))))


def bytes_per_replicate(n, d, sampler: str, k=5) -> int:
    """Memory one replicate needs at its peak, in bytes (the module docstring's model).

    >>> bytes_per_replicate(10**12, 3, "reference") // 10**12   # 64 n bytes
    64
    >>> bytes_per_replicate(10, 10**9, "naive") // 10**9        # one key of 10^9 coordinates, three arrays
    24
    """
    n, d, k = whole(n, "n"), whole(d, "d", low=2), whole(k, "k")
    choice(sampler, "sampler", _SAMPLERS)
    if sampler == "reference":
        own = 64 * n + 16 * min(n, 65536) * d
    elif sampler == "naive":
        own = 24 * max(d, 1 << 21)
    elif sampler == "orderstat":
        own = 128 * min(n, _ORDERSTAT_MAX_KEYS)  # measured: 500 MB above the interpreter at 2^22 keys
    else:
        own = 16 << 20
    return own + 16 * k


def physical_memory() -> int:
    """The machine's physical memory in bytes (8 GiB when the system does not say); a run may use half of it.

    >>> physical_memory() > 2**20
    True
    """
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        return 8 << 30


def _g(x: float) -> str:
    return f"{x:.3g}"


def _formula(p) -> str:
    n, d, sampler, law = p[0], p[1], p[2], p[3]
    if sampler == "naive":
        return "n x d x reps"
    if sampler == "reference":
        return "n x (d + 1) x reps"
    if sampler == "orderstat":
        m = orderstat_keys(n, d, p[6], p[7])
        return f"m x {100 if d <= 3 else 500} x reps (m = {m} expected explicit keys)"
    factor = 1 if (d == 3 if law == "vmf" else d <= 3) else (3 if law == "vmf" else 2)
    return "n x reps" if factor == 1 else f"{factor} n x reps"


def _units(p) -> int:
    return draws_per_replicate(p[0], p[1], p[2], p[3], p[6], p[7]) * p[5]


def check_run(points, workers=1) -> int:
    """Refuse, with one line, a run whose work exceeds :data:`WORK_BUDGET` or whose memory exceeds half the
    machine's; return its work units.

    ``points``: (n, d, sampler, law, k, reps[, beta, tol]) for every grid point, ``reps`` the replicates still
    to compute (beta and tol matter to ``orderstat`` only; without them its least cost is counted).

    >>> check_run([(10**6, 3, "exact", "uniform", 5, 100)])
    100000000
    >>> check_run([(10**18, 3, "exact", "uniform", 5, 1)])
    Traceback (most recent call last):
    ...
    attnlimits.theory.validation.InputError: the exact sampler draws at least n x reps = 1e+18 random numbers, beyond the budget of 2^40 = 1.1e+12 per call (about an hour of one core; docs/montecarlo.md §9): use the orderstat sampler, whose cost does not grow with n
    """
    workers = whole(workers, "workers")
    pts = []
    for p in points:
        n, d, s, law, k, r, *rest = p
        beta, tol = (rest + [None, None])[:2]
        pts.append((whole(n, "n"), whole(d, "d", low=2), choice(s, "sampler", _SAMPLERS),
                    choice(law, "law", ("uniform", "vmf")), whole(k, "k"), whole(r, "reps", low=0), beta, tol))
    total = sum(_units(p) for p in pts)
    if total > WORK_BUDGET:
        big = max(pts, key=_units)
        unit = "random-number equivalents" if big[2] == "orderstat" else "random numbers"
        verb = "costs about" if big[2] == "orderstat" else "draws at least"
        one = f"the {big[2]} sampler {verb} {_formula(big)}"
        if len(pts) == 1:
            what = f"{one} = {_g(total)} {unit}"
        else:
            what = (f"the grid's {len(pts)} points cost {_g(total)} units (the largest share: {one} = "
                    f"{_g(_units(big))} at n = {big[0]}, d = {big[1]})")
        raise InputError(f"{what}, beyond the budget of 2^40 = {_g(WORK_BUDGET)} per call (about an hour of one "
                         f"core; docs/montecarlo.md §9): {_advice(pts, big[2])}")
    procs = min(workers, max(1, sum(p[5] for p in pts)))
    need = max((bytes_per_replicate(p[0], p[1], p[2], p[4]) for p in pts if p[5]), default=0) * procs
    need += sum((16 * p[4] + RESULT_BYTES) * p[5] for p in pts) + (WORKER_BYTES * procs if procs > 1 else 0)
    have = physical_memory() // 2  # the other half is the system's and the other jobs'
    if need > have:
        n, d, s, _, k, *_ = max(pts, key=lambda p: bytes_per_replicate(p[0], p[1], p[2], p[4]))
        hint = {"reference": "use the exact sampler, whose memory does not grow with n",
                "naive": "use the exact sampler, whose memory does not grow with d"}.get(s, "lower k, reps or workers")
        raise InputError(f"the run needs about {_g(need / 2**30)} GiB of memory (the {s} sampler at n = {n}, "
                         f"d = {d}, k = {k}, {procs} process{'es' if procs > 1 else ''}), more than half of this "
                         f"machine's {_g(2 * have / 2**30)} GiB (docs/montecarlo.md §9): {hint}")
    return total


def _advice(pts, current: str) -> str:
    uniform = all(p[3] == "uniform" for p in pts)
    for alt in ("exact", "orderstat"):
        if alt == current or (alt == "orderstat" and not uniform):
            continue
        if sum(_units((p[0], p[1], alt) + tuple(p[3:])) for p in pts) <= WORK_BUDGET:
            why = "whose cost does not grow with n" if alt == "orderstat" else "one or two random numbers per key"
            return f"use the {alt} sampler, {why}"
    if current == "orderstat":
        return "lower the replicates, or grow a store (out=) over several calls"
    if not uniform:
        return ("lower n or the replicates (the orderstat sampler, whose cost does not grow with n, draws uniform "
                "keys only)")
    return "lower n or the replicates, or grow a store (out=) over several calls"
