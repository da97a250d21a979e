"""Functionals of the critical-regime Poisson limit at high precision (paper 1, §3–4; docs/mathematics.md §3–4).

The ranked limiting weights are W_(j) = y_(j)/T, y = e^{−v}, where the v-points form a Poisson
process with intensity ρ(v) = α λ^{−α} v^{α−1} (``theory.poisson_limit``). Three routes:

``campbell``     (any α) one outer integral over t = e^s of Campbell–Mecke inner integrals,
                 1/T^k = ∫ t^{k−1} e^{−tT} dt/(k−1)!, evaluated by ``numerics.quadrature.campbell.sweep``:

                 E W_(k)   = ∫ e^{−Φ} ∫ ρ(v) e^{−v} E(v) A(v)^{k−1} e^{−A(v)}/(k−1)! dv dt,
                 E Σ W²    = ∫ t e^{−Φ} M_{e^{−2v}} dt,
                 E Σ W v   = ∫ e^{−Φ} M_{v e^{−v}} dt,         E log T = log E T + ∫ (e^{−t E T} − e^{−Φ(t)}) dt/t,
                 E H       = E Σ W v + E log T                 (H = −Σ W log W),
                 E (Σ W v)² = ∫ t e^{−Φ} (M_{v² e^{−2v}} + M_{v e^{−v}}²) dt,
                 E Σ W² v  = ∫ t e^{−Φ} M_{v e^{−2v}} dt.

``first_point``  (any α) condition on the first point v_1 = λ Γ_1^{1/α} (Γ_1 ~ Exp(1)); the others,
                 shifted by v_1, form a Poisson process with intensity ρ(v_1 + r) on r > 0, and
                 W_(1) = 1/(1 + R), R = Σ e^{−r_j}. With F(τ) = ∫ (1 − e^{−τ e^{−r}}) ρ(v_1+r) dr
                 = Σ_m (−1)^{m+1} τ^m C_m/m!, C_m = ∫ e^{−m r} ρ(v_1 + r) dr = α λ^{−α} m^{−α} e^x Γ(α, x)
                 at x = m v_1 (recurrence e^xΓ(s+1,x) = s e^xΓ(s,x) + x^s, DLMF 8.8.2):

                 E W_(1) = E_{v_1} ∫ e^{−τ − F(τ)} dτ,
                 E Σ W²  = E_{v_1} ∫ τ e^{−τ − F(τ)} (1 + G_2(τ)) dτ,   G_2 = Σ_m (−τ)^m C_{m+2}/m!,
                 E H     = E_{v_1} [∫ e^{−τ−F} G_r dτ + ∫ e^{−s} (1 − e^{−F(s)}) ds/s],
                           G_r = Σ_m (−τ)^m D_{m+1}/m!, D_m = ∫ r e^{−m r} ρ(v_1 + r) dr.

``alpha1``       (α = 1 only) the one-dimensional closed forms of ``theory.poisson_limit``.

Normal and tangential output components (docs/mathematics.md §4): S_j = v_j/λ, so
(κn)^{1/α}(1 − ⟨q, y⟩) → N = Σ W_j S_j with E N = E Σ W v/λ, E N² = E(Σ W v)²/λ², and
(κn)^{1/(2α)} P_⊥ y → Σ W_j √(2 S_j) U_j, whose mean is 0 and E|·|² = 2 E Σ W² v / λ.
"""
from __future__ import annotations

import math
import time

import mpmath
from flint import arb, arb_poly, ctx

from attnlimits.numerics.quadrature.campbell import LimitIntensity, sweep
from attnlimits.numerics.quadrature.double_exponential import (DERule, ExponentialMap, SinhMap, de_integrate,
                                                                outer_log_integral)
from attnlimits.numerics.quadrature.gauss_panels import to_mpf
from attnlimits.numerics.laws.weight_functionals import WeightFunctionals
from attnlimits.numerics.precision import (GUARD_DIGITS as GUARD, arb_digits, bits_for, check_digits, precise,
                                           working_digits)
from attnlimits.numerics.special.incomplete_gamma import dickman_tail, ein, lower_gamma_2, scaled_upper_gamma_table
from attnlimits.theory.validation import InputError, choice, integer, positive_real, real
from attnlimits.theory.validation import to_mpf as read_mpf

__all__ = ["LimitParameters", "parameters", "check_supported", "series_regime", "campbell_functionals", "first_point_functionals",
           "alpha1_functionals", "max_weight_tail", "mean_T", "limit_functionals", "K_MAX"]


class LimitParameters:
    """(α, λ) of the Poisson limit, with the raw constant c = λ κ^{1/α} when κ is known.

    Each number is checked (InputError otherwise) and held as an mpf at the caller's precision.

    >>> LimitParameters(1, 2, kappa=0.5).c, LimitParameters(1, 2).c   # d = 3: κ_3 = 1/2
    (mpf('1.0'), None)
    """

    def __init__(self, alpha, lam, kappa=None):
        self.alpha = _positive(alpha, "alpha")
        self.lam = _positive(lam, "lambda")
        self.kappa = None if kappa is None else _positive(kappa, "kappa")

    @property
    def c(self):
        return None if self.kappa is None else self.lam * self.kappa ** (1 / self.alpha)


def _positive(x, name: str):
    """A positive number as an mpf: an mpf as it is (κ_d of d = 10^9 is 10^150514992, beyond the double range the
    user's numbers are held to), anything else checked by ``positive_real`` and read at the working precision."""
    if isinstance(x, mpmath.mpf):
        if not (mpmath.isfinite(x) and x > 0):
            raise InputError(f"{name} must be a finite number > 0, got {x}")
        return x
    return read_mpf(positive_real(x, name))


