"""The law of the critical-regime output (paper 1, §3–4; derivation in docs/critical_output.md).

In the Poisson limit (docs/mathematics.md §3.3, §4.5) the v-points form a Poisson process with intensity
ρ(v) = α λ^{−α} v^{α−1}, S_j = v_j/λ, y_j = e^{−v_j}, T = Σ y_j, W_j = y_j/T, and

    (κn)^{1/α}(1 − ⟨q, y⟩)  →  N = Σ_j W_j S_j,
    (κn)^{1/(2α)} |P_⊥ y|   →  R = |Σ_j W_j √(2 S_j) U_j|,   U_j uniform on the unit sphere of R^{d−1}.

Distribution functions (docs/critical_output.md §2–§5):

- ``output_cdf``: P(N ≤ x). With c = λx, {N ≤ x} = {Z ≤ 0}, Z = Σ_j e^{−v_j}(v_j − c), a Poisson functional
  whose characteristic function is Campbell's exp ∫ (e^{iuf(v)} − 1) ρ(v) dv, f(v) = e^{−v}(v − c). The
  event "no point below c" has Z > 0 and is removed exactly; Gil-Pelaez's inversion of the rest,

      P(N ≤ x) = (1 − e^{−Λ(c)})/2 − (1/π) ∫_0^∞ Im[e^{L_P(u) − Λ(c)} (e^{I_Y(u)} − 1)]/u du,

  with I_Y = ∫_0^c e^{iuf} ρ dv, L_P = ∫_c^∞ (e^{iuf} − 1) ρ dv, Λ(c) = x^α (route ``gil_pelaez``); or the
  same transform on the Bromwich line Re s = σ > 0 (route ``bromwich``, docs/critical_output.md §3); for d = 3
  (α = 1) also through the first point, N = S_1 + N' with S_1 ~ Exp(1) independent of N' (route
  ``first_point``, docs/critical_output.md §8.3): a different event, a different transform, an outer quadrature.
- ``perp_cdf``: P(R ≤ x) for d = 2 and 4 from the law of the projection ⟨e, Σ W_j √(2S_j) U_j⟩ (Gil-Pelaez for
  its distribution function, Gil-Pelaez–Mecke for its density) and the relation between an isotropic
  vector and its projection (docs/critical_output.md §4).

Inner integrals over v are ``flint.acb.integral`` (rigorous adaptive Gauss–Legendre in Arb; every integrand
is entire after v = w² near 0); the outer integral over u is the package's trapezoid/DE engine
(``numerics.quadrature.double_exponential``) with the identity map on [0, U] — the trapezoid rule, exponentially
accurate for an integrand analytic in a strip — under its one stopping rule. The cutoff U is where the
measured bound of the integrand falls below 10^{−digits−2}; its decay is slow when α is small and λ large
(|φ'(u)| ≈ u^{−1−1/λ} for d = 3), and such inputs are refused up front (:func:`check_supported`).
"""
from __future__ import annotations

import dataclasses
import math
import time

import mpmath
from flint import acb, arb, ctx

from attnlimits.numerics.precision import arb_digits, bits_for, precise, working_digits
from attnlimits.numerics.quadrature.double_exponential import DEMap, DERule
from attnlimits.numerics.results import Result
from attnlimits.theory.validation import InputError, choice, positive_real, real
from attnlimits.theory.validation import to_mpf as read_mpf

__all__ = ["OutputCDF", "ROUTES", "REAL_SPACE_LAMBDA", "check_supported", "choose_route", "output_cdf", "perp_cdf", "U_MAX"]

#: Largest cutoff of the outer integral (about 4 U integrand values, each two or three adaptive v-integrals
#: whose cost grows with u): beyond it an answer takes minutes, and the input is refused.
U_MAX = 512

#: Largest α (d = 129) of the output law: beyond, the v-integrals of ρ(v) ∝ v^{α−1} span thousands of units of v
#: and take minutes (d = 4096, λ = 1: 74 s only to find the cutoff); docs/critical_output.md §6.
ALPHA_MAX = 64

#: Largest c = λx (and x): the inner integrands oscillate like e^{iuc}, and their cost grows with u c.
C_MAX = 60

#: The tangential law is computed for d − 1 = 1 and 3, where the norm follows from the projection's distribution
#: function and density at one point (docs/critical_output.md §4).
PERP_DIMENSIONS = (2, 4)

