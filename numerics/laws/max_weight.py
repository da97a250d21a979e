"""The distribution function of the largest limiting weight W_(1) (paper 1, §3; docs/mathematics.md §3–4).

Points v_j of a Poisson process with intensity ρ(v) = α λ^{−α} v^{α−1} on (0, ∞), Λ(v) = (v/λ)^α,
y_j = e^{−v_j}, T = Σ y_j, W_(1) = y_(1)/T. Put x = (1 − w)/w, so that W_(1) > w ⇔ R < x with
R = T/y_(1) − 1. Two routes (the package's derivation; docs/critical.md, "The law of W_(1)"):

``first_point`` (any α, 1/(J_max+1) ≤ w < 1). Given the first point v_1 = u, the others, shifted by u,
    form a Poisson process of intensity ρ(u + r) on r > 0 and R = Σ e^{−r_j} has Laplace exponent
    F(s; u) = ∫ (1 − e^{−s e^{−r}}) ρ(u + r) dr = Σ_m (−1)^{m+1} s^m C_m/m! (``numerics.laws.poisson_limit``).
    F is entire but e^{−F} grows doubly exponentially as Re s → −∞, so no Talbot-type contour applies
    to it directly. Split F = F̃ + E:

        F̃(s; u) = E_G[Λ̃(u + Log s + G)] − Λ(u),     G standard Gumbel (E e^{zG} = Γ(1 − z)),
        E(s; u) = ∫_1^∞ e^{−s y} ρ̃(u − log y) dy/y,

    where ρ̃, Λ̃ continue ρ, Λ to v < u (polynomials for integer α; the principal branch of v^α,
    approached from Im v > 0, otherwise). F̃ is a "polylogarithm" of s (α = 1: (Log s + γ)/λ, the
    Dickman case) analytic off (−∞, 0]; E is a superposition of e^{−sy} with y ≥ 1. Expanding
    e^{−E} = Σ_j (−E)^j/j!, the j-th term of the Bromwich integral vanishes for x < j, and the others
    may be moved onto a Hankel contour around the negative axis, where e^{sx} E^j ~ e^{−|s|(x − j)}:

        P(R < x | u) = Σ_{0 ≤ j < x} (1/2πi) ∫_H e^{sx − F̃(s; u)} (−E(s; u))^j/j! ds/s.

    The j-th term is an inverse Laplace transform at time x − j of e^{−F̃} (e^s E)^j/(j! s), computed on
    its own parabola s = μ(1 + iv)² (Weideman & Trefethen, BIT 47 (2007)), trapezoidal in v; e^s E comes
    from e^s (F − F̃) (power series summed in Arb at a precision raised by |s|/ln 10 digits, F̃ and the
    constants at the same raised precision) for |s| ≤ S_0 and from its asymptotic series
    Σ_n h_n n!/s^{n+1}, h(1+z) = ρ̃(u − log(1+z))/(1+z), beyond. A last term bounded by (ρ̄ (x − J))^J/J!²
    below the tolerance is dropped. Then P(W_(1) > w) = E_{v_1} P(R < x | v_1), v_1 = λ Γ_1^{1/α},
    by a DE trapezoid in log Γ_1^{1/α}.

``mecke`` (any α, w ≥ 1/2). At most one weight exceeds 1/2, so by the Mecke–Slivnyak formula
    P(W_(1) > w) = ∫ ρ(v) P(T < x e^{−v}) dv. With E e^{−sT} = e^{−Φ(s)}, Φ = F(·; 0), the Hankel form of
    P(T < y) (y ≤ 1) and ∫ ρ(v)(e^{s x e^{−v}} − 1) dv = −Φ(−s x):

        P(W_(1) > w) = −(1/2πi) ∫_H e^{−Φ̃(s)} Φ(−s x) ds/s,        Φ̃ = F̃(·; 0),

    one contour integral (a circle of radius r_0 and the two edges of the cut, in log|s|), no average
    over v_1, no E-expansion: a different formula on a different contour.

For α = 1 both reduce to the generalised Dickman law of ``numerics.laws.poisson_limit.max_weight_tail``.
For non-integer α the branch of Λ̃ costs an error of order Γ(α) e^{−σ e^{u}}/σ^α (σ = where the contour
meets the positive axis); the routes keep it below the working precision.
"""
from __future__ import annotations

import dataclasses
import math
import time

import mpmath
from flint import acb, acb_poly, arb, arb_series, ctx

from attnlimits.numerics.quadrature.double_exponential import DERule, SinhMap
from attnlimits.numerics.quadrature.gauss_gumbel import gumbel_rule
from attnlimits.numerics.quadrature.gauss_panels import gl_rule, to_mpf
from attnlimits.numerics.precision import arb_digits, bits_for, precise
from attnlimits.numerics.results import Result
from attnlimits.numerics.special.incomplete_gamma import scaled_upper_gamma_table
from attnlimits.theory.validation import InputError, choice, positive_real, real
from attnlimits.theory.validation import to_mpf as read_mpf