def parameters(*, alpha=None, d=None, lam=None, c=None, kappa=None, digits: int = 30) -> LimitParameters:
    """Resolve (α, λ) from d or α and from λ or c (c requires κ, which d supplies: κ_d of docs/mathematics.md §2).

    β_n = λ (κ n)^{1/α} = c n^{1/α}, hence λ = c κ^{−1/α} (docs/mathematics.md §3).

    >>> import mpmath
    >>> p = parameters(d=3, c=1, digits=10)  # α = 1, κ_3 = 1/2: λ = c κ^{−1/α} = 2
    >>> mpmath.nstr(p.alpha, 10), mpmath.nstr(p.lam, 10), mpmath.nstr(p.kappa, 10), mpmath.nstr(p.c, 10)
    ('1.0', '2.0', '0.5', '1.0')
    >>> parameters(alpha=1, c=1)
    Traceback (most recent call last):
      ...
    attnlimits.theory.validation.InputError: c needs kappa: give d, or kappa with alpha, or use lambda
    """
    from attnlimits.theory import sphere

    # 30 guard digits (not the gate's 15): α, κ and λ are inputs of every later computation, which carries
    # its own 15 guard digits on top of the digits it was asked for
    with working_digits(digits, guard=30) as digits:
        if d is not None:
            if alpha is not None:
                raise InputError("give d or alpha, not both")
            a = sphere.alpha(d)
            k = sphere.kappa(d)
            alpha_v = mpmath.mpf(sp_str(a, digits + 30))
            kappa_v = mpmath.mpf(sp_str(k, digits + 30))
            if kappa is not None:
                raise InputError("kappa is fixed by d; do not give both")
        else:
            if alpha is None:
                raise InputError("give d or alpha")
            alpha_v = read_mpf(positive_real(alpha, "alpha"))
            kappa_v = None if kappa is None else read_mpf(positive_real(kappa, "kappa"))
        if (lam is None) == (c is None):
            raise InputError("give exactly one of lambda and c")
        if lam is not None:
            lam_v = read_mpf(positive_real(lam, "lambda"))
        else:
            c_v = read_mpf(positive_real(c, "c"))
            if kappa_v is None:
                raise InputError("c needs kappa: give d, or kappa with alpha, or use lambda")
            lam_v = c_v * kappa_v ** (-1 / alpha_v)
        return LimitParameters(+alpha_v, +lam_v, kappa_v)


#: Largest k of E W_(k) computed by the Campbell route (each k costs one more sum per inner node).
K_MAX = 50


#: The supported range of the routes (docs/critical.md §4): what finishes within about a minute of one core
#: at 20 digits, with every requested digit. Beyond it the routes refuse at once (InputError).
ALPHA_MIN = 0.5          # below d = 2's α: the outer integral's tail exp(−(log t/λ)^α) costs minutes (α = 0.3: 3 min)
ALPHA_SMOOTH = 8         # panel route, 2α not an integer: its first panels in √v carry v^{α−1/2}, exact only from here
LAMBDA_PER_ALPHA = 4     # panel route: λ ≤ max(LAMBDA_MAX, 4α); beyond, W_(1) → 1 (law supercritical)
LAMBDA_MAX = 1000
PANEL_WORK_MAX = 600     # panel route: Gauss–Legendre panels per inner sweep at the outer centre (d = 512, λ = 1: 470)
PANEL_ALPHA_ALL = 64     # panel route: every λ up to here (d ≤ 129); beyond, λ ≥ 0.9 α only: in between, log(1/T)
PANEL_THETA_MIN = 0.9    # sits near λ far above −log E T and the outer integral needs thousands of nodes
FIRST_POINT_ALPHA_MAX = 32
FIRST_POINT_ALPHA_MIN = 0.05
FIRST_POINT_LOG_ET_MAX = math.log(1e8)  # first point: 29–31 of 20 digits up to E T = 10^8; 7 of 25 at 3·10^35


def _panel_count(alpha: float, lam: float, bits: int, log_t: float, cap: int = 100000) -> int:
    """The number of Gauss–Legendre panels of the sweep at t = e^{log_t} (``numerics.quadrature.campbell.sweep``,
    Poisson limit, its default widths): the same placement rules replayed in double precision, a cost model."""
    a, la = float(alpha), float(lam)
    depth = bits * math.log(2)
    p = max(a - 1, 0.0)
    v_hi = max(log_t + depth + 12, p + 1.5 * max(math.sqrt(p), 1.0) * math.sqrt(2 * depth) + 12)
    unit_hi, quarter_hi = max(log_t, 0) + 8, log_t - 1.5

    def mass(v):
        return math.exp(min(a * (math.log(v) - math.log(la)), 700.0)) if v > 0 else 0.0

    def mass_inv(m):
        return la * math.exp(math.log(m) / a)

    w_lo, w_hi = mass_inv(1e-6), mass_inv(mass(max(log_t + 3, 1e-300)) + (depth + 40) / 0.95)
    v0 = max(0, math.floor(log_t - math.log(depth + 30)))
    n = 0
    if v0 == 0 and a <= 8:
        n, k = (8, 1.0) if a == int(a) else (16, 4.0)
    elif a > 8:
        k = max(la * math.exp(-(bits + 10) * math.log(2) / a), v0)
    else:
        k = float(v0)
    while k < v_hi and n < cap:
        w = 0.25 if k < quarter_hi else (1.0 if k < unit_hi else 4.0)
        st = 1.0 if w_lo <= k <= w_hi else 4.0
        for x in (k, k + w):
            if x > 0 and a != 1:
                w = min(w, st * x / abs(a - 1))
        if 0 < k < 1:
            w = min(w, k / 1.5)
        k += w
        n += 1
    return n


def series_regime(alpha, lam, digits: int = 20, k_max: int = 5) -> bool:
    """Whether E T = Γ(α+1) λ^{−α} is large enough for the series inner integrals of the Campbell route at
    ``digits`` (docs/critical.md §4): T is then nearly deterministic and every weight small.

    >>> series_regime(1, 1), series_regime(1, "1e-3"), series_regime(63.5, 1)  # E T = 1, 1000, Γ(64.5)
    (False, True, True)
    """
    a = read_mpf(positive_real(alpha, "alpha"))
    la = read_mpf(positive_real(lam, "lambda"))
    k_max = integer(k_max, "k_max", low=0, high=K_MAX)
    return _series_plan(a, la, bits_for(check_digits(digits) + GUARD), k_max) is not None


