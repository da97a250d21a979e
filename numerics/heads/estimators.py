"""The local law of a head's scores near their top: exponent, constant, extreme-value index, choice of k.

For one query with logits s_1..s_n, let t_j = s* − s_j be the distances to the top s* of the score law,
P(t ≤ x) ≈ κ x^α. The K = k + 1 smallest t_j are the first points of a Poisson process with mean measure
c x^α, c = κ n. Only the gaps g_j = max s − s_j are observed: the offset u = s* − max s is unknown and of the
same order as the gaps, so an estimator that takes the sample maximum for the top (Hill, Levina–Bickel) is
biased, badly so for large α. :func:`fit_gap_law` uses the exact likelihood of the scale-free gap ratios
r_j = g_j / g_K, in which both u and a per-query c integrate out in closed form but for one 1-D integral
(docs/heads_estimators.md §2):

    L(α; r) = α^{K−1} Γ(K) ∫_0^∞ ∏_{j=1}^{K} (v + r_j)^{α−1} (1 + v)^{−Kα} dv,

pooled over queries (a common α, each query its own c). The interval is the profile-likelihood (Wilks)
interval (§3); κ is the maximum-likelihood value at α̂ with a common κ (§3), carried as log κ; the joint
confidence region of (α, log κ) along the profile ridge, through which predictions carry the uncertainty, is
``GapFit.ridge`` (§8). The rule for k is §4.

:func:`fit_xi` is the Dekkers–Einmahl–de Haan moment estimator of the extreme-value index ξ (§5);
:func:`directional_fit` the Levina–Bickel estimator for D_j = 1 − <q̂, k̂_j>, whose bottom 0 is known (§6).

>>> import numpy as np
>>> rng = np.random.default_rng(1)
>>> s = 1 - rng.random((40, 2000)) ** (1 / 3)      # P(1 - s <= t) = t^3: alpha = 3, kappa = 1
>>> fit = fit_gap_law(s)
>>> fit.k, fit.queries, bool(fit.alpha_ci[0] < 3 < fit.alpha_ci[1])
(45, 40, True)
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np
from scipy import optimize, special

from attnlimits.numerics.heads.arrays import MIN_KEYS
from attnlimits.numerics.results import Result
from attnlimits.theory.validation import InputError, integer, real

__all__ = ["GapFit", "XiFit", "fit_gap_law", "fit_gap_laws", "gap_loglik", "choose_k", "alpha_path", "fit_xi",
           "directional_fit", "skdim_cross_check", "K_RULE_MIN", "K_RULE_MAX", "ALPHA_RANGE"]

#: The rule of :func:`choose_k` clips round(sqrt(n)) to [K_RULE_MIN, K_RULE_MAX] (docs/heads_estimators.md §4).
K_RULE_MIN, K_RULE_MAX = 10, 100
#: The exponents searched; an interval reaching the upper end is reported open (hi = inf): the gaps of a law
#: with α ≥ 1000 are indistinguishable from those of a Gumbel-type top at any practical k.
ALPHA_RANGE = (0.05, 1000.0)
_COARSE = np.geomspace(ALPHA_RANGE[0], ALPHA_RANGE[1], 41)
_CHUNK = 2_000_000  # elements of the (queries, grid, K) block evaluated at once: 16 MB, cache-friendly


@dataclasses.dataclass(frozen=True)
class GapFit(Result):
    """A fit of P(gap ≤ t) ≈ κ t^α near the top of a head's scores (docs/heads_estimators.md §2–3).

    ``alpha``     the exponent α̂ (``inf`` when the likelihood increases up to α = 1000: a Gumbel-like top);
    ``alpha_ci``  (lo, hi), the profile-likelihood interval at ``confidence`` (hi = inf when open above);
    ``kappa``     κ̂, the constant of P(s* − s ≤ t) ≈ κ t^α, common to the queries (``None`` if α̂ is inf);
    ``kappa_ci``  (lo, hi): the hull of the intervals of κ at fixed α over α in ``alpha_ci`` ((0, inf) when that
                  interval is open);
    ``k``         top gaps per query (k + 1 top scores);
    ``queries``   queries used; ``n``: keys per query (the median of the visible keys under a causal mask);
    ``method``    the estimator; ``confidence``: the level of the intervals;
    ``dropped``   queries left out (fewer than k + 1 distinct visible scores);
    ``log_kappa`` log κ̂, carried because κ̂ itself leaves the double range for steep laws (κ ∝ (gap scale)^{−α});
    ``log_kappa_ci`` the interval of log κ (the projection of the joint region below);
    ``ridge``     the joint confidence region of (α, log κ) along the profile ridge (docs/heads_estimators.md §8):
                  triples (α, log κ̂(α), h(α)) at seven values of α from the interval's lower end through α̂ to its
                  upper end, the region at α being log κ̂(α) ± h(α); empty when α̂ = inf.
    """

    alpha: float
    alpha_ci: tuple
    kappa: float | None
    kappa_ci: tuple
    k: int
    queries: int
    n: float
    method: str
    confidence: float = 0.95
    dropped: int = 0
    log_kappa: float | None = None
    log_kappa_ci: tuple = (-math.inf, math.inf)
    ridge: tuple = ()


@dataclasses.dataclass(frozen=True)
class XiFit(Result):
    """The extreme-value index of the scores near their top (docs/heads_estimators.md §5).

    ``xi``: ξ̂ (pooled moment estimator); ``xi_ci``: (lo, hi) at ``confidence``; ``k``: top scores used per
    query; ``queries``; ``domain``: ``'weibull'`` (interval entirely < 0: a bounded top, α = −1/ξ),
    ``'gumbel'`` (interval contains 0), ``'frechet'`` (entirely > 0: a heavy top); ``dropped``: queries left out
    because their k + 1 top scores reach down to their median (they see fewer than about 2(k + 1) keys: the
    early queries of a causal head).
    """

    xi: float
    xi_ci: tuple
    k: int
    domain: str
    queries: int = 0
    confidence: float = 0.95
    dropped: int = 0


# ---------------------------------------------------------------------------------------------- input checks

def _scores(s, name: str = "s") -> np.ndarray:
    try:
        a = np.asarray(s, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be a real array of logits (m queries, n keys), got {type(s).__name__} "
                         f"({exc})") from None
    if a.ndim == 1:
        a = a[None, :]
    if a.ndim != 2 or 0 in a.shape:
        raise InputError(f"{name} must be a 2-D array of logits (m queries, n keys), got shape {np.shape(s)}")
    if np.isnan(a).any():
        raise InputError(f"{name} has NaN entries: every logit must be a number (-inf marks a masked key)")
    if np.isposinf(a).any():
        raise InputError(f"{name} has +inf entries: logits must be finite (-inf marks a masked key)")
    return a


def _confidence(confidence) -> float:
    return float(real(confidence, "confidence", low=0, high=1, low_open=True, high_open=True))


def _visible(a: np.ndarray) -> np.ndarray:
    return np.isfinite(a).sum(axis=1)


def choose_k(s) -> int:
    """The number of top gaps per query: round(sqrt(n)) clipped to [10, 100], n the median visible keys.

    The rule and its reasons are docs/heads_estimators.md §4. A head whose queries see fewer than 11 keys is
    refused.

    >>> import numpy as np
    >>> choose_k(np.zeros((3, 512))), choose_k(np.zeros((1, 10_000))), choose_k(np.zeros((1, 10**6)))
    (23, 100, 100)
    """
    a = _scores(s)
    vis = _visible(a)
    n = float(np.median(vis))
    if n < MIN_KEYS:
        raise InputError(f"the queries see {n:g} keys (median): the gap-law estimators need at least {MIN_KEYS} "
                         f"keys per query")
    return _rule(n)


def _rule(n: float) -> int:
    return int(min(max(round(math.sqrt(n)), K_RULE_MIN), K_RULE_MAX, n - 1))


def _k(s: np.ndarray, k, n_keys=None) -> int:
    if k is None and n_keys is not None:  # s holds each query's top scores only: the rule sees all n keys
        k = min(_rule(float(integer(n_keys, "n_keys", low=MIN_KEYS))), int(_visible(s).max()) - 1)
    if k is None:
        return choose_k(s)
    kk = integer(k, "k", low=2)
    vis = _visible(s)
    if vis.max() < kk + 1:
        raise InputError(f"k = {kk} top gaps need {kk + 1} visible keys per query; the queries see at most "
                         f"{int(vis.max())}")
    return kk


def _top(a: np.ndarray, K: int) -> tuple[np.ndarray, np.ndarray, int]:
    """The K largest distinct visible scores of each query that has K, sorted down; their visible counts;
    and how many queries were dropped."""
    vis = _visible(a)
    rows = np.flatnonzero(vis >= K)
    if rows.size == 0:
        raise InputError(f"no query sees {K} keys: fewer keys than the estimator needs (k = {K - 1} top gaps)")
    sub = a[rows]
    top = -np.partition(-sub, K - 1, axis=1)[:, :K]
    top = -np.sort(-top, axis=1)
    tied = np.flatnonzero((np.diff(top, axis=1) == 0).any(axis=1))
    keep = np.ones(rows.size, dtype=bool)
    for i in tied:  # equal logits (identical keys) are one point of the law, not two: use the distinct values
        u = np.unique(sub[i][np.isfinite(sub[i])])[::-1]
        if u.size < K:
            keep[i] = False
        else:
            top[i] = u[:K]
    top, n = top[keep], vis[rows][keep].astype(float)
    if top.shape[0] == 0:
        raise InputError(f"no query has {K} distinct visible logits: fewer keys than the estimator needs")
    return top, n, int(a.shape[0] - top.shape[0])


# ---------------------------------------------------------------------------------------------- the likelihood

class _RatioLikelihood:
    """Per-query log-likelihood of α from the gap ratios, on a common grid y = log v (docs/heads_estimators.md §2).

    The integrand is exp(α A(y) − B(y) + y) with A = Σ_j log((v + r_j)/(1 + v)), B = Σ_j log(v + r_j): A and B
    do not depend on α, so they are tabulated once and each α costs one exp per grid point. The trapezoidal
    rule in y converges geometrically (the integrand is analytic in a strip of half-width π and its peak
    has width about 1/sqrt(K − 1)); the tails beyond the grid are the exact power laws e^{αy} and
    e^{−(K−1)y} of the integrand there.
    """

    def __init__(self, top: np.ndarray):
        g = top[:, :1] - top
        self.gK = g[:, -1]
        self.K = K = top.shape[1]
        r = g / self.gK[:, None]
        r2 = r[:, 1]
        S = (1.0 - r).sum(axis=1).max()
        self.h = h = min(0.25, 1.0 / math.sqrt(K - 1))
        y_lo = math.log(r2.min()) - 25.0
        y_hi = math.log(ALPHA_RANGE[1] * max(S, 1.0)) + 4.0
        self.y = y = np.arange(y_lo, y_hi + h, h)
        v = np.exp(y)
        m = r.shape[0]
        self.B = np.empty((m, y.size))
        step = max(1, _CHUNK // (y.size * K))
        # logs of products of `grp` factors, not sums of logs: a log costs ten multiplications; each factor lies in
        # [e^{y_lo}, e^{y_hi} + 1], so a product of grp of them stays inside the double range
        grp = max(1, min(8, int(600 // max(abs(y[0]), abs(y[-1]) + 1.0))))
        full = ((K - 1) // grp) * grp
        for i in range(0, m, step):
            terms = v[None, :, None] + r[i:i + step, None, 1:]
            mc = terms.shape[0]
            acc = np.log(terms[:, :, :full].reshape(mc, y.size, -1, grp).prod(axis=3)).sum(axis=2)
            if full < K - 1:
                acc += np.log(terms[:, :, full:]).sum(axis=2)
            # r_1 = 0 exactly: its term is y itself, which keeps the far left of the grid exact
            self.B[i:i + step] = y[None, :] + acc
        self.log1pv = np.log1p(v)
        # A = B − K log(1 + v): the cancellation for large v costs ~1e-13 K log v, negligible even times α = 1000
        self.A = self.B - K * self.log1pv[None, :]
        self.C = y[None, :] - self.B  # log integrand = α A + C

    def _log_integral(self, f: np.ndarray, lower_rate: float | np.ndarray) -> np.ndarray:
        """log of h·trapezoid(e^f) + the two tails, row by row."""
        mx = f.max(axis=1, keepdims=True)
        e = np.exp(f - mx)
        total = self.h * (e.sum(axis=1) - 0.5 * (e[:, 0] + e[:, -1]))
        total += e[:, 0] / lower_rate + e[:, -1] / (self.K - 1)
        return np.log(total) + mx[:, 0]

    def loglik(self, alpha: float, rows=slice(None)) -> np.ndarray:
        f = alpha * self.A[rows] + self.C[rows]
        return (self.K - 1) * math.log(alpha) + self._log_integral(f, alpha)

    def log_kappa(self, alpha: float, n: np.ndarray, rows=slice(None)) -> tuple[float, float]:
        """log κ̂ at α and its standard error (docs/heads_estimators.md §3).

        With the scale-free prior 1/c on each query's c, the posterior of the offset v is the ratio integrand
        itself and c given v is Gamma(K, T_K^α), T_K = g_K (1 + v); so E[log c] = ψ(K) − α log g_K −
        α E[log(1 + v)] and Var[log c] = ψ'(K) + α² Var[log(1 + v)]. log c is a location parameter of the log
        gaps, and this posterior mean is its Pitman (equivariant) estimator; log κ̂ = mean_i (E[log c_i] − log n_i).
        """
        K, gK = self.K, self.gK[rows]
        wts = np.full(self.y.size, self.h)
        wts[0] = self.h / 2 + 1.0 / alpha  # the tails beyond the grid, as in loglik
        wts[-1] = self.h / 2 + 1.0 / (K - 1)
        f = alpha * self.A[rows] + self.C[rows] + np.log(wts)[None, :]
        w = np.exp(f - f.max(axis=1, keepdims=True))
        w /= w.sum(axis=1, keepdims=True)
        e1 = w @ self.log1pv
        var = np.maximum(w @ self.log1pv ** 2 - e1 * e1, 0.0)
        elog_c = special.digamma(K) - alpha * (np.log(gK) + e1)
        var_c = special.polygamma(1, K) + alpha * alpha * var
        m = gK.size
        return float(np.mean(elog_c - np.log(n))), float(math.sqrt(var_c.sum()) / m)


def gap_loglik(s, alphas, k=None) -> np.ndarray:
    """The pooled log-likelihood of α from the top gaps of every query of ``s``, at each of ``alphas``.

    Up to a constant: the sum over queries of log L(α; r) of docs/heads_estimators.md §2.

    >>> import numpy as np
    >>> rng = np.random.default_rng(2)
    >>> ll = gap_loglik(-rng.random((20, 500)) ** 0.5, [1, 2, 4], k=20)   # alpha = 2
    >>> int(np.argmax(ll))
    1
    """
    a = _scores(s)
    kk = _k(a, k)
    lik = _RatioLikelihood(_top(a, kk + 1)[0])
    out = []
    for al in np.atleast_1d(np.asarray(alphas, dtype=float)):
        if not (np.isfinite(al) and al > 0):
            raise InputError(f"alphas must be positive and finite, got {al!r}")
        out.append(float(lik.loglik(float(al)).sum()))
    return np.array(out)


def _profile(lik: _RatioLikelihood, rows, q: float, ell=None) -> tuple[float, float, float]:
    """α̂ and the profile-likelihood interval {α : ℓ(α) ≥ ℓ(α̂) − q/2} of the queries ``rows`` (``ell``: ℓ on
    the coarse grid, if already tabulated)."""
    if ell is None:
        ell = np.array([lik.loglik(a, rows).sum() for a in _COARSE])
    i = int(np.argmax(ell))
    def f(la):
        return -lik.loglik(math.exp(la), rows).sum()
    if i == _COARSE.size - 1:
        a_hat, l_hat = math.inf, ell[-1]
    else:
        lo_b = math.log(_COARSE[max(i - 1, 0)])
        hi_b = math.log(_COARSE[i + 1])
        res = optimize.minimize_scalar(f, bounds=(lo_b, hi_b), method="bounded", options={"xatol": 1e-7})
        a_hat, l_hat = (math.exp(res.x), -res.fun) if -res.fun >= ell[i] else (_COARSE[i], ell[i])
    cut = l_hat - q / 2

    def g(la):
        return -f(la) - cut
    # each end: scan the coarse grid outward from α̂ to the first point under the cut; the root lies between it
    # and the previous point (or α̂ itself), where ℓ is above the cut
    lo, inner = 0.0, math.log(a_hat) if math.isfinite(a_hat) else None
    for j in (range(i, -1, -1) if inner is not None else ()):
        if _COARSE[j] >= a_hat:
            continue
        if ell[j] < cut:
            lo = math.exp(optimize.brentq(g, math.log(_COARSE[j]), inner, xtol=1e-10))
            break
        inner = math.log(_COARSE[j])
    if not math.isfinite(a_hat):
        # the likelihood still rises at the top of the range: the interval is open above, but its lower end is
        # where ℓ falls below the cut, found scanning down from the top
        for j in range(_COARSE.size - 2, -1, -1):
            if ell[j] < cut:
                lo = math.exp(optimize.brentq(g, math.log(_COARSE[j]), math.log(_COARSE[j + 1]), xtol=1e-10))
                break
    hi, inner = math.inf, math.log(a_hat) if math.isfinite(a_hat) else None
    for j in (range(i, _COARSE.size) if inner is not None else ()):
        if _COARSE[j] <= a_hat:
            continue
        if ell[j] < cut:
            hi = math.exp(optimize.brentq(g, inner, math.log(_COARSE[j]), xtol=1e-10))
            break
        inner = math.log(_COARSE[j])
    return a_hat, lo, hi


def _exp(x: float) -> float:
    if x == -math.inf:
        return 0.0
    return math.exp(x) if x < 709.0 else math.inf


#: Where the ridge of the joint region is sampled: the fraction of the profile deficit q/2 spent on α (the rest
#: is left to log κ at that α). Fractions 0, 1/4, 3/4, 1 are the angles 0°, 30°, 60°, 90° of an ellipse, so the
#: range of a smooth functional over the region is found within cos 15° = 0.966 of its half-width.
RIDGE_FRACTIONS = (0.25, 0.75)


def _ridge(lik, rows, n, a_hat, l_hat, lo, hi, q):
    """The joint region of (α, log κ) along the profile ridge (docs/heads_estimators.md §8): triples
    (α, log κ̂(α), h(α)) with h = se(α) sqrt(q − 2 δ(α)), δ(α) = ℓ(α̂) − ℓ(α) the profile deficit."""
    def deficit(a):
        return l_hat - float(lik.loglik(a, rows).sum())

    nodes = [(a_hat, 0.0)]
    for end in (lo, hi):
        if 0 < end < math.inf:
            a_end, d_end = end, q / 2
        else:  # an open end: the region reaches the end of the search range, with the deficit it has there
            a_end = ALPHA_RANGE[0] if end == 0 else ALPHA_RANGE[1]
            d_end = min(max(deficit(a_end), 0.0), q / 2)
        nodes.append((a_end, d_end))
        for t in RIDGE_FRACTIONS:
            target = t * q / 2
            if target >= d_end - 1e-9:
                continue
            x = optimize.brentq(lambda la: deficit(math.exp(la)) - target, math.log(a_hat), math.log(a_end),
                                xtol=1e-4)
            nodes.append((math.exp(x), target))
    out = []
    for a, d in sorted(nodes):
        lk, se = lik.log_kappa(a, n, rows)
        out.append((float(a), float(lk), float(se * math.sqrt(max(q - 2 * d, 0.0)))))
    return tuple(out)


def _gap_fit(lik, rows, n, q, conf, k, dropped, method, ell=None) -> GapFit:
    a_hat, lo, hi = _profile(lik, rows, q, ell)
    m = lik.A[rows].shape[0]
    nmed = float(np.median(n))
    if not math.isfinite(a_hat):
        return GapFit(math.inf, (lo, hi), None, (0.0, math.inf), k, m, nmed, method, conf, dropped)
    lk, _ = lik.log_kappa(a_hat, n, rows)
    l_hat = float(lik.loglik(a_hat, rows).sum())
    ridge = _ridge(lik, rows, n, a_hat, l_hat, lo, hi, q)
    # the interval of log κ: the projection of the joint region (the profile interval of log κ, §8); open where
    # the α interval is open, since κ̂(α) runs off like (gap scale)^{−α} beyond the searched range
    lk_lo = min(x[1] - x[2] for x in ridge) if lo > 0 else -math.inf
    lk_hi = max(x[1] + x[2] for x in ridge) if math.isfinite(hi) else math.inf
    return GapFit(a_hat, (lo, hi), _exp(lk), (_exp(lk_lo) if lo > 0 else 0.0, _exp(lk_hi)), k, m, nmed, method,
                  conf, dropped, float(lk), (float(lk_lo), float(lk_hi)), ridge)


_METHOD = "gap-ratio likelihood (top offset and per-query scale integrated out), profile interval"


def fit_gap_law(s, k=None, confidence=0.95, n_keys=None) -> GapFit:
    """Fit P(s* − s ≤ t) ≈ κ t^α from the k top gaps of every query of ``s`` (m, n) logits (−inf = masked).

    α̂ maximizes the pooled gap-ratio likelihood of docs/heads_estimators.md §2; ``alpha_ci`` is the
    profile-likelihood interval (§3); κ̂ the maximum-likelihood constant at α̂ (§3); k by :func:`choose_k`.
    Queries seeing fewer than k + 1 keys are left out (``dropped``). ``n_keys``: the number of keys of each query
    when ``s`` holds only its top scores (κ is per key: c = κ n); by default the visible logits are counted.

    >>> import numpy as np
    >>> rng = np.random.default_rng(3)
    >>> f = fit_gap_law(5 - 2 * rng.random((30, 1000)) ** (1 / 0.5), k=30)   # alpha = 0.5, kappa = 2^-0.5
    >>> round(f.alpha, 1), f.alpha_ci[0] < 0.5 < f.alpha_ci[1], round(f.kappa, 1)
    (0.5, True, 0.7)
    """
    a = _scores(s)
    conf = _confidence(confidence)
    kk = _k(a, k, n_keys)
    top, n, dropped = _top(a, kk + 1)
    n = _n_keys(n, n_keys)
    lik = _RatioLikelihood(top)
    q = float(special.ndtri(0.5 + conf / 2)) ** 2
    return _gap_fit(lik, slice(None), n, q, conf, kk, dropped, _METHOD)


def _n_keys(n: np.ndarray, n_keys) -> np.ndarray:
    if n_keys is None:
        return n
    nk = integer(n_keys, "n_keys", low=1)
    if nk < n.max():
        raise InputError(f"n_keys = {nk} is fewer than the {int(n.max())} logits a query holds")
    return np.full(n.shape, float(nk))


def fit_gap_laws(groups, k=None, confidence=0.95, n_keys=None) -> list[GapFit]:
    """:func:`fit_gap_law` of several heads at once (a list of (m, n) logit arrays, or one (G, m, n) array).

    The per-query integrals of all heads are tabulated together, which makes many small heads (a Monte Carlo
    study, every head of a model) much faster than one call each. Each head gets the k of :func:`choose_k`
    unless ``k`` is given; ``n_keys`` as in :func:`fit_gap_law`.

    >>> import numpy as np
    >>> rng = np.random.default_rng(4)
    >>> fits = fit_gap_laws(1 - rng.random((3, 10, 400)) ** 0.5, k=20)   # three heads, alpha = 2
    >>> [f.queries for f in fits], all(f.alpha_ci[0] < 2 < f.alpha_ci[1] for f in fits)
    ([10, 10, 10], True)
    """
    arrs = [_scores(g, "groups[i]") for g in (list(groups) if not isinstance(groups, np.ndarray) or groups.ndim == 3
                                                else [groups])]
    if not arrs:
        raise InputError("groups must hold at least one array of logits")
    conf = _confidence(confidence)
    q = float(special.ndtri(0.5 + conf / 2)) ** 2
    ks = [_k(a, k, n_keys) for a in arrs]
    out = [None] * len(arrs)
    for kk in sorted(set(ks)):  # one table per k: the likelihood's grid depends on K
        idx = [i for i, x in enumerate(ks) if x == kk]
        parts = {i: _top(arrs[i], kk + 1) for i in idx}
        # blocks of about 4096 queries: large enough to share the work of many small heads, small enough that the
        # tables stay in cache (one table over every query of 72 heads of 512 is slower than 72 tables)
        blocks, cur, size = [], [], 0
        for i in idx:
            cur.append(i)
            size += parts[i][0].shape[0]
            if size >= 4096:
                blocks.append(cur)
                cur, size = [], 0
        if cur:
            blocks.append(cur)
        for block in blocks:
            lik = _RatioLikelihood(np.concatenate([parts[i][0] for i in block]))
            table = np.array([lik.loglik(a) for a in _COARSE])  # (coarse α, queries of the block)
            start = 0
            for i in block:
                top, n, dropped = parts[i]
                rows = slice(start, start + top.shape[0])
                start += top.shape[0]
                out[i] = _gap_fit(lik, rows, _n_keys(n, n_keys), q, conf, kk, dropped, _METHOD,
                                  table[:, rows].sum(axis=1))
    return out


def alpha_path(s, ks) -> list[dict]:
    """α̂ and its interval against k, for the stability figure (docs/heads_estimators.md §4).

    >>> import numpy as np
    >>> rng = np.random.default_rng(5)
    >>> path = alpha_path(1 - rng.random((20, 1000)), [10, 40])   # alpha = 1
    >>> [p["k"] for p in path], all(p["alpha_ci"][0] < 1 < p["alpha_ci"][1] for p in path)
    ([10, 40], True)
    """
    a = _scores(s)
    out = []
    for k in ks:
        f = fit_gap_law(a, k=k)
        out.append({"k": f.k, "alpha": f.alpha, "alpha_ci": f.alpha_ci, "kappa": f.kappa, "queries": f.queries})
    return out


# ---------------------------------------------------------------------------------------------- extreme-value index

def _moment_sigma2(xi: float) -> float:
    """Asymptotic variance of the moment estimator, sqrt(k)(ξ̂ − ξ) → N(0, σ²) (Dekkers, Einmahl, de Haan 1989)."""
    if xi >= 0:
        return 1.0 + xi * xi
    if xi <= -0.25 + 1e-9:  # the variance is infinite from ξ = −1/4 on (the 1 − 4ξ factor); cap it there
        xi = -0.25 + 1e-9
    return ((1 - xi) ** 2 * (1 - 2 * xi) * (4 - 8 * (1 - 2 * xi) / (1 - 3 * xi)
                                          + (5 - 11 * xi) * (1 - 2 * xi) / ((1 - 3 * xi) * (1 - 4 * xi))))


def fit_xi(s, k=None, confidence=0.95) -> XiFit:
    """The Dekkers–Einmahl–de Haan moment estimator of ξ near the top of each query's scores, pooled.

    Scores are shifted by the query's median (a location-invariant "peaks over a random threshold" form) before
    the logarithms; the moments of the k log-excesses over the (k + 1)-th largest are pooled over queries
    (docs/heads_estimators.md §5).

    >>> import numpy as np
    >>> rng = np.random.default_rng(6)
    >>> f = fit_xi(rng.pareto(2.0, (50, 4000)) + 1.0)       # Pareto tail index 2: xi = 1/2
    >>> f.domain, round(f.xi, 1)
    ('frechet', 0.5)
    >>> causal = np.where(np.tril(np.ones((400, 400))) > 0, rng.standard_normal((400, 400)), -np.inf)
    >>> fit_xi(causal, k=10).dropped      # query i sees i + 1 keys: the first 21 are too short for k = 10
    21
    """
    a = _scores(s)
    conf = _confidence(confidence)
    kk = _k(a, k)
    top, n, _ = _top(a, kk + 1)
    med = np.array([np.median(row[np.isfinite(row)]) for row in a[_visible(a) >= kk + 1]])
    if med.size != top.shape[0]:  # a query dropped for ties: recompute the medians of the kept rows alone
        med = np.array([np.median(row[np.isfinite(row)]) for row in a if np.unique(row[np.isfinite(row)]).size
                        >= kk + 1])
    x = top - med[:, None]
    # a query whose k + 1 top scores reach down to its median sees too few keys for the moments of its
    # log-excesses (the early queries of a causal head): left out, and counted, as fit_gap_law does
    ok = x[:, -1] > 0
    if not ok.any():
        raise InputError(f"k = {kk} top scores reach below the median score of every query: the queries see too "
                         f"few keys for the moment estimator (choose a smaller k)")
    dropped = a.shape[0] - int(ok.sum())
    x = x[ok]
    top = top[ok]
    lx = np.log(x)
    d = lx[:, :-1] - lx[:, -1:]
    M1, M2 = float(d.mean()), float((d * d).mean())
    xi = M1 + 1.0 - 0.5 / (1.0 - M1 * M1 / M2)
    z = float(special.ndtri(0.5 + conf / 2))
    se = math.sqrt(_moment_sigma2(xi) / (kk * top.shape[0]))
    lo, hi = xi - z * se, xi + z * se
    domain = "weibull" if hi < 0 else ("frechet" if lo > 0 else "gumbel")
    return XiFit(xi, (lo, hi), kk, domain, top.shape[0], conf, dropped)


# ---------------------------------------------------------------------------------------------- directional view

def _directions(x, name):
    a = np.asarray(x, dtype=np.float64)
    if a.ndim != 2 or 0 in a.shape:
        raise InputError(f"{name} must be a 2-D array (count, d_head), got shape {np.shape(x)}")
    if not np.isfinite(a).all():
        raise InputError(f"{name} has NaN or inf entries")
    nrm = np.linalg.norm(a, axis=1)
    if (nrm == 0).any():
        raise InputError(f"{name} has {int((nrm == 0).sum())} zero-norm vectors: a zero vector has no direction")
    return a / nrm[:, None]


def directional_fit(q_head, k_head, k=None, confidence=0.95) -> GapFit:
    """Levina–Bickel fit of P(D ≤ t) ≈ κ t^α for D_j = 1 − <q̂, k̂_j>, whose bottom 0 is known.

    Given the k-th smallest D_(k), the k − 1 log-ratios log(D_(k)/D_(j)) are i.i.d. Exp(α) for an exact power law,
    so the pooled sum S ~ Gamma(m(k − 1), α): α̂ = (N − 1)/S and an exact Gamma interval
    (docs/heads_estimators.md §6). Distances at 0 (a key in the query's own direction) are left out.

    >>> import numpy as np
    >>> rng = np.random.default_rng(7)
    >>> keys = rng.standard_normal((5000, 3))    # uniform directions on S^2: D uniform on [0, 2], alpha = 1
    >>> f = directional_fit(rng.standard_normal((50, 3)), keys, k=30)
    >>> f.alpha_ci[0] < 1 < f.alpha_ci[1], f.kappa_ci[0] < 0.5 < f.kappa_ci[1]
    (True, True)
    """
    qn, kn = _directions(q_head, "q_head"), _directions(k_head, "k_head")
    if qn.shape[1] != kn.shape[1]:
        raise InputError(f"q_head and k_head must have the same d_head, got {qn.shape[1]} and {kn.shape[1]}")
    conf = _confidence(confidence)
    D = 1.0 - qn @ kn.T
    D = np.where(D > 1e-12, D, np.inf)  # at 0 or rounding below it: the query's own direction, not the law
    n_keys = kn.shape[0]
    if k is None:
        kk = _rule(n_keys)
        if n_keys < MIN_KEYS:
            raise InputError(f"k_head holds {n_keys} keys: the estimators need at least {MIN_KEYS}")
    else:
        kk = integer(k, "k", low=2)
        if n_keys < kk:
            raise InputError(f"k = {kk} nearest keys need at least {kk} keys, got {n_keys}")
    small = np.sort(np.partition(D, kk - 1, axis=1)[:, :kk], axis=1)
    ok = np.isfinite(small[:, -1])
    small = small[ok]
    if small.shape[0] == 0:
        raise InputError("no query has k keys away from its own direction")
    logs = np.log(small[:, -1:] / small[:, :-1]).sum()
    if not logs > 0:  # every query's k nearest keys at one distance: duplicated key directions, no exponent to read
        raise InputError(f"the {kk} nearest key directions of every query are all at the same distance (duplicated "
                         "keys?): the directional exponent cannot be read; give distinct keys or a larger k")
    N = small.shape[0] * (kk - 1)
    alpha = (N - 1) / logs
    p = 0.5 - conf / 2
    lo, hi = special.gammaincinv(N, p) / logs, special.gammaincinv(N, 1 - p) / logs
    # Poisson process of rate κ n t^α seen up to D_(k): κ̂ = Σ k / Σ n D_(k)^α
    kappa = small.shape[0] * kk / (n_keys * np.sum(small[:, -1] ** alpha))
    ends = [small.shape[0] * kk / (n_keys * np.sum(small[:, -1] ** a)) for a in (lo, hi)]
    spread = math.exp(float(special.ndtri(0.5 + conf / 2)) / math.sqrt(small.shape[0] * kk))
    return GapFit(float(alpha), (float(lo), float(hi)), float(kappa),
                  (float(min(ends + [kappa]) / spread), float(max(ends + [kappa]) * spread)), kk, int(small.shape[0]),
                  float(n_keys), "Levina-Bickel from the known bottom D = 0, exact Gamma interval", conf,
                  int((~ok).sum()))


def skdim_cross_check(k_head, k=None) -> dict | None:
    """The intrinsic dimension of the key directions by scikit-dimension's MLE and TwoNN, halved (α = ID/2).

    For keys spread over a patch of the sphere with a smooth density, D = 1 − cos ≈ |k̂ − q̂|²/2, so the local
    exponent of D is half the intrinsic dimension (docs/heads_estimators.md §6). Returns ``None`` when skdim is
    not installed (it is an optional package).

    >>> import numpy as np
    >>> r = skdim_cross_check(np.random.default_rng(0).standard_normal((500, 3)))
    >>> r is None or abs(r["alpha_mle"] - 1) < 0.3
    True
    """
    try:
        import skdim
    except ImportError:
        return None
    kn = _directions(k_head, "k_head")
    kk = 20 if k is None else integer(k, "k", low=2)
    mle = skdim.id.MLE().fit(kn, n_neighbors=kk).dimension_
    twonn = skdim.id.TwoNN().fit(kn).dimension_
    return {"alpha_mle": float(mle) / 2, "alpha_twonn": float(twonn) / 2, "k": kk}
