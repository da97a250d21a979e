"""``attnlimits simulate``: Monte Carlo of attention for a fixed query, over a grid of (n, d, beta or lambda)."""
from __future__ import annotations

import itertools
import math

from attnlimits.cli.common import add_json, emit, int_arg
from attnlimits.cli.paths import output_dir_arg

#: Significant digits a double carries (17 round-trip it exactly); the figures are doubles.
MAX_DIGITS = 17


def register(sub):
    p = sub.add_parser(
        "simulate", help="Monte Carlo of the attention weights and output (naive, exact reduced, order statistics)",
        description="Replicates of softmax attention with a fixed query and n i.i.d. keys on S^{d-1}, with "
                    "beta given directly or as lambda: beta = lambda (kappa_d n)^{2/(d-1)}. Several values "
                    "of --n, --d, --beta/--lam make a grid. Replicate r uses the r-th child of "
                    "SeedSequence(seed): the result does not depend on --workers or --scheduler. With --out "
                    "DIR each finished replicate is stored atomically and a rerun resumes. Cost model "
                    "(docs/montecarlo.md §9): a run is refused up front when the random numbers it must draw "
                    "exceed 2^40 = 1.1e12 (about an hour of one core): n*d*reps for naive, n*reps (2n*reps "
                    "for d >= 4) for exact, n*(d+1)*reps for reference, over the whole grid; orderstat's cost "
                    "does not grow with n (n up to 1e18); or when it needs more than half the machine's memory "
                    "(reference: 64 bytes per key). beta is at most 9.0e307 (2^1023).")
    p.add_argument("--n", nargs="+", required=True, help="number of keys (1e12 accepted)")
    p.add_argument("--d", nargs="+", required=True, help="ambient dimension, keys on S^{d-1}")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--beta", nargs="+", help="inverse temperature (raw inner product, no 1/sqrt(d))")
    g.add_argument("--lam", nargs="+", help="critical-scale parameter: beta = lam (kappa_d n)^{2/(d-1)}")
    p.add_argument("--reps", required=True, help="replicates per grid point")
    p.add_argument("--seed", default="0", help="root seed (default 0)")
    p.add_argument("--sampler", choices=("naive", "exact", "orderstat", "reference"), default="exact",
                   help="naive: d-dimensional keys, about n*d random numbers per replicate; exact: exact reduced "
                        "(default), one or two per key; orderstat: nearest keys with a certified truncation "
                        "bound, cost independent of n; reference: the simple O(n)-memory sampler")
    p.add_argument("--law", choices=("uniform", "vmf"), default="uniform", help="key law (default uniform)")
    p.add_argument("--kappa0", default="0", help="vMF concentration around the query (with --law vmf); the exact "
                                                 "sampler takes any kappa0 up to 1.8e308, naive 1e-8 to 1e7")
    p.add_argument("--values", default=None, metavar="PATH",
                   help="value matrix W: a .npy array of shape d x d_v; each key k carries the value W^T k and the "
                        "output is y = sum_i w_i W^T k_i (default: W = I, y in key space). Adds E_value_norm, "
                        "E_value_norm2 and mean_value (E y, d_v components) to the figures")
    p.add_argument("--tol", default=None, help="orderstat: target relative truncation bound (default 1e-13)")
    p.add_argument("--k", default="5", help="number of ranked top weights kept (default 5)")
    p.add_argument("--workers", default="1", help="local worker processes (default 1)")
    p.add_argument("--scheduler", default=None, metavar="ADDR",
                   help="Dask scheduler address, e.g. tcp://127.0.0.1:8786 (needs the dask extra)")
    p.add_argument("--out", type=output_dir_arg(), default=None, metavar="DIR",
                   help="resumable store: DIR/<point>/rep_<r>.json, one file per finished replicate")
    p.add_argument("--digits", type=int_arg("digits", low=1), default=17,
                   help=f"significant digits of the printed figures, 1 to {MAX_DIGITS} (default {MAX_DIGITS}: the "
                        f"Monte Carlo is in double precision, and 17 digits round-trip a double exactly)")
    add_json(p)
    p.set_defaults(func=run)


