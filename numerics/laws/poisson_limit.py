"""Functionals of the critical-regime Poisson limit at high precision (paper 1, §3–4; notes §3–4).

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

Normal and tangential output components (notes §4): S_j = v_j/λ, so
(κn)^{1/α}(1 − ⟨q, y⟩) → N = Σ W_j S_j with E N = E Σ W v/λ, E N² = E(Σ W v)²/λ², and
(κn)^{1/(2α)} P_⊥ y → Σ W_j √(2 S_j) U_j, whose mean is 0 and E|·|² = 2 E Σ W² v / λ.
"""
from __future__ import annotations

import math
import time

import mpmath
from flint import arb, arb_poly, ctx

from attnlimits.numerics.quadrature.campbell import LimitIntensity, sweep
from attnlimits.numerics.quadrature.gauss_panels import gl_rule, to_mpf
from attnlimits.numerics.precision import arb_digits, check_digits, working_digits
from attnlimits.theory.validation import InputError, positive_real

__all__ = ["LimitParameters", "parameters", "campbell_functionals", "first_point_functionals",
           "alpha1_functionals", "max_weight_tail", "mean_T", "limit_functionals"]


class LimitParameters:
    """(α, λ) of the Poisson limit, with the raw constant c = λ κ^{1/α} when κ is known."""

    def __init__(self, alpha, lam, kappa=None):
        self.alpha = alpha
        self.lam = lam
        self.kappa = kappa

    @property
    def c(self):
        return None if self.kappa is None else self.lam * self.kappa ** (1 / self.alpha)


def parameters(*, alpha=None, d=None, lam=None, c=None, kappa=None, digits: int = 30) -> LimitParameters:
    """Resolve (α, λ) from d or α and from λ or c (c requires κ, which d supplies: κ_d of notes §2).

    β_n = λ (κ n)^{1/α} = c n^{1/α}, hence λ = c κ^{−1/α} (notes §3).
    """
    from attnlimits.theory import sphere

    digits = check_digits(digits)
    with mpmath.workdps(digits + 30):
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


def mean_T(alpha, lam, digits: int = 30):
    """E T = Γ(α+1) λ^{−α} (Campbell's first moment)."""
    with working_digits(digits):
        alpha, lam = mpmath.mpf(alpha), mpmath.mpf(lam)
        return +(mpmath.gamma(alpha + 1) * lam ** (-alpha))


# ---------------------------------------------------------------- route 1: Campbell in t


def _outer(integrand, c, lo, hi, digits):
    """DE trapezoid over s ∈ [lo, hi] centred at c (``numerics.quadrature.double_exponential``)."""
    from attnlimits.numerics.quadrature.double_exponential import de_integrate

    # scales at most 4: a long tail (e^{−Φ} ~ t^{−1/λ} for α = 1 and large λ) then costs a wider x-range,
    # not a coarser grid at the centre (λ = 4, α = 1: 632 nodes at 30 digits where scale 17 needed 2115)
    aL = 2 * max(1, min(2, (c - lo) / 60))
    aR = 2 * max(1, min(2, (hi - c) / 60))
    xl = mpmath.log(2 * (c - lo) / aL + 1)
    xr = mpmath.log(2 * (hi - c) / aR + 1)
    return de_integrate(integrand, center=c, a_left=aL, a_right=aR, x_left=xl, x_right=xr, digits=digits)


def campbell_functionals(alpha, lam, digits: int = 30, k_max: int = 5, *, n_nodes: int = 24, steep=None) -> dict:
    """All Campbell-route functionals of the limit law (see module docstring); mpmath values.

    Keys: E_W (list, k = 1..k_max), E_sum_W2, E_sum_Wv, E_log_T, E_entropy, E_sum_Wv_sq, E_sum_W2v,
    E_normal, E_normal_sq, E_tangential_sq, E_T, seconds.
    """
    digits = check_digits(digits)
    t0 = time.perf_counter()
    with working_digits(digits) as dg, arb_digits(digits):
        alpha, lam = mpmath.mpf(alpha), mpmath.mpf(lam)
        al, la = arb(alpha), arb(lam)
        model = LimitIntensity(al, la)
        keys = ["sumW2", "sumWv", "logT", "sumWv_sq", "sumW2v"]

        ET = mpmath.gamma(alpha + 1) * lam ** (-alpha)
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
        vals, nodes, err = _outer(integrand, c, lo, hi, dg)
        out = {"E_W": vals[:k_max]}
        out.update(zip(keys, vals[k_max:]))
        out["logT"] += mpmath.log(ET)
        res = {
            "E_W": [+x for x in out["E_W"]],
            "E_sum_W2": +out["sumW2"],
            "E_sum_Wv": +out["sumWv"],
            "E_log_T": +out["logT"],
            "E_entropy": out["sumWv"] + out["logT"],
            "E_sum_Wv_sq": +out["sumWv_sq"],
            "E_sum_W2v": +out["sumW2v"],
            "E_normal": out["sumWv"] / lam,
            "E_normal_sq": out["sumWv_sq"] / lam ** 2,
            "E_tangential_sq": 2 * out["sumW2v"] / lam,
            "E_T": +ET,
            "outer_nodes": nodes,
            "outer_error": err,
        }
    res["seconds"] = time.perf_counter() - t0
    return res