#: Routes of :func:`output_cdf`; ``first_point`` is for d = 3 only (docs/critical_output.md §8.3); ``real_space``
#: (docs/critical_output.md §9) gives at most ``critical_output_real.MAX_DIGITS`` digits; ``auto`` takes
#: ``gil_pelaez`` where its cutoff is in range and ``real_space`` elsewhere (:func:`choose_route`).
ROUTES = ("auto", "gil_pelaez", "bromwich", "first_point", "real_space")

#: λ range of the real-space route: its panels grow like 1/λ (d = 3, λ = 0.05: 30 s) and its kinks sharpen with
#: λ (docs/critical_output.md §9.3).
REAL_SPACE_LAMBDA = (0.05, 20)


@dataclasses.dataclass(frozen=True)
class OutputCDF(Result):
    """A distribution function of the critical output at one x (:func:`output_cdf`, :func:`perp_cdf`).

    - ``cdf``: the value P(· ≤ x), an mpf carrying the requested digits.
    - ``x``: the argument as read (mpf).
    - ``route``: ``"gil_pelaez"``, ``"bromwich"``, ``"first_point"``, ``"real_space"`` (normal part) or
      ``"projection"`` (tangential norm).
    - ``cutoff``: U, the end of the outer integral over u (``first_point``: the largest over its inner inversions).
    - ``tail_bound``: the largest measured |integrand| × u on [U/2, U] (the neglected tail is of this order).
    - ``outer_nodes``, ``outer_error``: nodes and predicted relative error of the outer trapezoid rule
      (``first_point``: all nodes of the inner inversions, and the difference of its two Gauss–Legendre rules in r).
    - ``seconds``: wall time.
    - ``significant_digits``: the significant digits ``cdf`` carries: the requested ones, fewer only for a value in
      the far lower tail that the refinement could not resolve (the error is absolute; 0 means |cdf| is below the
      last pass's absolute error, and ``cdf`` is then 0).
    - ``absolute_error``: the bound 10^{−digits−2} on the absolute error of ``cdf`` (of its last pass).
    """

    cdf: object
    x: object = None
    route: str | None = None
    cutoff: float | None = None
    tail_bound: object = None
    outer_nodes: int | None = None
    outer_error: object = None
    seconds: float | None = None
    significant_digits: int | None = None
    absolute_error: object = None


# ------------------------------------------------------------------ checks


def _read(alpha, lam, x):
    a = read_mpf(positive_real(alpha, "alpha"))
    if 2 * a != int(2 * a):
        raise InputError(f"alpha = {alpha}: the output law is computed for alpha = (d-1)/2 (2 alpha an integer), "
                         "where every inner integrand is entire after v = w^2")
    if a > ALPHA_MAX:
        raise InputError(f"alpha = {mpmath.nstr(a, 8)} (d = {int(2 * a) + 1}) is beyond the supported range alpha <= "
                         f"{ALPHA_MAX} (d <= {2 * ALPHA_MAX + 1}) of the output law: the v-integrals of rho(v) ~ "
                         "v^(alpha-1) over thousands of units of v take minutes there (d = 4096: 74 s only to find the "
                         "cutoff); E_normal and E_normal_sq of attnlimits law critical give the moments for every d "
                         "(docs/critical_output.md §6)")
    la = read_mpf(positive_real(lam, "lambda"))
    xv = read_mpf(real(x, "x", low=0))
    if la * xv > C_MAX or xv > C_MAX:
        raise InputError(f"x = {mpmath.nstr(xv, 8)} is beyond the supported range lambda x <= {C_MAX} and x <= {C_MAX} "
                         f"(here lambda x = {mpmath.nstr(la * xv, 8)}): every transform value oscillates like "
                         "e^(i u lambda x) over the v-range and would take minutes; N and R are far below such x "
                         "for every lambda in range (docs/critical_output.md §6)")
    return a, la, xv


