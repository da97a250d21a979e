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
import re
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context

import numpy as np

from attnlimits.numerics.files import write_text_atomically
from attnlimits.numerics.progress import progress
from attnlimits.numerics.montecarlo.arguments import number, whole
from attnlimits.numerics.montecarlo.replicate import Replicates
from attnlimits.numerics.montecarlo.sampling import MAX_DIMENSION, check_beta, check_sampler_args, one_replicate
from attnlimits.numerics.results import Result
from attnlimits.theory.validation import InputError, real, to_mpf

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
    """beta = lam (kappa_d n)^{2/(d-1)} (paper 1 §3; docs/mathematics.md §3), with log kappa_d from
    attnlimits.numerics.laws.sphere (mpmath, fast at every d up to 10^9), as a double.

    >>> beta_from_lambda(1, 10**6, 3), beta_from_lambda(2, 10**4, 5)  # kappa_3 = 1/2, kappa_5 = 3/4
    (500000.0, 173.20508075688772)
    """
    import mpmath

    from attnlimits.numerics.laws.sphere import log_kappa_value

    lam = real(lam, "lam", low=0)
    n, d = whole(n, "n"), whole(d, "d", low=2, high=MAX_DIMENSION)
    log_kap = log_kappa_value(d, 45)
    with mpmath.workdps(45):
        # through the logarithm: kappa_d itself overflows a double from d = 2055 on (1.4e614 at d = 4096)
        beta = to_mpf(lam) * mpmath.exp(2 * (log_kap + mpmath.log(n)) / (d - 1))
        if beta > mpmath.mpf(2) ** 1023:
            raise InputError(f"lam = {lam} gives beta = lam (kappa_d n)^(2/(d-1)) = {mpmath.nstr(beta, 3)} at "
                             f"n = {n}, d = {d}, beyond the supported range beta <= 9.0e307 (2^1023): the logits "
                             f"beta D, D <= 2, must stay finite doubles")
        return float(beta)


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
    n, d = whole(n, "n"), whole(d, "d", low=2, high=MAX_DIMENSION)
    if (beta is None) == (lam is None):
        raise InputError("give exactly one of beta and lam")
    beta = check_beta(beta) if beta is not None else beta_from_lambda(lam, n, d)
    kappa0, V = check_sampler_args(sampler, law, kappa0, d, V)
    values = None if V is None else tuple(tuple(row) for row in V.tolist())
    if tol is not None:
        tol = number(tol, "tol", low=0, low_open=True)
    if chunk is not None:
        chunk = whole(chunk, "chunk")
    return Point(n, d, beta, sampler, law, kappa0, whole(k, "k"), tol, chunk, whole(seed, "seed", low=0), values)


def replicate_rng(seed: int, r: int) -> np.random.Generator:
    """The generator of replicate r: PCG64 on the r-th child of SeedSequence(seed).

    >>> child = np.random.SeedSequence(7).spawn(3)[2]
    >>> replicate_rng(7, 2).random() == np.random.Generator(np.random.PCG64(child)).random()
    True
    """
    seed, r = whole(seed, "seed", low=0), whole(r, "r", low=0)
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(r,))))


def _compute(p: Point, r: int, show_progress: bool = False) -> dict:
    """Replicate r of point p as the store keeps it: the replicate's ``to_json`` (floats exact, arrays as lists)."""
    V = None if p.values is None else np.array(p.values, dtype=float)
    rep = one_replicate(p.n, p.d, p.beta, p.k, replicate_rng(p.seed, r), sampler=p.sampler, law=p.law,
                        kappa0=p.kappa0, V=V, tol=p.tol, chunk=p.chunk, show_progress=show_progress)
    return rep.to_json(17, skip_none=True)


_REP_NAME = re.compile(r"^rep_(\d+)\.json$")
#: The statistics every stored replicate holds (the fields of Replicate a sampler always fills).
_REQUIRED = ("top", "sum_w2", "entropy", "parallel", "gap", "perp_norm", "perp_coord", "min_dist", "truncation_bound")


def _rep_path(folder: str, r: int) -> str:
    return os.path.join(folder, f"rep_{r:07d}.json")


