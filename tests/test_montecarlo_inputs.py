"""Every public function of numerics/montecarlo/ refuses bad numeric arguments with one InputError line naming the
parameter (docs/montecarlo.md §9): zero where zero makes no sense, a negative number, NaN, ±inf, '1e400' (beyond the
double range), text, None, a list, a boolean; and it does so at once (well under a second), before any work.

The table below lists, per function, a valid call and its numeric parameters with the bad values that apply (zero
is valid for beta, seed, kappa0, ...; any real is valid for a reference mean). Each (function, parameter, value)
is one case; a hypothesis test draws further bad values for the entry points ``replicates`` and ``make_point``.
"""
from __future__ import annotations

import inspect
import math
import re
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attnlimits.numerics.montecarlo import (arguments, bench, cost, exact_sampler, isotropic_merge, naive_sampler,
                                            orderstat_sampler, replicate, sampling, stats, streaming, sweep, ziggurat)
from attnlimits.theory.validation import InputError

NAN, INF = float("nan"), float("inf")
#: Bad for every numeric parameter.
ALWAYS = [NAN, INF, -INF, "1e400", "abc", None, [1.0], True]
#: Bad for a count (n, d, k, reps, ...): zero, negative, not an integer, and everything above.
COUNT = [0, -1, 2.5] + ALWAYS
#: Bad for a count that may be 0 (size, start, seed, ...).
COUNT0 = [-1, 2.5] + ALWAYS
#: Bad for a positive real (tol, level, ...).
POSITIVE = [0, -1.0] + ALWAYS
#: Bad for a real that may be 0 (beta, kappa0, gap, ...).
NONNEG = [-1.0] + ALWAYS
#: Bad for any real (a reference mean).
REAL = ALWAYS


def rng():
    return np.random.default_rng(0)


def _replicates_rows():
    return sampling.replicates(20, 3, 1.0, 2, 0, k=2, sampler="exact")


def _point():
    return sweep.make_point(20, 3, beta=1.0, k=2)


def _comparisons():
    return [stats.Comparison("a", 0.0, 0.0, 1.0, 0.5, 0.6)]