__all__ = ["check_supported", "max_weight_cdf", "max_weight_sf", "max_weight_sf_first_point", "max_weight_sf_mecke", "laplace_closure",
           "conditional_cdf_R", "J_MAX", "MaxWeightTail", "LaplaceClosure"]

#: Largest number of terms (−E)^j/j! of the first-point route: w ≥ 1/(J_MAX + 1).
J_MAX = 12

_LN10 = math.log(10)


@dataclasses.dataclass(frozen=True)
class MaxWeightTail(Result):
    """P(W_(1) > w) by one route (``first_point`` or ``mecke``; module docstring), with diagnostics.

    - ``sf``: the survival function P(W_(1) > w), an mpf carrying the requested digits.
    - ``terms``: terms j = 0..J of the E-expansion summed (first-point route only).
    - ``outer_nodes``, ``outer_error``: nodes and error estimate of the average over the first point
      (first-point route only).
    - ``seconds``: wall time.
    """

    sf: object
    terms: int | None = None
    outer_nodes: int | None = None
    outer_error: object = None
    seconds: float | None = None


@dataclasses.dataclass(frozen=True)
class LaplaceClosure(Result):
    """Both sides of τ ∫_0^∞ e^{−τx} P(R < x | v_1 = u) dx = e^{−F(τ; u)} (:func:`laplace_closure`).

    - ``lhs``: the left side, from the conditional law of the first-point route (Hankel sums).
    - ``rhs``: the right side e^{−F(τ; u)}, from the power series of F alone.
    - ``seconds``: wall time.
    """

    lhs: object
    rhs: object
    seconds: float | None = None


def _validate(alpha, lam, w):
    a = read_mpf(positive_real(alpha, "alpha"))
    la = read_mpf(positive_real(lam, "lambda"))
    wv = read_mpf(real(w, "w", low=0, high=1, low_open=True, high_open=True))
    return a, la, wv


#: Supported range of the law of W_(1) (docs/critical.md §3; measured CPU seconds of one core at 20–30 digits):
#: the first-point route for α ≤ 32 when w ≥ 1/2 (α = 31.5, λ = 40, w = 1/2: 33 s) and α ≤ 16 below (each E-term
#: needs F̃ at 1.6× the digits: minutes at α = 31.5). For α not an integer, λ ≥ 15: then the Gumbel part of F̃ mostly
#: takes its Gauss rule; for smaller λ the first points sit near 0, where the branch of Λ̃ forces the 700-node
#: trapezoid and a raised contour (α = 1/2, λ = 1, w = 0.6: 27 s; α = 3/2, λ = 1: over 2.5 minutes). Where E T is
#: large (the series regime of ``numerics.laws.poisson_limit``) Markov's inequality P(W_(1) > w) ≤ E W_(1)/w
#: settles the CDF to the requested digits first.
ALPHA_MAX_UPPER = 32
ALPHA_MAX_LOWER = 16
NON_INTEGER_LAMBDA_MIN = 15


def check_supported(alpha, lam, w, digits: int = 30, route: str = "first_point") -> str:
    """How P(W_(1) ≤ w) will be computed — ``"markov"`` (E T large: Markov's bound first), ``"first_point"`` or
    ``"mecke"`` — or InputError with the supported range, at once (before any work).

    >>> check_supported(2, 1, "0.6"), check_supported(1, "1e-6", "0.5"), check_supported(2047.5, 1, "1/3")
    ('first_point', 'markov', 'markov')
    >>> check_supported(1, 1, "0.01")
    Traceback (most recent call last):
      ...
    attnlimits.theory.validation.InputError: w = 0.01 is below 1/13 = 0.0769...: the first-point route sums at most 12 terms ...
    """
    from attnlimits.numerics.laws.poisson_limit import series_regime

    a, la, wv = _validate(alpha, lam, w)
    route = choice(route, "route", ("first_point", "mecke"))
    x = (1 - wv) / wv
    if route == "first_point" and int(mpmath.ceil(x)) - 1 > J_MAX:
        raise InputError(f"w = {w} is below 1/{J_MAX + 1} = {1 / (J_MAX + 1):.4f}: the first-point route sums at "
                         f"most {J_MAX} terms (j < (1 - w)/w) of its expansion, so P(W_(1) <= w) is computed for "
                         f"1/{J_MAX + 1} <= w < 1 only (docs/critical.md §3)")
    if route == "mecke" and wv < mpmath.mpf(1) / 2:
        raise InputError("the Mecke route holds for w >= 1/2 (at most one weight exceeds w)")
    if series_regime(a, la, digits):
        return "markov"
    _check_cost(a, la, wv)
    return route


