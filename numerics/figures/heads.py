"""Figures and the written report of ``attnlimits heads --report`` (docs/heads.md §3).

The figures need a head analysis (``attnlimits.numerics.heads.analysis``), so they are made by the report, not
listed in ``FIGURES`` (``attnlimits figures`` has no q/k file to analyse):

- ``heads_phase.png``: every head on the (log n, log beta) phase diagram: the head's fitted critical line
  beta_c(n) = (kappa^ n)^{1/alpha^} (lambda = 1), the head's own point (observed n, beta = 1: the logits carry
  its temperature) and, with a rule, the path beta(n) of the rule; and log lambda^ against alpha^;
- ``heads_observed.png``: observed against predicted E W_(1) at the full context for every head, and E W_(1)
  against n for a few heads (observed at subsampled lengths, predicted with its interval, and the prediction at
  the requested context lengths);
- ``heads_tail.png``: the gap-law tail fit (the mean number of top gaps <= t per query, observed and under the
  fitted Poisson process) and alpha^ against k for a few heads.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from attnlimits.numerics.figures.registry import label_axes, pyplot, save_figure

__all__ = ["FIGURE_FILES", "select_heads", "phase_figure", "observed_figure", "tail_figure", "model_gap_counts",
           "write_report"]

#: The files the report writes into its folder.
FIGURE_FILES = ("heads_phase.png", "heads_observed.png", "heads_tail.png")
REPORT_FILES = ("heads.md", "heads.json") + FIGURE_FILES



def _log_kappa(fit) -> float:
    """log kappa^ of a fit: its ``log_kappa`` (kappa^ underflows for a steep law), else the log of ``kappa``."""
    lk = getattr(fit, "log_kappa", None)
    return float(lk) if lk is not None else math.log(float(fit.kappa))

def select_heads(heads, count: int = 3) -> list:
    """Up to ``count`` heads with a prediction to show in detail: the best fit (smallest |z| among the heads the
    theory fits), the worst miss (largest |z|) and the inconclusive head of median interval width, in that order,
    filled up from the order of |z| when a kind is missing; no repeats.

    >>> import types
    >>> V = lambda z, st, w=0.1: types.SimpleNamespace(verdict=types.SimpleNamespace(z_score=z, status=st, width=w))
    >>> hs = [V(0.1, "fits"), V(-5.0, "does not fit"), V(2.0, "fits"), V(0.5, "inconclusive", 0.7), V(None, "no prediction")]
    >>> [h.verdict.z_score for h in select_heads(hs)]
    [0.1, -5.0, 0.5]
    """
    order = sorted((a for a in heads if a.verdict.z_score is not None), key=lambda a: abs(a.verdict.z_score))
    fits = [a for a in order if a.verdict.status == "fits"]
    misses = [a for a in order if a.verdict.status == "does not fit"]
    open_ = sorted((a for a in order if a.verdict.status == "inconclusive"), key=lambda a: a.verdict.width)
    picks = ([fits[0]] if fits else []) + ([misses[-1]] if misses else []) + \
            ([open_[len(open_) // 2]] if open_ else []) + order
    out = []
    for a in picks:
        if all(a is not b for b in out):
            out.append(a)
    return out[:count]


def _label(a) -> str:
    return f"L{a.layer}H{a.head}"


#: marker and colour of each verdict
STYLE = {"fits": ("o", "C0"), "inconclusive": ("s", "0.55"), "does not fit": ("x", "C3")}


def phase_figure(table, path, n_max: float = 1e6) -> None:
    """``heads_phase.png`` (module docstring)."""
    plt = pyplot()
    heads = table.heads
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(9.5, 3.8))
    layers = sorted({a.layer for a in heads})
    cmap = plt.get_cmap("viridis", max(len(layers), 2))
    n_obs = max(a.n for a in heads)
    logn = np.linspace(math.log(2.0), math.log(max(n_max, 10 * n_obs)), 100)
    for a in heads:
        if a.prediction is None:  # alpha^ = inf: no power-law critical line
            continue
        color = cmap(layers.index(a.layer))
        alpha = float(a.fit.alpha)
        ax.plot(logn, (_log_kappa(a.fit) + logn) / alpha, color=color, lw=0.6, alpha=0.6)
    ax.plot([math.log(n_obs)], [0.0], "k*", ms=11, zorder=5, label="heads at their observed n (beta = 1)")
    curve_heads = [a for a in heads if a.curve and a.prediction is not None]
    if curve_heads:
        a = curve_heads[0]
        ns = [math.log(a.n)] + [math.log(row["n"]) for row in a.curve]
        bs = [0.0] + [math.log(float(row["beta"])) for row in a.curve]
        order = np.argsort(ns)
        ax.plot(np.array(ns)[order], np.array(bs)[order], "r--", lw=1.2, label=f"rule {table.rule}: beta(n)")
    for i, layer in enumerate(layers):
        ax.plot([], [], color=cmap(i), label=f"layer {layer} critical lines")
    skipped = sum(a.prediction is None for a in heads)
    note = f" ({skipped} heads without a prediction not drawn)" if skipped else ""
    label_axes(ax, "log n", "log beta", f"critical lines beta_c(n) = (kappa n)^(1/alpha){note}", title_size=8,
               legend_size=6, legend_loc="lower right", grid=True)
    centres = []
    for a in heads:
        p = a.prediction
        if p is None:
            continue
        lam = float(p.lambda_hat)
        lo, hi = (float(x) for x in p.lambda_ci) if getattr(p, "lambda_ci", None) else (lam, lam)
        marker, colour = STYLE[a.verdict.status]
        y = math.log(lam)
        centres.append(y)
        bx.errorbar(float(a.fit.alpha), y, yerr=[[y - math.log(max(lo, 1e-300))], [math.log(max(hi, 1e-300)) - y]],
                    fmt=marker, color=colour, ms=4, lw=0.6)
    if centres:
        bx.set_ylim(min(min(centres), 0.0) - 1.5, max(max(centres), 0.0) + 1.5)
    bx.set_xscale("log")
    from matplotlib.ticker import FixedLocator, NullFormatter, ScalarFormatter

    bx.xaxis.set_major_locator(FixedLocator([0.5, 1, 2, 3, 5, 10, 20, 40]))
    bx.xaxis.set_major_formatter(ScalarFormatter())
    bx.xaxis.set_minor_formatter(NullFormatter())
    bx.axhline(0.0, color="k", lw=0.8)
    for status, (marker, colour) in STYLE.items():
        bx.plot([], [], marker, color=colour, ms=4, label=status)
    label_axes(bx, "alpha^ (gap-law exponent, log scale)", "log lambda^ (bars: the fit's joint region, clipped)",
               "each head: log lambda^ = log beta - log(kappa n)/alpha", title_size=9, legend_size=6, grid=True)
    fig.tight_layout()
    save_figure(fig, path, dpi=90)


def observed_figure(table, path) -> None:
    """``heads_observed.png`` (module docstring)."""
    plt = pyplot()
    heads = table.heads
    picks = select_heads(heads)
    fig, axes = plt.subplots(1, 1 + len(picks), figsize=(3.3 * (1 + len(picks)), 3.4))
    axes = np.atleast_1d(axes)
    ax = axes[0]
    for a in heads:
        o, p = a.observed_full, a.prediction
        if p is None:
            continue
        lo, hi = (float(x) for x in p.E_W1_ci)
        pe = float(p.E_W1)
        marker, colour = STYLE[a.verdict.status]
        ax.errorbar(pe, o["E_W1"], xerr=[[pe - lo], [hi - pe]], yerr=1.96 * (o["E_W1_se"] or 0.0), fmt=marker,
                    color=colour, ms=3, lw=0.4, alpha=0.8)
    ax.plot([0, 1], [0, 1], "k-", lw=0.6)
    for status, (marker, colour) in STYLE.items():
        ax.plot([], [], marker, color=colour, ms=3, label=status)
    shown = sum(a.prediction is not None for a in heads)
    label_axes(ax, "predicted E W_(1)", "observed E W_(1)", f"{shown} heads with a prediction, full context",
               title_size=9, legend_size=6, grid=True)
    for bx, a in zip(axes[1:], picks):
        ns = [row["n"] for row in a.observed]
        bx.errorbar(ns, [row["E_W1"] for row in a.observed], yerr=[1.96 * (row["E_W1_se"] or 0.0)
                                                                   for row in a.observed],
                    fmt="ko", ms=3, lw=0.8, label="observed (subsampled keys)")
        pn = [m for m, p in zip(ns, a.predicted_at_lengths) if p is not None]
        pp = [p for p in a.predicted_at_lengths if p is not None]
        bx.plot(pn, [float(p.E_W1) for p in pp], "C0-", lw=1, label="predicted (i.i.d. theory)")
        bx.fill_between(pn, [float(p.E_W1_ci[0]) for p in pp], [float(p.E_W1_ci[1]) for p in pp], color="C0",
                        alpha=0.25)
        if a.curve:
            cn = [row["n"] for row in a.curve]
            bx.plot(cn, [float(row["E_W1"]) for row in a.curve], "C1s--", ms=3, lw=1,
                    label=f"predicted, rule {a.rule}")
            bx.fill_between(cn, [float(row["E_W1_ci"][0]) for row in a.curve],
                            [float(row["E_W1_ci"][1]) for row in a.curve], color="C1", alpha=0.2)
        bx.set_xscale("log")
        verdict = a.verdict.status + ("" if a.fits else f", z = {a.verdict.z_score:+.1f}")
        label_axes(bx, "context length n", "E W_(1)", f"{_label(a)}: {verdict}", title_size=9, legend_size=6,
                   grid=True)
    fig.tight_layout()
    save_figure(fig, path, dpi=90)


def model_gap_counts(alpha: float, c: float, t, points: int, reps: int = 2000, seed: int = 0) -> np.ndarray:
    """Mean number of gaps T_j - T_1 <= t (j = 2..points) of a Poisson process on (0, oo) with mean measure
    c t^alpha (points T_j = (Gamma_j / c)^{1/alpha}, Gamma_j the arrival times of a unit-rate process), by Monte
    Carlo: the count the fitted gap law predicts for one query's top gaps.

    >>> t = np.array([0.5, 1.0])
    >>> np.round(model_gap_counts(1.0, 2.0, t, 200, reps=4000), 1)  # alpha = 1: gaps form a rate-c process: c t
    array([1., 2.])
    """
    rng = np.random.Generator(np.random.PCG64(seed))
    gam = np.cumsum(rng.exponential(size=(reps, points)), axis=1)
    pts = (gam / c) ** (1.0 / alpha)
    gaps = pts[:, 1:] - pts[:, :1]
    t = np.asarray(t, dtype=np.float64)
    return (gaps[:, :, None] <= t[None, None, :]).sum(axis=1).mean(axis=0)


def tail_figure(table, qk, path, scale=None) -> None:
    """``heads_tail.png`` (module docstring): needs the q/k arrays to recompute the selected heads' logits."""
    from attnlimits.numerics.heads.arrays import logits
    from attnlimits.numerics.heads.estimators import alpha_path

    plt = pyplot()
    picks = select_heads(table.heads)
    fig, axes = plt.subplots(2, len(picks), figsize=(3.4 * len(picks), 6.0), squeeze=False)
    for j, a in enumerate(picks):
        q, k = np.asarray(qk.q)[a.layer, a.head], np.asarray(qk.k)[a.layer, a.head]
        s = logits(q, k, scale=a.scale, causal=table.causal)
        kk = int(a.fit.k)
        top = -np.sort(-np.where(np.isfinite(s), s, -np.inf), axis=1)[:, :kk + 1]
        gaps = top[:, :1] - top[:, 1:]
        t = np.quantile(gaps[:, -1], 0.5) * np.logspace(-2, 0, 30)
        emp = (gaps[:, :, None] <= t[None, None, :]).sum(axis=1).mean(axis=0)
        alpha = float(a.fit.alpha)
        # c = kappa n from log kappa: kappa itself underflows for a steep law
        model = model_gap_counts(alpha, math.exp(min(_log_kappa(a.fit) + math.log(a.n), 700.0)), t, kk + 1,
                                 reps=1000)
        ax = axes[0, j]
        ax.loglog(t, np.maximum(emp, 1e-3), "ko", ms=3, label="observed, mean over queries")
        ax.loglog(t, np.maximum(model, 1e-3), "C0-", lw=1.2, label=f"fitted: alpha = {alpha:.3g}")
        label_axes(ax, "gap t = max s - s_j", "mean count of gaps <= t", f"{_label(a)}: gap-law tail (k = {kk})",
                   title_size=9, legend_size=6, grid=True)
        ks = sorted({max(10, int(round(x))) for x in np.geomspace(10, max(20, 4 * kk), 6)} | {kk})
        path_k = [p for p in alpha_path(s, [x for x in ks if x < s.shape[1] - 1]) if math.isfinite(p["alpha"])]
        bx = axes[1, j]
        bx.errorbar([p["k"] for p in path_k], [p["alpha"] for p in path_k],
                    yerr=[[p["alpha"] - p["alpha_ci"][0] for p in path_k],
                          [min(p["alpha_ci"][1], 10 * p["alpha"]) - p["alpha"] for p in path_k]], fmt="ko-", ms=3,
                    lw=0.8, label="alpha^ with 95% interval")
        bx.axvline(kk, color="C1", lw=0.8, label=f"chosen k = {kk}")
        label_axes(bx, "k (top gaps per query)", "alpha^", f"{_label(a)}: stability in k", title_size=9,
                   legend_size=6, grid=True)
    fig.tight_layout()
    save_figure(fig, path, dpi=80)


def write_report(table, qk, out_dir, *, digits: int = 6) -> list[Path]:
    """Write ``heads.md``, ``heads.json`` and the three figures into ``out_dir`` (created if missing); return the
    paths written."""
    import json

    from attnlimits.numerics.files import write_text_atomically
    from attnlimits.numerics.heads.analysis import report_markdown, table_json

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in (("heads_phase.png", lambda p: phase_figure(table, p)),
                       ("heads_observed.png", lambda p: observed_figure(table, p)),
                       ("heads_tail.png", lambda p: tail_figure(table, qk, p))):
        make(out / name)
        written.append(out / name)
    write_text_atomically(out / "heads.json", json.dumps(table_json(table, digits), indent=2) + "\n")
    write_text_atomically(out / "heads.md", report_markdown(table, FIGURE_FILES))
    return written + [out / "heads.json", out / "heads.md"]