class _Model:
    """ρ, f and the v-integrals at the current Arb precision for one (α, λ, c) (docs/critical_output.md §2)."""

    def __init__(self, alpha, lam, c):
        self.two_a = int(2 * alpha)
        self.al, self.la, self.c = arb(alpha), arb(lam), arb(c)
        self.K = self.al * self.la ** (-self.al)           # ρ(v) = K v^{α−1}
        self.Lam_c = (self.c / self.la) ** self.al if c > 0 else arb(0)
        self.sqrt_c = self.c.sqrt()

    def v_end(self, u: float) -> arb:
        """V with u ∫_V^∞ v e^{−v} ρ dv below 2^{−prec−10}: the part of L_P beyond V is negligible."""
        bits = ctx.prec + 10
        a = float(self.al.mid())
        V = max(float(self.c.mid()) + 2, 10.0)
        for _ in range(4):
            V = bits * math.log(2) + math.log(max(u, 1.0)) + abs(math.log(float(self.K.mid()))) + \
                (a + 1) * math.log(V + 1) + 5
        return arb(V)

    def I_Y(self, w: acb) -> acb:
        """∫_0^c e^{iwf(v)} ρ(v) dv with v = t², ρ dv = 2K t^{2α−1} dt (entire in t)."""
        c, K, p = self.c, self.K, self.two_a - 1
        iw = acb(0, 1) * w

        def g(t, analytic):
            v = t * t
            return (iw * ((-v).exp() * (v - c))).exp() * t ** p

        return 2 * K * acb.integral(g, 0, self.sqrt_c)

    def L_P(self, w: acb, u: float) -> acb:
        """∫_c^∞ (e^{iwf(v)} − 1) ρ(v) dv, truncated at :meth:`v_end`; v^{α−1} on its principal branch
        (analytic for Re v > 0, which the integrand reports to the integrator)."""
        c, K = self.c, self.K
        iw = acb(0, 1) * w
        integer = self.two_a % 2 == 0
        e = self.two_a // 2 - 1 if integer else self.al - 1

        def g(v, analytic):
            if analytic and not integer and not (v.real > 0):
                return acb("nan")
            return (iw * ((-v).exp() * (v - c))).expm1() * (v ** e)

        start = c if c > 0 else arb(0)
        return K * acb.integral(g, start, self.v_end(u))

    def transform(self, w: acb, u: float) -> acb:
        """E[e^{iwZ}; at least one point below c] = e^{L_P − Λ(c)} (e^{I_Y} − 1) (docs/critical_output.md §2)."""
        iy = self.I_Y(w) if self.c > 0 else acb(0)
        return (self.L_P(w, u) - self.Lam_c).exp() * iy.expm1()

    def mean_part(self) -> arb:
        """lim_{u→0} Im transform(u)/u = m_P (1 − e^{−Λ(c)}) + m_Y, m = ∫ f ρ over each side of c."""
        c, K = self.c, self.K
        p = self.two_a - 1

        def gy(t, analytic):
            v = t * t
            return (-v).exp() * (v - c) * t ** p

        integer = self.two_a % 2 == 0
        e = self.two_a // 2 - 1 if integer else self.al - 1

        def gp(v, analytic):
            if analytic and not integer and not (v.real > 0):
                return acb("nan")
            return (-v).exp() * (v - c) * v ** e

        mY = 2 * K * acb.integral(gy, 0, self.sqrt_c).real if c > 0 else arb(0)
        mP = K * acb.integral(gp, c if c > 0 else arb(0), self.v_end(1.0)).real
        return mP * (1 - (-self.Lam_c).exp()) + mY


class _Projection:
    """The projection Q = ⟨e, Σ W_j √(2S_j) U_j⟩ at level p: Z_p = Σ y_j (a_j U_j1 − p), a(v) = √(2v/λ)
    (docs/critical_output.md §4). E_U e^{ir U_1} = Ω_m(r) = ₀F₁(; m/2; −r²/4), m = d − 1."""

    def __init__(self, alpha, lam, p, m: int):
        self.two_a = int(2 * alpha)
        self.al, self.la, self.p, self.m = arb(alpha), arb(lam), arb(p), m
        self.K = self.al * self.la ** (-self.al)
        self.scale = (2 / self.la).sqrt()
        self.half_m = arb(m) / 2

    def _omega(self, r: acb) -> acb:
        if self.m == 1:
            return r.cos()
        if self.m == 3:
            return r.sinc()
        return (-(r * r) / 4).hypgeom_0f1(self.half_m)

    def _integral(self, w: acb, u: float, weight: int):
        """∫ ρ(v) e^{−weight·v} (e^{−iwpe^{−v}} Ω_m(w e^{−v} a(v)) − [weight = 0]) dv with v = t²."""
        p, sc, q = self.p, self.scale, self.two_a - 1
        iw = acb(0, 1) * w
        bits = ctx.prec + 10
        T = math.sqrt(bits * math.log(2) + math.log(max(u, 1.0)) + 40 + 3 * float(self.al.mid()))

        def g(t, analytic):
            v = t * t
            y = (-v).exp()
            val = (-(iw * p * y)).exp() * self._omega(w * y * sc * t)
            if weight:
                return val * y * t ** q
            return (val - 1) * t ** q

        return 2 * self.K * acb.integral(g, 0, arb(T))

    def transform(self, w: acb, u: float) -> acb:
        return self._integral(w, u, 0).exp()

    def mecke(self, w: acb, u: float) -> acb:
        """E[T e^{iwZ_p}] = e^{log φ} ∫ ρ e^{−v} e^{iwf} dv (Mecke's formula)."""
        return self.transform(w, u) * self._integral(w, u, 1)

    def mean_part(self) -> arb:
        """lim Im φ(u)/u = E Z_p = −p E T (the projection of a_j U_j has mean 0)."""
        return -self.p * self.K * self.al.gamma()      # E T = ∫ ρ e^{−v} dv = Γ(α+1) λ^{−α}