def check_supported(alpha, lam, digits: int = 20, route: str = "campbell") -> str:
    """The engine a route will use at (α, λ), or InputError (one line: the supported range and why) before any work.

    ``route="campbell"``: ``"series"`` where E T is large enough for the series inner integrals (any α, any d;
    docs/critical.md §4), else ``"panels"`` within α ≥ 1/2, 2α an integer or α ≥ 8, λ ≤ max(1000, 4α) and at
    most 600 panels per sweep (d = 64 at every λ; d ≤ 1025 at every λ ≤ 4α it was measured at, ...).
    ``route="first_point"``: 0.05 ≤ α ≤ 32 (the τ-series grows with α: 200 s at d = 64) and E T ≤ 10^8 (its
    τ-rule loses digits when every weight is tiny: 7 of 25 at d = 64, λ = 1).

    >>> check_supported(1, 1), check_supported(1, "1e-6"), check_supported(2047.5, 1)  # d = 4096, λ = 1: series
    ('panels', 'series', 'series')
    >>> check_supported("0.7", 1)
    Traceback (most recent call last):
      ...
    attnlimits.theory.validation.InputError: alpha = 0.7: the Campbell route's panels are exact only when 2 alpha is an integer (alpha = (d-1)/2) or alpha >= 8 ...
    """
    a = read_mpf(positive_real(alpha, "alpha"))
    la = read_mpf(positive_real(lam, "lambda"))
    route = choice(route, "route", ("campbell", "first_point"))
    bits = bits_for(check_digits(digits) + GUARD)
    af = float(a)
    shown = f"alpha = {mpmath.nstr(a, 8)}"
    if route == "first_point":
        if not FIRST_POINT_ALPHA_MIN <= af <= FIRST_POINT_ALPHA_MAX:
            raise InputError(f"{shown} is outside the first-point route's supported range "
                             f"{FIRST_POINT_ALPHA_MIN} <= alpha <= {FIRST_POINT_ALPHA_MAX}: its tau-series grows with "
                             "alpha (200 s at d = 64) and its first-point average degenerates as alpha -> 0; "
                             "use the Campbell route (--route campbell)")
        if math.lgamma(af + 1) - af * math.log(float(la)) > FIRST_POINT_LOG_ET_MAX:
            raise InputError(f"{shown} with lambda = {mpmath.nstr(la, 8)} is outside the first-point route's "
                             "supported range E T = Gamma(alpha+1) lambda^-alpha <= 1e8: its tau-rule, centred at "
                             "tau = 0, loses digits when every weight is tiny (7 of 25 at d = 64, lambda = 1); the "
                             "Campbell route's series inner integrals cover it (--route campbell)")
        return "first_point"
    if _series_plan(a, la, bits, 5) is not None:
        return "series"
    _check_panels(a, la, bits)
    return "panels"


def _check_panels(a, la, bits: int) -> None:
    """InputError unless the panel route finishes (α, λ) within the supported range (:func:`check_supported`)."""
    af, lf = float(a), float(la)
    shown = f"alpha = {mpmath.nstr(a, 8)}"
    lam_cap = max(LAMBDA_MAX, LAMBDA_PER_ALPHA * af)
    why = ("(docs/critical.md §4); the series route covers any alpha once E T = Gamma(alpha+1) lambda^-alpha "
           "exceeds about 130")
    if af < ALPHA_MIN:
        raise InputError(f"{shown} with lambda = {mpmath.nstr(la, 8)} is outside the supported range: alpha >= 1/2 "
                         "(d >= 2), where the outer integral's tail exp(-(log t/lambda)^alpha) stays short "
                         f"(alpha = 0.3 takes minutes); as alpha -> 0 the weights tend to 1/N on N ~ Poisson(1) keys {why}")
    if 2 * a != int(2 * a) and af < ALPHA_SMOOTH:
        raise InputError(f"{shown}: the Campbell route's panels are exact only when 2 alpha is an integer "
                         f"(alpha = (d-1)/2) or alpha >= {ALPHA_SMOOTH} (its first panels in sqrt(v) carry "
                         "v^(alpha-1/2); 7 of 20 digits at alpha = 0.7); use --route first_point for E_W1, "
                         f"E_sum_W2, E_entropy {why}")
    if lf > lam_cap:
        raise InputError(f"lambda = {mpmath.nstr(la, 8)} is beyond the supported range lambda <= "
                         f"max({LAMBDA_MAX}, {LAMBDA_PER_ALPHA} alpha) = {lam_cap:g} at {shown}: deep in the "
                         "supercritical regime the outer integral spreads over log t up to lambda (minutes) while "
                         "W_(1) -> 1; see attnlimits law supercritical for the lambda -> infinity laws")
    if af > PANEL_ALPHA_ALL and lf < PANEL_THETA_MIN * af:
        raise InputError(f"{shown} with lambda = {mpmath.nstr(la, 8)} is outside the supported range: above "
                         f"alpha = {PANEL_ALPHA_ALL} (d = {2 * PANEL_ALPHA_ALL + 1}) the Campbell panel route covers "
                         f"lambda >= {PANEL_THETA_MIN} alpha = {PANEL_THETA_MIN * af:g} only (in between, "
                         "log(1/T) ~ lambda sits far from -log E T and the outer integral takes many minutes) "
                         f"{why}")
    c = af * math.log(lf) - math.lgamma(af + 1)
    typical = lf * math.gamma(1 + 1 / af) if af > 0.2 else c
    work = max(_panel_count(af, lf, bits, c), _panel_count(af, lf, bits, max(c, typical)))
    if work > PANEL_WORK_MAX:
        raise InputError(f"{shown} with lambda = {mpmath.nstr(la, 8)} is outside the supported range: the Campbell "
                         f"route would sweep {work} panels per outer node (at most {PANEL_WORK_MAX}, about a minute "
                         f"at 20 digits); this is the band between E T ~ 130 and lambda ~ alpha for large alpha "
                         f"{why}")


def sp_str(expr, digits):
    return str(expr.evalf(digits))


@precise
def mean_T(alpha, lam, digits: int = 30):
    """E T = Γ(α+1) λ^{−α}, Campbell's first moment of T = Σ e^{−v_j} (docs/mathematics.md §4).

    >>> import mpmath
    >>> mpmath.nstr(mean_T("0.5", 1, digits=20), 15)  # Γ(3/2) = √π/2
    '0.886226925452758'
    """
    return _mean_T(read_mpf(positive_real(alpha, "alpha")), read_mpf(positive_real(lam, "lambda")))


def _mean_T(alpha, lam):
    """E T at the current working precision (checked mpf inputs)."""
    return mpmath.gamma(alpha + 1) * lam ** (-alpha)


# ---------------------------------------------------------------- route 1: Campbell in t


