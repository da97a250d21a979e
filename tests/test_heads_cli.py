"""``attnlimits heads`` on synthetic heads where the i.i.d. theory is exact, its inputs, outputs and refusals
(docs/heads.md).

Synthetic heads: unit queries against n i.i.d. keys uniform on S^2 with logits s = beta <q, k>. For d = 3 the
cosine is uniform on [-1, 1], so the gap to the top is exactly linear in law: P(beta (1 - <q, k>) <= t) = t / (2
beta), alpha = 1 and kappa = 1 / (2 beta) with no correction term; every query sees an i.i.d. sample, which is the
theory's setting. The reference for the predictions is an independent route: the softmax of a larger sample of
the same law computed directly with numpy (observation at n beyond the file's keys), never the package's code.
"""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

from attnlimits.cli.main import main

N_KEYS, N_QUERIES = 2000, 100


def _unit(rng, shape):
    x = rng.standard_normal(shape)
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def _iid_heads(seed: int, n: int, m: int, betas):
    """q (1, H, m, 3), k (1, H, n, 3): head h has unit keys on S^2 and queries of norm betas[h] (so the default
    scale 1/sqrt(3) is folded in: the logits are beta_h <q^, k>)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    q = np.stack([_unit(rng, (m, 3)) * b * math.sqrt(3) for b in betas])[None]
    k = np.stack([_unit(rng, (n, 3)) for _ in betas])[None]
    return q, k


def _run_json(argv, capsys):
    capsys.readouterr()
    status = main(argv + ["--json"])
    out = capsys.readouterr()
    assert status == 0, out.err
    return json.loads(out.out)


@pytest.fixture(scope="module")
def iid_file(tmp_path_factory):
    """Two i.i.d. heads (beta = 1000 and 4000: lambda = 2 beta / n near 1 and 4 at n = 2000), keys drawn for
    n = 16000, of which the file holds the first 2000."""
    q, k = _iid_heads(20260, 16000, N_QUERIES, [1000.0, 4000.0])
    path = tmp_path_factory.mktemp("heads") / "iid.npz"
    np.savez(path, q=q, k=k[:, :, :N_KEYS], unrelated=np.zeros(3))
    return path, q, k


@pytest.fixture(scope="module")
def iid_json(iid_file):
    import contextlib
    import io

    path, _, _ = iid_file
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["heads", "--qk", str(path), "--predict-n", "8000", "16000", "--json"])
    assert status == 0
    return json.loads(out.getvalue())


def test_json_has_the_issue_keys(iid_json):
    heads = iid_json["heads"]
    assert [(h["layer"], h["head"]) for h in heads] == [(0, 0), (0, 1)]
    for h in heads:
        for key in ("layer", "head", "n", "alpha_hat", "alpha_ci", "kappa_hat", "xi_hat", "lambda_hat", "regime",
                    "observed_E_W1", "predicted_E_W1", "predicted_E_W1_at", "alpha_skdim_mle", "alpha_skdim_twonn",
                    "skdim_agrees"):
            assert key in h, key
        assert h["n"] == N_KEYS and len(h["alpha_ci"]) == 2
        assert set(h["predicted_E_W1_at"]) == {"8000", "16000"}
        for row in h["predicted_E_W1_at"].values():
            lo, hi = row["E_W1_ci"]
            assert lo <= row["E_W1"] <= hi


def test_iid_fit_recovers_the_exact_law(iid_json):
    """alpha = 1 and kappa = 1 / (2 beta) exactly (module docstring): inside the 95% intervals."""
    for h, beta in zip(iid_json["heads"], (1000.0, 4000.0)):
        lo, hi = h["alpha_ci"]
        assert lo <= 1.0 <= hi, h["alpha_ci"]
        if h.get("kappa_ci"):
            klo, khi = h["kappa_ci"]
            assert klo <= 1 / (2 * beta) <= khi, (h["kappa_ci"], 1 / (2 * beta))
        # lambda = beta / (kappa n)^(1/alpha) = 2 beta / n for the true law
        assert h["lambda_hat"] == pytest.approx(2 * beta / N_KEYS, rel=0.25)


def test_iid_prediction_agrees_with_observation_at_every_observed_n(iid_json):
    """The theory is exact here: at each observed (subsampled) length the observed E W_(1) lies in the predicted
    interval widened by 1.96 standard errors, and the head's verdict is 'fits'."""
    for h in iid_json["heads"]:
        assert h["verdict"] == "fits", h
        assert len(h["observed"]) >= 4
        for row in h["observed"]:
            lo, hi = row["predicted_E_W1_ci"]
            se = row["E_W1_se"]
            assert lo - 1.96 * se <= row["E_W1"] <= hi + 1.96 * se, (h["head"], row)
            assert row["fits"]