def _check_cost(a, la, wv) -> None:
    """InputError outside the measured range of the Hankel routes (module constants; checked mpf inputs)."""
    af, lf = float(a), float(la)
    shown = f"alpha = {mpmath.nstr(a, 8)}, lambda = {mpmath.nstr(la, 8)}"
    top = ALPHA_MAX_UPPER if wv >= mpmath.mpf(1) / 2 else ALPHA_MAX_LOWER
    if af > top:
        raise InputError(f"P(W_(1) <= w) at {shown}, w = {mpmath.nstr(wv, 8)} is outside the supported range "
                         f"alpha <= {ALPHA_MAX_UPPER} for w >= 1/2, alpha <= {ALPHA_MAX_LOWER} below (minutes per w "
                         "beyond: the E-terms need F~ at 1.6 times the digits), unless E T is large "
                         "(docs/critical.md §3)")
    if af != int(af) and lf < NON_INTEGER_LAMBDA_MIN:
        raise InputError(f"P(W_(1) <= w) at {shown} is outside the supported range: for alpha not an integer "
                         f"lambda >= {NON_INTEGER_LAMBDA_MIN} (smaller lambda puts the first points near 0, where "
                         "the branch of the continued Lambda forces slow contours: minutes at alpha = 3/2, "
                         "lambda = 1), unless E T is large (docs/critical.md §3)")


def _rule_size(digits: int) -> int:
    """Gauss–Gumbel nodes for E_G[(ℓ + G)^α] to ``digits`` (checked against the integer-α moments)."""
    return min(120, max(32, int(digits) + 10))


class _Gumbel:
    """λ^{−α} E_G[(ℓ + G)^α] for complex ℓ (Im ℓ ≥ 0), G standard Gumbel.

    Integer α: Σ_i C(α, i) ℓ^i μ_{α−i} exactly, with the Gumbel moments μ_k (``gumbel_rule``).
    Otherwise the Gauss–Gumbel rule and the principal branch of the power (approached from Im > 0).
    """

    def __init__(self, alpha: arb, lam: arb, integer_alpha: bool, work_digits: int):
        self.alpha = alpha
        self.scale = lam ** (-alpha)
        self.integer = integer_alpha
        if integer_alpha:
            a = int(alpha.unique_fmpz())
            kap = [arb(0), arb.const_euler()] + [arb.fac_ui(k - 1) * arb(k).zeta() for k in range(2, a + 1)]
            mu = [arb(1)]
            for n in range(1, a + 1):
                mu.append(sum((arb.bin_uiui(n - 1, k - 1) * kap[k] * mu[n - k] for k in range(1, n + 1)), arb(0)))
            self.poly = acb_poly([self.scale * arb.bin_uiui(a, i) * mu[a - i] for i in range(a + 1)])
        else:
            xs, ws = gumbel_rule(_rule_size(work_digits), work_digits)
            self.nodes = [(acb(x), w) for x, w in zip(xs, ws)]
            self.work = work_digits
            self.trap = None

    def _trapezoid(self):
        """Nodes of a trapezoid rule in ξ, t = 1 + 4 sinh ξ (the engine's ``SinhMap``, one fixed level):
        robust when the branch point t = −ℓ of the power is near the bulk of the density (the Gauss rule
        then converges slowly). The strip of analyticity is |Im ξ| < 0.2, so the step 2π·0.2/K gives an
        error near e^{−K} (an a priori step, docs/mathematics.md §11)."""
        A = 4.0
        K = self.work * _LN10 + 10
        t_lo = -math.log(K)
        t_hi = K + float(self.alpha.mid()) * math.log(K + float(self.alpha.mid())) + 10
        h = 2 * math.pi * 0.2 / K
        rule = DERule(SinhMap(1, A, A, -math.asinh((t_lo - 1) / A), math.asinh((t_hi - 1) / A)), h0=h,
                      arithmetic="arb")
        return [(acb(t), w * (-t - (-t).exp()).exp()) for t, w in rule.nodes(0)]

    def __call__(self, ell: acb) -> acb:
        if self.integer:
            return self.poly(ell)
        al = acb(self.alpha)
        nodes = self.nodes
        if float(ell.real.mid()) < 15:
            if self.trap is None:
                self.trap = self._trapezoid()
            nodes = self.trap
        tot = acb(0)
        for t, wgt in nodes:
            tot += wgt * (ell + t) ** al
        return self.scale * tot


