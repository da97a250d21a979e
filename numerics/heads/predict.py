"""A head's regime and its Poisson-limit attention at the fitted local law, now and at longer contexts
(docs/rules.md §4–6).

Given the fitted local law P(gap <= t) ~ kappa t^alpha of a head's logits (``numerics.heads.estimators``), the
inverse temperature beta the logits carry (1 when the fit was made on the logits themselves) and the number n of
keys, the head sits at lambda = beta / (kappa n)^{1/alpha} of the critical scale, and the i.i.d. theory predicts
its ranked weights to follow the Poisson–Kingman limit at (alpha, lambda) (docs/critical.md; paper 1 §3).

:func:`limit_functionals` is a double-precision route to E W_(1), E sum W^2 and E H of that limit at any real
alpha: the Campbell–Mecke form of ``numerics.laws.poisson_limit`` in t = e^s, its inner integrals over the
v-points on Gauss–Legendre panels with a spectral integration matrix for the cumulative B(v, t) = int_0^v
e^{-t e^{-u}} rho(u) du (docs/rules.md §5):

    E W_(1) = int e^{-Phi(t)} int rho(v) e^{-v - t e^{-v} - B(v, t)} dv dt,
    E sum W^2 = int t e^{-Phi(t)} int rho(v) e^{-2v - t e^{-v}} dv dt,
    E H = E sum W v + E log T,  E log T = log E T + int (e^{-t E T} - e^{-Phi(t)}) dt/t,

rho(v) = alpha lambda^{-alpha} v^{alpha-1}, Phi(t) = int (1 - e^{-t e^{-v}}) rho(v) dv. About 8 digits in 5–50 ms
(tests/test_heads_predict.py against the package's mpmath routes); the package's routes give any digits but take
seconds (first point) or need 2 alpha an integer or alpha >= 8 (Campbell panels).

:func:`predict_head` carries the fit's uncertainty through its joint confidence region of (alpha, log kappa) along
the profile ridge (``GapFit.ridge``, docs/heads_estimators.md §8): for alpha over the profile interval, log kappa =
log kappa^(alpha) +- h(alpha), h shrinking to 0 at the interval's ends; each quantity's interval is its range over
the region's boundary (E W_(1), E sum W^2 and E H are monotone in lambda, hence in log kappa, at fixed alpha).
A fit without a ridge (any object with alpha, alpha_ci, kappa, kappa_ci) falls back to the corners of the box
alpha_ci x kappa_ci, which ignores the strong correlation of alpha^ and kappa^ and is much wider for steep laws.
kappa is carried as its logarithm: for a steep law kappa^ leaves the double range.
"""
from __future__ import annotations

import dataclasses
import functools
import math
import time

import numpy as np

from attnlimits.numerics.results import Result, json_value
from attnlimits.theory.validation import InputError, count, positive_real, real

__all__ = ["ALPHA_RANGE", "LOG_ET_MAX", "LAMBDA_MAX", "limit_functionals", "critical_band", "regime_of",
           "Prediction", "predict_head", "predict_curve", "rule_multiplier"]

#: alpha range of :func:`limit_functionals` (tested from 0.5 to 16 against the mpmath routes, timed to 40).
ALPHA_RANGE = (0.3, 40.0)
#: log E T beyond which E W_(1) < 1e-270 and lambda^{-alpha} nears the double range.
LOG_ET_MAX = 620.0
#: Largest lambda: beyond, 1 - E W_(1) = O(1/lambda) is below the route's 8 digits (numerics.laws.supercritical).
LAMBDA_MAX = 1e6
#: Digits the double-precision route delivers (and the most any Prediction prints).
PREDICT_DIGITS = 6
#: Regime thresholds on the limit E W_(1), those of numerics.laws.regime (docs/regimes.md §2).
CRITICAL_LOW, CRITICAL_HIGH = 0.1, 0.9
#: regime_change_n is searched up to this context length.
N_SEARCH_MAX = 10**12

# The route's constants, tuned against the mpmath routes (tests/test_heads_predict.py): errors below 2e-9.
_R_BELOW = 4.0      # e^{-e^4} = 2e-24: points more than 4 below log t carry no weight at this t
_TAIL = 28.0        # e^{-28} = 7e-13: the inner integrands' tail beyond the reach
_SPLIT = 8.0        # t-nodes with log t > 12 slide their v-panels along with log t
_GMAX = 36.0        # P(Gamma_1 > 36) = 2e-16: the first point lies below lambda 36^{1/alpha} (E H needs this far)
_P = 8              # Gauss-Legendre nodes per panel
_HX = 0.1           # step of the t-grid's asinh map around -log E T
_HY = 0.4           # step of its second term in alpha log s
_WSCALE = 2.0
_REL = 2.0          # panel width at most _REL v/alpha
_SHARP = 6.0        # panels of width 1 up to 6 above the largest log t they serve
_WIDE = 3.0         # panel width beyond


