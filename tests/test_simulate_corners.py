"""`attnlimits simulate` and the Monte Carlo engine at the corners a tester found (issue 15; docs/montecarlo.md §9).

Each corner ends as the right answer, checked against an independent route (a closed-form law, an exact scaling
identity, another sampler), or as one line on stderr and exit status 2 within seconds, before any work.
"""
from __future__ import annotations

import json
import math
import os
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
from scipy import special, stats

from attnlimits.cli.main import main
from attnlimits.numerics.montecarlo import cost, sweep
from attnlimits.numerics.montecarlo.exact_sampler import draw_distance
from attnlimits.numerics.montecarlo.isotropic_merge import sphere_coordinate
from attnlimits.numerics.montecarlo.sampling import replicates
from attnlimits.numerics.montecarlo.stats import family_verdict, ks_compare, ks_two_sample, two_sample_z, z_compare
from attnlimits.numerics.montecarlo.ziggurat import ziggurat_tables
from attnlimits.theory.validation import InputError

CLI = [sys.executable, "-m", "attnlimits.cli.main"]
ENV = dict(os.environ, ATTNLIMITS_PROGRESS="0")


def _holds(comps):
    ok, fig = family_verdict(comps)
    assert ok, (fig, [(c.name, round(c.z, 2), c.p) for c in comps])


def _refused(argv, words, capsys, seconds=10.0):
    """`main(argv)` exits 2 with one stderr line holding every one of ``words``, within ``seconds``."""
    t0 = time.perf_counter()
    rc = main(argv)
    elapsed = time.perf_counter() - t0
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert rc == 2 and "\n" not in err and captured.out == "", (rc, err, captured.out[:200])
    for w in words:
        assert w in err, (w, err)
    assert elapsed < seconds, elapsed
    return err


def _json(argv, capsys) -> dict:
    assert main(argv + ["--json"]) == 0
    captured = capsys.readouterr()
    assert "Warning" not in captured.err and "nan" not in captured.out.lower(), captured.err
    return json.loads(captured.out)


# --- the cost model: runs that cannot finish are refused up front -------------------------------------------

@pytest.mark.parametrize("argv, words", [
    (["--n", "1e18", "--d", "3", "--lam", "1", "--sampler", "exact"],
     ["n x reps = 1e+18", "budget of 2^40", "use the orderstat sampler"]),
    (["--n", "1e12", "--d", "3", "--lam", "1", "--sampler", "naive"],
     ["n x d x reps = 3e+12", "use the exact sampler"]),
    (["--n", "1e12", "--d", "3", "--beta", "10", "--sampler", "reference"],
     ["n x (d + 1) x reps = 4e+12", "use the exact sampler"]),
    (["--n", "1e10", "--d", "3", "--beta", "10", "--sampler", "reference"],
     ["GiB of memory", "the reference sampler at n = 10000000000", "whose memory does not grow with n"]),
    (["--n", "1e12", "--d", "6000", "--lam", "1", "--sampler", "orderstat", "--reps", "1000"],
     ["m = 4194304 expected explicit keys", "lower the replicates"]),
    (["--n", "1e12", "--d", "5", "--lam", "1", "--law", "vmf", "--kappa0", "3"],
     ["3 n x reps", "draws uniform keys only"]),
    (["--n", "1e11", "1e11", "--d", "3", "--lam", "1", "--reps", "6"],
     ["the grid's 2 points cost 1.2e+12 units", "use the orderstat sampler"]),
])
def test_runs_beyond_the_budget_are_refused_at_once(argv, words, capsys):
    if "--reps" not in argv:
        argv = argv + ["--reps", "1"]
    _refused(["simulate"] + argv, words, capsys)


def test_api_refuses_before_any_work():
    for call in (lambda: replicates(10**18, 3, 1.0, 1, 0, sampler="exact"),
                 lambda: sweep.run_sweep([sweep.make_point(10**18, 3, beta=1.0)], 1, show_progress=False)):
        t0 = time.perf_counter()
        with pytest.raises(InputError, match="use the orderstat sampler"):
            call()
        assert time.perf_counter() - t0 < 10.0


