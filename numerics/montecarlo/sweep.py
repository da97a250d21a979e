"""Sweeps of Monte Carlo replicates over a grid of (n, d, beta): local processes or a Dask cluster, resumable.

Reproducibility. Replicate r of a point uses the generator ``PCG64(SeedSequence(seed, spawn_key=(r,)))``,
the r-th child of ``SeedSequence(seed)`` (the convention of
:func:`attnlimits.numerics.montecarlo.sampling.replicates`). Each replicate is computed from its own stream, and
the statistics of a point are assembled in replicate order, so the result is the same to the last
bit whatever the number of workers or the scheduler. The same seed at different grid points gives
common random numbers (differences between neighbouring points are less noisy); use different seeds
for independent points.

Resumable store. With ``out=DIR`` every finished replicate is written to
``DIR/<point-id>/rep_<r>.json`` atomically (a temporary file in the same folder, then ``os.replace``),
next to ``point.json`` holding the point's parameters. A rerun reads what is there and computes only
the missing replicates; floats are stored with ``repr`` (exact round trip), so a resumed sweep gives
the same bits as an uninterrupted one. Local workers write their own files; with Dask the client
writes them (the workers need not share a file system).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context

import numpy as np

from attnlimits.numerics.progress import progress
from attnlimits.numerics.montecarlo.replicate import Replicates
from attnlimits.numerics.montecarlo.sampling import check_sampler_args, one_replicate
from attnlimits.numerics.results import Result
from attnlimits.theory.validation import InputError, count, dimension, real

__all__ = ["Point", "make_point", "run_sweep", "replicate_rng", "Summary", "summarize", "VALUE_FIELDS",
           "beta_from_lambda"]


@dataclasses.dataclass(frozen=True)
class Point:
    """One grid point: every parameter that changes a replicate's value.

    ``values``: the value matrix V (shape d_v x d, output y = V ybar) as a tuple of rows, or None (V = I).
    """

    n: int
    d: int
    beta: float
    sampler: str = "exact"
    law: str = "uniform"
    kappa0: float = 0.0
    k: int = 5
    tol: float | None = None
    chunk: int | None = None
    seed: int = 0
    values: tuple | None = None

    def ident(self) -> str:
        """A folder name: readable prefix and a hash of the exact parameters (beta as a hex float)."""
        canon = json.dumps(self._canon(), sort_keys=True)
        h = hashlib.sha256(canon.encode()).hexdigest()[:16]
        return f"{self.sampler}-{self.law}-n{self.n}-d{self.d}-s{self.seed}-{h}"

    def _canon(self) -> dict:
        c = dataclasses.asdict(self)
        # V enters the store's identity through its shape and a hash of its float64 bytes; the key is
        # absent when V = I, so stores written before V existed keep their identity
        del c["values"]
        if self.values is not None:
            V = np.array(self.values, dtype=float)
            c["values_shape"] = list(V.shape)
            c["values_sha256"] = hashlib.sha256(np.ascontiguousarray(V).tobytes()).hexdigest()
        c["beta"] = float(self.beta).hex()
        c["kappa0"] = float(self.kappa0).hex()
        c["tol"] = None if self.tol is None else float(self.tol).hex()
        return c


def beta_from_lambda(lam, n: int, d: int) -> float:
    """beta = lam (kappa_d n)^{2/(d-1)} (paper 1 §3; docs/mathematics.md §3), with kappa_d from
    attnlimits.theory.sphere, as a double.

    >>> beta_from_lambda(1, 10**6, 3), beta_from_lambda(2, 10**4, 5)  # kappa_3 = 1/2, kappa_5 = 3/4
    (500000.0, 173.20508075688772)
    """
    import mpmath

    from attnlimits.theory.sphere import kappa

    with mpmath.workdps(40):
        kap = mpmath.mpf(str(kappa(d).evalf(45)))
        return float(mpmath.mpf(lam) * (kap * n) ** (mpmath.mpf(2) / (d - 1)))


def make_point(n, d, *, beta=None, lam=None, sampler="exact", law="uniform", kappa0=0.0, k=5, tol=None,
               chunk=None, seed=0, V=None) -> Point:
    """Validate and build a :class:`Point`; exactly one of ``beta`` and ``lam`` is given.

    ``V``: a d_v x d value matrix (y = V ybar, :func:`attnlimits.numerics.montecarlo.sampling.replicates`), or None.

    >>> make_point(1e6, 3, lam=1, sampler="orderstat").beta
    500000.0
    >>> make_point(10, 3, beta=1.0, lam=1.0)
    Traceback (most recent call last):
      ...
    attnlimits.theory.validation.InputError: give exactly one of beta and lam
    """
    n = count(n, "n")
    d = dimension(d)
    if (beta is None) == (lam is None):
        raise InputError("give exactly one of beta and lam")
    if beta is not None:
        beta = float(real(beta, "beta", low=0))
    else:
        beta = beta_from_lambda(real(lam, "lam", low=0), n, d)
    if not math.isfinite(beta):
        raise InputError("beta overflows a double")
    kappa0, V = check_sampler_args(sampler, law, kappa0, d, V)
    values = None if V is None else tuple(tuple(row) for row in V.tolist())
    if tol is not None:
        tol = float(real(tol, "tol", low=0, low_open=True))
    if chunk is not None:
        chunk = count(chunk, "chunk")
    return Point(n, d, beta, sampler, law, kappa0, count(k, "k"), tol, chunk, count(seed, "seed", low=0), values)


def replicate_rng(seed: int, r: int) -> np.random.Generator:
    """The generator of replicate r: PCG64 on the r-th child of SeedSequence(seed).

    >>> child = np.random.SeedSequence(7).spawn(3)[2]
    >>> replicate_rng(7, 2).random() == np.random.Generator(np.random.PCG64(child)).random()
    True
    """
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(r,))))


def _compute(p: Point, r: int, show_progress: bool = False) -> dict:
    """Replicate r of point p as the store keeps it: the replicate's ``to_json`` (floats exact, arrays as lists)."""
    V = None if p.values is None else np.array(p.values, dtype=float)
    rep = one_replicate(p.n, p.d, p.beta, p.k, replicate_rng(p.seed, r), sampler=p.sampler, law=p.law,
                        kappa0=p.kappa0, V=V, tol=p.tol, chunk=p.chunk, show_progress=show_progress)
    return rep.to_json(17, skip_none=True)