class _Model:
    """ρ, Λ and the Gumbel part of F̃ for one (α, λ) at the current Arb precision."""

    def __init__(self, alpha, lam, work_digits):
        self.alpha_mp, self.lam_mp = mpmath.mpf(alpha), mpmath.mpf(lam)
        self.al, self.la = arb(self.alpha_mp), arb(self.lam_mp)
        self.integer = self.alpha_mp == int(self.alpha_mp)
        self.work = work_digits
        # the constants enter e^s (F − F̃), which cancels like e^{−Re s} at a precision raised by up to
        # S_0/ln 10 + K/ln 10 digits: compute them far beyond the working precision (they are few)
        old = ctx.prec
        ctx.prec = max(old, bits_for(8 * work_digits + 100))
        try:
            self.c = self.al * self.la ** (-self.al)
            self.gumbel = _Gumbel(self.al, self.la, self.integer, work_digits)
        finally:
            ctx.prec = old
        self._gumbel_hi = None

    def Ftilde_hi(self, s: acb, u: arb) -> acb:
        """F̃ to about 1.6× the working digits (for e^s(F − F̃) in the right half-plane, where E ≪ F̃)."""
        if self.integer:
            return self.Ftilde(s, u)
        if self._gumbel_hi is None:
            self._gumbel_hi = _Gumbel(self.al, self.la, False, int(1.6 * self.work) + 10)
        return self._gumbel_hi(acb(u) + s.log()) - self.Lam(u)

    def Lam(self, u: arb) -> arb:
        return (u / self.la) ** self.al if u > 0 else arb(0)

    def Ftilde(self, s: acb, u: arb) -> acb:
        return self.gumbel(acb(u) + s.log()) - self.Lam(u)


def _series_length(S0: float, target_digits: float) -> int:
    """Terms of Σ S0^m/m! needed to bring the tail below 10^{−target}."""
    M = int(math.e * S0) + 10
    while M * math.log(S0) - math.lgamma(M + 1) > -target_digits * _LN10 - 5:
        M += 10
    return M


class _Conditional:
    """Given v_1 = u: the power series of F(·; u) (built at the current, raised, precision) and the
    asymptotic series of E(·; u) beyond |s| = S_0."""

    def __init__(self, model: _Model, u: arb, S0: float, work: float):
        self.model, self.u = model, u
        self.S0 = S0
        self.prec_hi = ctx.prec
        M = _series_length(S0, work + S0 / _LN10 + 10)
        ms = list(range(1, M + 1))
        if u == 0:
            eg = [model.al.gamma()] * M
        else:
            eg = scaled_upper_gamma_table(model.al, [m * u for m in ms])
        coeffs = [arb(0)]
        fact = arb(1)
        for m in ms:
            fact = fact * m
            cm = model.c * eg[m - 1] * arb(m) ** (-model.al)
            coeffs.append(cm / fact if m % 2 else -cm / fact)
        self.F = acb_poly(coeffs)
        # asymptotic series of E: e^{−s} Σ h_n n!/s^{n+1}, h(1+z) = c (u − log(1+z))^{α−1}/(1+z);
        # N terms keep the series decreasing for every |s| ≥ S0 (Taylor radius r of h at z = 0)
        N = max(10, int(0.9 * S0 * _radius(model, u)))
        old_cap = ctx.cap
        ctx.cap = N + 1  # series arithmetic truncates at ctx.cap terms
        try:
            z = arb_series([arb(0), arb(1)], prec=N + 1)
            if model.alpha_mp == 1:
                hs = model.c / (1 + z)
            else:
                hs = model.c * (u - (1 + z).log()) ** (model.al - 1) / (1 + z)
            hc = hs.coeffs()
        finally:
            ctx.cap = old_cap
        fac = arb(1)
        asym = []
        for n in range(N):
            asym.append(hc[n] * fac if n < len(hc) else arb(0))
            fac = fac * (n + 1)
        self.asym = acb_poly(asym)

    def esE(self, s: acb, Ft: acb) -> acb:
        """e^s E(s; u): e^s (F − F̃) for |s| ≤ S0, else Σ_n h_n n!/s^{n+1} (no overflow of e^{±s})."""
        if float(abs(s).mid()) <= self.S0:
            return s.exp() * (self.F(s) - Ft)
        return self.asym(1 / s) / s


def _radius(model: _Model, u: arb) -> float:
    """Taylor radius of h(1+z) at z = 0: 1 (y = 0), or e^u − 1 (v = 0 of ρ̃) for non-integer α."""
    uf = float(u.mid())
    if model.integer or uf > 1:
        return 1.0
    return min(1.0, math.expm1(uf))