def _fmt(x, digits):
    from attnlimits.numerics.formatting import decimal_string

    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return decimal_string(x, digits)


def load_values(path: str):
    """The --values matrix W (d x d_v, finite reals) as V = W^T (d_v x d), the samplers' convention y = V ybar.

    Bad input raises InputError with one line (unreadable file, not a 2-D real array, non-finite entries, a
    Frobenius norm beyond 3.4e153, where E|y|^2 would overflow a double).
    """
    import numpy as np

    from attnlimits.theory.validation import InputError

    try:
        W = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"--values {path}: cannot read a .npy array ({reason})") from None
    if not isinstance(W, np.ndarray):
        raise InputError(f"--values {path}: expected one .npy array, not an archive")
    if W.ndim != 2 or W.size == 0:
        raise InputError(f"--values must hold a d x d_v matrix, got an array of shape {W.shape}")
    if W.dtype.kind not in "biuf":
        raise InputError(f"--values must hold real numbers, got dtype {W.dtype}")
    W = W.astype(float)
    if not np.all(np.isfinite(W)):
        raise InputError("--values has non-finite entries (nan or inf)")
    from attnlimits.numerics.montecarlo.sampling import check_values

    return np.ascontiguousarray(check_values(W.T, W.shape[0], name="--values"))


def _fmt_any(x, digits):
    return [_fmt(v, digits) for v in x] if isinstance(x, list) else _fmt(x, digits)


def run(args) -> int:
    from attnlimits.numerics.montecarlo.sweep import VALUE_FIELDS, make_point, run_sweep, summarize
    from attnlimits.theory.validation import InputError, count, dimension

    if args.digits > MAX_DIGITS:
        raise InputError(f"--digits {args.digits}: the Monte Carlo works in double precision, whose values carry "
                         f"at most {MAX_DIGITS} significant digits (17 round-trip a double exactly); use --digits "
                         f"1 to {MAX_DIGITS}")
    reps = count(args.reps, "reps")
    workers = count(args.workers, "workers")
    V = None
    if args.values is not None:
        V = load_values(args.values)
        for d in args.d:
            if dimension(d) != V.shape[1]:
                raise InputError(f"--values has {V.shape[1]} rows but the grid has d = {dimension(d)}")
    scale = args.beta if args.beta is not None else args.lam
    points, labels = [], []
    for n, d, b in itertools.product(args.n, args.d, scale):
        kw = {"beta": b} if args.beta is not None else {"lam": b}
        points.append(make_point(n, d, sampler=args.sampler, law=args.law, kappa0=args.kappa0, k=args.k,
                                 tol=args.tol, seed=args.seed, V=V, **kw))
        labels.append(None if args.beta is not None else b)
    results = run_sweep(points, reps, workers=workers, scheduler=args.scheduler, out=args.out)
    rows = []
    for p, lam, arr in zip(points, labels, results):
        s = summarize(arr, p.d)
        row = {"sampler": p.sampler, "law": p.law, "n": str(p.n), "d": str(p.d),
               "beta": _fmt(p.beta, args.digits)}
        if lam is not None:
            row["lam"] = str(lam)
        if p.law == "vmf":
            row["kappa0"] = _fmt(p.kappa0, args.digits)
        if V is not None:
            row["values_shape"] = f"{V.shape[1]} x {V.shape[0]}"
        row.update(reps=str(reps), seed=str(p.seed))
        for key in s.fields():
            if (key == "truncation_bound" and p.sampler != "orderstat") or (V is None and key in VALUE_FIELDS):
                continue
            row[key] = _fmt_any(getattr(s, key), args.digits)
        if p.sampler == "orderstat":
            row["max_explicit_keys"] = str(int(max(arr.explicit_keys)))
        row["computed"] = str(arr.computed)
        row["seconds"] = _fmt(arr.seconds, 4)
        rows.append(row)
    if len(rows) == 1:
        emit(rows[0], args.json, title="attnlimits simulate")
    elif args.json:
        emit({"points": rows}, True)
    else:
        for i, r in enumerate(rows):
            emit(r, False, title=f"point {i + 1}")
    return 0
