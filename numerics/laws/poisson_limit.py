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
from attnlimits.numerics.quadrature.gauss_panels import gl_rule, to_mpf
from attnlimits.numerics.laws.weight_functionals import WeightFunctionals
from attnlimits.numerics.precision import arb_digits, precise, working_digits
from attnlimits.numerics.special.incomplete_gamma import ein, scaled_upper_gamma_table
from attnlimits.theory.validation import InputError, integer, positive_real, real

__all__ = ["LimitParameters", "parameters", "campbell_functionals", "first_point_functionals",
           "alpha1_functionals", "max_weight_tail", "mean_T", "limit_functionals"]


class LimitParameters:
    """(α, λ) of the Poisson limit, with the raw constant c = λ κ^{1/α} when κ is known.

    >>> LimitParameters(1, 2, kappa=0.5).c, LimitParameters(1, 2).c   # d = 3: κ_3 = 1/2
    (1.0, None)
    """

    def __init__(self, alpha, lam, kappa=None):
        self.alpha = alpha
        self.lam = lam
        self.kappa = kappa

    @property
    def c(self):
        return None if self.kappa is None else self.lam * self.kappa ** (1 / self.alpha)


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
            alpha_v = mpmath.mpf(positive_real(alpha, "alpha"))
            kappa_v = None if kappa is None else mpmath.mpf(positive_real(kappa, "kappa"))
        if (lam is None) == (c is None):
            raise InputError("give exactly one of lambda and c")
        if lam is not None:
            lam_v = mpmath.mpf(positive_real(lam, "lambda"))
        else:
            c_v = mpmath.mpf(positive_real(c, "c"))
            if kappa_v is None:
                raise InputError("c needs kappa: give d, or kappa with alpha, or use lambda")
            lam_v = c_v * kappa_v ** (-1 / alpha_v)
        return LimitParameters(+alpha_v, +lam_v, kappa_v)


def sp_str(expr, digits):
    return str(expr.evalf(digits))


@precise
def mean_T(alpha, lam, digits: int = 30):
    """E T = Γ(α+1) λ^{−α}, Campbell's first moment of T = Σ e^{−v_j} (docs/mathematics.md §4).

    >>> import mpmath
    >>> mpmath.nstr(mean_T("0.5", 1, digits=20), 15)  # Γ(3/2) = √π/2
    '0.886226925452758'
    """
    positive_real(alpha, "alpha")
    positive_real(lam, "lambda")
    return _mean_T(alpha, lam)


def _mean_T(alpha, lam):
    """E T at the current working precision (inputs already checked)."""
    alpha, lam = mpmath.mpf(alpha), mpmath.mpf(lam)
    return mpmath.gamma(alpha + 1) * lam ** (-alpha)


# ---------------------------------------------------------------- route 1: Campbell in t


