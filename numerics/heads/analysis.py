"""One head's fit, prediction, observation and verdict, and the table of all heads (docs/heads.md §2, §3).

For a head with queries q_i and keys k_j the logits are s_ij = scale <q_i, k_j> (default scale 1/sqrt(d_head)).
The analysis fits the gap law of the logits near their top (``estimators.fit_gap_law``: alpha, kappa with their
intervals), the extreme-value index (``estimators.fit_xi``) and the directional exponent (``estimators.
directional_fit``), and, when scikit-dimension is installed, cross-checks the directional exponent with
skdim's MLE and TwoNN on the key directions (:func:`skdim_agreement`); it predicts the Poisson-limit E W_(1) at
the observed context length with beta = 1 (the logits already carry the head's temperature) and along context
lengths under a temperature rule (``predict``); and it observes the real attention at the full context and at
subsampled shorter ones (``observe``).

**Verdict.** At each observed length the i.i.d. theory *fits* when the observed mean E W_(1) lies inside the
predicted interval widened by z standard errors of the observation (z = 1.96 for 95%),
lo - z se <= observed <= hi + z se, and the interval is narrow enough to be tested (at most 0.5 wide, of the
range 0 < E W_(1) < 1); inside a wider interval the verdict is *inconclusive*, outside it *does not fit*. The
head's verdict is the one at its full context; ``z_score`` says by how much it misses, (observed - predicted) /
sqrt(se^2 + h^2) with h the half-width of the predicted interval over z, and ``relative_gap`` is observed /
predicted - 1.
"""
from __future__ import annotations

import dataclasses
import math
import time

import numpy as np

from attnlimits.numerics.heads.observe import observe
from attnlimits.numerics.results import Result
from attnlimits.theory.validation import InputError, count, real

__all__ = ["HeadAnalysis", "HeadsTable", "Verdict", "analyse_head", "analyse_heads", "verdict", "head_json",
           "table_json", "table_text", "report_markdown", "skdim_status", "skdim_tolerance", "skdim_agreement",
           "SKDIM_KEYS"]


#: A predicted interval wider than this (of the possible range 0 < E W_(1) < 1) cannot be tested by an observation.
MAX_TESTABLE_WIDTH = 0.5


@dataclasses.dataclass(frozen=True)
class Verdict(Result):
    """Whether the observation agrees with the prediction.

    ``status``: ``'fits'`` (inside the widened interval, and the interval is testable: at most
    :data:`MAX_TESTABLE_WIDTH` wide), ``'inconclusive'`` (inside, but the interval is wider: the fit's uncertainty
    leaves the prediction open), ``'does not fit'`` (outside) or ``'no prediction'`` (``reason`` says why, e.g. a
    Gumbel-like top with alpha^ = inf, outside the i.i.d. power-law theory; the numbers are then None).
    ``fits``: status is 'fits'; ``consistent``: the observation lies inside the widened interval; ``z_score``:
    signed distance in combined standard errors; ``relative_gap``: observed / predicted - 1; ``excess``: distance
    outside the widened interval (0 inside); ``width``: the predicted interval's width."""

    fits: bool
    z_score: float | None
    relative_gap: float | None
    excess: float | None
    status: str = "fits"
    reason: str | None = None
    consistent: bool | None = None
    width: float | None = None


def verdict(observed: float, se: float, predicted: float, ci, confidence: float = 0.95) -> Verdict:
    """The verdict of the module docstring.

    >>> v = verdict(0.30, 0.01, 0.33, (0.31, 0.35))  # 0.30 >= 0.31 - 1.96 * 0.01
    >>> v.fits, v.status, round(v.relative_gap, 4)
    (True, 'fits', -0.0909)
    >>> verdict(0.20, 0.01, 0.33, (0.31, 0.35)).status
    'does not fit'
    >>> verdict(0.20, 0.01, 0.33, (0.01, 0.95)).status   # inside, but the interval is too wide to test
    'inconclusive'
    """
    z = _z(confidence)
    se = 0.0 if se is None else float(se)
    lo, hi = (float(ci[0]), float(ci[1]))
    lo_w, hi_w = lo - z * se, hi + z * se
    excess = max(lo_w - observed, observed - hi_w, 0.0)
    half = max(hi - lo, 0.0) / (2.0 * z)
    spread = math.hypot(se, half)
    zs = (observed - predicted) / spread if spread > 0 else (0.0 if observed == predicted else math.copysign(
        math.inf, observed - predicted))
    inside = bool(lo_w <= observed <= hi_w)
    status = "does not fit" if not inside else ("fits" if hi - lo <= MAX_TESTABLE_WIDTH else "inconclusive")
    return Verdict(fits=status == "fits", z_score=float(zs),
                   relative_gap=float(observed / predicted - 1.0) if predicted else math.inf, excess=float(excess),
                   status=status, consistent=inside, width=float(hi - lo))