def _parabola(t: float, K: float, j: int = 0, mu_min: float = 0.0):
    """Nodes of s = μ(1 + iv)², v ≥ 0, for the inverse Laplace transform at time t: μ t ≤ K/4
    (cancellation e^{K/4}), v up to V with e^{μ t (1 − V²)} < e^{−1.25 K}, step π/(0.8 K). The integrand
    is analytic for |Im v| < 1 (s = 0 at v = i); the step was checked against the α = 1 closed forms
    (errors below e^{−K}; tests/test_max_weight.py). For j ≥ 1 and 0.2 < t the crossing point is lowered
    to μ = K/(2(1 + t)): there e^s E = e^s (F − F̃) cancels like e^{−Re s}, amplified by e^{μ(1+t)} ≤ e^{K/2};
    for t ≤ 0.2, μ = K/(4t) ≥ 1.25 K puts every node where the asymptotic series of E holds."""
    mu = K / (4 * t)
    if j and t > 0.2:
        mu = min(mu, K / (2 * (1 + t)))
    h = math.pi / (0.8 * K)
    if mu < mu_min:
        # non-integer α, small u: the branch error e^{−μ e^u} needs μ ≥ mu_min; more cancellation
        # (e^{μ t}, paid by the caller's precision) and a step shrunk for the growth e^{μ t (1+d)²}
        mu = mu_min
        h = 2 * math.pi * 0.5 / (K + 2.25 * mu * t)
    V = math.sqrt(1 + 1.25 * K / (mu * t))
    return mu, h, int(V / h) + 1


def _skip_last(model: _Model, u: arb, t_J: float, J: int, digits: int) -> bool:
    """The j = J term is at most (ρ̄ t_J)^J/J!² (a simplex of volume t_J^J/J! in y, |ρ̃/y| ≤ ρ̄ on [1, x]):
    drop it when that is below 10^{−digits−5}."""
    if t_J <= 1e-300:
        return True
    rho_bar = float(model.c.mid()) * max(float(u.mid()), 1e-300) ** (float(model.alpha_mp) - 1) if model.alpha_mp >= 1 \
        else float(model.c.mid()) * max(float(u.mid()) - math.log(J + t_J), 1e-3) ** (float(model.alpha_mp) - 1)
    rho_bar = max(rho_bar, 1e-300) * 2 + 1e-300
    lg = J * math.log(rho_bar * t_J) - 2 * math.lgamma(J + 1)
    return lg < -(digits + 5) * _LN10


def _conditional_sum(model: _Model, u: arb, x, J: int, digits: int):
    """P(R < x | v_1 = u) by the Hankel sum of the module docstring, to ``digits`` (absolute).

    The j-th term is an inverse Laplace transform at time t_j = x − j of e^{−F̃(s)} (e^s E(s))^j/(j! s),
    each on its own parabola; e^s E is F − F̃ times e^s for |s| ≤ S_0 and the asymptotic series beyond.
    """
    K = (digits + 5) * _LN10
    xf = float(x)
    old = ctx.prec
    try:
        if J and _skip_last(model, u, xf - J, J, digits):
            J -= 1
        cond = None
        if J:
            r = _radius(model, u)
            S0 = min(max(40.0, 1.1 * K / max(r, 1e-3)), 6 * K)
            ctx.prec = bits_for(digits + S0 / _LN10 + K / _LN10 + 15)
            cond = _Conditional(model, u, S0, digits + 5)
        mu_min = 0.0 if model.integer else 1.2 * K * math.exp(-min(float(u.mid()), 50.0))
        boost = max(0.0, mu_min * xf - K / 4) / _LN10
        ctx.prec = prec_lo = bits_for(digits + K / (4 * _LN10) + boost + 15)
        xa = arb(x)
        total = arb(0)
        fact = arb(1)
        for j in range(J + 1):
            if j:
                fact = fact * j
            tj = xa - j
            mu, h, n = _parabola(xf - j, K, j, mu_min)
            mua, ha = arb(mu), arb(h)
            tot = acb(0)
            for k in range(n + 1):
                v = arb(k) * ha
                one_iv = acb(1, v)
                s = mua * one_iv * one_iv
                if j and float(abs(s).mid()) <= cond.S0:
                    ctx.prec = cond.prec_hi
                    Ft = model.Ftilde_hi(s, u)
                    esE = cond.esE(s, Ft)
                    ctx.prec = prec_lo
                    Ft, esE = +Ft, +esE
                else:
                    Ft = model.Ftilde(s, u)
                    esE = cond.esE(s, Ft) if j else None
                f = (s * tj - Ft).exp() / s * (2 * mua * one_iv)
                if j:
                    f = f * (-esE) ** j
                tot += f / 2 if k == 0 else f
            total += tot.real * ha / (arb.pi() * fact)
    finally:
        ctx.prec = old
    return total


@precise
def conditional_cdf_R(alpha, lam, u, x, digits: int = 30):
    """P(R < x | v_1 = u): the law of R = Σ_{j≥2} e^{−(v_j − v_1)} given the first point (first-point route;
    docs/mathematics.md §4).

    >>> import mpmath
    >>> # α = 1: R is generalised Dickman GD(1/λ) whatever u, P(R < x) = e^{−γ/λ} x^{1/λ}/Γ(1 + 1/λ) for x ≤ 1
    >>> mpmath.nstr(conditional_cdf_R(1, 1, "0.5", 1, digits=15), 15), mpmath.nstr(mpmath.exp(-mpmath.euler), 15)
    ('0.561459483566885', '0.561459483566885')
    """
    a = read_mpf(positive_real(alpha, "alpha"))
    la = read_mpf(positive_real(lam, "lambda"))
    uu = read_mpf(positive_real(u, "u"))
    xx = read_mpf(positive_real(x, "x"))
    J = int(mpmath.ceil(xx)) - 1
    if J > J_MAX:
        raise InputError(f"x = {x} needs {J} terms of the E-expansion; at most {J_MAX} (x <= {J_MAX + 1}) are supported")
    model = _Model(a, la, digits + 15)
    return to_mpf(_conditional_sum(model, arb(uu), xx, J, digits + 10))


