"""Sweeps: results independent of the workers and the scheduler to the last bit, resumable store, CLI."""
from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from attnlimits.cli.main import main
from attnlimits.numerics.montecarlo import sweep as sw
from attnlimits.numerics.montecarlo.replicate import Replicates
from attnlimits.numerics.montecarlo.sampling import replicates
from attnlimits.numerics.montecarlo.stats import Comparison, family_verdict
from attnlimits.theory.validation import InputError

CLI = [sys.executable, "-m", "attnlimits.cli.main"]


def _same(a: Replicates, b: Replicates):
    """Every statistic equal to the last bit (the same statistics present); the diagnostics may differ."""
    keys = [k for k in a.fields() if k not in ("seconds", "computed")]
    assert [k for k in keys if getattr(a, k) is None] == [k for k in keys if getattr(b, k) is None]
    for k in keys:
        assert np.array_equal(getattr(a, k), getattr(b, k)), k


def test_replicate_streams_match_replicates():
    """Replicate r uses the r-th child of SeedSequence(seed): a sweep equals sampling.replicates bit for bit."""
    p = sw.make_point(500, 4, beta=30.0, sampler="exact", seed=9)
    (res,) = sw.run_sweep([p], 6, show_progress=False)
    ref = replicates(500, 4, 30.0, 6, 9, sampler="exact")
    _same(res, ref)


def test_workers_do_not_change_the_result():
    pts = [sw.make_point(300, 3, lam=lam, sampler=s, seed=4) for lam in (0.5, 2.0) for s in ("exact", "orderstat")]
    one = sw.run_sweep(pts, 12, workers=1, show_progress=False)
    two = sw.run_sweep(pts, 12, workers=2, batch=2, show_progress=False)
    for a, b in zip(one, two):
        _same(a, b)


def test_resume_computes_only_what_is_missing(tmp_path, monkeypatch):
    p = sw.make_point(400, 5, beta=12.0, sampler="exact", seed=3)
    (full,) = sw.run_sweep([p], 10, out=str(tmp_path), show_progress=False)
    assert full.computed == 10
    folder = tmp_path / p.ident()
    for r in (2, 7, 8):
        os.unlink(folder / f"rep_{r:07d}.json")
    (open(folder / ".tmp-abandoned.json", "w")).write("{")  # a half-written file from a crash is ignored
    calls = []
    real = sw._compute
    monkeypatch.setattr(sw, "_compute", lambda pt, r: calls.append(r) or real(pt, r))
    (again,) = sw.run_sweep([p], 10, out=str(tmp_path), show_progress=False)
    assert sorted(calls) == [2, 7, 8] and again.computed == 3
    _same(full, again)
    calls.clear()
    (more,) = sw.run_sweep([p], 12, out=str(tmp_path), show_progress=False)  # extend: only 10 and 11
    assert sorted(calls) == [10, 11]
    _same(Replicates(**{k: getattr(more, k) if k in ("seconds", "computed") or getattr(more, k) is None
                        else getattr(more, k)[:10] for k in more.fields()}), full)