def no_prediction(reason: str) -> Verdict:
    """The verdict of a head the theory makes no prediction for (``reason`` says why).

    >>> no_prediction("alpha^ = inf").status
    'no prediction'
    """
    return Verdict(fits=False, z_score=None, relative_gap=None, excess=None, status="no prediction",
                   reason=str(reason), consistent=None, width=None)


# ---------------------------------------------------------------------------- the scikit-dimension cross-check

#: Key directions per head handed to scikit-dimension: a head with more keys is subsampled (without replacement,
#: fixed seed per layer and head). On one thread its MLE and TwoNN cost about 0.02 s at 512 keys in d_head = 32
#: and 0.04 s at 1000 (measured; the neighbour search grows like keys^2), so no head adds more than about 0.05 s
#: whatever its context length, and the 72 heads of all-MiniLM-L6-v2 (512 keys) add a few seconds in all, most
#: of it importing skdim (docs/heads.md §6).
SKDIM_KEYS = 1000

#: The relative sampling sd of skdim's TwoNN alpha is SKDIM_TWONN_SD / sqrt(keys): 0.057 at 512 keys and 0.043 at
#: 1000 over 40 seeds of keys uniform on S^2 and S^7 (measured; its MLE's is about five times smaller, 0.011 and
#: 0.007, so this bound covers both).
SKDIM_TWONN_SD = 1.3

#: The relative allowance for the scale at which each estimator reads the distances (docs/heads.md §3): TwoNN
#: reads the ratio of the 2nd to the 1st neighbour distance, skdim's MLE and the directional fit the k nearest.
#: For keys uniform on S^{d-1} at 512 keys the three agree within 2% at d <= 5, but TwoNN reads 9% above the
#: other two at d = 8 and 20% above at d = 32 (the local exponent of a finite sample drifts with the scale).
SKDIM_SCALE_ALLOWANCE = 0.10


def skdim_status() -> str | None:
    """None when scikit-dimension (``skdim``, optional) can be imported, else the reason: ``'not installed'``.

    >>> skdim_status() in (None, "not installed")
    True
    """
    try:
        import skdim  # noqa: F401
    except ImportError:
        return "not installed"
    return None


def skdim_tolerance(keys: int, z: float = 1.96) -> float:
    """The relative tolerance of the cross-check for ``keys`` key directions:
    SKDIM_SCALE_ALLOWANCE + z SKDIM_TWONN_SD / sqrt(keys) (the scale allowance plus z sampling sds of skdim's
    alpha; docs/heads.md §3).

    >>> round(skdim_tolerance(512), 3), round(skdim_tolerance(1000), 3)
    (0.213, 0.181)
    """
    return SKDIM_SCALE_ALLOWANCE + float(z) * SKDIM_TWONN_SD / math.sqrt(int(keys))


def skdim_agreement(k_head, directional, *, seed=0) -> dict | None:
    """skdim's MLE and TwoNN exponents alpha = ID/2 of the key directions (``estimators.skdim_cross_check``)
    against the directional fit ``directional`` (a GapFit of D = 1 - <q^, k^>); None when skdim is not installed.

    The keys (exact duplicate directions removed) are subsampled to :data:`SKDIM_KEYS`; skdim's MLE uses
    k' = round(k n' / n) neighbours (at least 5) of the n' keys, the neighbour rank at which the directional fit's
    k of n keys are read. Each skdim alpha *agrees* when it lies in the directional interval [lo, hi] widened by
    tol alpha^_dir on each side, tol = :func:`skdim_tolerance` (n'); ``agrees`` is both agreeing. They estimate
    different things: skdim the global intrinsic dimension from the nearest-neighbour distances among the keys, the
    directional fit the local exponent of D at each query; the two coincide only when the key density is smooth
    and the keys fill a manifold that the queries sit in (docs/heads.md §3).

    Returns ``alpha_mle``, ``alpha_twonn``, ``k``, ``keys`` (n'), ``tolerance``, ``interval`` (the widened one),
    ``agrees_mle``, ``agrees_twonn``, ``agrees`` (all None but ``keys`` when fewer than 11 distinct directions
    remain).

    >>> from attnlimits.numerics.heads.estimators import directional_fit
    >>> rng = np.random.default_rng(3)
    >>> k = rng.standard_normal((600, 3)); q = rng.standard_normal((100, 3))   # uniform on S^2: alpha = 1
    >>> r = skdim_agreement(k, directional_fit(q, k))     # None without skdim
    >>> r is None or (r["agrees"] and r["keys"] == 600 and r["k"] == 24)
    True
    """
    if skdim_status() is not None:
        return None
    import warnings

    from attnlimits.numerics.heads.estimators import skdim_cross_check

    kn = np.asarray(k_head, dtype=np.float64)
    kn = kn / np.linalg.norm(kn, axis=1, keepdims=True)
    # a repeated direction puts a neighbour at distance 0, whose log-ratio is infinite in both estimators
    kn = np.unique(kn, axis=0)
    n = int(kn.shape[0])
    if n > SKDIM_KEYS:
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))
        kn = kn[np.sort(rng.choice(n, SKDIM_KEYS, replace=False))]
    keys = int(kn.shape[0])
    if keys < 11:  # the fewest keys the head's own estimators accept
        return {"alpha_mle": None, "alpha_twonn": None, "k": None, "keys": keys, "tolerance": None, "interval": None,
                "agrees_mle": None, "agrees_twonn": None, "agrees": None}
    kk = int(min(max(round(int(directional.k) * keys / max(int(directional.n), 1)), 5), keys - 1))
    with warnings.catch_warnings(), _one_thread():
        warnings.simplefilter("ignore")  # skdim's own numerical warnings must not reach the CLI's stderr
        r = skdim_cross_check(kn, k=kk)
    tol = skdim_tolerance(keys)
    a_dir = float(directional.alpha)
    lo, hi = float(directional.alpha_ci[0]) - tol * a_dir, float(directional.alpha_ci[1]) + tol * a_dir

    def inside(a):
        return bool(math.isfinite(a) and lo <= a <= hi)

    mle, two = float(r["alpha_mle"]), float(r["alpha_twonn"])
    return {"alpha_mle": mle if math.isfinite(mle) else None, "alpha_twonn": two if math.isfinite(two) else None,
            "k": kk, "keys": keys, "tolerance": tol, "interval": (lo, hi), "agrees_mle": inside(mle),
            "agrees_twonn": inside(two), "agrees": inside(mle) and inside(two)}