# ------------------------------------------------------------------ the outer integral and its cutoff


class _HalfLine(DEMap):
    """s = x on [0, U]: the DE engine's trapezoid rule itself (the integrand is even and analytic in a strip;
    the node s = 0 is weighted 1/2 by the integrand)."""

    def __init__(self, U):
        self.x_left, self.x_right = 0, U

    def point(self, x, num):
        return x, num.const(1)


def _cutoff(bound, digits: int, what: str) -> tuple[float, object]:
    """The cutoff U = 2^k ≥ 8 where ``bound(u)`` (|integrand| × u) stays below 10^{−digits−2} on [U/2, U]
    (five points), or InputError when that needs U > U_MAX."""
    tol = mpmath.mpf(10) ** (-digits - 2)
    U = 8
    while U <= U_MAX:
        worst = max(bound(U * t / 8) for t in (4, 5, 6, 7, 8))
        if worst < tol:
            return float(U), worst
        U *= 2
    raise InputError(f"{what}: its characteristic function decays too slowly here (|phi(u)| = "
                     f"{mpmath.nstr(worst, 3)} at u = {U_MAX}; for d = 3 it falls like u^(-1-1/lambda)), so the "
                     f"inversion would need u beyond {U_MAX} (minutes to hours); supported: inputs whose transform "
                     "is below 10^-(digits+2) by u = 512 (at 12 digits near the median: d = 3 with lambda <= 0.25, "
                     "d = 4 with lambda <= 0.5, d = 5 with lambda <= 1.25, d = 9 with lambda <= 2; d = 2 never; "
                     "docs/critical_output.md §6; why d = 2 and d = 3 at lambda of order one are out of reach: "
                     "§8); with digits <= 10 (d = 2: <= 6) the real-space route answers for d <= 9, 0.05 <= lambda <= 20 "
                     "(docs/critical_output.md §9)")


def _outer(integrand, U: float, digits: int):
    return DERule(_HalfLine(U), h0=0.5, arithmetic="arb").integrate(integrand, digits, max_level=8)


def _gil_pelaez(law, U: float, digits: int):
    """∫_0^U Im φ(u)/u du for a law with ``transform`` and ``mean_part`` (§2, §4): the node u = 0 carries the
    limit Im φ(u)/u → mean_part with the half weight of the even integrand."""
    g0 = law.mean_part()

    def integrand(s):
        if s == 0:
            return g0 / 2
        return law.transform(acb(s), float(s.mid())).imag / s

    return _outer(integrand, U, digits)


def _abs(z) -> mpmath.mpf:
    return mpmath.mpf(abs(z).mid().str(20, radius=False))


def _to_mpf(a: arb) -> mpmath.mpf:
    return mpmath.mpf(a.mid().str(mpmath.mp.dps + 5, radius=False))


# ------------------------------------------------------------------ the normal part


def _normal_bound(model: _Model, sigma: float):
    def bound(u):
        w = acb(-u, sigma) if sigma else acb(u)
        return _abs(model.transform(w, u))
    return bound