@precise
def campbell_functionals(alpha, lam, digits: int = 30, k_max: int = 5, *, n_nodes: int = 24,
                         steep=None, inner: str = "auto") -> WeightFunctionals:
    """All Campbell-route functionals of the limit law (module docstring; docs/mathematics.md §4).

    Fills E_W (k = 1..k_max), E_W1, E_top_mass, E_sum_W2, E_sum_Wv, E_log_T, E_entropy, E_sum_Wv_sq,
    E_sum_W2v, E_normal, E_normal_sq, E_tangential_sq, E_T and the diagnostics of :class:`WeightFunctionals`.
    The inner integrals at each t come from Gauss–Legendre panels in v (``inner="panels"``) or, where
    E T is large (T is then nearly deterministic), from their power series in t (``inner="series"``,
    docs/critical.md §4); ``"auto"`` takes the series where they apply. (α, λ) outside the supported range
    (:func:`check_supported`) are refused before any work.

    >>> import mpmath
    >>> r = campbell_functionals(1, 1, digits=10, k_max=2)
    >>> mpmath.nstr(r.E_W1, 10), mpmath.nstr(mpmath.exp(-mpmath.euler), 10)  # α = λ = 1: E W_(1) = e^{−γ}
    ('0.5614594836', '0.5614594836')
    >>> mpmath.nstr(r.E_top_mass[1], 10)  # E (W_(1) + W_(2))
    '0.7943243071'
    >>> r = campbell_functionals(1, "1e-6", digits=10, k_max=1)   # E T = 10^6: the series route
    >>> r.inner, mpmath.nstr(r.E_W1, 10), mpmath.nstr(mpmath.mpf("1e-6") * (1 - r.E_sum_W2), 10)  # E Σ W² = 1 − E W_(1)/λ
    ('series', '9.999995e-7', '9.999995e-7')
    """
    t0 = time.perf_counter()
    alpha = read_mpf(positive_real(alpha, "alpha"))
    lam = read_mpf(positive_real(lam, "lambda"))
    k_max = integer(k_max, "k_max", low=0, high=K_MAX)
    n_nodes = integer(n_nodes, "n_nodes", low=4, high=200)
    if steep is not None:
        steep = float(positive_real(steep, "steep"))
    inner = choice(inner, "inner", ("auto", "panels", "series"))
    bits = mpmath.mp.prec
    log_t_hi = _series_plan(alpha, lam, bits, k_max)
    if inner == "series" and log_t_hi is None:
        raise InputError("the series inner integrals need E T = Gamma(alpha+1) lambda^-alpha large "
                         "(docs/critical.md §4); use inner='panels' or 'auto'")
    use_series = log_t_hi is not None and inner != "panels"
    if not use_series:
        _check_panels(alpha, lam, bits)
    ET = _mean_T(alpha, lam)
    c = -mpmath.log(ET)
    lo = c - (bits * math.log(2) + 20)
    if use_series:
        vals, nodes, err = _campbell_series(alpha, lam, ET, c, lo, log_t_hi, digits, k_max)
    else:
        vals, nodes, err = _campbell_panels(alpha, lam, ET, c, lo, digits, k_max, n_nodes, steep)
    out = {"E_W": vals[:k_max]}
    out.update(zip(("sumW2", "sumWv", "logT", "sumWv_sq", "sumW2v"), vals[k_max:]))
    out["logT"] += mpmath.log(ET)
    E_W = tuple(out["E_W"]) or None
    return WeightFunctionals(
        E_W1=E_W[0] if E_W else None,
        E_W=E_W,
        # E Σ_{j≤k} W_(j): each partial sum exact before its one rounding (fsum)
        E_top_mass=tuple(mpmath.fsum(E_W[:j]) for j in range(1, len(E_W) + 1)) if E_W else None,
        E_sum_W2=out["sumW2"],
        E_sum_Wv=out["sumWv"],
        E_log_T=out["logT"],
        E_entropy=out["sumWv"] + out["logT"],
        E_sum_Wv_sq=out["sumWv_sq"],
        E_sum_W2v=out["sumW2v"],
        E_normal=out["sumWv"] / lam,
        E_normal_sq=out["sumWv_sq"] / lam ** 2,
        E_tangential_sq=2 * out["sumW2v"] / lam,
        E_T=ET,
        outer_nodes=nodes,
        outer_error=err,
        inner="series" if use_series else "panels",
        seconds=time.perf_counter() - t0,
    )


def _campbell_panels(alpha, lam, ET, c, lo, digits, k_max, n_nodes, steep):
    """The outer integrals with the inner ones from the panel sweep (``numerics.quadrature.campbell``)."""
    al, la = arb(alpha), arb(lam)
    model = LimitIntensity(al, la)
    ET_a = arb(ET)
    tiny = arb(2) ** (-ctx.prec - 10)

    def shortfall(tt, Phi):
        """D = Φ(t) − t E T ≤ 0; for t ≤ 1 by its series E T Σ_{m≥2} (−1)^{m+1} t^m m^{−α}/m!
        (no cancellation), else as the difference."""
        if tt > 1:
            return Phi - tt * ET_a
        tot, term, m = arb(0), tt, 1
        while True:
            m += 1
            term = -term * tt / m
            x = term * arb(m) ** (-al)
            tot += x
            if abs(x) < tiny * abs(tot):
                return ET_a * tot

    def integrand(s):
        tt = arb(mpmath.exp(s))
        r = sweep(model, tt, k_max=k_max, n_nodes=n_nodes, **({} if steep is None else {"steep": steep}))
        eP = (-r["Phi"]).exp()
        vals = [tt * eP * Ik for Ik in r["I"]]
        # E log T = log E T + ∫ (e^{−t E T} − e^{−Φ(t)}) dt/t (Frullani: ∫ (e^{−t} − e^{−t E T}) dt/t
        # = log E T); the integrand e^{−Φ} expm1(Φ − t E T) lives where the others do, near
        # t = 1/E T, instead of spreading from there to t = 1
        vals += [tt * tt * eP * r["M2"], tt * eP * r["Mv"], eP * shortfall(tt, r["Phi"]).expm1(),
                 tt * tt * eP * (r["Mv2e2"] + r["Mv"] ** 2), tt * tt * eP * r["Mve2"]]
        return [to_mpf(x) for x in vals]

    bits = mpmath.mp.prec
    hi = max(c + mpmath.log(bits) + 10, lam * mpmath.mpf(bits * math.log(2) + 25) ** (1 / alpha) + 10)
    r = outer_log_integral(integrand, c, lo, hi, digits)
    return r.value, r.nodes, r.error