def _one_thread():
    """One BLAS/OpenMP thread for skdim's neighbour search: with the default pool, sklearn's threads fight the
    two worker processes for 2 cores (0.15 s per 512-key head, against 0.02 s on one thread: measured)."""
    import contextlib

    try:
        from threadpoolctl import threadpool_limits  # installed with skdim's scikit-learn
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(1)


def _z(confidence: float) -> float:
    from scipy.special import ndtri

    return float(ndtri(0.5 + confidence / 2.0))


@dataclasses.dataclass(frozen=True)
class HeadAnalysis(Result):
    """One head.

    Fields: ``layer``, ``head``; ``n`` (keys per query at the full context, the median if causal); ``queries``;
    ``scale`` (the logit scale used); ``fit`` (GapFit: alpha, alpha_ci, kappa, kappa_ci, k, ...); ``xi`` (XiFit);
    ``directional`` (GapFit of D = 1 - <q^, k^>, or None); ``prediction`` (Prediction at the observed n, beta = 1);
    ``observed`` (the list of :func:`~attnlimits.numerics.heads.observe.observe`); ``predicted_at_lengths``
    (a Prediction per observed length); ``verdicts`` (a Verdict per observed length); ``verdict`` (the one at the
    full context); ``curve`` (``predict_curve`` rows at the requested context lengths, or None); ``rule``;
    ``seconds``; ``skdim`` (the :func:`skdim_agreement` dict, or None when skdim is not installed or the
    directional view is off).
    """

    layer: int
    head: int
    n: int
    queries: int
    scale: float
    fit: object
    xi: object
    directional: object
    prediction: object
    observed: list
    predicted_at_lengths: list
    verdicts: list
    verdict: Verdict
    curve: list | None
    rule: str
    seconds: float
    skdim: dict | None = None

    @property
    def fits(self) -> bool:
        return self.verdict.fits

    @property
    def observed_full(self) -> dict:
        return self.observed[-1]


def _check_head(q, k, causal: bool):
    q = np.asarray(q, dtype=np.float64)
    k = np.asarray(k, dtype=np.float64)
    if q.ndim != 2 or k.ndim != 2 or q.shape[1] != k.shape[1]:
        raise InputError(f"q and k of one head must be (m, d_head) and (n, d_head) with one d_head, got shapes "
                         f"{q.shape} and {k.shape}")
    if causal and q.shape[0] != k.shape[0]:
        raise InputError(f"--causal needs as many queries as keys (query i sees keys 0..i), got {q.shape[0]} "
                         f"queries and {k.shape[0]} keys")
    return q, k


def _scale(scale, d_head: int) -> float:
    if scale is None:
        return 1.0 / math.sqrt(d_head)
    x = float(real(scale, "scale", low=0, low_open=True))
    return x


def _full_n(s: np.ndarray) -> int:
    return int(np.median(np.isfinite(s).sum(axis=1)))


def _no_prediction_reason(fit) -> str | None:
    if fit.kappa is None or not math.isfinite(float(fit.alpha)):
        return (f"alpha^ = {float(fit.alpha):.3g} (interval [{float(fit.alpha_ci[0]):.3g}, "
                f"{float(fit.alpha_ci[1]):.3g}]): the top of the "
                "logits is Gumbel-like, outside the power-law (Weibull) domain of the i.i.d. theory")
    lk = getattr(fit, "log_kappa", None)
    if lk is None and not float(fit.kappa) > 0.0:
        return (f"kappa^ = {float(fit.kappa):.3g} at alpha^ = {float(fit.alpha):.3g} underflows the double range and "
                "the fit carries no log kappa: the fit's constant cannot be carried to a prediction")
    return None