def test_iid_prediction_at_longer_contexts_matches_a_direct_softmax(iid_file, iid_json):
    """Predicted E W_(1) at n = 8000 and 16000 (from the fit on 2000 keys) against the mean largest softmax weight
    of the same queries over the first 8000 / 16000 keys drawn (numpy, independent of the package)."""
    _, q, k = iid_file
    for h in iid_json["heads"]:
        qh, kh = q[0, h["head"]], k[0, h["head"]]
        for n_text, row in h["predicted_E_W1_at"].items():
            n = int(n_text)
            s = qh @ kh[:n].T / math.sqrt(3)
            w = np.exp(s - s.max(axis=1, keepdims=True))
            w1 = w.max(axis=1) / w.sum(axis=1)
            obs, se = w1.mean(), w1.std(ddof=1) / math.sqrt(len(w1))
            lo, hi = row["E_W1_ci"]
            assert lo - 1.96 * se <= obs <= hi + 1.96 * se, (h["head"], n, obs, se, row)


def test_safetensors_and_npy_pair_give_the_same_analysis(tmp_path, capsys):
    from attnlimits.numerics.heads.arrays import save_safetensors

    q, k = _iid_heads(7, 600, 40, [300.0])
    save_safetensors(tmp_path / "qk.safetensors", {"q": q[0, 0], "k": k[0, 0], "other": np.ones(2)})
    np.save(tmp_path / "q.npy", q[0, 0])
    np.save(tmp_path / "k.npy", k[0, 0])
    a = _run_json(["heads", "--qk", str(tmp_path / "qk.safetensors")], capsys)
    b = _run_json(["heads", "--q", str(tmp_path / "q.npy"), "--k", str(tmp_path / "k.npy")], capsys)
    for key in ("alpha_hat", "kappa_hat", "lambda_hat", "observed_E_W1", "predicted_E_W1"):
        assert a["heads"][0][key] == b["heads"][0][key], key
    assert a["heads"][0]["n"] == 600


def test_causal_scale_and_table(tmp_path, capsys):
    """--causal (query i sees keys 0..i: n is the median count), --scale, and the table for people."""
    rng = np.random.Generator(np.random.PCG64(11))
    x = _unit(rng, (400, 3))
    np.savez(tmp_path / "c.npz", q=x, k=_unit(rng, (400, 3)))
    data = _run_json(["heads", "--qk", str(tmp_path / "c.npz"), "--causal", "--scale", "200"], capsys)
    h = data["heads"][0]
    assert data["causal"] is True and h["scale"] == 200.0
    assert h["n"] == 200  # median of 1..400 visible keys, rounded down by int()
    # k = round(sqrt(200)) = 14 top gaps: queries 0..13 see fewer than 15 keys and the gap-law fit drops them; the
    # moment estimator also drops those whose 15 top logits reach their median (counted here from the logits)
    assert h["k"] == 14 and h["dropped"] == 14
    rng2 = np.random.Generator(np.random.PCG64(11))
    q2, k2 = _unit(rng2, (400, 3)), _unit(rng2, (400, 3))
    short = 0
    for i in range(400):
        v = np.sort(200 * k2[: i + 1] @ q2[i])[::-1]
        short += v.size < 15 or v[14] <= np.median(v)
    assert h["xi_dropped"] == short and 14 < short < 60
    capsys.readouterr()
    assert main(["heads", "--qk", str(tmp_path / "c.npz")]) == 0
    text = capsys.readouterr().out
    assert "alpha" in text and "the i.i.d. theory fits" in text and "of 1 heads" in text