#: (name, function of keyword arguments, valid keyword arguments, {parameter: bad values}).
TABLE = [
    ("sampling.replicates", sampling.replicates,
     dict(n=20, d=3, beta=1.0, reps=2, seed=0, k=2, sampler="exact"),
     dict(n=COUNT, d=COUNT, beta=NONNEG, reps=COUNT, seed=COUNT0, k=COUNT, chunk=COUNT, tol=POSITIVE)),
    ("sampling.replicates vmf", sampling.replicates,
     dict(n=20, d=3, beta=1.0, reps=2, seed=0, sampler="exact", law="vmf", kappa0=1.0), dict(kappa0=NONNEG)),
    ("sampling.one_replicate", sampling.one_replicate,
     dict(n=20, d=3, beta=1.0, k=2, rng=None, sampler="exact"),
     dict(n=COUNT, d=COUNT, beta=NONNEG, k=COUNT, chunk=COUNT, tol=POSITIVE)),
    ("sampling.check_sampler_args", sampling.check_sampler_args,
     dict(sampler="exact", law="vmf", kappa0=1.0, d=3, V=None), dict(kappa0=NONNEG, d=COUNT)),
    ("sampling.check_beta", sampling.check_beta, dict(beta=1.0), dict(beta=NONNEG)),
    ("sampling.check_values", sampling.check_values, dict(V=[[1.0, 0.0, 0.0]], d=3), dict(d=COUNT)),
    ("naive_sampler.naive_keys", naive_sampler.naive_keys, dict(size=4, d=3, rng=None),
     dict(size=COUNT0, d=COUNT)),
    ("naive_sampler.naive_keys vmf", naive_sampler.naive_keys, dict(size=4, d=3, rng=None, law="vmf", kappa0=1.0),
     dict(kappa0=NONNEG)),
    ("naive_sampler.naive_replicate", naive_sampler.naive_replicate, dict(n=20, d=3, beta=1.0, k=2, rng=None),
     dict(n=COUNT, d=COUNT, beta=NONNEG, k=COUNT, chunk=COUNT)),
    ("exact_sampler.draw_distance", exact_sampler.draw_distance,
     dict(size=4, d=5, rng=None, law="vmf", kappa0=1.0), dict(size=COUNT0, d=COUNT, kappa0=NONNEG)),
    ("exact_sampler.exact_replicate", exact_sampler.exact_replicate, dict(n=20, d=3, beta=1.0, k=2, rng=None),
     dict(n=COUNT, d=COUNT, beta=NONNEG, k=COUNT, chunk=COUNT, cut=[0, -1.0, NAN, -INF, "1e400", "abc", None, [1.0],
                                                                      True])),
    ("orderstat_sampler.cap_inverse", orderstat_sampler.cap_inverse, dict(u=np.array([0.1]), a=2.0),
     dict(a=[0, -1.0, 0.25] + ALWAYS)),
    ("orderstat_sampler.nearest_distances", orderstat_sampler.nearest_distances,
     dict(n=100, d=5, count=3, rng=None), dict(n=COUNT, d=COUNT, count=COUNT, start=COUNT0, s0=NONNEG)),
    ("orderstat_sampler.orderstat_replicate", orderstat_sampler.orderstat_replicate,
     dict(n=100, d=3, beta=10.0, k=2, rng=None),
     dict(n=COUNT, d=COUNT, beta=NONNEG, k=COUNT, tol=NONNEG, max_keys=COUNT, block=COUNT)),
    ("isotropic_merge.sphere_coordinate", isotropic_merge.sphere_coordinate, dict(size=4, dim=6, rng=None),
     dict(size=COUNT0, dim=[3] + COUNT)),
    ("isotropic_merge.draw_cosine", isotropic_merge.draw_cosine, dict(m=3, size=4, rng=None),
     dict(m=COUNT, size=COUNT0)),
    ("isotropic_merge.merge_down", isotropic_merge.merge_down, dict(r=[1.0, 2.0, 3.0], m=3, rng=None),
     dict(m=COUNT, stop=COUNT)),
    ("isotropic_merge.merge_norms", isotropic_merge.merge_norms, dict(r=[1.0, 2.0], m=3, rng=None), dict(m=COUNT)),
    ("isotropic_merge.uniform_direction", isotropic_merge.uniform_direction, dict(m=3, rng=None), dict(m=COUNT)),
    ("isotropic_merge.output_parts", isotropic_merge.output_parts, dict(gap=0.1, perp_norm=0.3, d=3, rng=None),
     dict(gap=[3.0] + NONNEG, perp_norm=[2.0] + NONNEG, d=COUNT)),
    ("ziggurat.ziggurat_tables", ziggurat.ziggurat_tables, dict(dim=16), dict(dim=[3] + COUNT)),
    ("ziggurat.ziggurat_coordinate", ziggurat.ziggurat_coordinate, dict(size=4, dim=16, rng=None),
     dict(size=COUNT0, dim=[3] + COUNT)),
    ("streaming.SoftmaxAccumulator", streaming.SoftmaxAccumulator, dict(k=2), dict(k=COUNT)),
    ("sweep.make_point", sweep.make_point, dict(n=20, d=3, beta=1.0, k=2),
     dict(n=COUNT, d=COUNT, beta=NONNEG, k=COUNT, tol=POSITIVE, chunk=COUNT, seed=COUNT0)),
    ("sweep.make_point lam", sweep.make_point, dict(n=20, d=3, lam=1.0), dict(lam=NONNEG)),
    ("sweep.make_point vmf", sweep.make_point, dict(n=20, d=3, beta=1.0, law="vmf", kappa0=1.0),
     dict(kappa0=NONNEG)),
    ("sweep.run_sweep", sweep.run_sweep, dict(points=None, reps=2, show_progress=False),
     dict(reps=COUNT, workers=COUNT, batch=COUNT)),
    ("sweep.replicate_rng", sweep.replicate_rng, dict(seed=1, r=0), dict(seed=COUNT0, r=COUNT0)),
    ("sweep.beta_from_lambda", sweep.beta_from_lambda, dict(lam=1.0, n=100, d=3),
     dict(lam=NONNEG, n=COUNT, d=COUNT)),
    ("sweep.summarize", sweep.summarize, dict(reps=None, d=3), dict(d=COUNT)),
    ("bench.critical_beta", bench.critical_beta, dict(n=100, d=3, lam=1.0), dict(n=COUNT, d=COUNT, lam=NONNEG)),
    ("bench.interleaved_ratio", bench.interleaved_ratio, dict(slow=lambda: None, fast=lambda: None, rounds=1),
     dict(rounds=COUNT, fast_per_round=COUNT)),
    ("bench.run_bench", bench.run_bench, dict(quick=True, seed=0), dict(seed=COUNT0)),
    ("stats.z_compare", stats.z_compare, dict(name="m", samples=[1.0, 2.0], reference=1.5), dict(reference=REAL)),
    ("stats.holm", stats.holm, dict(pvalues=[0.1, 0.2], level=0.05), dict(level=[1.5] + POSITIVE)),
    ("stats.family_verdict", stats.family_verdict, dict(comparisons=None, level=0.05),
     dict(level=[1.5] + POSITIVE)),
    ("replicate.Replicates.stack", replicate.Replicates.stack, dict(rows=None),
     dict(computed=COUNT0, seconds=NONNEG)),
    ("cost.draws_per_replicate", cost.draws_per_replicate, dict(n=100, d=3, sampler="orderstat", beta=1.0),
     dict(n=COUNT, d=COUNT, beta=NONNEG, tol=NONNEG)),
    ("cost.orderstat_keys", cost.orderstat_keys, dict(n=100, d=3, beta=1.0), dict(n=COUNT, d=COUNT, beta=NONNEG)),
    ("cost.bytes_per_replicate", cost.bytes_per_replicate, dict(n=100, d=3, sampler="exact"),
     dict(n=COUNT, d=COUNT, k=COUNT)),
    ("cost.check_run", cost.check_run, dict(points=[(100, 3, "exact", "uniform", 5, 2)]), dict(workers=COUNT)),
    ("arguments.whole", arguments.whole, dict(x=3, name="x"), dict(x=COUNT)),
    ("arguments.number", arguments.number, dict(x=1.0, name="x", low=0), dict(x=NONNEG)),
]