def check_supported(alpha, lam, x, digits: int = 15, which: str = "output") -> float:
    """The cutoff U of the outer integral for P(N ≤ x) (``which="output"``) or P(R ≤ x) (``"perp"``, with
    α = (d−1)/2 for d = 2, 4), or InputError at once (one line: the supported range and why). A few
    transform values at 10 guard digits, well under a second. docs/critical_output.md §6.

    >>> check_supported(2, 1, 2)          # d = 5, lambda = 1: the transform is below 1e-18 on [64, 128]
    128.0
    >>> check_supported(1, 1, 1)
    Traceback (most recent call last):
      ...
    attnlimits.theory.validation.InputError: P(N <= x) at alpha = 1.0, lambda = 1.0, x = 1.0: its characteristic function decays too slowly here ...
    """
    from attnlimits.numerics.precision import check_digits

    digits = check_digits(digits)
    which = choice(which, "which", ("output", "perp"))
    with mpmath.workdps(digits + 10):
        a, la, xv = _read(alpha, lam, x)
        if which == "perp":
            _perp_dimension(a)
        if xv == 0:
            return 0.0
        old = ctx.prec
        ctx.prec = bits_for(digits + 10)
        try:
            shown = f"alpha = {mpmath.nstr(a, 8)}, lambda = {mpmath.nstr(la, 8)}, x = {mpmath.nstr(xv, 8)}"
            if which == "output":
                return _cutoff(_normal_bound(_Model(a, la, la * xv), 0), digits, f"P(N <= x) at {shown}")[0]
            proj = _Projection(a, la, xv, _perp_dimension(a))
            return _cutoff(lambda u: _abs(proj.transform(acb(u), u)), digits, f"P(R <= x) at {shown}")[0]
        finally:
            ctx.prec = old


def _check_real_space(a, la, digits: int) -> None:
    from attnlimits.numerics.laws.critical_output_real import max_digits

    lo, hi = REAL_SPACE_LAMBDA
    most = max_digits(a)
    if digits > most:
        raise InputError(f"digits = {digits}: the real-space route of the output law works in double precision and "
                         f"gives at most {most} digits here (10 for d >= 3, 6 for d = 2; docs/critical_output.md §9); "
                         f"ask for --digits {most} or fewer, or use an inversion route where it is in range (§6)")
    from attnlimits.numerics.laws.critical_output_real import ALPHA_MAX as RS_ALPHA_MAX

    if a > RS_ALPHA_MAX:
        raise InputError(f"d = {int(2 * a) + 1} is beyond the range 2 <= d <= {int(2 * RS_ALPHA_MAX) + 1} of the "
                         f"real-space route of the output law (docs/critical_output.md §9.3); the inversion routes "
                         f"answer for larger d where in range (§6)")
    if not lo <= la <= hi:
        raise InputError(f"lambda = {mpmath.nstr(la, 8)} is beyond the range {lo} <= lambda <= {hi} of the real-space "
                         f"route of the output law (its panels grow like 1/lambda, its kinks sharpen with lambda; "
                         f"docs/critical_output.md §9.3); the inversion routes answer at small lambda (§6)")


def choose_route(alpha, lam, x, digits: int = 15) -> str:
    """The route ``auto`` takes for P(N ≤ x): ``gil_pelaez`` where its cutoff is in range (:func:`check_supported`),
    else ``real_space`` when ``digits`` ≤ 10 (d = 2: 6), d ≤ 9 and λ in :data:`REAL_SPACE_LAMBDA`, else InputError at once (one
    line: the supported range, why, what answers). docs/critical_output.md §9.

    >>> choose_route(2, 1, 2, 12), choose_route(1, 1, 1, 10)
    ('gil_pelaez', 'real_space')
    """
    from attnlimits.numerics.precision import check_digits

    digits = check_digits(digits)
    try:
        check_supported(alpha, lam, x, digits)
        return "gil_pelaez"
    except InputError as e:
        with mpmath.workdps(digits + 10):
            a, la, xv = _read(alpha, lam, x)
        try:
            _check_real_space(a, la, digits)
        except InputError:
            raise e from None
        return "real_space"


def _real_space(a, la, xv, digits: int, t0: float) -> OutputCDF:
    from attnlimits.numerics.laws.critical_output_real import real_space_output

    _check_real_space(a, la, digits)
    value, diff = real_space_output(float(a), float(la), float(xv))
    err = max(diff, 1e-13)   # the passes' difference, floored at the double-precision level they reach (§9.3)
    sig = 0 if value <= err else min(digits, max(0, int(math.floor(math.log10(0.5 * value / err)))))
    v = mpmath.mpf(value) if sig else mpmath.mpf(0)
    return OutputCDF(v, xv, "real_space", None, None, None, mpmath.mpf(diff), time.time() - t0, sig, mpmath.mpf(err))