def _atomic_write(path: str, obj) -> None:
    # synced before the rename: a sweep store must survive a crash of the machine, not only of the process
    try:
        write_text_atomically(path, json.dumps(obj), sync=True)
    except OSError as exc:
        raise InputError(f"cannot write the sweep store file {path}: {exc.strerror or type(exc).__name__}") from None


def _die_with_parent(parent: int) -> None:
    """Initializer of the local worker processes: end the worker when the sweep's process is gone.

    When the parent is killed (SIGKILL leaves it no chance to shut the pool down), a worker would otherwise run
    on through its batches, and the pool's resource tracker, which waits for the workers' pipes, would live on. On
    Linux the kernel sends SIGKILL at the parent's death (prctl PR_SET_PDEATHSIG); everywhere a daemon thread
    checks once a second that the parent is still the parent (an orphan is adopted by another process).
    """
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError, TypeError):
        pass  # not Linux: the thread below does the job
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)

    def watch():
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="attnlimits-parent-watch", daemon=True).start()


def _run_batch(p: Point, indices: list[int], folder: str | None, inner_bar: bool = False) -> list[tuple[int, dict]]:
    """Compute replicates ``indices`` of point ``p``; write each one to ``folder`` as soon as it is done."""
    out = []
    for r in indices:
        st = _compute(p, r, inner_bar) if inner_bar else _compute(p, r)
        if folder is not None:
            _atomic_write(_rep_path(folder, r), st)
        out.append((r, st))
    return out


def _read_json(path: str, fix: str = "delete it and rerun to recompute it"):
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except json.JSONDecodeError as exc:
        raise InputError(f"the sweep store file {path} is not valid JSON ({exc.msg} at line {exc.lineno}, column "
                         f"{exc.colno}: truncated or edited?); {fix}") from None
    except UnicodeDecodeError:
        raise InputError(f"the sweep store file {path} is not UTF-8 JSON text; {fix}") from None
    except OSError as exc:
        raise InputError(f"cannot read the sweep store file {path}: {exc.strerror or type(exc).__name__}") from None