def _campbell_series(alpha, lam, ET, c, lo, log_t_hi, digits, k_max):
    """The outer integrals with the inner ones from :class:`_SeriesInner` (docs/critical.md §4), each
    integrand scaled to order one by its deterministic-T value (E W_(k) ~ e^{−λ}/E T, E Σ W² ~ μ(0,2)/E T²,
    ...) so that the engine's relative stopping rule sees every functional, however small."""
    # the series alternate with terms up to e^{t} times their sum's lower bound e^{−t} times the first term
    t_hi = math.exp(log_t_hi)
    extra = 2 * t_hi / math.log(10) + 2
    with arb_digits(digits, guard=GUARD + extra):
        al, la = arb(alpha), arb(lam)
        inner = _SeriesInner(al, la, t_hi, k_max, digits)
        ET_a = inner.ET
        mu = inner.mu
        scales = [ET_a] * k_max + [ET_a ** 2 / mu[0][2], ET_a / mu[1][1], ET_a ** 2 / mu[0][2],
                                   (ET_a / mu[1][1]) ** 2, ET_a ** 2 / mu[1][2]]
        n_vals = len(scales)
        t_top = mpmath.exp(log_t_hi)

        def integrand(s):
            t = mpmath.exp(s)
            if t > t_top:
                # the sinh map overshoots hi by up to a_L/2 in s; beyond t_hi every integrand is below
                # 2^{−prec−10} of its functional (_series_plan)
                return [mpmath.mpf(0)] * n_vals
            tt = arb(t)
            r = inner.at(tt)
            eP = (-r["Phi"]).exp()
            vals = [tt * eP * Ik for Ik in r["I"]]
            vals += [tt * tt * eP * r["M2"], tt * eP * r["Mv"], eP * r["D"].expm1(),
                     tt * tt * eP * (r["Mv2e2"] + r["Mv"] ** 2), tt * tt * eP * r["Mve2"]]
            return [to_mpf(x * sc) for x, sc in zip(vals, scales)]

        r = outer_log_integral(integrand, c, lo, mpmath.mpf(log_t_hi), digits)
        unscale = [to_mpf(sc * la.exp()) for sc in scales[:k_max]] + [to_mpf(sc) for sc in scales[k_max:]]
    return [v / u for v, u in zip(r.value, unscale)], r.nodes, r.error


# ---------------------------------------------------------------- route 1, inner integrals by series (E T large)

_LN2 = math.log(2)

#: Largest t of the outer range for the series inner integrals: their terms reach e^{t} times their sum.
T_SERIES = 16.0


def _series_plan(alpha, lam, bits: int, k_max: int):
    """log t_hi, t_hi the end of the outer range of the series inner integrals, or None outside their regime
    (docs/critical.md §4). Double precision suffices: this is a plan, not a result.

    Every outer integrand is at most (tE T)² e^{−Φ(t)} times its functional's scale, and Φ(t) ≥ E T (1 − e^{−t})
    (1 − e^{−tx} ≥ x (1 − e^{−t}) for x = e^{−v} ∈ (0, 1]), Φ(t) ≥ (3/4) t E T for t ≤ 1/2. t_hi ≤ T_SERIES is
    the smallest t where (i) that bound is below 2^{−prec−30} and (ii) the part of every outer integral
    beyond t_hi, E[Y Q(j, t_hi T)] ≤ 1.89 e^{−Φ(3t_hi/4)} for 0 ≤ Y ≤ 1 (Q the regularized upper incomplete
    gamma, j = 1, 2), is below 2^{−prec−30} e^{−L}, with e^{−L} a lower estimate of the smallest functional
    (E W_(k) ≳ e^{−λ(k+3)^{1/α}}/E T, E Σ W² ≳ 2^{−α}/E T). None when no t ≤ T_SERIES does: E T is too small.
    """
    a, la = float(alpha), float(lam)
    ln_et = math.lgamma(a + 1) - a * math.log(la)
    if ln_et < 3:
        return None
    depth = bits * _LN2 + 30
    ln_vk = math.log(la) + math.log(k_max + 3) / a
    if ln_vk > 700:
        return None
    scale = max(math.exp(ln_vk), a * _LN2) + max(ln_et, 0.0) + 10

    def log_phi(lt):  # ln of E T times a lower bound of Φ(t)/E T at t = e^{lt}: max(1 − e^{−t}, 3t/4 for t ≤ 1/2)
        t = math.exp(lt) if lt < 700 else math.inf
        low = max(-math.expm1(-t), 0.75 * t if t <= 0.5 else 0.0)
        return ln_et + (math.log(low) if low > 0 else lt + math.log(0.75))

    lt = -ln_et  # t = 1/E T, in logs (E T can be e^{10^10})
    while lt <= math.log(T_SERIES):
        ln_x = ln_et + lt
        ok_i = log_phi(lt) > math.log(max(depth + 2 * max(ln_x, 0.0), 1.0))
        ok_ii = log_phi(lt + math.log(0.75)) > math.log(depth + scale + 1)
        if ok_i and ok_ii:
            return lt
        lt += math.log(1.25)
    return None


def _terms(t: float, bits: int) -> int:
    """N such that Σ_{n≥N} t^n/n! ≤ 2^{−bits−12} e^{−t}: the terms kept of a series Σ (−t)^n c_n/n! with
    0 < c_n ≤ c_0 whose sum is at least e^{−t} c_0 (docs/critical.md §4)."""
    lim = -(bits + 12) * _LN2 - t
    lt = math.log(t) if t > 0 else -math.inf
    n, acc = 0, 0.0
    while True:
        n += 1
        acc += lt - math.log(n)
        if n > t and acc - math.log1p(-t / (n + 1)) < lim:
            return n + 1