def test_the_orderstat_sampler_does_what_the_refusal_names(capsys):
    """The refusal of n = 1e18 points to orderstat; that run answers (the certified bound below 1e-12)."""
    out = _json(["simulate", "--n", "1e18", "--d", "3", "--lam", "1", "--reps", "2", "--sampler", "orderstat"], capsys)
    assert float(out["truncation_bound"]) <= 1e-12


def test_only_the_replicates_still_to_compute_count(tmp_path, monkeypatch):
    """With a store, the budget applies to the missing replicates: a store grows past the budget over calls."""
    monkeypatch.setattr(cost, "WORK_BUDGET", 3000)  # the exact sampler at n = 1000, d = 3: 1000 units per replicate
    p = sweep.make_point(1000, 3, beta=5.0, seed=2)
    (r,) = sweep.run_sweep([p], 3, out=str(tmp_path), show_progress=False)
    assert r.computed == 3
    with pytest.raises(InputError, match="beyond the budget"):
        sweep.run_sweep([p], 4)  # no store: all four count
    (r,) = sweep.run_sweep([p], 5, out=str(tmp_path), show_progress=False)  # two to do
    assert r.computed == 2 and r.top.shape == (5, 5)


def test_orderstat_key_estimate_against_a_run():
    """The model's expected explicit keys (d = 3, lambda = 1) against what the sampler draws: within one doubling
    block of it (the sampler grows its blocks geometrically from 64)."""
    n, beta = 10**12, 0.5e12
    m = cost.orderstat_keys(n, 3, beta)
    r = replicates(n, 3, beta, 50, seed=4, sampler="orderstat")
    assert 64 <= m <= 128 and set(r.explicit_keys.tolist()) <= {64.0, 192.0}, (m, set(r.explicit_keys))


# --- extreme beta: computed, the nearest key takes the mass ----------------------------------------------------

@pytest.mark.parametrize("sampler", ["exact", "naive", "orderstat", "reference"])
def test_beta_1e300_puts_the_mass_on_the_nearest_key(sampler):
    """n = 2, beta = 1e300: W_(1) = sum w^2 = 1, entropy 0, and the output is the nearest key, so
    1 - <q, y> = D_(1) exactly; D_(1) = min of two uniforms on [0, 2] (d = 3, Archimedes) has mean 2/3."""
    r = replicates(2, 3, 1e300, 400, seed=7, sampler=sampler)
    assert np.all(r.top[:, 0] == 1.0) and np.all(r.top[:, 1] == 0.0)
    assert np.all(r.sum_w2 == 1.0) and np.all(r.entropy == 0.0)
    assert np.allclose(r.gap, r.min_dist, rtol=1e-12, atol=1e-15)
    _holds([z_compare(f"{sampler} E D_(1)", r.min_dist, 2.0 / 3.0)])


def test_cli_beta_1e300_the_testers_case(capsys):
    out = _json(["simulate", "--n", "2", "--d", "3", "--beta", "1e300", "--reps", "4"], capsys)
    assert out["E_W1"] == "1.0000000000000000" and out["E_sum_W2"] == "1.0000000000000000"
    assert float(out["E_entropy"]) == 0.0 and out["mean_gap"] == out["E_min_dist"]


def test_beta_up_to_2_to_the_1023_and_refused_beyond(capsys):
    r = replicates(50, 3, 2.0**1023, 3, seed=1, sampler="exact")
    assert np.all(r.top[:, 0] == 1.0) and np.all(np.isfinite(r.entropy))
    _refused(["simulate", "--n", "2", "--d", "3", "--beta", "1e308", "--reps", "4"],
             ["beta = 1e308", "beta <= 9.0e307", "must stay finite doubles"], capsys)
    # lam whose beta = lam (kappa_d n)^(2/(d-1)) leaves the range: kappa_2 = 2/pi, n = 1e18
    _refused(["simulate", "--n", "1e18", "--d", "2", "--lam", "1e300", "--reps", "1"],
             ["lam = 1e300 gives beta", "beyond the supported range"], capsys)


# --- vMF concentration: exact for every kappa0, the naive sampler refused outside its range ------------------