@dataclasses.dataclass(frozen=True)
class LengthPrediction(Result):
    """The prediction at one observed context length: ``n``, ``lambda_hat``, ``E_W1``, ``E_W1_ci``, ``regime``."""

    n: int
    lambda_hat: float
    E_W1: float
    E_W1_ci: tuple
    regime: str


def _predictions(fit, lengths, rule, params):
    """(Prediction at the full length under the rule, [LengthPrediction per length], reason): beta = 1 at every
    observed length (the logits carry the head's temperature); the reason is None or why there is no prediction
    (an InputError of the prediction's range, kept as the head's reason, never silent)."""
    from attnlimits.numerics.heads.predict import predict_curve, predict_head

    why = _no_prediction_reason(fit)
    if why is not None:
        return None, [None] * len(lengths), why
    try:
        full = predict_head(fit, 1.0, lengths[-1], rule, **params)
        rows = predict_curve(fit, 1.0, lengths[:-1]) if len(lengths) > 1 else []
    except InputError as exc:
        return None, [None] * len(lengths), str(exc)
    per = [LengthPrediction(r["n"], r["lambda"], r["E_W1"], tuple(r["E_W1_ci"]), r["regime"]) for r in rows]
    per.append(LengthPrediction(full.n, full.lambda_hat, full.E_W1, tuple(full.E_W1_ci), full.regime))
    return full, per, None


def analyse_head(q_head, k_head, scale=None, causal: bool = False, predict_n=(), rule: str = "none", *,
                 lengths=None, layer: int = 0, head: int = 0, confidence: float = 0.95, directional: bool = True,
                 rule_params: dict | None = None) -> HeadAnalysis:
    """Fit, predict, observe and judge one head (see the module docstring).

    ``predict_n``: context lengths at which to predict E W_(1) under ``rule`` (with ``rule_params``), the rule's
    beta(n) normalized so that beta = 1 at the observed n. ``lengths``: observed context lengths (default
    ``observe.default_lengths``). A head whose fit is outside the prediction's range (alpha^ = inf: a Gumbel-like
    top) gets the verdict ``'no prediction'`` with the reason.

    >>> rng = np.random.default_rng(5)
    >>> k = rng.standard_normal((2000, 3)); k /= np.linalg.norm(k, axis=1, keepdims=True)
    >>> q = rng.standard_normal((100, 3)); q /= np.linalg.norm(q, axis=1, keepdims=True)
    >>> a = analyse_head(q * 1000 * 3 ** 0.5, k, directional=False)  # uniform on S^2: alpha = 1, lambda = 1
    >>> a.n, a.queries, bool(a.fit.alpha_ci[0] < 1 < a.fit.alpha_ci[1]), a.verdict.status
    (2000, 100, True, 'fits')
    """
    from attnlimits.numerics.heads.arrays import logits
    from attnlimits.numerics.heads.estimators import fit_gap_law

    t0 = time.perf_counter()
    q, k = _check_head(q_head, k_head, causal)
    sc = _scale(scale, q.shape[1])
    predict_n = [int(count(x, "predict-n")) for x in predict_n]
    s = logits(q, k, scale=sc, causal=causal)
    # under a causal mask the first queries see too few keys: fit_gap_law and fit_xi leave them out and count
    # them (``dropped``); the observation keeps every query
    s_fit = s
    fit = fit_gap_law(s_fit, confidence=confidence)
    return _finish(q, k, s, s_fit, sc, fit, causal, predict_n, rule, lengths, layer, head, confidence, directional,
                   rule_params, t0)


def _finish(q, k, s, s_fit, sc, fit, causal, predict_n, rule, lengths, layer, head, confidence, directional, rule_params,
            t0) -> HeadAnalysis:
    from attnlimits.numerics.heads.estimators import directional_fit, fit_xi
    from attnlimits.numerics.heads.predict import predict_curve

    xi = fit_xi(s_fit)
    dfit = directional_fit(q, k) if directional else None
    # the cross-check of the directional view; its subsample's seed is fixed per head, so a rerun repeats it
    cross = skdim_agreement(k, dfit, seed=[20260512, int(layer), int(head)]) if dfit is not None else None
    observed = observe(s, lengths)
    n = _full_n(s)
    params = dict(rule_params or {})
    full, preds, why = _predictions(fit, [row["n"] for row in observed], rule, params)
    verdicts = [no_prediction(why) if p is None else
                verdict(row["E_W1"], row["E_W1_se"], float(p.E_W1), p.E_W1_ci, confidence)
                for row, p in zip(observed, preds)]
    curve = None
    if predict_n and full is None:
        curve = [{"n": m, "beta": None, "lambda": None, "E_W1": None, "E_W1_ci": None, "regime": None}
                 for m in predict_n]
    elif predict_n:
        from attnlimits.numerics.heads.predict import rule_multiplier

        # beta(n) = beta0 * multiplier(n), with beta0 chosen so that beta(n_observed) = 1
        mult, _ = rule_multiplier(rule, **params)
        curve = predict_curve(fit, 1.0 / float(mult(float(n))), predict_n, rule=rule, **params)
    return HeadAnalysis(layer=int(layer), head=int(head), n=n, queries=int(s.shape[0]), scale=sc, fit=fit, xi=xi,
                        directional=dfit, prediction=full, observed=observed, predicted_at_lengths=preds,
                        verdicts=verdicts, verdict=verdicts[-1], curve=curve, rule=rule,
                        seconds=time.perf_counter() - t0, skdim=cross)