def _outer_average(f, alpha, digits: int, h0: float = 0.25):
    """E f(Γ_1^{1/α}), Γ_1 ~ Exp(1), f returning an arb: the engine's DE trapezoid in y = log Γ_1^{1/α}
    with the sinh map y = a sinh x, a = 2/α (double-exponential decay on both sides: e^{−e^{αy}} on the
    right, e^{αy} on the left), under its one stopping rule (docs/mathematics.md §11).
    Returns (value, nodes, error estimate)."""
    al = float(alpha)
    a = 2.0 / al
    K = (digits + 5) * _LN10
    y_lo = -(K + 5) / al
    y_hi = math.log(K + 10) / al + 1
    alpha_a = arb(alpha)

    def integrand(y):
        g = (alpha_a * y).exp()  # Γ_1; e^{−g} dg = α g e^{−g} dy
        return f(y.exp()) * alpha_a * g * (-g).exp()

    rule = DERule(SinhMap(0, a, a, math.asinh(-y_lo / a), math.asinh(y_hi / a)), h0=h0, arithmetic="arb")
    r = rule.integrate(integrand, digits, max_level=8)
    return r.value, r.nodes, float(r.error)


@precise
def max_weight_sf_first_point(alpha, lam, w, digits: int = 30) -> MaxWeightTail:
    """P(W_(1) > w) = E_{v_1} P(R < (1−w)/w | v_1) (module docstring, route ``first_point``).

    The average over v_1 = λ Γ_1^{1/α} is a DE trapezoid in log Γ_1^{1/α} (docs/mathematics.md §11).

    >>> import mpmath
    >>> r = max_weight_sf_first_point(1, 1, "0.5", digits=10)  # α = λ = 1, w = 1/2: e^{−γ} (Dickman)
    >>> mpmath.nstr(r.sf, 10), r.terms
    ('0.5614594836', 1)
    """
    check_supported(alpha, lam, w, digits, "first_point")
    a, la, wv = _validate(alpha, lam, w)
    _check_cost(a, la, wv)  # the tail itself is wanted: Markov's bound settles nothing here
    t0 = time.perf_counter()
    x = (1 - wv) / wv
    J = int(mpmath.ceil(x)) - 1
    work = digits + 10
    # the conditional sums are formed to work = digits + 10 digits, in Arb with 10 guard digits beyond that
    with arb_digits(work, guard=10):
        model = _Model(a, la, work)
        val, nodes, err = _outer_average(lambda uu: _conditional_sum(model, model.la * uu, x, J, work),
                                         a, digits)
    return MaxWeightTail(sf=to_mpf(val), terms=J + 1, outer_nodes=nodes, outer_error=err,
                         seconds=time.perf_counter() - t0)


def _edge_growth(alpha, lam, r0: float, K: float) -> float:
    """max over the upper edge s = −q (q ≥ r0) of −Re Φ̃(s), on a coarse grid in log q (double precision
    suffices for the estimate; Φ̃ ≈ λ^{−α} (Log s + γ)^α there, Gumbel fluctuations aside)."""
    a, la = float(alpha), float(lam)
    t_lo = math.log(r0)
    t_hi = la * K ** (1 / a) + 40
    worst = 0.0
    for i in range(400):
        t = t_lo + (t_hi - t_lo) * i / 399
        z = complex(t + 0.5772156649015329, math.pi)
        worst = max(worst, -(z ** a).real / la ** a)
    return worst