#: Values a call needs fresh (a generator, objects built by other functions).
FRESH = {"rng": rng, "points": lambda: [_point()], "reps": _replicates_rows, "comparisons": _comparisons,
         "rows": lambda: [dict(top=[0.5], sum_w2=0.5, entropy=0.6, parallel=0.9, gap=0.1, perp_norm=0.3,
                               perp_coord=0.1, min_dist=0.01, truncation_bound=0.0)]}


def _kwargs(valid: dict) -> dict:
    return {k: (FRESH[k]() if v is None and k in FRESH else v) for k, v in valid.items()}


def _default_is_none(f, param: str) -> bool:
    """None is a valid value of an optional parameter (chunk, tol, batch, ...): it means the default."""
    try:
        par = inspect.signature(f).parameters.get(param)
    except (TypeError, ValueError):
        return False
    return par is not None and par.default is None


CASES = [pytest.param(f, valid, p, bad, id=f"{name}-{p}={bad!r}")
         for name, f, valid, params in TABLE for p, values in params.items() for bad in values
         if not (bad is None and _default_is_none(f, p))]


def _refused(call, name: str):
    t0 = time.perf_counter()
    with pytest.raises(InputError) as info:
        call()
    elapsed = time.perf_counter() - t0
    msg = str(info.value)
    assert "\n" not in msg and re.search(rf"(^|[^A-Za-z_]){re.escape(name)}([^A-Za-z_]|$)", msg), msg
    assert elapsed < 10.0, (elapsed, msg)  # the refusal limit of the CLI table; imports on a first call count
    return msg


@pytest.mark.parametrize("f, valid, param, bad", CASES)
def test_bad_numeric_argument_is_refused_naming_it(f, valid, param, bad):
    kwargs = _kwargs(valid)
    if param == "reps" and f is sweep.summarize:  # summarize's reps is the Replicates object, d is numeric
        return
    kwargs[param] = bad
    _refused(lambda: f(**kwargs), param)


@pytest.mark.parametrize("name, f, valid", [(n, f, v) for n, f, v, _ in TABLE])
def test_every_valid_call_of_the_table_runs(name, f, valid):
    """The table's valid calls are valid: each refusal above is caused by the one bad argument."""
    if f is bench.run_bench:  # a minute of benchmark: its valid call is the doctest's business
        return
    f(**_kwargs(valid))