@dataclasses.dataclass(frozen=True)
class HeadsTable(Result):
    """Every head of a q/k file: ``heads`` (list of HeadAnalysis, layer-major), ``source``, ``causal``, ``rule``,
    ``predict_n``, ``fitting`` (how many heads the i.i.d. theory fits), ``predicted`` (how many it makes a
    prediction for), ``seconds``, ``workers``, ``inconclusive`` (heads whose predicted interval is too wide to
    test), ``skdim`` (the cross-check: what ran, or why it did not: ``'not installed'``, ``'not run (directional
    view off)'``), ``skdim_agree`` (heads where both skdim exponents agree with the directional one)."""

    heads: list
    source: str
    causal: bool
    rule: str
    predict_n: list
    fitting: int
    predicted: int
    seconds: float
    workers: int = 1
    inconclusive: int = 0
    skdim: str | None = None
    skdim_agree: int | None = None


def _one(job):
    q, k, kwargs = job
    return analyse_head(q, k, **kwargs)


def analyse_heads(qk, scale=None, causal: bool = False, predict_n=(), rule: str = "none", *, lengths=None,
                  confidence: float = 0.95, directional: bool = True, rule_params: dict | None = None,
                  show_progress: bool = True, workers: int | None = None) -> HeadsTable:
    """:func:`analyse_head` for every layer and head of ``qk`` (a ``QK`` of ``arrays``), with a progress bar over
    the heads; ``workers`` processes (default: 2 if the machine has 2 cores or more and there are 8 heads or more,
    else 1).

    >>> from attnlimits.numerics.heads.arrays import qk_from_arrays
    >>> rng = np.random.default_rng(2)
    >>> k = rng.standard_normal((2, 1000, 3)); q = rng.standard_normal((2, 100, 3))
    >>> t = analyse_heads(qk_from_arrays(q, k), directional=False, show_progress=False)
    >>> [(a.layer, a.head, a.n) for a in t.heads]
    [(0, 0, 1000), (0, 1, 1000)]
    """
    import os

    from attnlimits.numerics.progress import progress

    t0 = time.perf_counter()
    why = skdim_status() if directional else "not run (directional view off)"
    q, k = np.asarray(qk.q), np.asarray(qk.k)
    layers, heads = q.shape[0], q.shape[1]
    predict_n = [int(count(x, "predict-n")) for x in predict_n]
    pairs = [(a, b) for a in range(layers) for b in range(heads)]
    if workers is None:
        workers = 2 if (os.cpu_count() or 1) >= 2 and len(pairs) >= 8 else 1
    workers = int(count(workers, "workers"))
    kwargs = dict(scale=scale, causal=causal, predict_n=predict_n, rule=rule, lengths=lengths,
                  confidence=confidence, directional=directional, rule_params=rule_params)
    jobs = [(q[a, b], k[a, b], dict(kwargs, layer=a, head=b)) for a, b in pairs]
    if workers > 1:
        import concurrent.futures
        import multiprocessing

        ctx = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
        with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            results = progress(pool.map(_one, jobs), desc="heads", total=len(jobs), unit="head", lines=True,
                               disable=not show_progress)
            out = list(results)
    else:
        out = [_one(job) for job in progress(jobs, desc="heads", total=len(jobs), unit="head", lines=True,
                                             disable=not show_progress)]
    return HeadsTable(heads=out, source=str(getattr(qk, "source", "")), causal=bool(causal), rule=rule,
                      predict_n=predict_n, fitting=sum(a.fits for a in out),
                      predicted=sum(a.prediction is not None for a in out), seconds=time.perf_counter() - t0,
                      workers=workers, inconclusive=sum(a.verdict.status == "inconclusive" for a in out),
                      skdim=why or _skdim_description(), skdim_agree=None if why else
                      sum(bool(a.skdim and a.skdim["agrees"]) for a in out))


def _skdim_description() -> str:
    import skdim

    return (f"scikit-dimension {getattr(skdim, '__version__', '?')}: MLE and TwoNN on up to {SKDIM_KEYS} key "
            f"directions per head, alpha = ID/2; agrees = inside the directional interval widened by "
            f"({SKDIM_SCALE_ALLOWANCE} + 1.96 x {SKDIM_TWONN_SD}/sqrt(keys)) alpha_directional")


def _g(x, digits: int):
    """A double rounded to ``digits`` significant digits for JSON (None, inf kept readable)."""
    if x is None:
        return None
    x = float(x)
    if not math.isfinite(x):
        return str(x)
    return float(f"{x:.{digits}g}")