class _SeriesInner:
    """The inner integrals of the Campbell route at one t ≤ T_SERIES by their power series in t
    (docs/critical.md §4).

    With E(v) = Σ_n (−t e^{−v})^n/n! and the moments μ(j, m) = ∫ ρ v^j e^{−mv} dv = α λ^{−α} Γ(α+j) m^{−α−j}:
    Φ = Σ_{n≥1} (−1)^{n+1} t^n μ(0,n)/n!, M_{v^j e^{−kv}} = Σ_n (−t)^n μ(j,n+k)/n!; the weight integrals
    I_k = ∫ e^{−v} E A^{k−1} e^{−A}/(k−1)! dg in g = Λ(v) = (v/λ)^α (ρ dv = dg), with
    A(t, v) = g + Σ_{n≥1} (−t)^n B_n(v)/n!, B_n = ∫_0^v ρ e^{−nw} dw = Γ(α+1) g γ*(α, nv) (DLMF 8.2.6, 8.2.7),
    on a fixed DE rule in s = log g, where v = λ e^{s/α} is entire. Each series has 0 < c_n ≤ c_0 and a sum of
    at least e^{−t} c_0; the caller carries 2t/ln 10 extra digits. The I_k carry the factor e^{λ}.
    """

    def __init__(self, al: arb, la: arb, t_hi: float, k_max: int, digits: int):
        self.al, self.la, self.k_max = al, la, k_max
        self.bits = ctx.prec
        self.n_max = _terms(t_hi * 1.01, self.bits)
        m_top = self.n_max + 3
        c = al * la ** (-al)
        self.mu = {j: [None] + [c * (al + j).gamma() * arb(m) ** (-al - j) for m in range(1, m_top + 1)]
                   for j in (0, 1, 2)}
        self.ET = self.mu[0][1]
        self.fact = [arb(1)]
        for n in range(1, m_top + 1):
            self.fact.append(self.fact[-1] * n)
        self.g1 = (al + 1).gamma()
        self._node_cache = {}
        self.nodes = []
        if k_max:
            self._choose_rule(t_hi, digits)

    def _node(self, s: arb):
        key = s.mid().str(30, radius=False)
        d = self._node_cache.get(key)
        if d is None:
            g = s.exp()
            v = self.la * (s / self.al).exp()
            B = [None] + [self.g1 * g * (n * v).gamma_lower(self.al, regularized=2) for n in range(1, self.n_max + 1)]
            d = self._node_cache[key] = (g, (-v).exp(), g * (self.la - v).exp(), B)
        return d

    def _weights_at(self, node, t: arb, tp, N: int):
        """[g e^{λ−v} E p_k(A)]_{k=1..k_max} at one node, p_k(A) = A^{k−1} e^{−A}/(k−1)!."""
        g, ev, base, B = node
        A = g
        for n in range(1, N):
            A = A + (tp[n] if n % 2 == 0 else -tp[n]) * B[n] / self.fact[n]
        p = base * (-(t * ev)).exp() * (-A).exp()
        out = [p]
        for k in range(1, self.k_max):
            p = p * A / k
            out.append(p)
        return out

    def _choose_rule(self, t_hi: float, digits: int):
        """The DE rule in s = log g for the weight integrals: its range from bounds of the integrand, its level
        by the engine's stopping rule at t = 1/E T and at t_hi (the largest level of the two)."""
        a, la = float(self.al.mid()), float(self.la.mid())
        target = -(self.bits * _LN2 + 20)

        # left end: g e^{λ − v(g)} (the integrand's bound; increasing in s = log g for s < 0 when λ ≤ α, and
        # at most g e^{λ} otherwise) below 2^{−bits−20}
        def left(s):
            return s + la * (1 - math.exp(max(s / a, -700)))

        s_lo, s_top = -(self.bits * _LN2 + 20) - la - 10, 0.0
        for _ in range(200):
            mid = (s_lo + s_top) / 2
            if left(mid) > target:
                s_top = mid
            else:
                s_lo = mid
        # right end: A ≥ e^{−t} g, e^{λ − v} ≤ 1 for g ≥ 1: g (e^{−t}g)^{k−1} e^{−e^{−t} g}/(k−1)! below
        # 2^{−bits−20} e^{−λ((k+3)^{1/α} − 1)}, the scale of I_k
        k = max(self.k_max, 1)
        q = math.exp(-t_hi)
        e = math.log(k + 3) / a
        slack = min(la * math.expm1(e), 1e4) if e < 700 else 1e4
        g = 1.0
        while math.log(g) + (k - 1) * math.log(q * g) - q * g - math.lgamma(k) > target - slack:
            g *= 1.25
        s_hi = math.log(g)
        rule = DERule(SinhMap(0, 2, 2, math.asinh(-s_lo / 2), math.asinh(s_hi / 2)), h0=0.5, arithmetic="arb")
        level = 0
        et = float(self.ET.mid())
        for tf in sorted({min(1 / et, t_hi) if et > 0 else 0.0, t_hi}):
            t = arb(tf)
            N = _terms(tf, self.bits)
            tp = [t ** n for n in range(N + 1)]
            r = rule.integrate(lambda s: self._weights_at(self._node(s), t, tp, N), digits + 3, max_level=8)
            level = max(level, r.level)
        self.nodes = [(W, self._node(s)) for s, W in rule.nodes(level)]
        self._node_cache = {}

    def at(self, t: arb) -> dict:
        """Φ, D = Φ − t E T, M_{e^{−2v}}, M_{v e^{−v}}, M_{v² e^{−2v}}, M_{v e^{−2v}} and [e^{λ} I_k] at t."""
        N = min(_terms(float(t.mid()), self.bits), self.n_max)
        tp = [arb(1)]
        for n in range(1, N + 3):
            tp.append(tp[-1] * t)
        mu, f = self.mu, self.fact

        def sgn(n, x):
            return x if n % 2 == 0 else -x

        def series(j, k):  # Σ_{n<N} (−t)^n μ(j, n+k)/n!
            return sum((sgn(n, tp[n]) * mu[j][n + k] / f[n] for n in range(N)), arb(0))

        # Φ = t Σ (−t)^n μ(0, n+1)/(n+1)!, D = Φ − t E T = −t² Σ (−t)^n μ(0, n+2)/(n+2)!
        Phi = sum((sgn(n, tp[n + 1]) * mu[0][n + 1] / f[n + 1] for n in range(N)), arb(0))
        D = -sum((sgn(n, tp[n + 2]) * mu[0][n + 2] / f[n + 2] for n in range(N)), arb(0))
        out = {"Phi": Phi, "D": D, "M2": series(0, 2), "Mv": series(1, 1), "Mv2e2": series(2, 2),
               "Mve2": series(1, 2)}
        I = [arb(0)] * self.k_max
        for W, node in self.nodes:
            I = [x + W * y for x, y in zip(I, self._weights_at(node, t, tp, N))]
        out["I"] = I
        return out


# ---------------------------------------------------------------- route 2: first point


def _tau_rule(work_digits: int, h0) -> DERule:
    """The τ-rule for ∫_0^∞ e^{−τ} h(τ) dτ: the engine's ``ExponentialMap`` τ = e^{y(x)}, y(x) = 2 sinh x.

    In y the integrand e^{y − e^y} h decays like e^{y} at −∞ and double-exponentially at +∞; the sinh map
    makes both tails double-exponential (docs/mathematics.md §11). The x-range reaches y = −(work ln 10 + 5)
    on the left and a little beyond τ_max on the right; the caller drops the nodes with τ ≥ τ_max (weight
    below 10^{−work}).
    """
    ymin = -(work_digits * math.log(10) + 5)
    x_left = math.log(-ymin + 1)
    x_right = math.log(math.log(work_digits * math.log(10) + 10) + 1) + 0.2
    return DERule(ExponentialMap(SinhMap(0, 2, 2, x_left, x_right)), h0=h0, arithmetic="arb")