def _rep_path(folder: str, r: int) -> str:
    return os.path.join(folder, f"rep_{r:07d}.json")


def _atomic_write(path: str, obj) -> None:
    folder = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=folder)
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(obj, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _run_batch(p: Point, indices: list[int], folder: str | None, inner_bar: bool = False) -> list[tuple[int, dict]]:
    """Compute replicates ``indices`` of point ``p``; write each one to ``folder`` as soon as it is done."""
    out = []
    for r in indices:
        st = _compute(p, r, inner_bar) if inner_bar else _compute(p, r)
        if folder is not None:
            _atomic_write(_rep_path(folder, r), st)
        out.append((r, st))
    return out


def _open_store(out: str, p: Point) -> tuple[str, dict[int, dict]]:
    folder = os.path.join(out, p.ident())
    os.makedirs(folder, exist_ok=True)
    meta = os.path.join(folder, "point.json")
    if os.path.exists(meta):
        with open(meta) as fh:
            if json.load(fh) != p._canon():
                raise InputError(f"the store {folder} holds a different point")
    else:
        _atomic_write(meta, p._canon())
    done = {}
    for name in os.listdir(folder):
        if name.startswith("rep_") and name.endswith(".json"):
            with open(os.path.join(folder, name)) as fh:
                done[int(name[4:-5])] = json.load(fh)
    return folder, done


def _batches(todo: list[int], workers: int, size: int | None) -> list[list[int]]:
    if size is None:
        size = max(1, min(64, math.ceil(len(todo) / (4 * max(1, workers)))))
    return [todo[i: i + size] for i in range(0, len(todo), size)]


def _probe(scheduler: str) -> None:
    """Fail at once on a refused TCP address (dask would retry until its timeout)."""
    import socket
    from urllib.parse import urlsplit

    if not isinstance(scheduler, str) or not scheduler.strip():
        raise InputError("the Dask scheduler address is empty")
    u = urlsplit(scheduler if "://" in scheduler else "tcp://" + scheduler)
    if u.scheme not in ("tcp", "tls"):
        return
    try:
        host, port = u.hostname, u.port
    except ValueError:
        raise InputError(f"bad Dask scheduler address {scheduler!r}") from None
    if host is None or port is None:
        raise InputError(f"bad Dask scheduler address {scheduler!r}: expected tcp://host:port")
    try:
        socket.create_connection((host, port), timeout=3).close()
    except OSError as exc:
        raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {exc.strerror or type(exc).__name__}") from None


def _connect(scheduler: str):
    try:
        from distributed import Client
    except ImportError:
        raise InputError("--scheduler needs the dask extra: pip install 'attnlimits[dask]'") from None
    _probe(scheduler)
    try:
        return Client(scheduler, timeout="5s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {type(exc).__name__}") from None


def run_sweep(points: list[Point], reps: int, *, workers: int = 1, scheduler: str | None = None,
              out: str | None = None, batch: int | None = None, show_progress: bool = True) -> list[Replicates]:
    """Run ``reps`` replicates at every point; return, per point, its :class:`Replicates` in replicate order.

    ``workers``: local processes (1 = in this process); ``scheduler``: a Dask scheduler address
    (then ``workers`` is ignored); ``out``: the resumable store folder. Each result also holds
    ``computed`` (replicates computed in this call) and ``seconds`` (the wall-clock time of the call).

    >>> p = make_point(100, 3, beta=5.0, seed=1)
    >>> (r,) = run_sweep([p], 3, show_progress=False)
    >>> r.computed, r.top.shape, bool((r.top[:, 0] >= 1 / 100).all())
    (3, (3, 5), True)
    """
    reps = count(reps, "reps")
    workers = count(workers, "workers")
    if batch is not None:
        batch = count(batch, "batch")
    t0 = time.perf_counter()
    client = _connect(scheduler) if scheduler is not None else None  # fail early on a bad address
    folders, results, jobs = [], [], []
    for i, p in enumerate(points):
        folder, done = _open_store(out, p) if out else (None, {})
        done = {r: v for r, v in done.items() if r < reps}
        folders.append(folder)
        results.append(done)
        todo = [r for r in range(reps) if r not in done]
        if batch is None and scheduler is None and workers == 1:
            jobs += [(i, [r]) for r in todo]  # in this process: one replicate per step of the bar
        else:
            jobs += [(i, b) for b in _batches(todo, workers if scheduler is None else 8, batch)]
    total = sum(len(b) for _, b in jobs)
    computed = [0] * len(points)
    bar = progress(total=total, desc="replicates", unit="rep", disable=not show_progress or total == 0)

    def take(i, rows, write):
        for r, st in rows:
            if write and folders[i] is not None:
                _atomic_write(_rep_path(folders[i], r), st)
            results[i][r] = st
        computed[i] += len(rows)
        bar.update(len(rows))

    try:
        if client is not None:
            from distributed import as_completed

            futs = {client.submit(_run_batch, points[i], b, None, pure=False): i for i, b in jobs}
            for fut in as_completed(futs, loop=client.loop):
                take(futs[fut], fut.result(), True)
        elif workers == 1 or len(jobs) <= 1:
            for i, b in jobs:
                # in this process a long exact replicate (>= 1e8 keys) gets its own bar over chunks
                long_one = show_progress and points[i].sampler == "exact" and points[i].n >= 10**8
                take(i, _run_batch(points[i], b, folders[i], long_one), False)
        else:
            with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as ex:
                pending = {ex.submit(_run_batch, points[i], b, folders[i]): i for i, b in jobs}
                while pending:
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in finished:
                        take(pending.pop(fut), fut.result(), False)
    finally:
        bar.close()
        if client is not None:
            client.close()
    secs = time.perf_counter() - t0
    return [Replicates.stack([results[i][r] for r in range(reps)], computed=computed[i], seconds=secs)
            for i in range(len(points))]


#: The fields of :class:`Summary` that exist only with a value matrix V (None without one).
VALUE_FIELDS = ("E_value_norm", "E_value_norm_se", "E_value_norm2", "E_value_norm2_se", "mean_value", "mean_value_se")


@dataclasses.dataclass(frozen=True)
class Summary(Result):
    """Means and standard errors of a grid point's replicates (the figures of ``attnlimits simulate``).

    Each mean ``X`` comes with its standard error ``X_se`` = s/sqrt(R) over the R replicates (nan when R = 1):

    - ``E_W1``: E W_(1), the mean largest weight;
    - ``E_sum_W2``: E sum_i w_i^2;
    - ``E_entropy``: E(-sum_i w_i log w_i);
    - ``mean_parallel``: E<q, y> (with V: E y_1);
    - ``mean_gap``: E(1 - <q, y>) (with V: 1 - E y_1);
    - ``var_perp``: E|P_perp y|^2/(d - 1), the variance of one tangential coordinate of the output (its mean
      is 0 by symmetry); with V: E|(y_2, ..., y_{d_v})|^2/(d_v - 1), None when d_v = 1;
    - ``E_min_dist``: E D_(1), the mean nearest distance;
    - with a value matrix V (the :data:`VALUE_FIELDS`; None without V): ``E_value_norm`` = E|y|,
      ``E_value_norm2`` = E|y|^2, ``mean_value`` = E y (a list of d_v means; ``mean_value_se`` their errors);
    - ``truncation_bound``: the largest certified truncation bound over the replicates (0 but for orderstat).
    """

    E_W1: float
    E_W1_se: float
    E_sum_W2: float
    E_sum_W2_se: float
    E_entropy: float
    E_entropy_se: float
    mean_parallel: float
    mean_parallel_se: float
    mean_gap: float
    mean_gap_se: float
    var_perp: float | None
    var_perp_se: float | None
    E_min_dist: float
    E_min_dist_se: float
    E_value_norm: float | None
    E_value_norm_se: float | None
    E_value_norm2: float | None
    E_value_norm2_se: float | None
    mean_value: list | None
    mean_value_se: list | None
    truncation_bound: float


def _mean_se(x) -> tuple[float, float]:
    x = np.asarray(x, dtype=float)
    if x.size < 2:
        return float(x.mean()), math.nan
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size))