@precise
def campbell_functionals(alpha, lam, digits: int = 30, k_max: int = 5, *, n_nodes: int = 24,
                         steep=None) -> WeightFunctionals:
    """All Campbell-route functionals of the limit law (module docstring; docs/mathematics.md §4).

    Fills E_W (k = 1..k_max), E_W1, E_top_mass, E_sum_W2, E_sum_Wv, E_log_T, E_entropy, E_sum_Wv_sq,
    E_sum_W2v, E_normal, E_normal_sq, E_tangential_sq, E_T and the diagnostics of :class:`WeightFunctionals`.

    >>> import mpmath
    >>> r = campbell_functionals(1, 1, digits=10, k_max=2)
    >>> mpmath.nstr(r.E_W1, 10), mpmath.nstr(mpmath.exp(-mpmath.euler), 10)  # α = λ = 1: E W_(1) = e^{−γ}
    ('0.5614594836', '0.5614594836')
    >>> mpmath.nstr(r.E_top_mass[1], 10)  # E (W_(1) + W_(2))
    '0.7943243071'
    """
    t0 = time.perf_counter()
    alpha = mpmath.mpf(positive_real(alpha, "alpha"))
    lam = mpmath.mpf(positive_real(lam, "lambda"))
    k_max = integer(k_max, "k_max", low=0)
    al, la = arb(alpha), arb(lam)
    model = LimitIntensity(al, la)
    keys = ["sumW2", "sumWv", "logT", "sumWv_sq", "sumW2v"]

    ET = _mean_T(alpha, lam)
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
    c = -mpmath.log(ET)
    lo = c - (bits * math.log(2) + 20)
    hi = max(c + mpmath.log(bits) + 10, lam * mpmath.mpf(bits * math.log(2) + 25) ** (1 / alpha) + 10)
    r = outer_log_integral(integrand, c, lo, hi, digits)
    vals, nodes, err = r.value, r.nodes, r.error
    out = {"E_W": vals[:k_max]}
    out.update(zip(keys, vals[k_max:]))
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
        seconds=time.perf_counter() - t0,
    )


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
    positive_real(alpha, "alpha")
    positive_real(lam, "lambda")
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
    lam = mpmath.mpf(positive_real(lam, "lambda"))
    th = 1 / lam
    bits = mpmath.mp.prec
    hi = mpmath.mpf(bits * math.log(2) + 25) * lam + 50

    w1 = mpmath.quad(lambda u: mpmath.exp(-u - th * ein(u)), [0, 1, 10, 40, mpmath.inf])
    # in s = log t, the t-integrals decay like e^{−s/λ} at +∞ and e^{s} at −∞
    lo = -(bits * math.log(2) + 20)
    brk = [lo, -20, -5, 0, 5, 20, 60] + [x for x in (200, 600, 1500) if x < hi] + [hi]
    brk = sorted(set(b for b in brk if lo <= b <= hi))

    def k2(t):
        # 1 − (1+t)e^{−t} = Σ_{k≥2} (−1)^k (k−1) t^k/k!, summed directly for small t (no cancellation)
        if t < 1:
            eps = mpmath.eps
            term = t * t / 2
            tot, k = term, 2
            while abs(term) > eps * tot:
                term *= -t / (k + 1)
                tot += term * k
                k += 1
            return tot
        return 1 - (1 + t) * mpmath.exp(-t)

    s2 = th * mpmath.quad(lambda s: mpmath.exp(-th * ein(mpmath.exp(s))) * k2(mpmath.exp(s)), brk)
    logT = mpmath.quad(lambda s: mpmath.exp(-mpmath.exp(s)) - mpmath.exp(-th * ein(mpmath.exp(s))), brk)
    wv = th * mpmath.quad(lambda s: mpmath.exp(-th * ein(mpmath.exp(s))) * ein(mpmath.exp(s)), brk)
    return WeightFunctionals(E_W1=w1, E_sum_W2=s2, E_log_T=logT, E_sum_Wv=wv, E_entropy=wv + logT, E_normal=wv / lam,
                             E_T=1 / lam, seconds=time.perf_counter() - t0)


@precise
def max_weight_tail(lam, w, digits: int = 30):
    """P(W_(1) > w) for α = 1 and 1/2 ≤ w < 1: e^{−γ/λ} ((1−w)/w)^{1/λ}/Γ(1+1/λ) (generalised Dickman;
    docs/mathematics.md §4).

    >>> import mpmath
    >>> mpmath.nstr(max_weight_tail(1, "0.5", digits=20), 15)  # λ = 1, w = 1/2: e^{−γ}
    '0.561459483566885'
    """
    lam = mpmath.mpf(positive_real(lam, "lambda"))
    w = mpmath.mpf(real(w, "w"))
    if not (mpmath.mpf(1) / 2 <= w < 1):
        raise InputError("the Dickman closed form holds for 1/2 <= w < 1")
    th = 1 / lam
    return mpmath.exp(-mpmath.euler * th) * ((1 - w) / w) ** th / mpmath.gamma(1 + th)


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
    return campbell_functionals(p.alpha, p.lam, digits, k_max)
