"""The real attention of a head, observed: largest weight, sum of squared weights, entropy and Kish effective n
at several context lengths, with standard errors over queries (docs/heads.md §2).

For one query with logits s_1..s_n the softmax weights are w_j = exp(s_j) / sum_i exp(s_i); the observed figures
are W_(1) = max_j w_j, sum_j w_j^2, the entropy -sum_j w_j log w_j and Kish's effective number of keys
1 / sum_j w_j^2, each averaged over the queries, with the standard error std / sqrt(queries).

Shorter contexts are made from the full one by keeping, for each query, ``L`` of its visible keys: a random
subset (``mode="subsample"``, the default: the i.i.d. theory's context of L keys drawn from the same law, with the
queries held fixed) or the first ``L`` keys (``mode="prefix"``). A query that sees fewer than ``L`` keys (causal
masks) is left out at that length. At the full length every query keeps all of its visible keys.
"""
from __future__ import annotations

import numpy as np

from attnlimits.theory.validation import InputError, choice, integer

__all__ = ["observe", "attention_stats", "default_lengths"]

#: Observed figures and the names of their standard errors.
FIGURES = ("E_W1", "E_sum_W2", "E_entropy", "kish_n")


def attention_stats(s: np.ndarray) -> dict[str, np.ndarray]:
    """Per-query W_(1), sum w^2, entropy and Kish n of the softmax of each row of ``s`` (-inf = masked key).

    >>> st = attention_stats(np.log(np.array([[1.0, 1.0, 2.0]])))  # weights 1/4, 1/4, 1/2: entropy (3/2) log 2
    >>> float(st["E_W1"][0]), float(st["E_sum_W2"][0]), round(float(st["E_entropy"][0]), 12), float(st["kish_n"][0])
    (0.5, 0.375, 1.03972077084, 2.6666666666666665)
    """
    s = np.asarray(s, dtype=np.float64)
    top = np.max(s, axis=1, keepdims=True)
    g = s - top  # <= 0; -inf for masked keys, whose weight is exactly 0
    e = np.exp(g)
    z = e.sum(axis=1, keepdims=True)
    w = e / z
    finite = np.isfinite(g)
    # entropy = log Z - sum w g, computed without 0 * (-inf)
    wg = np.where(finite, w * np.where(finite, g, 0.0), 0.0)
    entropy = np.log(z[:, 0]) - wg.sum(axis=1)
    sum_w2 = np.square(w).sum(axis=1)
    return {"E_W1": w.max(axis=1), "E_sum_W2": sum_w2, "E_entropy": entropy, "kish_n": 1.0 / sum_w2}


def default_lengths(n: int) -> list[int]:
    """Context lengths observed by default: n, n/2, n/4, n/8, n/16 (those >= 16).

    >>> default_lengths(512)
    [32, 64, 128, 256, 512]
    """
    out = []
    length = int(n)
    while length >= 16 and len(out) < 5:
        out.append(length)
        length //= 2
    return sorted(out) if out else [int(n)]


def observe(s_full, lengths=None, *, mode: str = "subsample", seed: int = 0) -> list[dict]:
    """The real attention at each context length: a list, by increasing length, of dicts with ``n`` (the length;
    at the full length of a causal head, the median number of visible keys), ``queries`` (how many queries were
    observed), ``full`` (whether every query kept all its keys), and for each of ``E_W1``, ``E_sum_W2``,
    ``E_entropy``, ``kish_n`` the mean over queries and its standard error (``<name>_se``; None for one query).

    ``s_full`` is the (m, n) matrix of logits, -inf where a key is masked. ``lengths`` (default
    :func:`default_lengths` of the largest visible count) are context lengths from 2 to that count; ``seed`` fixes
    the subsamples.

    >>> rows = observe(np.zeros((4, 64)), [16, 64])  # equal logits: uniform weights 1/n, entropy log n
    >>> [(r["n"], r["E_W1"], r["kish_n"], round(r["E_entropy"], 12), r["E_W1_se"]) for r in rows]
    [(16, 0.0625, 16.0, 2.77258872224, 0.0), (64, 0.015625, 64.0, 4.15888308336, 0.0)]
    """
    s = np.asarray(s_full, dtype=np.float64)
    if s.ndim != 2 or s.shape[0] < 1 or s.shape[1] < 2:
        raise InputError(f"logits must be a 2-D array (queries, keys) with at least 2 keys, got shape {s.shape}")
    if np.isnan(s).any() or np.isposinf(s).any():
        raise InputError("logits hold NaN or +inf entries; only finite values and -inf (a masked key) are allowed")
    mode = choice(mode, "mode", ("subsample", "prefix"))
    visible = np.isfinite(s).sum(axis=1)
    if visible.max() < 2:
        raise InputError("logits: every query sees fewer than 2 keys")
    most = int(visible.max())
    lengths = default_lengths(most) if lengths is None else lengths
    checked = sorted({int(integer(L, "length", low=2)) for L in lengths})
    if checked[-1] > most:
        raise InputError(f"length {checked[-1]} exceeds the {most} keys a query sees")
    rng = np.random.Generator(np.random.PCG64(int(integer(seed, "seed", low=0))))
    out = []
    for length in checked:
        keep = visible >= length
        rows = s[keep]
        full = bool(np.all(visible[keep] == length))
        if not full:
            if mode == "prefix":
                rows = rows[:, :length]
                if not np.all(np.isfinite(rows)):
                    raise InputError("mode 'prefix' needs each query's visible keys to come first")
            else:
                r = rng.random(rows.shape)
                r[~np.isfinite(rows)] = 2.0  # masked keys are never drawn
                idx = np.argpartition(r, length - 1, axis=1)[:, :length]
                rows = np.take_along_axis(rows, idx, axis=1)
        stats = attention_stats(rows)
        m = rows.shape[0]
        entry = {"n": length, "queries": m, "full": full}
        for name in FIGURES:
            x = stats[name]
            entry[name] = float(x.mean())
            entry[name + "_se"] = float(x.std(ddof=1) / np.sqrt(m)) if m > 1 else None
        out.append(entry)
    if len(set(visible.tolist())) > 1 and checked[-1] == most:
        # a causal head's full context: every query with all its keys; n is the median visible count
        stats = attention_stats(s)
        entry = {"n": int(np.median(visible)), "queries": s.shape[0], "full": True}
        for name in FIGURES:
            x = stats[name]
            entry[name] = float(x.mean())
            entry[name + "_se"] = float(x.std(ddof=1) / np.sqrt(s.shape[0])) if s.shape[0] > 1 else None
        out.append(entry)
        out.sort(key=lambda e: (e["n"], e["full"]))
    return out