@precise
def max_weight_sf_mecke(alpha, lam, w, digits: int = 30) -> MaxWeightTail:
    """P(W_(1) > w) for w ≥ 1/2 by the Mecke formula (module docstring, route ``mecke``).

    >>> import mpmath
    >>> r = max_weight_sf_mecke(1, 1, "0.5", digits=15)  # α = λ = 1, w = 1/2: e^{−γ} (Dickman)
    >>> mpmath.nstr(r.sf, 15), mpmath.nstr(mpmath.exp(-mpmath.euler), 15)
    ('0.561459483566885', '0.561459483566885')
    """
    check_supported(alpha, lam, w, digits, "mecke")
    a, la, wv = _validate(alpha, lam, w)
    _check_cost(a, la, wv)
    t0 = time.perf_counter()
    x = (1 - wv) / wv
    work = digits + 10
    K = work * _LN10
    integer_alpha = a == int(a)
    # circle radius: 1 for integer α; otherwise the branch error, about e^{−r0 (1 − x)} (the weight of
    # the principal branch on y = e^{−v} > 1 against e^{s x}), must stay below e^{−1.1 K}
    if not integer_alpha and x > mpmath.mpf("0.8"):
        raise InputError("for non-integer alpha the Mecke route covers w >= 5/9 only; use the first-point route")
    r0 = 1.0 if integer_alpha else max(1.0, 1.1 * K / float(1 - x))
    growth = _edge_growth(a, la, r0, K)
    if growth > 60 * _LN10:
        # on the cut, Re Φ̃ < 0 where α arg(Log s) > π/2 (large α): e^{−Φ̃} reaches e^{growth} and the
        # edge integral is a cancellation the quadrature cannot resolve
        raise InputError(f"the Mecke route would lose {growth / _LN10:.0f} digits to cancellation at "
                         f"alpha = {mpmath.nstr(a, 6)}, lambda = {mpmath.nstr(la, 6)}; use the first-point route")
    S0 = max(40.0, 1.2 * K, r0 * float(x) + 5)
    extra = S0 / _LN10 + r0 * float(x) / _LN10 + growth / _LN10 + 15
    # Arb carries `extra` digits beyond work = digits + 10: e^s (F − F̃) cancels like e^{−Re s} up to |s| = S0,
    # the circle like e^{r0 x}, the edges like e^{growth}
    with arb_digits(work, guard=extra):
        model = _Model(a, la, work)
        cond = _Conditional(model, arb(0), S0, work)  # Φ = F(·; 0)
        xa = arb(x)

        def Phi(z: acb) -> acb:
            # entire Φ: power series for |z| <= S0; beyond (z on the positive axis) Φ̃ + O(e^{−z})
            if float(abs(z).mid()) <= S0:
                return cond.F(z)
            return model.Ftilde(z, arb(0))

        # circle s = r0 e^{iφ}, φ ∈ [0, π]: (1/π) ∫ Re f dφ, f = −e^{−Φ̃(s)} Φ(−s x)
        ra = arb(r0)
        circ = arb(0)
        # the integrand turns with e^{−s x}: about r0 x radians over the half circle
        n_gl = 2 * int(work) + 20 + int(1.5 * r0 * float(x))
        rule = gl_rule(n_gl)
        for xj, wj in zip(rule.x, rule.w):
            phi = arb.pi() * (xj + 1) / 2
            s = ra * acb(phi.cos(), phi.sin())
            f = -(-model.Ftilde(s, arb(0))).exp() * Phi(-s * xa)
            circ += wj * f.real
        circ = circ / 2  # dφ = (π/2) dx, times 1/π

        # edges: (1/π) ∫_{log r0}^∞ Im f(e^{t + iπ}) dt
        def edge(t):
            q = arb(mpmath.exp(t))
            ell_s = acb(q.log(), arb.pi())  # Log s on the upper edge, s = −q
            Ft = model.gumbel(ell_s)
            f = -(-Ft).exp() * Phi(acb(q * xa))
            return to_mpf(f.imag)

        t_lo = mpmath.log(r0)
        # decay of e^{−Φ̃} on the edge: Λ(log q) reaches K at log q = λ K^{1/α}
        t_hi = float(la) * K ** (1 / float(a)) + 40
        pts = [t_lo] + [t for t in (t_lo + 1, t_lo + 4, t_lo + 10, t_lo + 30, t_lo + 100, t_lo + 300)
                        if t < t_hi] + [t_hi]
        with mpmath.workdps(mpmath.mp.dps + int(growth / _LN10) + 5):
            edges = mpmath.quad(edge, pts) / mpmath.pi
    return MaxWeightTail(sf=to_mpf(circ) + edges, seconds=time.perf_counter() - t0)


def max_weight_sf(alpha, lam, w, digits: int = 30, route: str = "first_point"):
    """P(W_(1) > w) as an mpf carrying ``digits`` significant digits: the ``sf`` of
    :func:`max_weight_sf_first_point` or :func:`max_weight_sf_mecke` (module docstring).

    >>> import mpmath
    >>> mpmath.nstr(max_weight_sf(1, 1, "0.5", digits=15, route="mecke"), 15)  # e^{−γ} (Dickman)
    '0.561459483566885'
    """
    route = choice(route, "route", ("first_point", "mecke"))
    f = max_weight_sf_first_point if route == "first_point" else max_weight_sf_mecke
    return f(alpha, lam, w, digits).sf