@pytest.mark.parametrize("d", [3, 5, 64])
def test_vmf_distance_at_kappa0_1e300_has_the_gamma_limit(d):
    """As kappa0 -> oo, kappa0 D -> Gamma((d - 1)/2, 1) (density ~ D^{(d-3)/2} e^{-kappa0 D}); at 1e300 the
    correction is O(1/kappa0), nil in double precision. KS and the mean (d - 1)/2."""
    x = draw_distance(20000, d, np.random.default_rng(d), law="vmf", kappa0=1e300) * 1e300
    a = (d - 1) / 2
    _holds([ks_compare(f"d={d} kappa0 D", x, stats.gamma(a).cdf), z_compare(f"d={d} E kappa0 D", x, a)])


@pytest.mark.parametrize("d", [3, 5])
def test_vmf_distance_at_kappa0_1e_minus_300_is_uniform(d):
    """kappa0 -> 0: the vMF law tends to the uniform one, D/2 ~ Beta(a, a) (paper 1 §2)."""
    D = draw_distance(20000, d, np.random.default_rng(d + 10), law="vmf", kappa0=1e-300)
    a = (d - 1) / 2
    _holds([ks_compare(f"d={d} D", D, lambda t: special.betainc(a, a, np.clip(t / 2, 0, 1)))])


def test_cli_vmf_kappa0_1e300(capsys):
    out = _json(["simulate", "--n", "100", "--d", "5", "--lam", "1", "--reps", "50", "--law", "vmf",
                 "--kappa0", "1e300"], capsys)
    # every key sits within ~1e-300 of q: the weights are uniform to double precision, E D_(1) = E min of 100
    # Gamma(2) variables / 1e300 > 0
    assert out["E_W1"] == "0.010000000000000000" and 0 < float(out["E_min_dist"]) < 1e-300
    _refused(["simulate", "--n", "100", "--d", "5", "--lam", "1", "--reps", "2", "--law", "vmf", "--kappa0",
              "1e300", "--sampler", "naive"], ["1e-8 <= kappa0 <= 1e7", "sampler='exact'"], capsys)
    _refused(["simulate", "--n", "100", "--d", "5", "--lam", "1", "--reps", "2", "--law", "vmf", "--kappa0",
              "1e400"], ["kappa0 = 1e400", "beyond the largest double"], capsys)


# --- value matrices: scaled where representable, refused beyond ---------------------------------------------

def test_values_scale_exactly_and_extremes_are_refused(tmp_path, capsys):
    """W = 2^500 W0 gives exactly 2^500 times the figures of W0 (2^1000 for E|y|^2): scaling by a power of two is
    exact in binary floating point, so any overflow or loss would show. 1e300 and 1e-300 entries are refused."""
    W0 = np.array([[1.0, 0.5], [0.0, 1.0], [2.0, -0.3]])
    base = ["simulate", "--n", "300", "--d", "3", "--beta", "4", "--reps", "6", "--seed", "3", "--values"]
    outs = {}
    for tag, W in (("one", W0), ("big", W0 * 2.0**500)):
        np.save(tmp_path / f"{tag}.npy", W)
        outs[tag] = _json(base + [str(tmp_path / f"{tag}.npy")], capsys)
    s = 2.0**500
    for key in ("mean_parallel", "E_value_norm", "E_value_norm_se"):
        assert float(outs["big"][key]) == s * float(outs["one"][key]), key
    for key in ("E_value_norm2", "var_perp"):
        assert float(outs["big"][key]) == s * s * float(outs["one"][key]), key
    assert [float(x) for x in outs["big"]["mean_value"]] == [s * float(x) for x in outs["one"]["mean_value"]]
    for tag, scale, words in (("huge", 1e300, ["beyond 3.4e153", "would overflow"]),
                              ("tiny", 1e-300, ["below 3.0e-154", "would underflow"])):
        np.save(tmp_path / f"{tag}.npy", W0 * scale)
        _refused(base + [str(tmp_path / f"{tag}.npy")], ["--values has Frobenius norm"] + words, capsys)


# --- every accepted d: the ziggurat beyond 5184, exact and orderstat samplers ---------------------------------