@functools.lru_cache(maxsize=4)
def _gl(p: int):
    """Gauss–Legendre nodes, weights and the integration matrix S (S f = int_{-1}^{x_i} of the interpolant)."""
    x, w = np.polynomial.legendre.leggauss(p)
    V = np.polynomial.legendre.legvander(x, p - 1)
    Q = np.empty((p, p))
    for k in range(p):
        c = np.zeros(p)
        c[k] = 1
        Q[:, k] = np.polynomial.legendre.legval(x, np.polynomial.legendre.legint(c, lbnd=-1))
    return x, w, Q @ np.linalg.inv(V)


def _reach(a: float, s0: float) -> float:
    """r with e^{-r} ((s0 + r)/s0)^{a-1} < e^{-36}: how far above log t the inner integrands still count."""
    base = max(s0, 1.0)
    r = _TAIL
    for _ in range(60):
        r_new = _TAIL + max(a - 1, 0.0) * math.log1p(r / base)
        if abs(r_new - r) < 0.01:
            break
        r = r_new
    return r + 2.0


def _panel_edges(lo: float, hi: float, a: float, sharp: float) -> np.ndarray:
    """Panels in v: width 1 at most below ``sharp`` (the Gumbel profile e^{-v - t e^{-v}} of the t-nodes),
    _WIDE beyond (smooth tails), 2v/alpha at most (Lambda(v) = (v/lambda)^alpha grows by e^2 per panel at most),
    geometric towards 0 (rho ~ v^{alpha-1})."""
    edges = [lo]
    e = lo
    rel = min(_REL / a, 2.0)
    while e < hi:
        e = e + min(1.0 if e < sharp else _WIDE, e * rel)
        edges.append(e)
    return np.asarray(edges)


def _block(a, la, s, v, logz, half, wv, lam_lo, S):
    """Phi, and the inner integrals of E W_(1), E sum W^2, E sum W v at the t-nodes ``s`` (log t), over v-panels
    ``v`` (per t, or shared) starting where Lambda = ``lam_lo``; ``logz`` = s - v."""
    logrho = math.log(a) - a * math.log(la) + (a - 1) * np.log(v)
    z = np.exp(logz)
    shape = np.broadcast_shapes(v.shape, logz.shape)
    W = np.broadcast_to(wv, shape)
    Phi = (-np.expm1(-z) * np.exp(logrho) * W).sum(axis=(1, 2)) + lam_lo
    f = np.broadcast_to(np.exp(logrho - z), shape)
    inpanel = np.einsum("ij,tpj->tpi", S, f) * np.broadcast_to(half, shape[:2])[..., None]
    totals = (f * W).sum(axis=2)
    start = np.concatenate([np.zeros((len(s), 1)), np.cumsum(totals, axis=1)[:, :-1]], axis=1)
    B = start[:, :, None] + inpanel
    base = logrho - v - z - Phi[:, None, None] + s[:, None, None]
    w1 = (np.exp(base - B) * W).sum(axis=(1, 2))
    eb = np.exp(base) * W
    m2 = (eb * z).sum(axis=(1, 2))
    mv = (eb * v).sum(axis=(1, 2))
    return Phi, w1, m2, mv


def _t_nodes(a: float, la: float, s_lo: float, s_c: float, s_hi: float):
    """Nodes and weights in s = log t: the trapezoid rule in x = X(s) = asinh((s - s_c)/w)/h + (alpha/h_y)
    asinh(u/lambda), u = log(1 + e^s), an analytic monotone map. The first term resolves the Laplace feature at s_c = -log E T
    (width 1), the second the first point's spread at s ~ v_1 = lambda Gamma_1^{1/alpha}, where e^{-Phi(t)}
    ~ e^{-(s/lambda)^alpha} varies on the scale s/alpha (steps h_y/alpha in log s)."""
    k = a / _HY

    def X(x):
        return np.arcsinh((x - s_c) / _WSCALE) / _HX + k * np.arcsinh(np.logaddexp(0.0, x) / la)

    def dX(x):
        u = np.logaddexp(0.0, x)  # softplus: the second term acts on s > 0 only, and stays analytic
        return 1 / (_HX * np.sqrt(_WSCALE**2 + (x - s_c) ** 2)) + k / ((1 + np.exp(-x)) * np.sqrt(u * u + la * la))

    x_lo, x_hi = float(X(s_lo)), float(X(s_hi))
    xs = x_lo + np.arange(int(math.ceil(x_hi - x_lo)) + 1)
    lo, hi = np.full(xs.shape, s_lo), np.full(xs.shape, s_hi + 1.0)
    for _ in range(70):  # bisection: X is increasing, 70 halvings of at most 1e6 reach 1e-15
        mid = (lo + hi) / 2
        below = X(mid) < xs
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    s = (lo + hi) / 2
    return s, 1 / dX(s)