#: Array parameters: (function, valid keyword arguments, array parameter, bad arrays).
ARRAYS = [
    (orderstat_sampler.cap_inverse, dict(u=np.array([0.1]), a=2.0), "u", [[0.0], [0.7], [-0.1], [NAN], "abc", None]),
    (isotropic_merge.merge_down, dict(r=[1.0, 2.0, 3.0], m=3, rng=None), "r", [[1.0, -1.0], [NAN, 1.0], [INF], "x"]),
    (isotropic_merge.merge_down, dict(r=[1.0, 2.0, 3.0], m=3, rng=None), "cos", [[2.0, 0.0], [NAN, 0.0], [0.5]]),
    (isotropic_merge.merge_norms, dict(r=[1.0, 2.0], m=3, rng=None), "r", [[-1.0, 1.0], [NAN, 1.0], None]),
    (isotropic_merge.value_stats, dict(y=[1.0, 2.0]), "y", [[NAN], [INF, 1.0], [], "abc"]),
    (sampling.check_values, dict(V=[[1.0, 0.0, 0.0]], d=3), "V", [[[NAN, 0.0, 0.0]], [[1e300, 0.0, 0.0]],
                                                                   [[1e-300, 0.0, 0.0]], [[1.0, 0.0]], "abc"]),
    (naive_sampler.naive_keys, dict(size=4, d=3, rng=None), "mu", [[1.0, 1.0, 0.0], [NAN, 0.0, 0.0], [1.0]]),
    (stats.mean_se, dict(x=[1.0, 2.0]), "x", [[1.0], [NAN, 1.0], [INF, 1.0], "abc"]),
    (stats.z_compare, dict(name="m", samples=[1.0, 2.0], reference=1.0), "samples", [[NAN, 1.0], [1.0]]),
    (stats.ks_compare, dict(name="m", samples=[0.1, 0.2], cdf=lambda x: x), "samples", [[NAN], []]),
    (stats.ks_two_sample, dict(name="m", a=[0.1, 0.2], b=[0.3, 0.4]), "a", [[NAN], [], "abc"]),
    (stats.two_sample_z, dict(name="m", a=[0.1, 0.2], b=[0.3, 0.4]), "b", [[INF, 1.0], [1.0]]),
    (stats.holm, dict(pvalues=[0.1, 0.2]), "pvalues", [[1.5], [-0.1], [NAN]]),
]


@pytest.mark.parametrize("f, valid, param, bad", [pytest.param(f, v, p, b, id=f"{f.__name__}-{p}={b!r}")
                                                  for f, v, p, bads in ARRAYS for b in bads])
def test_bad_array_argument_is_refused_naming_it(f, valid, param, bad):
    kwargs = _kwargs(valid)
    kwargs[param] = bad
    _refused(lambda: f(**kwargs), param)


def test_softmax_accumulator_refuses_bad_chunks():
    acc = streaming.SoftmaxAccumulator(2)
    _refused(lambda: acc.add(np.array([NAN]), np.array([0.5])), "logits")
    _refused(lambda: acc.add(np.array([1.0]), np.array([-0.5])), "D")
    _refused(lambda: acc.add(np.array([1.0, 2.0]), np.array([0.5])), "D")
    _refused(acc.finish, "logits")  # nothing added yet: the empty softmax


def test_replicates_1e400_is_refused_not_nan():
    """The tester's case: replicates(10, 3, '1e400', 2, 0) returned NaN arrays; it is now one line naming beta."""
    msg = _refused(lambda: sampling.replicates(10, 3, "1e400", 2, 0), "beta")
    assert "beyond the largest double" in msg


#: Integer parameters of the entry points and values no count can take.
_BAD_COUNTS = st.one_of(
    st.integers(max_value=0),
    st.floats(allow_nan=True, allow_infinity=True).filter(lambda x: not (math.isfinite(x) and x == int(x) and x >= 1)),
    st.integers(min_value=309, max_value=5000).map(lambda e: f"1e{e}"),
    st.text(alphabet="abcxyz!?", min_size=1, max_size=6),
    st.none(), st.booleans(), st.lists(st.integers(), max_size=2))
_BAD_REALS = st.one_of(
    st.floats(max_value=-1e-300, allow_infinity=True), st.just(NAN), st.just(INF),
    st.integers(min_value=309, max_value=5000).map(lambda e: f"1e{e}"), st.floats(min_value=9e307, max_value=1.7e308),
    st.text(alphabet="abcxyz!?", min_size=1, max_size=6), st.none(), st.booleans())


@settings(max_examples=120, deadline=None)
@given(param=st.sampled_from(["n", "d", "reps", "k", "seed", "beta"]), data=st.data())
def test_replicates_refuses_any_bad_value(param, data):
    """Property: whatever bad value a parameter of ``replicates`` gets, the refusal is one InputError naming it."""
    if param == "seed":
        bad = data.draw(_BAD_COUNTS.filter(lambda x: x != 0))
    else:
        bad = data.draw(_BAD_REALS if param == "beta" else _BAD_COUNTS)
    kwargs = dict(n=20, d=3, beta=1.0, reps=2, seed=0, sampler="exact")
    kwargs[param] = bad
    _refused(lambda: sampling.replicates(**kwargs), param)


@settings(max_examples=60, deadline=None)
@given(param=st.sampled_from(["n", "d", "k", "seed", "lam"]), data=st.data())
def test_make_point_refuses_any_bad_value(param, data):
    if param == "seed":
        bad = data.draw(_BAD_COUNTS.filter(lambda x: x != 0))
    else:
        bad = data.draw(_BAD_REALS if param == "lam" else _BAD_COUNTS)
    kwargs = dict(n=20, d=3, lam=1.0, k=2, seed=0)
    kwargs[param] = bad
    _refused(lambda: sweep.make_point(**kwargs), param)