def _tau_integrand(alpha: arb, lam: arb, v1: arb, M: int, tau_max: float):
    """τ ↦ [e^{−τ−F}, τ e^{−τ−F} (1 + G_2), e^{−τ−F} G_r − e^{−τ} (e^{−F} − 1)/τ] given v_1 (module
    docstring, route 2): the τ-integrands of E W_(1), E Σ W² and E H; zero from τ_max on, where the
    alternating series of F, G_2, G_r would need more digits than they are summed with."""
    c = alpha * lam ** (-alpha)
    ms = list(range(1, M + 3))
    if v1 == 0:
        eg = [alpha.gamma()] * len(ms)  # e^0 Γ(α, 0)
    else:
        eg = scaled_upper_gamma_table(alpha, [m * v1 for m in ms])
    C = {m: c * eg[i] * arb(m) ** (-alpha) for i, m in enumerate(ms)}
    # D_m = c m^{−α−1} [(α − x) e^xΓ(α,x) + x^α], x = m v1
    D = {}
    for i, m in enumerate(ms):
        x = m * v1
        D[m] = c * arb(m) ** (-alpha - 1) * ((alpha - x) * eg[i] + (x ** alpha if v1 != 0 else arb(0)))
    fact = [arb(1)]
    for k in range(1, M + 3):
        fact.append(fact[-1] * k)
    F = arb_poly([arb(0)] + [(-1) ** (m + 1) * C[m] / fact[m] for m in range(1, M + 1)])
    G2 = arb_poly([(-1) ** m * C[m + 2] / fact[m] for m in range(0, M)])
    Gr = arb_poly([(-1) ** m * D[m + 1] / fact[m] for m in range(0, M)])
    zero = [arb(0)] * 3

    def f(tau):
        if not tau < tau_max:
            return zero
        Ft = F(tau)
        et = (-tau).exp()
        base = et * (-Ft).exp()
        return [base, base * tau * (1 + G2(tau)), base * Gr(tau) - et * (-Ft).expm1() / tau]

    return f


def _first_point_inner(alpha: arb, lam: arb, v1: arb, M: int, tau_max: float, nodes):
    """The τ-integrals given v_1 by the fixed τ-rule ``nodes`` [(τ, w)]: [w1, sumw2, entropy]."""
    f = _tau_integrand(alpha, lam, v1, M, tau_max)
    tot = [arb(0)] * 3
    for tau, W in nodes:
        tot = [t + W * y for t, y in zip(tot, f(tau))]
    return tot


@precise
def first_point_functionals(alpha, lam, digits: int = 20, *, h=None) -> WeightFunctionals:
    """E W_(1), E Σ W², E H (and E T) by conditioning on the first point (module docstring, route 2).

    The τ-integrals use a fixed DE rule on τ ∈ (0, τ_max], τ_max = (digits + guard) ln 10 + 10, its level set
    by the engine's stopping rule on the typical first point v_1 = λ (docs/mathematics.md §11); the power
    series of F, G_2, G_r are summed in Arb at a precision raised by τ_max/ln 10 digits so that their
    alternating terms (up to e^{τ_max}) cancel without loss. The outer expectation over
    Γ_1 = u^α ~ Exp(1), v_1 = λ u, is an adaptive DE trapezoid in log u. Returns a :class:`WeightFunctionals`
    with E_W1, E_sum_W2, E_entropy, E_T and the diagnostics outer_nodes, outer_error, inner_nodes, tau_step.

    >>> import mpmath
    >>> r = first_point_functionals(1, 1, digits=5)
    >>> mpmath.nstr(r.E_W1, 5), mpmath.nstr(mpmath.exp(-mpmath.euler), 5)  # α = λ = 1: E W_(1) = e^{−γ}
    ('0.56146', '0.56146')
    """
    check_supported(alpha, lam, digits, route="first_point")
    alpha = read_mpf(positive_real(alpha, "alpha"))
    lam = read_mpf(positive_real(lam, "lambda"))
    if h is not None:
        h = float(real(h, "h", low=0, high=1, low_open=True))
    t0 = time.perf_counter()
    work = digits + 15
    tau_max = work * math.log(10) + 10
    extra = int(tau_max / math.log(10)) + 10
    # series length: the dropped terms, at most τ_max^M/M! times C_m ≤ C_1, below 10^{−work−10}
    M = int(tau_max) + 1
    while M * math.log(tau_max) - math.lgamma(M + 1) > -(work + 10) * math.log(10):
        M += 1
    # Arb carries τ_max/ln 10 more digits than the gate's: the alternating series of F, G_2, G_r reach e^{τ_max}
    with arb_digits(digits + extra):
        al, la = arb(alpha), arb(lam)
        if h is None:
            # the τ-rule's level: the engine's stopping rule on the typical first point (Γ_1 = 1, v_1 = λ),
            # then the same nodes at every outer node; the τ-scale of e^{−F} shrinks like 1/E T, which can be
            # small for large α (h from 1/16 down to 1/256)
            rule = _tau_rule(work, 1 / 16)
            level = rule.integrate(_tau_integrand(al, la, la, M, tau_max), digits, max_level=4).level
        else:
            rule, level = _tau_rule(work, h), 0
        h = rule.step(level)
        nodes = [(tau, W) for tau, W in rule.nodes(level) if tau < tau_max]

        def integrand(y):
            u = arb(mpmath.exp(y))
            g = u ** al
            r = _first_point_inner(al, la, la * u, M, tau_max, nodes)
            jac = al * g * (-g).exp()  # e^{−g} dg = α u^α e^{−u^α} d(log u)
            return [to_mpf(jac * x) for x in r]

        a_ = 2 / mpmath.mpf(alpha)
        y_lo = -mpmath.mpf(work * math.log(10) + 5) / mpmath.mpf(alpha)
        y_hi = mpmath.log(mpmath.mpf(work * math.log(10) + 10)) / mpmath.mpf(alpha) + 1
        xl = mpmath.log(2 * (-y_lo) / a_ + 1)
        xr = mpmath.log(2 * y_hi / a_ + 1)
        r = de_integrate(integrand, center=0, a_left=a_, a_right=a_, x_left=xl, x_right=xr, digits=digits)
        vals, n_outer, err = r.value, r.nodes, r.error
    w1, s2, hh = vals
    return WeightFunctionals(E_W1=w1, E_sum_W2=s2, E_entropy=hh, E_T=_mean_T(alpha, lam), outer_nodes=n_outer,
                             outer_error=err, inner_nodes=len(nodes), tau_step=h, seconds=time.perf_counter() - t0)