def _check_limit_args(alpha, lam):
    a = float(real(alpha, "alpha", low=ALPHA_RANGE[0], high=ALPHA_RANGE[1]))
    la = float(positive_real(lam, "lambda"))
    log_et = math.lgamma(a + 1) - a * math.log(la)
    if log_et > LOG_ET_MAX:
        raise InputError(f"lambda = {la:.3g} at alpha = {a:.3g} is below the double-precision route's range "
                         f"(E T = Gamma(alpha+1) lambda^-alpha = e^{log_et:.0f} > e^{LOG_ET_MAX:.0f}, E W_(1) < 1e-270): "
                         f"deep in the subcritical regime; numerics.laws.poisson_limit.campbell_functionals computes "
                         f"it at any precision")
    if la == 0:
        return 0.0, 0.0, math.inf, "a point kappa = inf: its limit values 0, 0, inf used"
    if la > LAMBDA_MAX:
        raise InputError(f"lambda = {la:.3g} is beyond the double-precision route's range lambda <= {LAMBDA_MAX:g}: "
                         f"1 - E W_(1) = O(1/lambda) is below its 8 digits there; `attnlimits law supercritical` "
                         f"gives the lambda -> infinity laws")
    return a, la, log_et


def limit_functionals(alpha, lam, *, w1_only: bool = False):
    """E W_(1), E sum W^2, E H (and E log T, E sum W v, E T) of the Poisson–Kingman limit at (alpha, lambda), in
    double precision (module docstring; docs/rules.md §5): about 8 significant digits (E H: 8 digits of
    max(E H, |E log T|)) in 5–50 ms, for alpha in [0.3, 40] and lambda up to 1e6 with E T <= e^620. Returns a
    :class:`attnlimits.numerics.laws.weight_functionals.WeightFunctionals` (mpf fields; ``w1_only`` skips the
    others, for root finding).

    >>> r = limit_functionals(1, 1)
    >>> round(float(r.E_W1), 9), round(math.exp(-0.5772156649015329), 9)  # alpha = lambda = 1: e^{-gamma}
    (0.561459484, 0.561459484)
    >>> round(float(r.E_sum_W2), 9), round(1 - math.exp(-0.5772156649015329), 9)  # E sum W^2 = 1 - E W_(1)/lambda
    (0.438540516, 0.438540516)
    """
    import mpmath

    from attnlimits.numerics.laws.weight_functionals import WeightFunctionals

    t0 = time.perf_counter()
    a, la, log_et = _check_limit_args(alpha, lam)
    xg, wg, S = _gl(_P)
    s_lo = -max(log_et, 0.0) - 30.0
    s_hi = max(la * _GMAX ** (1 / a) + 8.0, -log_et + 6.0)
    s_c = min(max(-log_et, s_lo + 1), s_hi - 1)
    s, ws = _t_nodes(a, la, s_lo, s_c, s_hi)
    split = _R_BELOW + _SPLIT
    low = s <= split
    # t-nodes with log t <= 12: shared panels from v_min, below which Lambda(v) < 1e-16
    v_min = min(la * 1e-16 ** (1 / a), 0.25)
    edges = _panel_edges(v_min, split + _reach(a, split), a, split + _SHARP)
    half = (edges[1:] - edges[:-1]) / 2
    v = (edges[:-1, None] + half[:, None] * (xg + 1))[None]
    sl = s[low]
    res_a = _block(a, la, sl, v, sl[:, None, None] - v, half[None], (half[:, None] * wg)[None],
                   np.full(sl.shape, (v_min / la) ** a), S)
    # higher t-nodes: panels in r = v - log t from -4 (everything below has e^{-t e^{-v}} < 2e-24)
    sh = s[~low]
    # v >= 8 here: width 8/alpha at most keeps Lambda's growth per panel as on the shared panels
    cap = _SPLIT / a
    sharp_part = np.arange(-_R_BELOW, _SHARP, min(1.0, cap))
    wide = min(_WIDE, cap)
    r_edges = np.concatenate([sharp_part, np.arange(_SHARP, _reach(a, split) + wide, wide)])
    half_r = (r_edges[1:] - r_edges[:-1]) / 2
    r = r_edges[:-1, None] + half_r[:, None] * (xg + 1)
    res_b = _block(a, la, sh, sh[:, None, None] + r[None], -np.broadcast_to(r, (len(sh),) + r.shape), half_r[None],
                   (half_r[:, None] * wg)[None], ((sh - _R_BELOW) / la) ** a, S)
    phi, w1, m2, mv = (np.concatenate([x, y]) for x, y in zip(res_a, res_b))
    e_w1 = float((w1 * ws).sum())
    out = dict(E_W1=mpmath.mpf(e_w1), E_T=mpmath.mpf(math.exp(log_et)) if log_et < 700 else None,
               outer_nodes=len(s), seconds=time.perf_counter() - t0)
    if not w1_only:
        e_s2 = float((m2 * ws).sum())
        e_wv = float((mv * ws).sum())
        log_t = log_et + float(((np.exp(-np.exp(np.minimum(s + log_et, 700.0))) - np.exp(-phi)) * ws).sum())
        out.update(E_sum_W2=mpmath.mpf(e_s2), E_sum_Wv=mpmath.mpf(e_wv), E_log_T=mpmath.mpf(log_t),
                   E_entropy=mpmath.mpf(e_wv + log_t))
    return WeightFunctionals(**out)


# ---------------------------------------------------------------- the regime band