@precise
def output_cdf(alpha, lam, x, digits: int = 15, route: str = "auto") -> OutputCDF:
    """P(N ≤ x) for the limit N = Σ_j W_j S_j of (κn)^{1/α}(1 − ⟨q, y⟩) (docs/critical_output.md §2–§3).

    ``route="gil_pelaez"`` inverts the atom-free transform on the real line; ``"bromwich"`` on the line
    Re s = σ = 1/(1 + λx) of the Laplace transform E e^{−sZ}: the two share the v-integrals only; ``"first_point"``
    (d = 3 only) integrates P(N' ≤ r) against the density of the first point (docs/critical_output.md §8.3);
    ``"real_space"`` solves for the distribution functions of the two sides of Z in real space and needs no
    transform (d ≤ 9, λ in :data:`REAL_SPACE_LAMBDA`, at most 10 digits, 6 for d = 2; docs/critical_output.md §9);
    ``"auto"`` (the default) takes ``gil_pelaez`` where it is in range, else ``real_space`` (:func:`choose_route`).
    All deliver ``digits`` significant digits: a value below 1/10 is recomputed with as many more digits as it has
    leading zeros (the inversion's error is absolute; the real-space route reports the significant digits its
    absolute error leaves). d = 9 (α = 4), λ = 1: N is near 4 (E N = E_normal ≈ 4.0):

    >>> import mpmath
    >>> r = output_cdf(4, 1, 4, digits=8)
    >>> mpmath.nstr(r.cdf, 8), r.cutoff, r.significant_digits
    ('0.47863174', 8.0, 8)
    """
    t0 = time.time()
    route = choice(route, "route", ROUTES)
    a, la, xv = _read(alpha, lam, x)
    if route == "auto" and xv != 0:
        route = choose_route(alpha, lam, x, digits)
    elif route == "auto":
        route = "gil_pelaez"
    if route == "real_space" and xv != 0:
        return _real_space(a, la, xv, digits, t0)
    if route == "first_point" and a != 1:
        raise InputError(f"route first_point is for d = 3 (alpha = 1) only, where the gaps after the first point "
                         f"form a Poisson process independent of it (docs/critical_output.md §8.3); alpha = "
                         f"{mpmath.nstr(a, 8)} here: use route gil_pelaez or bromwich")
    if xv == 0:
        return OutputCDF(mpmath.mpf(0), xv, route, 0.0, mpmath.mpf(0), 0, mpmath.mpf(0), time.time() - t0, digits,
                         mpmath.mpf(0))
    value, U, tail, res = _normal(a, la, xv, digits, route)
    absolute = digits  # the error is below 10^{−absolute−2}
    # the lower tail: the inversion's error is absolute, so a value with z leading zeros carries digits + 2 − z
    # significant digits; refine with z more digits (at most twice, each only where its cutoff is in range) until
    # the value is resolved, else report how many digits it carries
    for _ in range(2):
        if _significant(value, absolute) >= digits:
            break
        more = absolute + (int(-mpmath.log10(abs(value))) + 1 if value != 0 else digits)
        if more > 4 * digits + 60:
            break
        try:
            if route == "first_point":
                _first_point_check(a, la, xv, more)
            else:
                check_supported(a, la, xv, more)
        except InputError:
            break
        with working_digits(more), arb_digits(more):
            value, U, tail, res = _normal(a, la, xv, more, route)
        absolute = more
    sig = min(digits, _significant(value, absolute))
    bound = mpmath.mpf(10) ** (-absolute - 2)
    if sig == 0:
        value = mpmath.mpf(0)  # unresolved: below the last pass's absolute error, which is what is known
    return OutputCDF(value, xv, route, U, tail, res.nodes, res.error, time.time() - t0, sig, bound)