def test_interrupted_cli_sweep_resumes(tmp_path):
    """Kill a running `simulate --out` mid-way; the rerun finishes the missing replicates only and its
    statistics equal those of an uninterrupted run to the last digit."""
    args = ["simulate", "--n", "3e5", "--d", "6", "--beta", "10", "--reps", "24", "--seed", "5", "--json"]
    store = tmp_path / "store"
    env = dict(os.environ, ATTNLIMITS_PROGRESS="0")
    proc = subprocess.Popen(CLI + args + ["--out", str(store)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    deadline = time.time() + 60
    done = 0
    while time.time() < deadline and proc.poll() is None:
        done = sum(len([f for f in fs if f.startswith("rep_")]) for _, _, fs in os.walk(store))
        if done >= 3:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = sum(len([f for f in fs if f.startswith("rep_")]) for _, _, fs in os.walk(store))
    assert 0 < partial < 24, partial
    resumed = json.loads(subprocess.run(CLI + args + ["--out", str(store)], capture_output=True, text=True,
                                        env=env, check=True).stdout)
    assert int(resumed["computed"]) == 24 - partial
    fresh = json.loads(subprocess.run(CLI + args, capture_output=True, text=True, env=env, check=True).stdout)
    for k in fresh:
        if k not in ("seconds", "computed"):
            assert resumed[k] == fresh[k], k


def test_cli_workers_identical(capsys):
    base = ["simulate", "--n", "2000", "--d", "3", "--lam", "1", "--reps", "8", "--seed", "11", "--json"]
    outs = []
    for w in ("1", "2"):
        assert main(base + ["--workers", w]) == 0
        outs.append(json.loads(capsys.readouterr().out))
    for k in outs[0]:
        if k != "seconds":
            assert outs[0][k] == outs[1][k], k
    for key in ("E_W1", "E_W1_se", "E_sum_W2", "E_sum_W2_se", "mean_parallel", "var_perp", "sampler", "seconds"):
        assert key in outs[0]


def test_cli_orderstat_reports_bound(capsys):
    assert main(["simulate", "--n", "1e12", "--d", "3", "--lam", "1", "--reps", "4", "--sampler", "orderstat",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert float(out["truncation_bound"]) <= 1e-12
    # lam = 1 at d = 3: beta = (kappa_3 n)^{2/2} = n/2
    assert float(out["beta"]) == 5e11


@pytest.mark.parametrize("argv,needle", [
    (["--reps", "0"], "reps"),
    (["--n", "0"], "n must be"),
    (["--sampler", "magic"], "--sampler"),
    (["--workers", "0"], "workers"),
    (["--scheduler", "tcp://127.0.0.1:9"], "scheduler"),
])
def test_cli_bad_input_one_line(argv, needle, capsys):
    base = {"--n": "100", "--d": "3", "--beta": "1", "--reps": "2"}
    args = ["simulate"]
    for k, v in base.items():
        if k not in argv:
            args += [k, v]
    assert main(args + argv) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and needle in err


def test_point_validation():
    with pytest.raises(InputError):
        sw.make_point(10, 3)
    with pytest.raises(InputError):
        sw.make_point(10, 3, beta=1, lam=1)
    with pytest.raises(InputError):
        sw.make_point(10, 1, beta=1)


def test_dask_local_cluster_matches_local(capsys, tmp_path):
    """The same sweep on a Dask LocalCluster (loopback TCP) equals the in-process run bit for bit."""
    distributed = pytest.importorskip("distributed")
    pts = [sw.make_point(500, 3, lam=1.0, sampler="exact", seed=2), sw.make_point(1e9, 3, lam=2.0,
                                                                                  sampler="orderstat", seed=2)]
    local = sw.run_sweep(pts, 8, show_progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp",
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        remote = sw.run_sweep(pts, 8, scheduler=cluster.scheduler_address, out=str(tmp_path), show_progress=False)
        # the client stored every replicate; a rerun through the cluster computes nothing
        assert sum(f.startswith("rep_") for _, _, fs in os.walk(tmp_path) for f in fs) == 16
        again = sw.run_sweep(pts, 8, scheduler=cluster.scheduler_address, out=str(tmp_path), show_progress=False)
        assert [a.computed for a in again] == [0, 0]
        argv = ["simulate", "--n", "700", "--d", "4", "--beta", "20", "--reps", "6", "--seed", "1", "--json"]
        assert main(argv + ["--scheduler", cluster.scheduler_address]) == 0
        via_dask = json.loads(capsys.readouterr().out)
    for a, b in zip(local, remote):
        _same(a, b)
    assert main(argv) == 0
    here = json.loads(capsys.readouterr().out)
    assert {k: v for k, v in here.items() if k != "seconds"} == {k: v for k, v in via_dask.items() if k != "seconds"}


def test_bench_quick_reports_every_figure(capsys):
    """`bench --quick --json` runs and reports every figure as a decimal string (no timing is asserted)."""
    assert main(["bench", "--quick", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("ratio_d3", "ratio_d128", "ratio_d1024", "floor_ratio_d3", "orderstat_ms_1e12",
                "orderstat_bound_1e12", "orderstat_ms_1e18", "peak_mb", "seconds"):
        assert float(out[key]) > 0, key
    assert float(out["orderstat_bound_1e12"]) <= 1e-12  # certified by construction (tol = 1e-13)
    # interleaved rounds: the median lies in the reported range, over at least 5 rounds
    assert int(out["rounds"]) >= 5
    for tag in ("ratio_d3", "ratio_d128", "ratio_d1024", "floor_ratio_d3"):
        assert float(out[tag + "_min"]) <= float(out[tag]) <= float(out[tag + "_max"]), tag


def _z(name, m1, se1, m2, se2) -> Comparison:
    """Two independent means (from the CLI's figures) against each other: z = diff / sqrt(se1^2 + se2^2)."""
    from scipy.stats import norm

    z = (m1 - m2) / math.hypot(se1, se2)
    return Comparison(name, m1, m2, math.hypot(se1, se2), z, float(2 * norm.sf(abs(z))))


def _cli_json(argv, capsys) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_cli_vmf_agrees_with_naive_and_exact_mean(capsys):
    """vMF keys through `simulate --law vmf --kappa0`: the exact reduced sampler against the naive one
    (scipy's vMF sampler, an independent implementation) at n = 40, and both against the exact single-key
    mean E<q, K> = A_d(kappa0) = I_{d/2}(kappa0)/I_{d/2-1}(kappa0) at n = 1; Holm over all comparisons."""
    from scipy import special

    base = ["simulate", "--d", "6", "--law", "vmf", "--kappa0", "3.5", "--json"]
    comps = []
    runs = {}
    for sampler, seed in (("exact", "21"), ("naive", "22")):
        runs[sampler] = _cli_json(base + ["--n", "40", "--beta", "6", "--reps", "300", "--seed", seed,
                                          "--sampler", sampler], capsys)
        one = _cli_json(base + ["--n", "1", "--beta", "1", "--reps", "2000", "--seed", seed, "--sampler", sampler],
                        capsys)
        ref = special.ive(3.0, 3.5) / special.ive(2.0, 3.5)
        comps.append(_z(f"{sampler} E X", float(one["mean_parallel"]), float(one["mean_parallel_se"]), ref, 0.0))
    assert runs["exact"]["law"] == "vmf" and float(runs["exact"]["kappa0"]) == 3.5
    for key in ("E_W1", "E_sum_W2", "E_entropy", "mean_gap", "var_perp", "E_min_dist"):
        e, nv = runs["exact"], runs["naive"]
        comps.append(_z(key, float(e[key]), float(e[key + "_se"]), float(nv[key]), float(nv[key + "_se"])))
    ok, fig = family_verdict(comps)
    assert ok, (fig, [(c.name, round(c.z, 2)) for c in comps])


def test_cli_values_workers_identical(tmp_path, capsys):
    """--values W (d x d_v): the figures for y = sum w W^T k are the same to the last digit for 1 and 2
    workers, and E y = W^T E ybar has mean_value = W[0] * E<q, ybar> in law (tangential mean 0)."""
    W = np.array([[1.0, 0.5, -0.2], [0.0, 1.0, 0.3], [2.0, 0.0, 0.1], [0.4, -1.0, 0.0]])
    path = tmp_path / "W.npy"
    np.save(path, W)
    base = ["simulate", "--n", "3000", "--d", "4", "--beta", "8", "--reps", "8", "--seed", "12", "--json",
            "--values", str(path)]
    outs = [_cli_json(base + ["--workers", w], capsys) for w in ("1", "2")]
    assert {k: v for k, v in outs[0].items() if k != "seconds"} == {k: v for k, v in outs[1].items() if k != "seconds"}
    out = outs[0]
    assert out["values_shape"] == "4 x 3" and len(out["mean_value"]) == 3
    for key in ("E_W1", "E_sum_W2", "mean_parallel", "E_value_norm", "E_value_norm2", "mean_value_se"):
        assert key in out
    # y_1 = <W[:, 0], ybar> is what mean_parallel reports with a value matrix
    assert out["mean_parallel"] == out["mean_value"][0]
    # V changes the store identity; V = None keeps the old one
    p0 = sw.make_point(3000, 4, beta=8, seed=12)
    p1 = sw.make_point(3000, 4, beta=8, seed=12, V=W.T)
    assert p0.ident() != p1.ident() and "values_sha256" not in p0._canon()


def _bad_arrays(tmp_path):
    files = {}
    for name, arr in (("nan", np.array([[1.0, np.nan]] * 3)), ("vector", np.ones(3)), ("rows", np.ones((4, 2))),
                      ("text", np.array([["a", "b"]] * 3)), ("empty", np.ones((3, 0)))):
        files[name] = tmp_path / f"{name}.npy"
        np.save(files[name], arr)
    files["object"] = tmp_path / "object.npy"
    np.save(files["object"], np.array([[1, None]] * 3, dtype=object), allow_pickle=True)
    (tmp_path / "garbage.npy").write_bytes(b"not numpy")
    files["garbage"] = tmp_path / "garbage.npy"
    files["missing"] = tmp_path / "missing.npy"
    return files


@pytest.mark.parametrize("which,needle", [("nan", "non-finite"), ("vector", "d x d_v"), ("rows", "rows"),
                                          ("text", "real"), ("empty", "d x d_v"), ("object", "cannot read"),
                                          ("garbage", "cannot read"), ("missing", "cannot read")])
def test_cli_bad_values_one_line(which, needle, tmp_path, capsys):
    path = _bad_arrays(tmp_path)[which]
    rc = main(["simulate", "--n", "10", "--d", "3", "--beta", "1", "--reps", "2", "--values", str(path)])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and "\n" not in err and needle in err, err