def _solve_band_edge(a: float, target: float) -> float:
    """lambda with E W_(1)(alpha, lambda) = target, by Brent's method in log lambda (E W_(1) increases with lambda)."""
    from scipy.optimize import brentq

    def g(x):
        return float(limit_functionals(a, math.exp(x), w1_only=True).E_W1) - target

    # the small-lambda form E W_(1) ~ lambda^alpha / Gamma(alpha + 1) places the edges within a few e-folds
    x0 = (math.log(target) + math.lgamma(a + 1)) / a
    lo, hi = x0 - 1.0, x0 + 1.0
    while g(lo) > 0:
        lo -= 2.0
    while g(hi) < 0:
        hi += 2.0
    return math.exp(brentq(g, lo, hi, xtol=1e-9, rtol=1e-10))


def _band_table():
    """The table below: log alpha -> (log lambda_low, log lambda_high), solved directly (about a minute)."""
    grid = np.linspace(math.log(ALPHA_RANGE[0]), math.log(ALPHA_RANGE[1]), 61)
    return [(round(float(x), 12), math.log(_solve_band_edge(math.exp(x), CRITICAL_LOW)),
             math.log(_solve_band_edge(math.exp(x), CRITICAL_HIGH))) for x in grid]


#: (log alpha, log lambda_low, log lambda_high) on 61 points from alpha = 0.3 to 40, from ``_band_table()``;
#: interpolated in log alpha by :func:`_band_interp` (tests/test_heads_predict.py checks it against direct solves).
_BAND = (
    (-1.203972804326, -8.307734216131413, 1.4026564975851281),
    (-1.122425266685, -7.661347390997736, 1.3899790803054104),
    (-1.040877729045, -7.0628284260962575, 1.385171336211155),
    (-0.959330191404, -6.508218585466159, 1.387809506836934),
    (-0.877782653763, -5.993860324690633, 1.3974856432636187),
    (-0.796235116123, -5.516375374710279, 1.413808321290116),
    (-0.714687578482, -5.072644828351658, 1.436403836004397),
    (-0.633140040841, -4.659790995940926, 1.464917434021685),
    (-0.551592503201, -4.275160807901328, 1.4990141360729778),
    (-0.47004496556, -3.916310552768909, 1.5383787735576187),
    (-0.388497427919, -3.580991747343745, 1.5827149316870044),
    (-0.306949890279, -3.26713797917143, 1.631742634151268),
    (-0.225402352638, -2.9728525581809815, 1.6851947516013126),
    (-0.143854814997, -2.696396877897961, 1.7428123006986462),
    (-0.062307277357, -2.4361793789346944, 1.804339005815579),
    (0.019240260284, -2.190745066594962, 1.8695157057007548),
    (0.100787797925, -1.9587655270552542, 1.938075366040887),
    (0.182335335565, -1.7390294223081362, 2.0097395475814057),
    (0.263882873206, -1.5304334513185447, 2.0842171111568923),
    (0.345430410847, -1.3319737721688982, 2.16120566972196),
    (0.426977948487, -1.1427378865940574, 2.2403958367269614),
    (0.508525486128, -0.9618969897748868, 2.3214777668698376),
    (0.590073023769, -0.7886987873386436, 2.404149002196067),
    (0.671620561409, -0.6224607768853576, 2.488122387720037),
    (0.75316809905, -0.46256399503776535, 2.5731328902717636),
    (0.834715636691, -0.3084472170708113, 2.6589425015644093),
    (0.916263174331, -0.15960160127583758, 2.745342890267481),
    (0.997810711972, -0.015565762244002725, 2.8321559214764416),
    (1.079358249613, 0.12407874251611023, 2.919232468510976),
    (1.160905787253, 0.2597115330558337, 3.0064500670939407),
    (1.242453324894, 0.39167715075523557, 3.0937099392304073),
    (1.324000862535, 0.5202884481040343, 3.180933807503808),
    (1.405548400175, 0.6458296372578619, 3.268060785114989),
    (1.487095937816, 0.7685590203692724, 3.3550445163776415),
    (1.568643475457, 0.8887114112994718, 3.441850637939677),
    (1.650191013097, 1.0065002740628353, 3.52845458763308),
    (1.731738550738, 1.122119592114232, 3.6148397435306676),
    (1.813286088379, 1.2357455003509699, 3.700995862812869),
    (1.894833626019, 1.34753771499157, 3.7869177832028806),
    (1.97638116366, 1.4576408062779609, 3.872604349537059),
    (2.057928701301, 1.5661853625056814, 3.958057530762715),
    (2.139476238941, 1.6732890903120505, 4.043281696604162),
    (2.221023776582, 1.7790578837410376, 4.128283027329996),
    (2.302571314223, 1.8835868780180778, 4.213069034202316),
    (2.384118851863, 1.9869614874858772, 4.297648170173497),
    (2.465666389504, 2.08925841563582, 4.3820295202780395),
    (2.547213927145, 2.1905466201364465, 4.466222547470215),
    (2.628761464785, 2.2908882167870934, 4.550236896375822),
    (2.710309002426, 2.3903393090352556, 4.63408223606053),
    (2.791856540067, 2.4889507378270217, 4.717768137381339),
    (2.873404077707, 2.586768747907551, 4.801303980137941),
    (2.954951615348, 2.6838355744560216, 4.884698882252545),
    (3.036499152989, 2.7801899533878753, 4.967961644812988),
    (3.118046690629, 2.8758675631156283, 5.05110072284664),
    (3.19959422827, 2.9709014043983237, 5.134124202401508),
    (3.281141765911, 3.065322126310263, 5.217039749059019),
    (3.362689303551, 3.1591583029918056, 5.299854680246569),
    (3.444236841192, 3.252436672791675, 5.382575918225815),
    (3.525784378833, 3.3451823400202563, 5.465209917137118),
    (3.607331916473, 3.4374189470165963, 5.547762747742745),
    (3.688879454114, 3.529168824416898, 5.630240283732936),
)