def summarize(reps: Replicates, d: int) -> Summary:
    """Means and standard errors of a point's replicates (the fields of :class:`Summary`).

    >>> rows = [dict(top=[w, 1 - w], sum_w2=w * w + (1 - w) ** 2, entropy=0.6, parallel=0.9, gap=0.1,
    ...              perp_norm=0.3, perp_coord=0.1, min_dist=0.01, truncation_bound=0.0) for w in (0.5, 0.7)]
    >>> s = summarize(Replicates.stack(rows), d=3)
    >>> round(s.E_W1, 12), round(s.E_W1_se, 12), s.E_value_norm is None
    (0.6, 0.1, True)
    """
    top = reps.top
    dv = reps.value.reshape(top.shape[0], -1).shape[1] if reps.value is not None else d
    res = {}
    for name, x in (("E_W1", top[:, 0]), ("E_sum_W2", reps.sum_w2), ("E_entropy", reps.entropy),
                    ("mean_parallel", reps.parallel), ("mean_gap", reps.gap),
                    ("var_perp", reps.perp_norm ** 2 / (dv - 1) if dv > 1 else None),
                    ("E_min_dist", reps.min_dist)):
        res[name], res[name + "_se"] = _mean_se(x) if x is not None else (None, None)
    res.update(dict.fromkeys(VALUE_FIELDS))
    if reps.value is not None:
        for name, x in (("E_value_norm", reps.value_norm), ("E_value_norm2", reps.value_norm ** 2)):
            res[name], res[name + "_se"] = _mean_se(x)
        cols = [_mean_se(c) for c in reps.value.reshape(top.shape[0], -1).T]
        res["mean_value"] = [c[0] for c in cols]
        res["mean_value_se"] = [c[1] for c in cols]
    return Summary(**res, truncation_bound=float(np.max(reps.truncation_bound)))