def _finite(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _record_problem(rec, p: Point) -> str | None:
    """What is wrong with a stored replicate of point ``p`` (None when it is one)."""
    if not isinstance(rec, dict):
        return f"a JSON {type(rec).__name__}, not an object of statistics"
    want = list(_REQUIRED) + (["explicit_keys"] if p.sampler == "orderstat" else [])
    want += ["value_norm", "value"] if p.values is not None else []
    missing = [k for k in want if k not in rec]
    if missing:
        return f"missing {', '.join(repr(k) for k in missing)}"
    extra = [k for k in rec if k not in want]
    if extra:
        return f"unexpected {', '.join(repr(k) for k in extra)}"
    for key, size in (("top", p.k), ("value", None if p.values is None else len(p.values))):
        if key in rec:
            v = rec[key]
            if not (isinstance(v, list) and len(v) == size and all(_finite(x) for x in v)):
                return f"{key!r} is not a list of {size} finite numbers"
    bad = [k for k in want if k not in ("top", "value") and not _finite(rec[k])]
    if bad:
        return f"{bad[0]!r} = {rec[bad[0]]!r} is not a finite number"
    return None


def _store_folder(out: str, p: Point) -> str:
    return os.path.join(out, p.ident())


def _stored_count(out: str | None, p: Point, reps: int) -> int:
    """Replicates r < reps of ``p`` already in the store (read-only: the cost check runs before anything is written)."""
    if not out:
        return 0
    try:
        names = os.listdir(_store_folder(out, p))
    except OSError:
        return 0
    return sum(1 for name in names if (m := _REP_NAME.match(name)) and int(m.group(1)) < reps)


def _open_store(out: str, p: Point, reps: int) -> tuple[str, dict[int, dict]]:
    folder = _store_folder(out, p)
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise InputError(f"cannot create the sweep store folder {folder}: {why}") from None
    meta = os.path.join(folder, "point.json")
    if os.path.exists(meta):
        if _read_json(meta, "delete it and rerun: it is written again") != p._canon():
            raise InputError(f"the sweep store file {meta} holds a different point (edited or copied?); move the "
                             f"folder away to start afresh")
    else:
        _atomic_write(meta, p._canon())
    done = {}
    for name in os.listdir(folder):
        m = _REP_NAME.match(name)
        if m and int(m.group(1)) < reps:
            path = os.path.join(folder, name)
            rec = _read_json(path)
            problem = _record_problem(rec, p)
            if problem:
                raise InputError(f"the sweep store file {path} does not hold a replicate of its point: {problem}; "
                                 f"delete it and rerun to recompute it")
            done[int(m.group(1))] = rec
    return folder, done


def _batches(todo: list[int], workers: int, size: int | None) -> list[list[int]]:
    if size is None:
        size = max(1, min(64, math.ceil(len(todo) / (4 * max(1, workers)))))
    return [todo[i: i + size] for i in range(0, len(todo), size)]


#: Protocols of Dask addresses; tcp, tls, ws and wss carry a host and port, which are probed before connecting.
_PROTOCOLS = ("tcp", "tls", "ws", "wss", "inproc", "ucx")


def _probe(scheduler) -> None:
    """Refuse a malformed address at once and a refused TCP address within 3 s (dask would retry until its
    timeout)."""
    import socket
    from urllib.parse import urlsplit

    if not isinstance(scheduler, str) or not scheduler.strip():
        raise InputError("the Dask scheduler address is empty" if isinstance(scheduler, str)
                         else f"the Dask scheduler address must be a string, got {type(scheduler).__name__}")
    addr = scheduler.strip()
    scheme = addr.split("://", 1)[0].lower() if "://" in addr else "tcp"
    if scheme not in _PROTOCOLS:
        raise InputError(f"bad Dask scheduler address {scheduler!r}: unknown protocol {scheme!r} (expected "
                         f"tcp://host:port; dask also knows {', '.join(_PROTOCOLS[1:])})")
    if scheme not in ("tcp", "tls", "ws", "wss"):
        return
    u = urlsplit(addr if "://" in addr else "tcp://" + addr)
    try:
        host, port = u.hostname, u.port
    except ValueError:
        raise InputError(f"bad Dask scheduler address {scheduler!r}: the port must be a number 0-65535") from None
    if host is None or port is None or u.path not in ("", "/"):
        raise InputError(f"bad Dask scheduler address {scheduler!r}: expected {scheme}://host:port")
    try:
        sock = socket.create_connection((host, port), timeout=3)
    except OSError as exc:
        why = exc.strerror or ("timed out after 3 s" if isinstance(exc, TimeoutError) else type(exc).__name__)
        raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {why}") from None
    with sock:
        if scheme != "tcp":
            return  # TLS and websockets speak first from the client side: the handshake is the Client's
        # a Dask listener greets first: its handshake message, framed by an 8-byte little-endian frame count.
        # Something else listening there (a web server waits for a request) would hang the Client for ever
        sock.settimeout(5)
        head = b""
        try:
            while len(head) < 8:
                got = sock.recv(8 - len(head))
                if not got:
                    break
                head += got
        except OSError:
            pass
    if len(head) < 8 or not 0 < int.from_bytes(head, "little") < 1024:
        raise InputError(f"cannot use the Dask scheduler address {scheduler}: something listens there but did not "
                         f"greet as a Dask scheduler within 5 s")


def _connect(scheduler: str):
    _probe(scheduler)
    try:
        from distributed import Client
    except ImportError:
        raise InputError("--scheduler needs the dask extra: pip install 'attnlimits[dask]'") from None
    try:
        return Client(scheduler, timeout="5s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(f"cannot reach the Dask scheduler at {scheduler}: it answered, but not as a Dask scheduler "
                         f"within 5 s ({type(exc).__name__})") from None


def run_sweep(points: list[Point], reps: int, *, workers: int = 1, scheduler: str | None = None,
              out: str | None = None, batch: int | None = None, show_progress: bool = True) -> list[Replicates]:
    """Run ``reps`` replicates at every point; return, per point, its :class:`Replicates` in replicate order.

    ``workers``: local processes (1 = in this process; they end with this process, even when it is killed);
    ``scheduler``: a Dask scheduler address (then ``workers`` is ignored); ``out``: the resumable store folder.
    Each result also holds ``computed`` (replicates computed in this call) and ``seconds`` (the wall-clock time
    of the call). Before any work, the replicates still to compute are costed
    (:func:`attnlimits.numerics.montecarlo.cost.check_run`) and a run beyond the budget is refused; so is a
    malformed scheduler address, and a store file that is not a replicate of its point.

    >>> p = make_point(100, 3, beta=5.0, seed=1)
    >>> (r,) = run_sweep([p], 3, show_progress=False)
    >>> r.computed, r.top.shape, bool((r.top[:, 0] >= 1 / 100).all())
    (3, (3, 5), True)
    """
    from attnlimits.numerics.montecarlo.cost import check_run

    reps = whole(reps, "reps")
    workers = whole(workers, "workers")
    if batch is not None:
        batch = whole(batch, "batch")
    points = list(points) if isinstance(points, (list, tuple)) else None
    if not points or not all(isinstance(p, Point) for p in points):
        raise InputError("points must be a non-empty list of Point objects (make_point)")
    if out is not None and (not isinstance(out, (str, os.PathLike)) or not str(out).strip()):
        raise InputError(f"out must be a folder path, got {out!r}")
    out = None if out is None else os.fspath(out)
    if scheduler is not None:
        _probe(scheduler)  # a malformed address is refused before the cost model looks at the store
    todo = [reps - _stored_count(out, p, reps) for p in points]
    check_run([(p.n, p.d, p.sampler, p.law, p.k, r, p.beta, p.tol) for p, r in zip(points, todo)],
              workers=1 if scheduler is not None else workers)
    t0 = time.perf_counter()
    client = _connect(scheduler) if scheduler is not None else None  # fail early on a bad address
    folders, results, jobs = [], [], []
    try:
        for i, p in enumerate(points):
            folder, done = _open_store(out, p, reps) if out else (None, {})
            folders.append(folder)
            results.append(done)
            todo = [r for r in range(reps) if r not in done]
            if batch is None and scheduler is None and workers == 1:
                jobs += [(i, [r]) for r in todo]  # in this process: one replicate per step of the bar
            else:
                jobs += [(i, b) for b in _batches(todo, workers if scheduler is None else 8, batch)]
    except BaseException:
        if client is not None:
            client.close()
        raise
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
            with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=get_context("spawn"),
                                     initializer=_die_with_parent, initargs=(os.getpid(),)) as ex:
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
    # in units of a power of two near the largest |x|: the sums of x and of squared deviations cannot overflow
    # (|y|^2 reaches 2^1020), and scaling by a power of two is exact, so ordinary values give the same bits
    top = float(np.abs(x).max()) if x.size else 0.0
    s = math.ldexp(1.0, math.frexp(top)[1] - 1) if top > 0.0 else 1.0  # top/2 < s <= top
    u = x / s
    if x.size < 2:
        return float(u.mean()) * s, math.nan
    return float(u.mean()) * s, float(u.std(ddof=1)) * s / math.sqrt(x.size)


def summarize(reps: Replicates, d: int) -> Summary:
    """Means and standard errors of a point's replicates (the fields of :class:`Summary`).

    >>> rows = [dict(top=[w, 1 - w], sum_w2=w * w + (1 - w) ** 2, entropy=0.6, parallel=0.9, gap=0.1,
    ...              perp_norm=0.3, perp_coord=0.1, min_dist=0.01, truncation_bound=0.0) for w in (0.5, 0.7)]
    >>> s = summarize(Replicates.stack(rows), d=3)
    >>> round(s.E_W1, 12), round(s.E_W1_se, 12), s.E_value_norm is None
    (0.6, 0.1, True)
    """
    if not isinstance(reps, Replicates):
        raise InputError(f"reps must be a Replicates (run_sweep, replicates), got {type(reps).__name__}")
    d = whole(d, "d", low=2, high=MAX_DIMENSION)
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