def test_report_writes_markdown_json_and_small_figures(tmp_path, capsys, iid_file):
    pytest.importorskip("matplotlib")
    q, k = _iid_heads(3, 800, 50, [400.0, 900.0])
    np.savez(tmp_path / "r.npz", q=q, k=k)
    out = tmp_path / "report"
    capsys.readouterr()
    assert main(["heads", "--qk", str(tmp_path / "r.npz"), "--predict-n", "4000", "--report", str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["heads.md", "heads.json", "heads_phase.png", "heads_observed.png", "heads_tail.png"])
    for png in out.glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size < 150_000
    md = (out / "heads.md").read_text()
    assert "The i.i.d. theory fits" in md and "![heads_phase.png](heads_phase.png)" in md
    assert len(json.loads((out / "heads.json").read_text())["heads"]) == 2


# ---------------------------------------------------------------- the scikit-dimension cross-check (docs/heads.md §3)

def _skdim_heads(seed: int, d: int, n: int = 1000, m: int = 100):
    """Three heads in R^d (fixed seed): keys uniform on S^{d-1}; keys uniform on the great sphere S^2 of the first
    three coordinates with queries on it too; the same keys with queries uniform on S^{d-1}, off the keys'
    manifold when d > 3. Queries have norm 50 sqrt(d) (logit scale 50 <q^, k^>)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    sub = np.zeros((n, d))
    sub[:, :3] = _unit(rng, (n, 3))
    q_sub = np.zeros((m, d))
    q_sub[:, :3] = _unit(rng, (m, 3))
    k = np.stack([_unit(rng, (n, d)), sub, sub])
    q = np.stack([_unit(rng, (m, d)), q_sub, _unit(rng, (m, d))]) * 50 * math.sqrt(d)
    return q[None], k[None]


@pytest.mark.parametrize("d, seed", [(3, 101), (8, 102)])
def test_skdim_agrees_with_the_directional_fit_on_uniform_keys(tmp_path, capsys, d, seed):
    """Keys uniform on S^{d-1} (and on a great S^2 with the queries on it): the key density is smooth, the keys fill
    the sphere and the queries sit in it, so skdim's MLE and TwoNN (alpha = ID/2, an independent implementation)
    and the directional fit estimate one exponent, and both agree within the stated tolerance. Queries off the
    keys' S^2 (d = 8) see no key near D = 0: their directional exponent is far above skdim's, and the flag says
    so."""
    pytest.importorskip("skdim", reason="scikit-dimension is optional (pip install scikit-dimension)")
    q, k = _skdim_heads(seed, d)
    np.savez(tmp_path / "s.npz", q=q, k=k)
    data = _run_json(["heads", "--qk", str(tmp_path / "s.npz")], capsys)
    assert data["skdim"].startswith("scikit-dimension")
    uniform, circle, off = data["heads"]
    for h, alpha in ((uniform, (d - 1) / 2), (circle, 1.0)):
        assert h["skdim_agrees"] is True, h
        # both skdim exponents near the true (d - 1)/2: 1.3/sqrt(1000) relative sd, widened by the scale allowance
        for key in ("alpha_skdim_mle", "alpha_skdim_twonn"):
            assert abs(h[key] / alpha - 1) < 0.10 + 5 * 1.3 / math.sqrt(1000), (key, h[key], alpha)
    if d == 3:  # S^2 is then the whole sphere: no query is off the keys' manifold
        assert off["skdim_agrees"] is True and data["skdim_agree"] == 3
    else:
        assert off["skdim_agrees"] is False
        assert abs(off["alpha_skdim_mle"] - 1.0) < 0.1 and off["alpha_directional_ci"][0] > 2.0, off
        assert data["skdim_agree"] == 2


def test_without_skdim_the_cross_check_keys_are_null(tmp_path, capsys, monkeypatch):
    """skdim made unimportable: every head carries the three keys as null, and the top level says why, once."""
    import sys

    from attnlimits.numerics.heads.analysis import analyse_heads, report_markdown
    from attnlimits.numerics.heads.arrays import qk_from_arrays

    monkeypatch.setitem(sys.modules, "skdim", None)  # import skdim now raises ImportError
    q, k = _skdim_heads(5, 4, n=300, m=30)
    np.savez(tmp_path / "s.npz", q=q, k=k)
    data = _run_json(["heads", "--qk", str(tmp_path / "s.npz")], capsys)
    assert data["skdim"] == "not installed" and data["skdim_agree"] is None
    for h in data["heads"]:
        assert h["alpha_skdim_mle"] is None and h["alpha_skdim_twonn"] is None and h["skdim_agrees"] is None
        assert h["alpha_directional"] is not None  # the directional view itself still runs
    t = analyse_heads(qk_from_arrays(q[:, :1], k[:, :1]), show_progress=False)
    assert t.heads[0].skdim is None and t.skdim == "not installed" and t.skdim_agree is None
    assert "not installed" in report_markdown(t)


# ---------------------------------------------------------------- refusals (files made here; the table in
# tests/cli_cases/heads.txt holds those that need no file)


@pytest.mark.parametrize("arrays, words", [
    ({"q": np.ones((5, 4)), "k": np.ones((30, 3))}, ["same d_head"]),
    ({"q": np.ones((2, 5, 4)), "k": np.ones((3, 30, 4))}, ["same layers and heads"]),
    ({"q": np.ones((5, 4)), "k": np.full((30, 4), np.nan)}, ["NaN or inf"]),
    ({"q": np.ones((5, 4)), "k": np.vstack([np.ones((29, 4)), np.zeros((1, 4))])}, ["zero-norm"]),
    ({"q": np.ones((5, 4)), "k": np.ones((5, 4))}, ["at least", "keys"]),
    ({"q": np.ones((5, 4))}, ["no array named k"]),
])
def test_bad_arrays_are_refused_in_one_line(tmp_path, cli_refused, arrays, words):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    cli_refused(["heads", "--qk", str(path)], *words)


def test_not_an_array_file_and_unwritable_report_are_refused(tmp_path, cli_refused):
    text = tmp_path / "notes.npz"
    text.write_text("these are not arrays\n")
    cli_refused(["heads", "--qk", str(text)], "not an array file")
    q, k = _iid_heads(1, 100, 10, [50.0])
    np.savez(tmp_path / "ok.npz", q=q, k=k)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cli_refused(["heads", "--qk", str(tmp_path / "ok.npz"), "--report", str(blocker / "sub")], "--report", "is a file")
    cli_refused(["heads", "--qk", str(tmp_path / "ok.npz"), "--causal"], "--causal", "as many queries as keys")
    cli_refused(["heads", "--qk", str(tmp_path / "ok.npz"), "--rule", "nonsense", "--predict-n", "1000"], "rule")