# ---------------------------------------------------------------- route 3: alpha = 1 closed forms


#: Largest λ of the α = 1 forms (their integrals reach log t ≈ λ prec ln 2).
ALPHA1_LAMBDA_MAX = 1e6


@precise
def alpha1_functionals(lam, digits: int = 30) -> WeightFunctionals:
    """d = 3 (α = 1) one-dimensional integrals: E W_(1), E Σ W², E H, E log T, E Σ W v, E N, E T
    (``theory.poisson_limit``; docs/mathematics.md §4).

    E W_(1) = ∫ e^{−τ − Ein(τ)/λ} dτ, E Σ W² = (1/λ) ∫ e^{−Ein(t)/λ} (1 − (1 + t) e^{−t}) dt/t,
    E H = E log T + E Σ W v with E log T = ∫ (e^{−t} − e^{−Ein(t)/λ}) dt/t and
    E Σ W v = (1/λ) ∫ e^{−Ein(t)/λ} J(t) dt, J(t) = ∫_0^1 (−log x) e^{−t x} dx = (E_1(t) + log t + γ)/t;
    E N = E Σ W v/λ, E T = 1/λ.

    >>> import mpmath
    >>> r = alpha1_functionals(1, digits=15)
    >>> mpmath.nstr(r.E_W1, 15), mpmath.nstr(mpmath.exp(-mpmath.euler), 15)  # λ = 1: E W_(1) = e^{−γ}
    ('0.561459483566885', '0.561459483566885')
    >>> mpmath.nstr(r.E_sum_W2, 15), mpmath.nstr(mpmath.fsub(1, r.E_W1, exact=True), 15)  # E Σ W² = 1 − E W_(1)/λ
    ('0.438540516433115', '0.438540516433115')
    """
    t0 = time.perf_counter()
    lam = read_mpf(positive_real(lam, "lambda"))
    if lam > ALPHA1_LAMBDA_MAX:
        raise InputError(f"lambda = {mpmath.nstr(lam, 8)} is beyond the supported range lambda <= "
                         f"{ALPHA1_LAMBDA_MAX:g} of the alpha = 1 forms: their integrals in log t spread up to "
                         "lambda (prec ln 2); for lambda -> infinity see numerics.laws.supercritical")
    th = 1 / lam
    bits = mpmath.mp.prec
    hi = mpmath.mpf(bits * math.log(2) + 25) * lam + 50
    # in s = log t the integrands sit at t ~ min(λ, 1), decay like e^{−s/λ} at +∞ and e^{s} at −∞. mpmath.quad
    # stops on an absolute error, so each integrand is divided by its size (λ for E W_(1), E Σ W² at small λ)
    c = min(mpmath.log(lam), mpmath.mpf(0))
    size = min(lam, mpmath.mpf(1))
    lo = c - (bits * math.log(2) + 20)
    brk = [lo, c - 20, c - 5, c, c + 2, c + 5, -20, -5, 0, 5, 20, 60] + [x for x in (200, 600, 1500) if x < hi] + [hi]
    brk = sorted(set(b for b in brk if lo <= b <= hi))

    def w1_integrand(s):  # ∫ e^{−u − Ein(u)/λ} du in s = log u
        u = mpmath.exp(s)
        return mpmath.exp(s - u - th * ein(u)) / size

    w1 = size * mpmath.quad(w1_integrand, [b for b in brk if b <= 7] + [7])

    s2 = th * size * mpmath.quad(lambda s: mpmath.exp(-th * ein(mpmath.exp(s))) * lower_gamma_2(mpmath.exp(s)) / size, brk)
    logT = mpmath.quad(lambda s: mpmath.exp(-mpmath.exp(s)) - mpmath.exp(-th * ein(mpmath.exp(s))), brk)
    wv = th * mpmath.quad(lambda s: mpmath.exp(-th * ein(mpmath.exp(s))) * ein(mpmath.exp(s)), brk)
    return WeightFunctionals(E_W1=w1, E_sum_W2=s2, E_log_T=logT, E_sum_Wv=wv, E_entropy=wv + logT, E_normal=wv / lam,
                             E_T=1 / lam, seconds=time.perf_counter() - t0)


@precise
def max_weight_tail(lam, w, digits: int = 30):
    """P(W_(1) > w) for α = 1 and 1/2 ≤ w < 1: e^{−γ/λ} ((1−w)/w)^{1/λ}/Γ(1+1/λ) (generalised Dickman;
    docs/mathematics.md §4), by ``numerics.special.incomplete_gamma.dickman_tail`` (every digit kept however
    small the tail).

    >>> import mpmath
    >>> mpmath.nstr(max_weight_tail(1, "0.5", digits=20), 15)  # λ = 1, w = 1/2: e^{−γ}
    '0.561459483566885'
    """
    lam = read_mpf(positive_real(lam, "lambda"))
    w = read_mpf(real(w, "w", low="1/2", high=1, high_open=True))
    return dickman_tail(1 / lam, (1 - w) / w)


def limit_functionals(p: LimitParameters, digits: int = 30, k_max: int = 5) -> WeightFunctionals:
    """The Campbell-route functionals of the limit law for resolved parameters ``p`` (:func:`campbell_functionals`).

    d = 3 and c = 1 give α = 1, λ = 2; there E W_(1) = ∫ e^{−τ − Ein(τ)/λ} dτ (docs/mathematics.md §4), with
    Ein(τ) = τ ₂F₂(1, 1; 2, 2; −τ) (DLMF 6.2.3) by mpmath's hypergeometric function, and E Σ W² = 1 − E W_(1)/λ:

    >>> import mpmath
    >>> r = limit_functionals(parameters(d=3, c=1, digits=10), digits=10, k_max=1)
    >>> ref = mpmath.quad(lambda u: mpmath.exp(-u - u * mpmath.hyp2f2(1, 1, 2, 2, -u) / 2), [0, 1, 10, mpmath.inf])
    >>> mpmath.nstr(r.E_W1, 10), mpmath.nstr(ref, 10)
    ('0.7294882147', '0.7294882147')
    >>> mpmath.nstr(r.E_sum_W2, 10), mpmath.nstr(1 - ref / 2, 10)
    ('0.6352558927', '0.6352558927')
    """
    if not isinstance(p, LimitParameters):
        raise InputError(f"p must be LimitParameters (from parameters(...)), got {type(p).__name__}")
    return campbell_functionals(p.alpha, p.lam, digits, k_max)