def _pair(ci, digits: int):
    return None if ci is None else [_g(ci[0], digits), _g(ci[1], digits)]


def _f(x):
    return None if x is None else float(x)


def kappa_text(log_kappa, digits: int = 6) -> str:
    """exp(log_kappa) as decimal text at ``digits`` significant digits, also beyond the double range (a steep law's
    kappa^ underflows: it is never printed as 0).

    >>> kappa_text(-1000.0, 3), kappa_text(math.log(2.5e-7), 3)
    ('5.08e-435', '2.5e-07')
    """
    x = float(log_kappa)
    if not math.isfinite(x):
        return "0" if x < 0 else "inf"
    if -700 < x < 700:
        return f"{math.exp(x):.{digits}g}"
    e = math.floor(x / math.log(10))
    mant = math.exp(x - e * math.log(10))
    text = f"{mant:.{digits}g}"
    if float(text) >= 10:  # the mantissa rounded up to 10
        e, text = e + 1, f"{mant / 10:.{digits}g}"
    return text if e == 0 else f"{text}e{e}"


def _kappa(fit, digits: int):
    """kappa^ for the JSON: a number inside the double range, its decimal text (never 0) outside."""
    lk = getattr(fit, "log_kappa", None)
    if lk is None or fit.kappa is None:
        return _g(fit.kappa, digits)
    lk = float(lk)
    if -700 < lk < 700:
        return _g(math.exp(lk), digits)
    return kappa_text(lk, digits)


def head_json(a: HeadAnalysis, digits: int = 6) -> dict:
    """The JSON object of one head (the keys of docs/heads.md §3); the prediction's keys are None for a head with
    the verdict ``'no prediction'`` (``verdict_reason`` says why).

    >>> rng = np.random.default_rng(5)
    >>> k = rng.standard_normal((2000, 3)); k /= np.linalg.norm(k, axis=1, keepdims=True)
    >>> q = rng.standard_normal((100, 3)); q /= np.linalg.norm(q, axis=1, keepdims=True)
    >>> j = head_json(analyse_head(q * 1000 * 3 ** 0.5, k, directional=False, head=3))
    >>> j["head"], len(j["alpha_ci"]), j["regime"], j["verdict"]
    (3, 2, 'critical', 'fits')
    """
    fit, pred, obs, v = a.fit, a.prediction, a.observed_full, a.verdict
    out = {"layer": a.layer, "head": a.head, "n": a.n, "queries": a.queries, "scale": _g(a.scale, digits),
           "alpha_hat": _g(fit.alpha, digits), "alpha_ci": _pair(fit.alpha_ci, digits),
           "kappa_hat": _kappa(fit, digits), "kappa_ci": _pair(getattr(fit, "kappa_ci", None), digits),
           "log_kappa_hat": _g(getattr(fit, "log_kappa", None), digits),
           "log_kappa_ci": _pair(getattr(fit, "log_kappa_ci", None), digits),
           "k": getattr(fit, "k", None), "dropped": getattr(fit, "dropped", None),
           "xi_hat": _g(a.xi.xi, digits), "xi_ci": _pair(getattr(a.xi, "xi_ci", None), digits),
           "xi_domain": getattr(a.xi, "domain", None), "xi_dropped": getattr(a.xi, "dropped", None)}
    if a.directional is not None:
        out["alpha_directional"] = _g(a.directional.alpha, digits)
        out["alpha_directional_ci"] = _pair(a.directional.alpha_ci, digits)
    sk = a.skdim or {}
    out["alpha_skdim_mle"] = _g(sk.get("alpha_mle"), digits)
    out["alpha_skdim_twonn"] = _g(sk.get("alpha_twonn"), digits)
    out["skdim_agrees"] = sk.get("agrees")
    out.update({"lambda_hat": _g(getattr(pred, "lambda_hat", None), digits),
                "lambda_ci": _pair(getattr(pred, "lambda_ci", None), digits),
                "regime": getattr(pred, "regime", None),
                "observed_E_W1": _g(obs["E_W1"], digits), "observed_E_W1_se": _g(obs["E_W1_se"], digits),
                "observed_E_sum_W2": _g(obs["E_sum_W2"], digits), "observed_E_entropy": _g(obs["E_entropy"], digits),
                "observed_kish_n": _g(obs["kish_n"], digits),
                "predicted_E_W1": _g(getattr(pred, "E_W1", None), digits),
                "predicted_E_W1_ci": _pair(getattr(pred, "E_W1_ci", None), digits),
                "predicted_E_sum_W2": _g(getattr(pred, "E_sum_W2", None), digits),
                "predicted_E_entropy": _g(getattr(pred, "E_entropy", None), digits),
                "verdict": v.status, "verdict_reason": v.reason,
                "z_score": _g(v.z_score, 3), "relative_gap": _g(v.relative_gap, 3),
                "observed": [{"n": row["n"], "queries": row["queries"], "E_W1": _g(row["E_W1"], digits),
                              "E_W1_se": _g(row["E_W1_se"], digits), "E_sum_W2": _g(row["E_sum_W2"], digits),
                              "E_entropy": _g(row["E_entropy"], digits), "kish_n": _g(row["kish_n"], digits),
                              "predicted_E_W1": _g(getattr(p, "E_W1", None), digits),
                              "predicted_E_W1_ci": _pair(getattr(p, "E_W1_ci", None), digits),
                              "fits": vv.fits, "verdict": vv.status}
                             for row, p, vv in zip(a.observed, a.predicted_at_lengths, a.verdicts)]})
    if a.curve is not None:
        out["rule"] = a.rule
        out["regime_change_n"] = _g(getattr(pred, "regime_change_n", None), digits)
        out["predicted_E_W1_at"] = {str(row["n"]): {"E_W1": _g(row["E_W1"], digits),
                                                    "E_W1_ci": _pair(row["E_W1_ci"], digits),
                                                    "beta": _g(row.get("beta"), digits),
                                                    "lambda": _g(row.get("lambda"), digits),
                                                    "regime": row.get("regime")} for row in a.curve}
    return out