def _band_interp(x: float):
    """(log lambda_low, log lambda_high) at log alpha = x: 6-point Lagrange interpolation on the table's uniform
    grid (error below 2e-7 against direct solves, tests/test_heads_predict.py)."""
    t = np.asarray(_BAND)
    h = (t[-1, 0] - t[0, 0]) / (len(t) - 1)
    i = min(max(int((x - t[0, 0]) // h) - 2, 0), len(t) - 6)
    xs = t[i:i + 6, 0]
    w = np.array([np.prod([(x - xs[k]) / (xs[j] - xs[k]) for k in range(6) if k != j]) for j in range(6)])
    return float(w @ t[i:i + 6, 1]), float(w @ t[i:i + 6, 2])


def critical_band(alpha, *, exact: bool = False):
    """(lambda_low, lambda_high): the critical window at alpha, where the limit E W_(1) is 0.1 and 0.9 (the
    thresholds of ``numerics.laws.regime``, docs/regimes.md §2, applied to the Poisson limit; docs/rules.md §6).
    Below lambda_low the head is subcritical, above lambda_high supercritical. Interpolated from a table (6 digits)
    unless ``exact``.

    >>> lo, hi = critical_band(1)
    >>> round(lo, 4), round(hi, 3)  # alpha = 1: E W_(1) = int e^{-tau - Ein(tau)/lambda} dtau = 0.1, 0.9
    (0.1057, 6.384)
    """
    a = float(real(alpha, "alpha", low=ALPHA_RANGE[0], high=ALPHA_RANGE[1]))
    if exact or not _BAND:
        return _solve_band_edge(a, CRITICAL_LOW), _solve_band_edge(a, CRITICAL_HIGH)
    low, high = _band_interp(math.log(a))
    return math.exp(low), math.exp(high)


def regime_of(e_w1) -> str:
    """'subcritical', 'critical' or 'supercritical' from the limit E W_(1) (thresholds 0.1 and 0.9 of
    ``numerics.laws.regime``, docs/regimes.md §2, at n -> oo).

    >>> regime_of(0.05), regime_of(0.5), regime_of(0.95)
    ('subcritical', 'critical', 'supercritical')
    """
    w = float(e_w1)
    if w >= CRITICAL_HIGH:
        return "supercritical"
    return "critical" if w >= CRITICAL_LOW else "subcritical"


# ---------------------------------------------------------------- rules


def rule_multiplier(rule: str = "none", **rule_params):
    """(m, name): the rule's multiplier m(n) as a numpy function of the context length (arrays of floats) and the
    rule's name; ``rule`` and ``rule_params`` (train_length, scale, ssmax_s and the rule's own constants) as in
    :func:`attnlimits.numerics.laws.regime.rule_expression`.

    >>> m, name = rule_multiplier("qwen-logn", train_length=4096)
    >>> name, float(m(4096.0 ** 2)), float(m(100.0))
    ('qwen-logn', 2.0, 1.0)
    """
    try:
        key = (rule, tuple(sorted((k, str(v)) for k, v in rule_params.items())))
        hash(key)
    except TypeError:
        raise InputError(f"rule must be a name or an expression (text), got {type(rule).__name__}") from None
    return _rule_multiplier(key)


@functools.lru_cache(maxsize=64)
def _rule_multiplier(key):
    import sympy as sp

    from attnlimits.numerics.laws.regime import rule_expression
    from attnlimits.theory.scaling_rules import n as n_sym

    rule, items = key
    rule_params = dict(items)
    named = {k: rule_params.pop(k) for k in ("train_length", "scale", "ssmax_s") if k in rule_params}
    expr, name = rule_expression(rule, params=rule_params, **named)
    f = sp.lambdify(n_sym, expr, modules="numpy")

    def m(nn):
        with np.errstate(all="ignore"):
            return np.broadcast_to(np.asarray(f(np.asarray(nn, dtype=float)), dtype=float), np.shape(nn))

    return m, name


# ---------------------------------------------------------------- predictions


@dataclasses.dataclass(frozen=True)
class Prediction(Result):
    """What the i.i.d. theory predicts for a head at its fitted local law (docs/rules.md §4–6); floats.

    - ``alpha``, ``kappa``: the fitted local law P(gap <= t) ~ kappa t^alpha (kappa per key);
    - ``beta``: the inverse temperature the logits carry at ``n`` (1 for logits as fitted); ``n``: keys per query;
    - ``lambda_hat`` = beta / (kappa n)^{1/alpha}, ``lambda_ci`` its interval over the fit's joint region;
    - ``regime``: 'subcritical' | 'critical' | 'supercritical' from the limit E W_(1) (thresholds 0.1, 0.9);
    - ``E_W1``, ``E_sum_W2``, ``E_entropy`` and their ``_ci``: the Poisson–Kingman limit values at (alpha, lambda)
      and their ranges over the joint region of (alpha, log kappa) (docs/rules.md §4);
    - ``critical_band``: (lambda_low, lambda_high), where E W_(1) = 0.1 and 0.9 at alpha;
    - ``regime_change_n``: the first context length above n at which the regime changes under the rule (beta(n')
      = beta m(n')/m(n)), searched up to 1e12; None if it does not;
    - ``rule``: the rule's name; ``note``: points of the region outside the route's range, if any; ``seconds``;
    - ``log_kappa``: log kappa (kappa itself may underflow); ``region``: 'ridge' (the fit's joint region) or
      'box' (the corners of alpha_ci x kappa_ci, for a fit without a ridge).

    >>> from types import SimpleNamespace
    >>> fit = SimpleNamespace(alpha=1.0, alpha_ci=(0.9, 1.1), kappa=1e-3, kappa_ci=(0.8e-3, 1.25e-3))
    >>> p = predict_head(fit, beta=1, n=1000)  # kappa n = 1: lambda = 1, E W_(1) = e^{-gamma}
    >>> p.regime, round(p.lambda_hat, 6), round(p.E_W1, 6)
    ('critical', 1.0, 0.561459)
    """

    alpha: float
    kappa: float
    beta: float
    n: int
    lambda_hat: float
    lambda_ci: tuple
    regime: str
    E_W1: float
    E_W1_ci: tuple
    E_sum_W2: float
    E_sum_W2_ci: tuple
    E_entropy: float
    E_entropy_ci: tuple
    critical_band: tuple
    regime_change_n: int | None
    rule: str
    note: str | None = None
    seconds: float = 0.0
    log_kappa: float | None = None
    region: str = "ridge"

    def to_json(self, digits: int, *, skip_none: bool = False) -> dict:
        """As :meth:`Result.to_json`, numbers as decimal strings of at most the route's 6 digits (kappa from its
        logarithm, so that a kappa below the double range prints as its value, not as 0)."""
        import mpmath

        k = min(digits, PREDICT_DIGITS)

        def conv(x, name=""):
            if name == "kappa" and self.log_kappa is not None and math.isfinite(self.log_kappa):
                return json_value(mpmath.exp(mpmath.mpf(self.log_kappa)), k)
            if isinstance(x, float):
                return json_value(mpmath.mpf(x), k) if math.isfinite(x) else str(x)
            if isinstance(x, tuple):
                return [conv(v) for v in x]
            return json_value(x, k)

        return {f.name: conv(getattr(self, f.name), f.name) for f in dataclasses.fields(self)
                if not (skip_none and getattr(self, f.name) is None)}


def _interval(fit, name):
    try:
        lo, hi = (float(v) for v in getattr(fit, name))
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be two numbers (lo, hi): {exc}") from None
    return lo, hi


def _fit_numbers(fit):
    """(alpha, (lo, hi), log kappa, region, kind) of a GapFit-like object, checked; ``region`` lists the points
    (alpha, log kappa) whose functionals span the intervals, the centre first: the boundary of the fit's ridge
    region (``kind`` 'ridge'), or, for a fit without one, the corners of the box alpha_ci x kappa_ci ('box')."""
    for name in ("alpha", "kappa"):
        if not hasattr(fit, name) or not hasattr(fit, name + "_ci"):
            raise InputError(f"fit must have {name} and {name}_ci (a GapFit from numerics.heads.estimators)")
    if fit.alpha is None or (fit.kappa is None and getattr(fit, "log_kappa", None) is None):
        raise InputError("the fit has no kappa (a Gumbel-like top, alpha^ = inf): no Poisson-limit prediction")
    alpha = float(positive_real(fit.alpha, "alpha"))
    a_lo, a_hi = _interval(fit, "alpha_ci")
    if not 0 <= a_lo <= alpha <= a_hi:
        raise InputError(f"alpha_ci = ({a_lo:.6g}, {a_hi:.6g}) does not contain alpha = {alpha:.6g}")
    if not ALPHA_RANGE[0] <= alpha <= ALPHA_RANGE[1]:
        raise InputError(f"alpha = {alpha:.4g} is outside the prediction's supported range "
                         f"{ALPHA_RANGE[0]} <= alpha <= {ALPHA_RANGE[1]:g} (the double-precision Poisson-limit route, "
                         f"docs/rules.md §5); numerics.laws.poisson_limit.campbell_functionals covers larger alpha "
                         f"when E T is large")
    ridge = getattr(fit, "ridge", None) or ()
    lk = getattr(fit, "log_kappa", None)
    if ridge and lk is not None:
        lk = float(real(lk, "log_kappa"))
        region = [(alpha, lk)]
        try:
            for a, l, h in ridge:
                a, l, h = float(a), float(l), float(h)
                if not (a > 0 and math.isfinite(l) and h >= 0):
                    raise ValueError(f"({a}, {l}, {h})")
                region += [(a, l - h), (a, l + h)] if h > 0 else [(a, l)]
        except (TypeError, ValueError) as exc:
            raise InputError(f"fit.ridge must hold triples (alpha > 0, log kappa, half-width >= 0): {exc}") from None
        return alpha, (a_lo, a_hi), lk, region, "ridge"
    kappa = float(positive_real(fit.kappa, "kappa"))
    k_lo, k_hi = _interval(fit, "kappa_ci")
    if not 0 <= k_lo <= kappa <= k_hi:
        raise InputError(f"kappa_ci = ({k_lo:.6g}, {k_hi:.6g}) does not contain kappa = {kappa:.6g}")
    lk = math.log(kappa) if lk is None else float(real(lk, "log_kappa"))

    def log(x):
        return -math.inf if x == 0 else math.log(x)
    region = [(alpha, lk)] + [(a, log(k)) for a in (a_lo, a_hi) for k in (k_lo, k_hi)]
    return alpha, (a_lo, a_hi), lk, region, "box"


def _log_lambda(log_beta: float, log_kappa: float, log_n: float, a: float) -> float:
    """log(beta / (kappa n)^{1/alpha}), with the ends kappa = 0 (lambda = inf) and kappa = inf (lambda = 0)."""
    if log_kappa == -math.inf:
        return math.inf
    if log_kappa == math.inf:
        return -math.inf
    return log_beta - (log_kappa + log_n) / min(a, 1e300)


def _exp(x: float) -> float:
    return math.exp(x) if x < 709.0 else math.inf


def _functionals_at(a: float, log_la: float, w1_only: bool):
    """(E_W1, E_sum_W2, E_entropy, note) at (alpha, lambda = e^log_la); outside the route's range the limit values
    (lambda -> 0: 0, 0, inf; lambda -> oo: 1, 1, 0) with a note. alpha beyond 40 is evaluated at 40 with the same
    lambda/alpha: along the ridge lambda grows like alpha, and the limit law at large alpha depends on lambda/alpha
    (v = lambda Gamma^{1/alpha} ~ lambda + (lambda/alpha) log Gamma; docs/rules.md §4); alpha below 0.3 is clamped."""
    note = None
    if a > ALPHA_RANGE[1]:
        note = (f"a point alpha = {a:.4g} of the region was evaluated at alpha = {ALPHA_RANGE[1]:g} with the same "
                f"lambda/alpha")
        log_la += math.log(ALPHA_RANGE[1] / a)
        a = ALPHA_RANGE[1]
    elif a < ALPHA_RANGE[0]:
        note = f"a point alpha = {a:.4g} of the region was clamped to {ALPHA_RANGE[0]:g}"
        a = ALPHA_RANGE[0]
    if log_la == -math.inf:
        return 0.0, 0.0, math.inf, "a point kappa = inf: its limit values 0, 0, inf used"
    if log_la > math.log(LAMBDA_MAX):
        return 1.0, 1.0, 0.0, (f"a point lambda = {_exp(log_la):.3g} > {LAMBDA_MAX:g}: its limit values 1, 1, 0 "
                               f"used")
    if math.lgamma(a + 1) - a * log_la > LOG_ET_MAX:
        return 0.0, 0.0, math.inf, (f"a point lambda = e^{log_la:.3g} is deep subcritical: its limit values 0, 0, "
                                    f"inf used")
    r = limit_functionals(a, math.exp(log_la), w1_only=w1_only)
    if w1_only:
        return float(r.E_W1), None, None, note
    return float(r.E_W1), float(r.E_sum_W2), float(r.E_entropy), note


def _regime_code(lam: np.ndarray, band) -> np.ndarray:
    return (lam >= band[0]).astype(int) + (lam >= band[1]).astype(int)


def _regime_change(a, log_kappa, beta0, m, n, band):
    """First n' > n at which lambda(n') = beta0 m(n') / (kappa n')^{1/alpha} leaves the band position it has at n:
    a scan at 50 points per decade up to 1e12, then bisection on the integers."""
    if n >= N_SEARCH_MAX:
        return None

    def code(nn):
        nn = np.asarray(nn, dtype=float)
        lam = beta0 * m(nn) * np.exp(-(log_kappa + np.log(nn)) / a)
        if not np.all(np.isfinite(lam)) or np.any(lam <= 0):
            raise InputError("the rule's multiplier is not a finite positive number on the searched context lengths "
                             f"{int(nn.min())}..{int(nn.max())}")
        return _regime_code(lam, band)

    c0 = code([n])[0]
    decades = math.log10(N_SEARCH_MAX) - math.log10(n)
    grid = np.unique(np.floor(np.logspace(math.log10(n), math.log10(N_SEARCH_MAX), max(int(50 * decades), 2) + 1)))
    grid = grid[grid > n]
    codes = code(grid)
    idx = np.flatnonzero(codes != c0)
    if idx.size == 0:
        return None
    hi = int(grid[idx[0]])
    lo = int(grid[idx[0] - 1]) if idx[0] > 0 else n
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if code([mid])[0] != c0:
            hi = mid
        else:
            lo = mid
    return hi


def predict_head(fit, beta, n, rule: str = "none", **rule_params) -> Prediction:
    """The prediction for a head of fitted local law ``fit`` (a GapFit of ``numerics.heads.estimators``, whose joint
    region of (alpha, log kappa) carries the uncertainty; or any object with alpha, alpha_ci, kappa, kappa_ci, whose
    box is used) whose logits carry inverse temperature ``beta`` at ``n`` keys: lambda, the regime, the
    Poisson-limit E W_(1), E sum W^2, E H with their intervals, and the context length at which the regime changes
    under the temperature rule (docs/rules.md §4–6). ``rule`` and ``rule_params`` as in :func:`rule_multiplier`.
    About 0.1–0.3 s.

    >>> from types import SimpleNamespace
    >>> fit = SimpleNamespace(alpha=2.0, alpha_ci=(1.8, 2.2), kappa=1e-4, kappa_ci=(5e-5, 2e-4))
    >>> p = predict_head(fit, beta=1, n=10**4)  # kappa n = 1: lambda = 1
    >>> p.regime, p.regime_change_n > 10**4, p.lambda_ci[0] < 1 < p.lambda_ci[1], p.region
    ('critical', True, True, 'box')
    """
    t0 = time.perf_counter()
    alpha, a_ci, lk, region, kind = _fit_numbers(fit)
    b = float(positive_real(beta, "beta"))
    nn = count(n, "n")
    m, name = rule_multiplier(rule, **rule_params)
    m_here = float(m(float(nn)))
    if not (math.isfinite(m_here) and m_here > 0):
        raise InputError(f"rule {name} gives the multiplier {m_here:.6g} at n = {nn}: it must be finite and positive")
    vals, notes = [], []
    log_b, log_n = math.log(b), math.log(nn)
    for a, k in region:
        ll = _log_lambda(log_b, k, log_n, a)
        w1, s2, h, note = _functionals_at(a, ll, False)
        vals.append((_exp(ll), w1, s2, h))
        if note:
            notes.append(note)
    cols = list(zip(*vals))
    ci = [(min(c), max(c)) for c in cols]
    band = critical_band(alpha)
    change = _regime_change(alpha, lk, b / m_here, m, nn, band)
    return Prediction(alpha=alpha, kappa=_exp(lk) if lk > -745 else 0.0, beta=b, n=nn, lambda_hat=cols[0][0],
                      lambda_ci=ci[0], regime=regime_of(cols[1][0]), E_W1=cols[1][0], E_W1_ci=ci[1],
                      E_sum_W2=cols[2][0], E_sum_W2_ci=ci[2], E_entropy=cols[3][0], E_entropy_ci=ci[3],
                      critical_band=band, regime_change_n=change, rule=name,
                      note="; ".join(dict.fromkeys(notes)) or None, seconds=time.perf_counter() - t0,
                      log_kappa=lk, region=kind)


def predict_curve(fit, beta0, n_values, rule: str = "none", **rule_params) -> list:
    """E W_(1) against context length under a temperature rule: for each n of ``n_values``, beta(n) = beta0 m(n),
    lambda = beta(n) / (kappa n)^{1/alpha}, the limit E W_(1) with its interval over the fit's joint region (as in
    :func:`predict_head`), and the regime. A list of dicts (n, beta, lambda, E_W1, E_W1_ci, regime); about 0.1 s
    per n.

    >>> from types import SimpleNamespace
    >>> fit = SimpleNamespace(alpha=1.0, alpha_ci=(0.95, 1.05), kappa=1e-3, kappa_ci=(0.9e-3, 1.1e-3))
    >>> [(r["n"], round(r["lambda"], 3), r["regime"]) for r in predict_curve(fit, 1, [1000, 10**5])]
    [(1000, 1.0, 'critical'), (100000, 0.01, 'subcritical')]
    """
    alpha, a_ci, lk, region, _ = _fit_numbers(fit)
    b0 = float(positive_real(beta0, "beta0"))
    try:
        ns = [count(x, "n") for x in n_values]
    except TypeError:
        raise InputError("n_values must be a list of context lengths") from None
    if not ns:
        raise InputError("n_values must name at least one context length")
    m, _ = rule_multiplier(rule, **rule_params)
    out = []
    for nn in ns:
        mult = float(m(float(nn)))
        if not (math.isfinite(mult) and mult > 0):
            raise InputError(f"the rule's multiplier at n = {nn} is {mult:.6g}: it must be finite and positive")
        beta = b0 * mult
        lls = [_log_lambda(math.log(beta), k, math.log(nn), a) for a, k in region]
        w = [_functionals_at(a, ll, True)[0] for (a, _), ll in zip(region, lls)]
        out.append({"n": nn, "beta": beta, "lambda": _exp(lls[0]), "E_W1": w[0], "E_W1_ci": (min(w), max(w)),
                    "regime": regime_of(w[0])})
    return out