# ---------------------------------------------------------------- route 2: first point


def _exgamma_table(alpha: arb, xs):
    """[e^x Γ(α, x) for x in xs] by upward recurrence from α0 = α − ⌈α⌉ + 1 ∈ (0, 1]."""
    steps = int(math.ceil(float(alpha.mid()))) - 1
    a0 = alpha - steps
    out = []
    half = arb(1) / 2
    for x in xs:
        if a0 == 1:
            g = arb(1)
        elif a0 == half:
            rx = x.sqrt()
            g = arb.const_sqrt_pi() * x.exp() * rx.erfc()
        else:
            g = x.gamma_upper(a0) * x.exp()
        s = a0
        for _ in range(steps):
            g = s * g + x ** s
            s = s + 1
        out.append(g)
    return out


def _tau_rule(work_digits: int, h):
    """DE nodes for ∫_0^∞ e^{−τ} h(τ) dτ: τ = e^{y(x)}, y(x) = (e^x − 1) − (e^{−x} − 1), step h.

    In y the integrand e^{y − e^y} h decays like e^{y} at −∞ and double-exponentially at +∞; the
    sinh-type map makes both tails double-exponential (``numerics.quadrature.double_exponential``). Nodes with τ beyond
    τ_max (weight below 10^{−work}) are dropped. Returns [(τ, weight)] with weight = h y'(x) τ.
    """
    ymin = -(work_digits * math.log(10) + 5)
    x_left = math.log(-ymin + 1)
    x_right = math.log(math.log(work_digits * math.log(10) + 10) + 1) + 0.2
    nodes = []
    k = -int(math.ceil(x_left / h))
    while k * h <= x_right:
        x = arb(k) * arb(h)
        ex = x.exp()
        y = (ex - 1) - (1 / ex - 1)
        dy = ex + 1 / ex
        tau = y.exp()
        nodes.append((tau, arb(h) * dy * tau))
        k += 1
    return nodes


def _first_point_inner(alpha: arb, lam: arb, v1: arb, M: int, nodes):
    """τ-integrals given v_1 (module docstring, route 2); returns (w1, sumw2, entropy)."""
    c = alpha * lam ** (-alpha)
    ms = list(range(1, M + 3))
    if v1 == 0:
        eg = [alpha.gamma()] * len(ms)  # e^0 Γ(α, 0)
    else:
        eg = _exgamma_table(alpha, [m * v1 for m in ms])
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
    w1 = s2 = hr = hl = arb(0)
    for tau, W in nodes:
        Ft = F(tau)
        et = (-tau).exp()
        base = W * et * (-Ft).exp()
        w1 += base
        s2 += base * tau * (1 + G2(tau))
        hr += base * Gr(tau)
        hl -= W * et * (-Ft).expm1() / tau
    return w1, s2, hr + hl