def table_json(t: HeadsTable, digits: int = 6) -> dict:
    """The JSON of ``attnlimits heads``: ``source``, ``causal``, ``rule``, ``predict_n``, ``heads_total``,
    ``fitting``, ``predicted``, ``skdim`` (the cross-check, or why it did not run), ``skdim_agree``, ``seconds``,
    ``heads``."""
    return {"source": t.source, "causal": t.causal, "rule": t.rule, "predict_n": t.predict_n,
            "heads_total": len(t.heads), "fitting": t.fitting, "inconclusive": t.inconclusive,
            "predicted": t.predicted, "skdim": t.skdim, "skdim_agree": t.skdim_agree,
            "seconds": round(t.seconds, 2), "heads": [head_json(a, digits) for a in t.heads]}


def _verdict_text(a: HeadAnalysis) -> str:
    v = a.verdict
    if v.status == "fits":
        return "fits"
    if v.status == "no prediction":
        return "no prediction (alpha^ = inf: Gumbel-like top)" if not math.isfinite(float(a.fit.alpha)) else \
            "no prediction (outside the route's range)"
    if v.status == "inconclusive":
        return f"inconclusive (interval {v.width:.2f} wide; {v.relative_gap:+.0%} from its centre)"
    return f"does not fit (z = {v.z_score:+.1f}, {v.relative_gap:+.0%})"


def _pred_text(p) -> str:
    if p is None:
        return "-"
    return f"{float(p.E_W1):.3f} [{float(p.E_W1_ci[0]):.3f}, {float(p.E_W1_ci[1]):.3f}]"


def table_text(t: HeadsTable) -> str:
    """The per-head table for people (one line per head), with a closing count of the heads the theory fits.

    >>> t = HeadsTable(heads=[], source="demo", causal=False, rule="none", predict_n=[], fitting=0, predicted=0,
    ...                seconds=0.0)
    >>> table_text(t).splitlines()[-1]
    'the i.i.d. theory fits 0 of 0 heads (observed E W_(1) inside the predicted interval widened by 1.96 standard errors); inconclusive for 0 (interval wider than 0.5); no prediction for 0'
    """
    head = (f"{'L':>2} {'H':>2} {'n':>6} {'alpha':>7} {'alpha 95% CI':>17} {'xi':>6} {'lambda':>8} "
            f"{'regime':>13} {'obs E W1':>13} {'pred E W1 [CI]':>22}  verdict")
    lines = [f"heads of {t.source}" if t.source else "heads", head]
    for a in t.heads:
        f, p, o = a.fit, a.prediction, a.observed_full
        ci = f"[{float(f.alpha_ci[0]):.3g}, {float(f.alpha_ci[1]):.3g}]"
        obs = f"{o['E_W1']:.3f}+-{(o['E_W1_se'] or 0):.3f}"
        lam = f"{float(p.lambda_hat):.3g}" if p is not None else "-"
        reg = p.regime if p is not None else "-"
        lines.append(f"{a.layer:>2} {a.head:>2} {a.n:>6} {float(f.alpha):>7.3g} {ci:>17} {float(a.xi.xi):>6.2f} "
                     f"{lam:>8} {reg:>13} {obs:>13} {_pred_text(p):>22}  {_verdict_text(a)}")
        if a.curve and p is not None:
            at = ", ".join(f"n={row['n']}: {float(row['E_W1']):.3f} ({row.get('regime')})" for row in a.curve)
            lines.append(f"{'':>6}predicted E W1 under rule {a.rule}: {at}")
    lines.append(f"the i.i.d. theory fits {t.fitting} of {len(t.heads)} heads (observed E W_(1) inside the "
                 f"predicted interval widened by 1.96 standard errors); inconclusive for {t.inconclusive} (interval "
                 f"wider than {MAX_TESTABLE_WIDTH}); no prediction for {len(t.heads) - t.predicted}")
    return "\n".join(lines) + "\n"