@pytest.mark.parametrize("dim", [5184, 6000, 10**5, 10**9])
def test_sphere_coordinate_law_at_large_dim(dim):
    """(1 + X)/2 ~ Beta((dim-1)/2, (dim-1)/2) (scipy.stats.beta); E X^2 = 1/dim and E X^4 = 3/(dim (dim + 2))
    exactly (moments of a coordinate of a uniform unit vector). The tables used to fail from dim = 5184 on."""
    x = sphere_coordinate(40000, dim, np.random.default_rng(dim % 1000))
    a = (dim - 1) / 2
    _holds([ks_compare("X", x, lambda t: stats.beta(a, a).cdf((1 + t) / 2)),
            z_compare("dim E X^2", dim * x * x, 1.0),
            z_compare("dim^2 E X^4", dim * dim * x ** 4, 3.0 * dim / (dim + 2))])
    assert ziggurat_tables(dim)["acceptance"] > 0.99


def test_exact_and_orderstat_agree_with_the_exact_law_at_d_6000():
    """d = 6000, n = 50, beta = 2: the exact sampler (ziggurat coordinates) and order statistics (the cap law's
    inverse by betaincinv and Newton) against each other, and both nearest distances against the exact law
    P(D_(1) > t) = (1 - I_{t/2}(a, a))^n (a one-sample KS)."""
    n, d, beta, R = 50, 6000, 2.0, 300
    a = (d - 1) / 2
    ex = replicates(n, d, beta, R, seed=31, sampler="exact")
    os_ = replicates(n, d, beta, R, seed=32, sampler="orderstat")
    assert np.all(os_.truncation_bound == 0.0)  # n = 50: every key is explicit

    def cdf(t):
        return 1.0 - (1.0 - special.betainc(a, a, np.clip(t / 2, 0, 1))) ** n

    comps = [ks_compare("exact D_(1)", ex.min_dist, cdf), ks_compare("orderstat D_(1)", os_.min_dist, cdf),
             ks_two_sample("W_(1)", ex.top[:, 0], os_.top[:, 0])]
    comps += [two_sample_z(k, getattr(ex, k), getattr(os_, k)) for k in ("sum_w2", "entropy", "gap", "perp_norm")]
    _holds(comps)


@pytest.mark.parametrize("argv", [["--d", "6000"], ["--d", "6000", "--sampler", "orderstat"],
                                  ["--d", "1e9", "--n", "1000"]])
def test_cli_large_d_answers(argv, capsys):
    args = ["simulate", "--n", "100", "--lam", "1", "--reps", "2"]
    if "--n" in argv:
        args = ["simulate", "--lam", "1", "--reps", "2"]
    out = _json(args + argv, capsys)
    assert 0 < float(out["E_W1"]) <= 1 and 0 < float(out["E_min_dist"]) < 2


# --- digits -----------------------------------------------------------------------------------------------------

def test_digits_capped_at_what_a_double_carries(capsys):
    for digits in ("18", "100000"):
        _refused(["simulate", "--n", "10", "--d", "3", "--beta", "1", "--reps", "2", "--digits", digits],
                 [f"--digits {digits}", "at most 17 significant digits", "use --digits 1 to 17"], capsys)
    out = _json(["simulate", "--n", "10", "--d", "3", "--beta", "1", "--reps", "2", "--digits", "17"], capsys)
    assert float(out["E_W1"]) == float(repr(float(out["E_W1"])))


# --- worker processes end with their parent -----------------------------------------------------------------------