def _normal(a, la, xv, digits: int, route: str):
    """(P(N ≤ x), U, tail, DEResult) at the current precision, ``digits`` absolute."""
    if route == "first_point":
        return _first_point(a, la, xv, digits)
    U = check_supported(a, la, xv, digits)
    model = _Model(a, la, la * xv)
    if route == "gil_pelaez":
        res = _gil_pelaez(model, U, digits)
        value = (1 - (-model.Lam_c).exp()) / 2 - res.value / arb.pi()
        sigma = 0.0
    else:
        sigma_b = arb(1) / (1 + model.c)
        sigma = float(sigma_b.mid())

        def integrand(s):
            # E e^{−(σ+is)Z} = E e^{iwZ} at w = i(σ + is) = −s + iσ; the node s = 0 of the even integrand
            # carries half weight
            val = (model.transform(acb(-s, sigma_b), float(s.mid())) / acb(sigma_b, s)).real
            return val / 2 if s == 0 else val

        res = _outer(integrand, U, digits)
        value = res.value / arb.pi()
    tail = _normal_bound(model, sigma)(U)
    return _to_mpf(value), U, tail, res


# ------------------------------------------------------------------ d = 3 through the first point


def _shifted_transform(model: _Model, b):
    """w ↦ E e^{iwZ'}, Z' = −b + Σ_j f(v_j) (the first point at v = 0 and the Poisson points after it, f with c = b):
    e^{−iwb} e^{L_P + I_Y − Λ(b)} (docs/critical_output.md §8.3). No atom: Z' has infinitely many terms."""
    bb = arb(b) if not isinstance(b, arb) else b

    def psi(w: acb, u: float) -> acb:
        iy = model.I_Y(w) if model.c > 0 else acb(0)
        return (acb(0, -1) * w * bb + model.L_P(w, u) + iy - model.Lam_c).exp()
    return psi


def _first_point_cutoff(la, r, digits: int, what: str):
    b = la * r
    model = _Model(mpmath.mpf(1), la, b)
    psi = _shifted_transform(model, _arb_of(b))
    return _cutoff(lambda u: _abs(psi(acb(u), u)), digits, what), model, psi


def _arb_of(v) -> arb:
    return arb(mpmath.nstr(v, mpmath.mp.dps + 5, strip_zeros=False)) if not isinstance(v, arb) else v


def _first_point_check(a, la, xv, digits: int):
    """Refuse at once (10 guard digits, two transform ladders) where the inner cutoff would exceed U_MAX."""
    with mpmath.workdps(digits + 10):
        old = ctx.prec
        ctx.prec = bits_for(digits + 10)
        try:
            shown = f"route first_point at lambda = {mpmath.nstr(la, 8)}, x = {mpmath.nstr(xv, 8)}"
            for r in (xv, xv / 2):
                _first_point_cutoff(la, r, digits, f"P(N <= x) by {shown}")
        finally:
            ctx.prec = old


def _first_point_inner(la, r, digits: int):
    """P(N' ≤ r) = P(Z' ≤ 0) by Gil-Pelaez, with E Z' = −b + (1 − b)/λ (α = 1, b = λr): (value, U, nodes,
    the measured |transform| bound on [U/2, U])."""
    b = la * r
    (U, worst), _model, psi = _first_point_cutoff(la, r, digits, f"P(N' <= r) at r = {mpmath.nstr(r, 8)}")
    ba = _arb_of(b)
    g0 = -ba + (1 - ba) / _arb_of(la)

    def integrand(s):
        if s == 0:
            return g0 / 2
        return psi(acb(s), float(s.mid())).imag / s

    res = _outer(integrand, U, digits)
    return arb(1) / 2 - res.value / arb.pi(), U, res.nodes, worst


def _first_point(a, la, xv, digits: int):
    """P(N ≤ x) = ∫_0^x e^{−(x−r)} P(N' ≤ r) dr (α = 1; docs/critical_output.md §8.3) by Gauss–Legendre with
    n = max(16, 2·digits), n + 8, ... nodes on [0, x] (at most four rules, until two successive ones differ by less
    than 10^{−digits−2}): the value of the last rule, the last difference as the error."""
    from types import SimpleNamespace

    from attnlimits.numerics.quadrature.gauss_panels import gl_rule

    _first_point_check(a, la, xv, digits)
    xa = _arb_of(xv)
    vals, Umax, nodes, tail = [], 0.0, 0, mpmath.mpf(0)
    n0 = max(16, 2 * digits)
    tol = mpmath.mpf(10) ** (-digits - 2)
    for n in (n0, n0 + 8, n0 + 16, n0 + 24):
        if len(vals) >= 2 and _abs(vals[-1] - vals[-2]) < tol:
            break
        g = gl_rule(n)
        tot = arb(0)
        for t, w in zip(g.x, g.w):
            r = xa * (t + 1) / 2
            F, U, k, worst = _first_point_inner(la, _to_mpf(r), digits)
            Umax, nodes, tail = max(Umax, U), nodes + k, max(tail, worst)
            tot += w * (r - xa).exp() * F
        vals.append(tot * xa / 2)
    err = _abs(vals[-1] - vals[-2])
    return _to_mpf(vals[-1]), Umax, tail, SimpleNamespace(nodes=nodes, error=err)