def _num(x) -> str:
    return "-" if x is None else f"{float(x):.3g}"


def _skdim_cell(a: HeadAnalysis) -> str:
    """The report's cross-check cell: the directional alpha^ with its interval; skdim's two, marked."""
    d = a.directional
    if d is None:
        return "-"
    text = f"{float(d.alpha):.3g} [{float(d.alpha_ci[0]):.3g}, {float(d.alpha_ci[1]):.3g}]"
    sk = a.skdim
    if sk is None:
        return text
    mark = "agree" if sk["agrees"] else "**disagree**"
    return f"{text}; {_num(sk['alpha_mle'])} / {_num(sk['alpha_twonn'])} {mark}"


def _skdim_sentence(t: HeadsTable) -> str:
    if t.skdim_agree is None:
        return (f"Cross-check of the directional exponent with scikit-dimension: {t.skdim or 'not run'} (the last "
                "column then shows the directional fit alone).")
    return (f"Cross-check of the directional exponent (last column): {t.skdim}. Both agree for "
            f"**{t.skdim_agree} of {len(t.heads)}** heads. skdim estimates the global intrinsic dimension from the "
            "nearest-neighbour distances among the keys, the directional fit the local exponent of "
            "D = 1 - <q^, k^> at each query; they coincide only when the key density is smooth and the keys fill a "
            "manifold that the queries sit in (docs/heads.md §3).")


def report_markdown(t: HeadsTable, figures=()) -> str:
    """The markdown of ``attnlimits heads --report``: the table of every head, the count of heads the i.i.d. theory
    fits, the heads it does not fit ordered by how far they miss, and the figures.

    >>> t = HeadsTable(heads=[], source="demo", causal=False, rule="none", predict_n=[], fitting=0, predicted=0,
    ...                seconds=0.0)
    >>> report_markdown(t).splitlines()[0]
    '# Head analysis: demo'
    """
    lines = [f"# Head analysis: {t.source}", "",
             f"{len(t.heads)} heads, {'causal' if t.causal else 'full (bidirectional)'} attention, temperature rule "
             f"`{t.rule}`; analysed in {t.seconds:.1f} s. The i.i.d. theory fits **{t.fitting} of {len(t.heads)}** "
             "heads: their observed mean largest weight E W_(1) lies inside the predicted interval widened by 1.96 "
             f"standard errors of the observation, an interval at most {MAX_TESTABLE_WIDTH} wide. It is inconclusive "
             f"for {t.inconclusive} heads (the observation lies in a predicted interval too wide to test) and makes "
             f"no prediction for {len(t.heads) - t.predicted} (alpha^ = inf: a Gumbel-like top, outside the "
             "power-law theory).", "", _skdim_sentence(t), "",
             "| layer | head | n | alpha^ [95%] | xi^ | lambda^ | regime | observed E W_(1) | predicted E W_(1) [95%] "
             "| verdict | directional alpha [95%]; skdim MLE / TwoNN |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for a in t.heads:
        f, p, o = a.fit, a.prediction, a.observed_full
        lam = f"{float(p.lambda_hat):.3g}" if p is not None else "-"
        lines.append(f"| {a.layer} | {a.head} | {a.n} | {float(f.alpha):.3g} [{float(f.alpha_ci[0]):.3g}, "
                     f"{float(f.alpha_ci[1]):.3g}] | {float(a.xi.xi):.2f} | {lam} | {p.regime if p else '-'} "
                     f"| {o['E_W1']:.3f} ± {(o['E_W1_se'] or 0):.3f} | {_pred_text(p)} | {_verdict_text(a)} "
                     f"| {_skdim_cell(a)} |")
    misses = sorted((a for a in t.heads if a.verdict.status == "does not fit"), key=lambda a: -abs(a.verdict.z_score))
    lines += ["", "## Heads the i.i.d. theory does not fit", ""]
    if misses:
        lines += [f"- layer {a.layer} head {a.head}: observed {a.observed_full['E_W1']:.3f}, predicted "
                  f"{float(a.prediction.E_W1):.3f} ({a.verdict.relative_gap:+.0%}, z = {a.verdict.z_score:+.1f})"
                  for a in misses]
    else:
        lines.append("None among the heads it makes a prediction for.")
    if any(a.curve and a.prediction is not None for a in t.heads):
        lines += ["", f"## Predicted E W_(1) at longer contexts (rule `{t.rule}`)", "",
                  "| layer | head | " + " | ".join(f"n = {n}" for n in t.predict_n) + " |",
                  "|---|---|" + "---|" * len(t.predict_n)]
        for a in t.heads:
            if a.curve and a.prediction is not None:
                cells = [f"{float(row['E_W1']):.3f} ({row.get('regime')})" for row in a.curve]
                lines.append(f"| {a.layer} | {a.head} | " + " | ".join(cells) + " |")
    if figures:
        lines += ["", "## Figures", ""] + [f"![{name}]({name})" for name in figures]
    return "\n".join(lines) + "\n"