def _children(pid: int) -> list[int]:
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    stat = fh.read()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
                kids.append(int(entry))
    return kids


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for a reaper counts as gone: it runs no code and holds no memory)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            stat = fh.read()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2:].split()[0] != "Z"


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="needs /proc to find the workers")
def test_workers_die_with_a_killed_parent():
    """SIGKILL `simulate --workers 2` mid-run: its two workers and the pool's resource tracker end within seconds
    (they used to live on for minutes)."""
    proc = subprocess.Popen(CLI + ["simulate", "--n", "1e7", "--d", "3", "--lam", "1", "--reps", "400",
                                   "--workers", "2"], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        kids = []
        while time.time() < deadline and proc.poll() is None:
            kids = _children(proc.pid)
            if len(kids) >= 3:  # two workers and the resource tracker
                break
            time.sleep(0.05)
        assert len(kids) >= 3, kids
        time.sleep(0.5)  # the workers are inside their first batch
        assert all(_alive(k) for k in kids)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    t0 = time.time()
    while time.time() - t0 < 10 and any(_alive(k) for k in kids):
        time.sleep(0.05)
    left = [k for k in kids if _alive(k)]
    for k in left:  # do not leave them behind if the assertion below fails
        os.kill(k, signal.SIGKILL)
    assert left == [], f"still alive {time.time() - t0:.1f} s after SIGKILL of the parent: {left}"


# --- scheduler addresses: one line, at once -----------------------------------------------------------------------

def _cli(args, timeout=60):
    t0 = time.perf_counter()
    r = subprocess.run(CLI + args, capture_output=True, text=True, env=ENV, timeout=timeout)
    return r, time.perf_counter() - t0


@pytest.mark.parametrize("addr, words", [
    ("bogus://x", ["unknown protocol 'bogus'", "tcp://host:port"]),
    ("tcp://127.0.0.1", ["expected tcp://host:port"]),
    ("tcp://127.0.0.1:99999", ["the port must be a number"]),
    ("tcp://127.0.0.1:9", ["cannot reach the Dask scheduler"]),
])
def test_scheduler_addresses_one_line(addr, words):
    r, secs = _cli(["simulate", "--n", "100", "--d", "3", "--beta", "1", "--reps", "2", "--scheduler", addr])
    err = r.stderr.strip()
    assert r.returncode == 2 and "\n" not in err and "Traceback" not in err, err
    assert all(w in err for w in words), err
    assert secs < 10, secs


def test_scheduler_that_does_not_greet():
    """Something listens but never speaks (a Dask scheduler greets first): one line within the 5 s wait, where
    the Dask client used to hang."""
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(4)
        port = srv.getsockname()[1]
        r, secs = _cli(["simulate", "--n", "100", "--d", "3", "--beta", "1", "--reps", "2", "--scheduler",
                        f"tcp://127.0.0.1:{port}"])
    err = r.stderr.strip()
    assert r.returncode == 2 and "\n" not in err and "did not greet as a Dask scheduler" in err, err
    assert secs < 10, secs


# --- stores: a damaged file is one line naming it -----------------------------------------------------------------

def _store(tmp_path, capsys):
    argv = ["simulate", "--n", "100", "--d", "3", "--beta", "2", "--reps", "3", "--out", str(tmp_path / "s")]
    assert main(argv) == 0
    capsys.readouterr()
    (folder,) = [p for p in (tmp_path / "s").iterdir()]
    return argv, folder


@pytest.mark.parametrize("damage, words", [
    (lambda f: f.write_text(f.read_text()[:25]), ["is not valid JSON", "truncated or edited?", "delete it"]),
    (lambda f: f.write_text('{"a": 1}'), ["does not hold a replicate", "missing 'top'"]),
    (lambda f: f.write_text("[1, 2]"), ["does not hold a replicate", "a JSON list"]),
    (lambda f: f.write_text(f.read_text().replace('"entropy": ', '"entropy": "x", "_": ')),
     ["does not hold a replicate", "unexpected '_'"]),
    (lambda f: f.write_bytes(b"\xff\xfe\x00"), ["is not UTF-8 JSON text"]),
])
def test_damaged_replicate_file_is_named(damage, words, tmp_path, capsys):
    argv, folder = _store(tmp_path, capsys)
    f = folder / "rep_0000001.json"
    damage(f)
    err = _refused(argv, words, capsys)
    assert str(f) in err


def test_damaged_point_file_is_named(tmp_path, capsys):
    argv, folder = _store(tmp_path, capsys)
    meta = folder / "point.json"
    meta.write_text(meta.read_text()[:10])
    assert str(meta) in _refused(argv, ["is not valid JSON", "it is written again"], capsys)
    meta.write_text('{"n": 5}')
    assert str(meta) in _refused(argv, ["holds a different point"], capsys)


def test_unwritable_store_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InputError, match="cannot create the sweep store folder .*file"):
        sweep.run_sweep([sweep.make_point(10, 3, beta=1.0)], 2, out=str(blocker / "sub"), show_progress=False)