# ------------------------------------------------------------------ the tangential norm


def _perp_dimension(a) -> int:
    d = int(2 * a) + 1
    if d not in PERP_DIMENSIONS:
        raise InputError(f"d = {d}: the law of the tangential norm is computed for d = 2 and d = 4 only (the norm of "
                         "an isotropic vector follows from its projection through an Abel transform: at one point for "
                         "d = 2, 4; for d = 3 an integral of the projection's density (minutes), for d >= 5 its "
                         "derivatives of order up to (d-4)/2; docs/critical_output.md §4); E_tangential_sq gives "
                         "the second moment for every d")
    return d - 1


def _projection_cdf(alpha, lam, p, U: float, digits: int):
    """P(Q ≤ p) by Gil-Pelaez (Z_p has no atom): 1/2 − (1/π) ∫ Im φ(u)/u du."""
    proj = _Projection(alpha, lam, p, _perp_dimension(alpha))
    res = _gil_pelaez(proj, U, digits)
    return arb(1) / 2 - res.value / arb.pi(), res


def _projection_density(alpha, lam, p, U: float, digits: int):
    """The density of Q at p: E[T δ(Z_p)] = (1/π) ∫_0^∞ Re E[T e^{iuZ_p}] du (Mecke)."""
    proj = _Projection(alpha, lam, p, _perp_dimension(alpha))

    def integrand(s):
        val = proj.mecke(acb(s), float(s.mid())).real
        return val / 2 if s == 0 else val

    res = _outer(integrand, U, digits)
    return res.value / arb.pi(), res


@precise
def perp_cdf(alpha, lam, x, digits: int = 15) -> OutputCDF:
    """P(R ≤ x) for the limit R = |Σ_j W_j √(2S_j) U_j| of (κn)^{1/(2α)}|P_⊥ y|, d = 2α + 1 ∈ {2, 4}
    (docs/critical_output.md §4). With Q the projection on a fixed direction e of R^{d−1} and f_Q its density:

    d = 2: P(R ≤ x) = 2 P(Q ≤ x) − 1;        d = 4: P(R ≤ x) = 2 P(Q ≤ x) − 1 − 2x f_Q(x).

    >>> import mpmath
    >>> r = perp_cdf("1.5", "0.25", 1, digits=8)      # d = 4, lambda = 1/4: R is mostly below 1
    >>> mpmath.nstr(r.cdf, 8), r.route
    ('0.9970428', 'projection')
    """
    t0 = time.time()
    a, la, xv = _read(alpha, lam, x)
    m = _perp_dimension(a)
    if xv == 0:
        return OutputCDF(mpmath.mpf(0), xv, "projection", 0.0, mpmath.mpf(0), 0, mpmath.mpf(0), time.time() - t0,
                         digits, mpmath.mpf(0))
    U = check_supported(a, la, xv, digits, which="perp")
    nodes = 0
    if m == 1:
        F, res = _projection_cdf(a, la, xv, U, digits)
        value, nodes, err = 2 * F - 1, res.nodes, res.error
    elif m == 3:
        F, r1 = _projection_cdf(a, la, xv, U, digits)
        f, r2 = _projection_density(a, la, xv, U, digits)
        value, nodes, err = 2 * F - 1 - 2 * arb(xv) * f, r1.nodes + r2.nodes, max(r1.error, r2.error)
    tail = _abs(_Projection(a, la, xv, m).transform(acb(U), U))
    return OutputCDF(_to_mpf(value), xv, "projection", U, tail, nodes, err, time.time() - t0,
                     min(digits, _significant(_to_mpf(value), digits)), mpmath.mpf(10) ** (-digits - 2))


def _significant(value, absolute: int) -> int:
    """Significant digits of a value whose absolute error is below 10^{−absolute−2} (docs/critical_output.md §5);
    a value of 1/10 or more carries ``absolute``."""
    if value != 0 and abs(value) >= mpmath.mpf(1) / 10:
        return absolute
    if value == 0:
        return 0
    return max(0, absolute + 1 - int(-mpmath.log10(abs(value))))