def first_point_functionals(alpha, lam, digits: int = 20, *, h=None) -> dict:
    """E W_(1), E Σ W², E H by conditioning on the first point (module docstring, route 2).

    The τ-integrals use a fixed DE rule on τ ∈ (0, τ_max], τ_max = (digits + guard) ln 10 + 10; the
    power series of F, G_2, G_r are summed in Arb at a precision raised by τ_max/ln 10 digits so that
    their alternating terms (up to e^{τ_max}) cancel without loss. The outer expectation over
    Γ_1 = u^α ~ Exp(1), v_1 = λ u, is an adaptive DE trapezoid in log u.
    """
    from attnlimits.numerics.quadrature.double_exponential import de_integrate

    digits = check_digits(digits)
    t0 = time.perf_counter()
    with working_digits(digits) as dg:
        work = dg + 15
        tau_max = work * math.log(10) + 10
        extra = int(tau_max / math.log(10)) + 10
        # series length: the dropped terms, at most τ_max^M/M! times C_m ≤ C_1, below 10^{−work−10}
        M = int(tau_max) + 1
        while M * math.log(tau_max) - math.lgamma(M + 1) > -(work + 10) * math.log(10):
            M += 1
        with arb_digits(digits + extra):
            al, la = arb(alpha), arb(lam)
            if h is None:
                # choose the DE step on the typical first point (Γ_1 = 1, v_1 = λ): halve until two
                # successive steps agree to the working digits on all three integrals; the τ-scale of
                # e^{−F} shrinks like 1/E T, which can be small for large α
                h = 1 / 16
                prev = _first_point_inner(al, la, la, M, [(x, w) for x, w in _tau_rule(work, h) if x < tau_max])
                while h > 1 / 256:
                    cur = _first_point_inner(al, la, la, M,
                                             [(x, w) for x, w in _tau_rule(work, h / 2) if x < tau_max])
                    h /= 2
                    if all(abs(float(((a - b) / b).mid())) < 10.0 ** (-dg - 3) for a, b in zip(prev, cur)):
                        break
                    prev = cur
            nodes = [(tau, W) for tau, W in _tau_rule(work, h) if tau < tau_max]

            def integrand(y):
                u = arb(mpmath.exp(y))
                g = u ** al
                r = _first_point_inner(al, la, la * u, M, nodes)
                jac = al * g * (-g).exp()  # e^{−g} dg = α u^α e^{−u^α} d(log u)
                return [to_mpf(jac * x) for x in r]

            a_ = 2 / mpmath.mpf(alpha)
            y_lo = -mpmath.mpf(work * math.log(10) + 5) / alpha
            y_hi = mpmath.log(mpmath.mpf(work * math.log(10) + 10)) / alpha + 1
            xl = mpmath.log(2 * (-y_lo) / a_ + 1)
            xr = mpmath.log(2 * y_hi / a_ + 1)
            vals, n_outer, err = de_integrate(integrand, center=0, a_left=a_, a_right=a_, x_left=xl,
                                              x_right=xr, digits=dg)
    # no unary plus here: outside working_digits it would round to the caller's precision
    w1, s2, hh = vals
    return {"E_W1": w1, "E_sum_W2": s2, "E_entropy": hh, "outer_nodes": n_outer, "outer_error": err,
            "inner_nodes": len(nodes), "tau_step": h, "seconds": time.perf_counter() - t0}


# ---------------------------------------------------------------- route 3: alpha = 1 closed forms


def _ein(z):
    """Ein(z) = Σ (−1)^{m+1} z^m/(m·m!) (DLMF 6.2.3), via E_1 for large z to avoid cancellation."""
    if z < 2:
        eps = mpmath.eps
        term, tot, k = z, z, 1
        while abs(term) > eps * abs(tot):
            term *= -z * k / ((k + 1) ** 2)
            tot += term
            k += 1
        return tot
    return mpmath.e1(z) + mpmath.log(z) + mpmath.euler


def alpha1_functionals(lam, digits: int = 30) -> dict:
    """d = 3 (α = 1) one-dimensional integrals: E W_(1), E Σ W², E H, E T (``theory.poisson_limit``).

    E H = E log T + E Σ W v with E log T = ∫ (e^{−t} − e^{−Ein(t)/λ}) dt/t and
    E Σ W v = (1/λ) ∫ e^{−Ein(t)/λ} J(t) dt, J(t) = ∫_0^1 (−log x) e^{−t x} dx = (E_1(t) + log t + γ)/t.
    """
    digits = check_digits(digits)
    t0 = time.perf_counter()
    with working_digits(digits):
        lam = mpmath.mpf(lam)
        th = 1 / lam
        bits = mpmath.mp.prec
        hi = mpmath.mpf(bits * math.log(2) + 25) * lam + 50

        def ein(z):
            return _ein(z)

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
        res = {"E_W1": +w1, "E_sum_W2": +s2, "E_log_T": +logT, "E_sum_Wv": +wv,
               "E_entropy": wv + logT, "E_T": 1 / lam}
    res["seconds"] = time.perf_counter() - t0
    return res


def max_weight_tail(lam, w, digits: int = 30):
    """P(W_(1) > w) for α = 1 and 1/2 ≤ w < 1: e^{−γ/λ} ((1−w)/w)^{1/λ}/Γ(1+1/λ) (generalised Dickman)."""
    with working_digits(digits):
        lam, w = mpmath.mpf(lam), mpmath.mpf(w)
        if not (mpmath.mpf(1) / 2 <= w < 1):
            raise InputError("the Dickman closed form holds for 1/2 <= w < 1")
        th = 1 / lam
        return +(mpmath.exp(-mpmath.euler * th) * ((1 - w) / w) ** th / mpmath.gamma(1 + th))


def limit_functionals(p: LimitParameters, digits: int = 30, k_max: int = 5) -> dict:
    """The Campbell-route functionals of the limit law for resolved parameters ``p``."""
    return campbell_functionals(p.alpha, p.lam, digits, k_max)