@precise
def max_weight_cdf(alpha, lam, w, digits: int = 30, route: str = "first_point"):
    """P(W_(1) ≤ w) = 1 − P(W_(1) > w) for 0 < w < 1 and any α, λ > 0.

    W_(1) has no lower bound other than 0 (R is unbounded) and no atom; P(W_(1) ≤ w) is positive for every
    w ∈ (0, 1). When it is small the survival function is computed with as many more digits as 1 − P loses,
    so the result carries ``digits`` significant digits. The first-point route covers w ≥ 1/(J_MAX + 1),
    the Mecke route w ≥ 1/2, within the supported range of :func:`check_supported`. Where E T is large
    (every weight small), Markov's inequality P(W_(1) > w) ≤ E W_(1)/w below 10^{−digits−1} gives 1, the
    CDF to the requested digits. Give α, λ, w as strings or exact ratios ("1/3") to have them read at the
    working precision: a float such as 0.6 is the binary number nearest to 0.6.

    >>> max_weight_cdf(127.5, 1, "1/3", digits=20)  # d = 256, λ = 1: E W_(1) ~ 10^{-214}
    mpf('1.0')

    >>> import mpmath
    >>> mpmath.nstr(max_weight_cdf(1, 1, "0.5", digits=15, route="mecke"), 15)  # 1 − e^{−γ}
    '0.438540516433115'
    """
    how = check_supported(alpha, lam, w, digits, route)  # bad input and the supported range: before any work
    if how == "markov":
        from attnlimits.numerics.laws.poisson_limit import campbell_functionals

        # E T large: every weight is small, and P(W_(1) > w) ≤ E W_(1)/w (Markov) may already settle the CDF
        a, la, wv = _validate(alpha, lam, w)
        bound = campbell_functionals(a, la, 5, k_max=1).E_W1 * mpmath.mpf("1.001") / wv
        if bound < mpmath.mpf(10) ** (-digits - 1):
            return mpmath.mpf(1)
        _check_cost(a, la, wv)
    extra = 0
    for _ in range(3):
        sf = max_weight_sf(alpha, lam, w, digits + extra, route)
        # 1 − sf loses the leading digits of sf when P(W_(1) ≤ w) is small: 20 digits beyond those of sf
        with mpmath.workdps(digits + extra + 20):
            cdf = 1 - sf
            if cdf <= 0:
                lost = digits
            else:
                lost = max(0, int(-mpmath.log10(cdf)) + 1)
        if lost <= extra:
            return cdf
        extra = lost + 2
    return cdf


@precise
def laplace_closure(alpha, lam, u, tau, digits: int = 25) -> LaplaceClosure:
    """τ ∫_0^∞ e^{−τx} P(R < x | v_1 = u) dx against e^{−F(τ; u)}: the conditional law of the first-point
    route against its defining Laplace transform (the power series of ``numerics.laws.poisson_limit``, summed at
    real τ with τ/ln 10 extra digits), which uses none of the Gumbel/Hankel machinery.

    The x-integral is tanh-sinh (mpmath.quad) on [k, k+1] (the law has a kink at every integer) up to
    X with e^{−τX} < 10^{−digits−5}, plus e^{−τX} for the rest (P(R < x) ≤ 1 there and → 1).

    >>> import mpmath
    >>> r = laplace_closure(2, 1, "0.7", 30, digits=8)
    >>> mpmath.nstr(r.lhs, 8), mpmath.nstr(r.rhs, 8)
    ('9.8350577e-11', '9.8350577e-11')
    """
    a = read_mpf(positive_real(alpha, "alpha"))
    la = read_mpf(positive_real(lam, "lambda"))
    uu = read_mpf(positive_real(u, "u"))
    tt = read_mpf(positive_real(tau, "tau"))
    t0 = time.perf_counter()
    work = digits + 10
    X = float((work + 5) * _LN10 / tt)
    if X > J_MAX + 1:
        raise InputError(f"tau = {tau} is too small: the closure needs x up to {X:.1f} > {J_MAX + 1}")
    # the conditional sums are formed to work = digits + 10 digits, in Arb with 10 guard digits beyond that
    with arb_digits(work, guard=10):
        model = _Model(a, la, work)
        ua = arb(uu)

        def cdf(x):
            J = int(mpmath.ceil(x)) - 1
            return to_mpf(_conditional_sum(model, ua, x, J, work))

        pts = [mpmath.mpf(k) for k in range(0, int(math.ceil(X)))] + [mpmath.mpf(X)]
        lhs = tt * mpmath.quad(lambda x: mpmath.exp(-tt * x) * cdf(x), pts) + mpmath.exp(-tt * X)
        # right side: e^{−F(τ; u)} with F's alternating series at τ/ln 10 extra digits
        with arb_digits(work, guard=float(tt) / _LN10 + 20):
            cond = _Conditional(model, ua, float(tt) + 1, work)
            rhs = to_mpf((-cond.F(acb(arb(tt)))).exp().real)
    return LaplaceClosure(lhs=lhs, rhs=rhs, seconds=time.perf_counter() - t0)
