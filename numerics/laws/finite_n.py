"""Exact finite-n expectations of attention weights for n uniform keys on S^{d−1} (docs/mathematics.md §8).

With X_i = ⟨q, K_i⟩, D_i = 1 − X_i, v_i = β D_i and Y_i = e^{−v_i} (the common factor e^{β} cancels
in the weights w_i = Y_i/Σ_j Y_j), the identities 1/T = ∫ e^{−tT} dt and 1/T² = ∫ t e^{−tT} dt give,
for every n ≥ 1 (the package's derivation, docs/critical.md):

    E Σ w²  = ∫_0^∞ t · n E[Y² e^{−tY}] · (E e^{−tY})^{n−1} dt,
    E w_(1) = ∫_0^∞ ∫ n f(v) e^{−v} e^{−t e^{−v}} (E[e^{−tY} 1{v_1 > v}])^{n−1} dv dt,

and E[e^{−tY} 1{v_1 > v}] = 1 − (Φ_n(t) + A_n(t, v))/n with Φ_n = ∫ ρ_n (1 − e^{−t e^{−w}}) dw over
the whole range and A_n = ∫_0^v ρ_n e^{−t e^{−w}} dw, ρ_n = n f_{βD} (``numerics.quadrature.campbell``).
The powers are taken as exp((n − 1) log1p(−x)), so n = 10^12 and beyond costs nothing extra.

Routes: ``exact_finite`` (any d: Gauss panels in Arb with the cumulative A, DE trapezoid in log t;
very large β: the large-β expansion with its derived error bound, docs/mathematics.md §8.6);
``exact_finite_d3`` (d = 3: D is uniform on [0, 2], so Φ_n, A_n and n E[Y² e^{−tY}] are
exponential integrals, and E w_(1) is the two-dimensional integral of docs/mathematics.md §8 over (D_(1), τ)).

Supported range of ``exact_finite`` (docs/critical.md §6.1; refused up front outside it):
``digits`` ≤ :data:`MAX_DIGITS`, n ≤ :data:`MAX_N`, β ≤ :data:`MAX_BETA` for the integrals; beyond that β only
where the large-β expansion meets the requested digits (d ≥ 3).
"""
from __future__ import annotations

import math
import time
import warnings

import mpmath
from flint import arb

from attnlimits.numerics.quadrature.campbell import FiniteIntensity, sweep
from attnlimits.numerics.quadrature.double_exponential import de_integrate_split, outer_log_integral
from attnlimits.numerics.quadrature.gauss_panels import gl_rule
from attnlimits.numerics.quadrature.gauss_panels import to_mpf as arb_to_mpf
from attnlimits.numerics.laws.weight_functionals import WeightFunctionals
from attnlimits.numerics.laws.sphere import log_kappa_value
from attnlimits.numerics.precision import arb_digits, precise, working_digits
from attnlimits.numerics.special.incomplete_gamma import ein
from attnlimits.theory.validation import InputError, choice, count, dimension, integer, positive_real, to_mpf

__all__ = ["exact_finite", "exact_E_W1", "exact_E_sum_W2", "exact_finite_d3", "beta_from_lambda",
           "large_beta_expansion", "large_beta_bound", "check_range", "MAX_DIGITS", "MAX_N", "MAX_BETA"]

#: Most digits ``exact_finite`` delivers: what is verified (the inner Gauss panels carry about 1.4 digits per
#: node and take at most 64; at 60 digits the default agrees with 64 nodes to 70; docs/critical.md §6.1).
MAX_DIGITS = 60
#: Most keys: the power (1 − x)^{n−1} needs log10 n guard digits, so n = 10^100 works at digits + 120 digits.
MAX_N = 10 ** 100
#: Largest β of the integral route: the panels of the inner sweep are placed in double precision along
#: v ∈ [0, 2β], which must resolve a quarter unit (at 2β = 2·10^14 a double steps by 1/32).
MAX_BETA = 10 ** 14

_WHICH = ("E_W1", "E_sum_W2")


def _check(n, d, beta):
    n = count(n, "n")
    d = dimension(d)
    positive_real(beta, "beta")
    return n, d


def _check_which(which):
    if isinstance(which, str) or not hasattr(which, "__iter__"):
        raise InputError(f"which must be a tuple of names from {', '.join(_WHICH)}, got {which!r}")
    which = tuple(which)
    if not which or any(w not in _WHICH for w in which):
        raise InputError(f"which must name one or both of {', '.join(_WHICH)}, got {which!r}")
    return which


@precise
def beta_from_lambda(n, d, lam, digits: int = 20):
    """β = λ (κ_d n)^{1/α}, α = (d−1)/2 (docs/mathematics.md §3); λ is read at the working precision.

    >>> import mpmath
    >>> mpmath.nstr(beta_from_lambda(1000, 3, 1, digits=20), 15)  # d = 3: κ = 1/2, α = 1, β = λ n/2
    '500.0'
    >>> mpmath.nstr(beta_from_lambda(7, 3, "10/7", digits=20), 15)  # an exact ratio: (10/7) · 7/2
    '5.0'
    """
    n, d = count(n, "n"), dimension(d)
    positive_real(lam, "lambda")
    a = mpmath.mpf(d - 1) / 2
    # log κ_d by log-gamma (numerics.laws.sphere): d = 10^9 costs what d = 3 costs
    b = to_mpf(lam) * mpmath.exp((log_kappa_value(d, digits) + mpmath.log(n)) / a)
    if not mpmath.isfinite(b) or b > mpmath.mpf("1.7976931348623157e308"):
        raise InputError(f"lambda = {lam} gives beta = lambda (kappa_d n)^(2/(d-1)) beyond the largest double, 1.8e308")
    return b


# ---------------------------------------------------------------- supported range


def check_range(n, digits) -> None:
    """Raise :class:`InputError` at once when n or digits lie outside the supported range (module docstring).

    >>> check_range(10 ** 12, 30)
    >>> check_range(10, 61)
    Traceback (most recent call last):
    ...
    attnlimits.theory.validation.InputError: digits = 61 is beyond what law finite delivers: at most 60 digits ...
    """
    n = count(n, "n")
    digits = integer(digits, "digits", low=1)
    if digits > MAX_DIGITS:
        raise InputError(f"digits = {digits} is beyond what law finite delivers: at most {MAX_DIGITS} digits "
                         f"(its inner Gauss panels are verified to that; ask for fewer --digits)")
    if n > MAX_N:
        raise InputError(f"n = {n:.3e} is beyond the supported range n <= 1e100 of the exact finite-n integrals "
                         f"(log10 n guard digits); for such n the n -> oo laws apply: attnlimits law critical, "
                         f"law subcritical, law supercritical")


class _TruncatedIntensity(FiniteIntensity):
    """ρ_n on (0, V) only: the keys beyond V are left out (large d, where the law of βD is concentrated).

    Dropping the keys with v > V changes every weight functional (a number in [0, 1]) by at most the
    probability that some key lies there, n P(βD > V); V is chosen so that this is below 2^{−prec}/n,
    i.e. below 2^{−prec} relative to E w_(1), E Σ w² ≥ 1/n. Without the cut the panels of the sweep
    follow the Beta tail all the way to 2β, where ρ_n is below e^{−1000} at d = 4096 (2000 panels).
    """

    def __init__(self, n: int, d: int, beta: arb, v_cut):
        super().__init__(n, d, beta)
        self.v_end = v_cut

    def mass(self, v0):
        if v0 <= 0:
            return arb(0)
        z = v0 / (2 * self.beta)
        if z >= 1:
            return self.n
        return self.n * z.beta_lower(self.a, self.a, regularized=True)

    def rho_sq_end(self, h, s):
        return self.rho(self.v_end - h * s * s) * 2 * h * s


def _intensity(n: int, d: int, b, bits: int):
    """The intensity of the sweep: the whole range [0, 2β), or cut where the upper tail is negligible."""
    model = FiniteIntensity(n, d, arb(b))
    if float(model.a.mid()) <= 8:
        return model
    # by the symmetry of Beta(a, a): n P(βD > 2β − u) = mass(u)
    u = model.mass_inverse(arb(2) ** (-bits - 10) / n)
    v_cut = 2 * arb(b) - u + 1
    if float((2 * arb(b) - v_cut).mid()) < 2:
        return model
    return _TruncatedIntensity(n, d, arb(b), v_cut)


# ---------------------------------------------------------------- E w_(1): the nearest key's panels


#: Below this v the nearest key lies (mass M of ρ_n, :func:`_nearest_top`), the own panels of
#: :func:`_nearest_geometry` carry E w_(1) (d ≤ 17, where the sweep's fixed first panels are too coarse).
NEAREST_V_MAX = 8.0


def _nearest_top(model, n: int, bits: int) -> float:
    """v_M with n P(βD < v_M) = M = prec ln 2 + ln n + 20: the nearest key lies beyond v_M with probability
    (1 − M/n)^n ≤ e^{−M}, so the part of E w_(1) from there is below 2^{−prec}/n (w_(1) ≤ 1, E w_(1) ≥ 1/n)."""
    m = bits * math.log(2) + math.log(n) + 20
    return model.mass_inverse_float(m) if m < n else 2 * float(model.beta.mid())


def _nearest_geometry(model, v_top: float, rule):
    """Gauss panels on [0, v_top], independent of t: (v, ρ dv/dx, w ρ dv/dx, e^{−v}) per node.

    Each panel carries at most mass 4 of ρ_n (the step of (1 − (Φ + A)/n)^{n−1} from 1 to 0 takes mass
    of order 1), is at most 1/4 wide (the step of e^{−t e^{−v}} in v, analytic in a strip of half-width π/2),
    and at most half as wide as its distance from 0 (ρ_n ∝ v^{a−1} there); the first panel is in s with
    v = h s², where ρ_n dv = 2 c h^a s^{2a−1} ds is smooth; a last panel ending at 2β likewise in s.
    """
    b2 = 2 * float(model.beta.mid())
    ends_at_support = v_top >= b2
    top = b2 if ends_at_support else v_top
    first = min(0.25, model.mass_inverse_float(0.5), top / 2)
    edges = [0.0, first]
    while edges[-1] < top:
        cur = edges[-1]
        nxt = min(cur * 1.5, cur + 0.25, model.mass_inverse_float(model.mass_float(cur) + 4), top)
        if ends_at_support:
            rest = b2 - cur
            if rest <= 0.5 and model.n_int - model.mass_float(cur) <= 4:
                nxt = top
            else:
                nxt = min(nxt, cur + rest / 2)
        if not nxt > cur:  # the float placement can no longer move: close the range
            nxt = top
        edges.append(nxt)
    panels = []
    for i, (lo, hi) in enumerate(zip(edges, edges[1:])):
        a, c = arb(lo), (arb(hi) if hi < top else (2 * model.beta if ends_at_support else arb(top)))
        nodes = []
        for xj, wj in zip(rule.x, rule.w):
            if i == 0:
                sv = (xj + 1) / 2
                v = c * sv * sv
                jr = model.rho_sq(c, sv) / 2
            elif ends_at_support and hi >= top:
                sv = (1 - xj) / 2
                v = c - (c - a) * sv * sv
                jr = model.rho_sq_end(c - a, sv) / 2
            else:
                v = a + (c - a) * (xj + 1) / 2
                jr = model.rho(v) * (c - a) / 2
            nodes.append((v, jr, wj * jr, (-v).exp()))
        panels.append(nodes)
    return panels


def _nearest_I(panels, rule, t, Phi, n: int):
    """I(t) = ∫_0^{v_top} ρ_n e^{−v} E(v) (1 − (Φ + A(v))/n)^{n−1} dv, A(v) = ∫_0^v ρ_n E on the panels."""
    A = arb(0)
    total = arb(0)
    nm1 = n - 1
    for nodes in panels:
        Es = [(-(t * e)).exp() for (_, _, _, e) in nodes]
        cum = rule.cumulative([jr * E for (_, jr, _, _), E in zip(nodes, Es)])
        for (v, jr, W, e), E, c in zip(nodes, Es, cum):
            x = (Phi + A + c) / n
            if not (1 - x > 0) or float((1 - x).mid()) < 1e-30 * float(x.mid()):
                continue
            total += W * e * E * (nm1 * (-x).log1p()).exp()
        A = A + sum((W * E for (_, _, W, _), E in zip(nodes, Es)), arb(0))
    return total


# ---------------------------------------------------------------- the large-β expansion


#: ∫_0^∞ e^{−u} Ein(u)² du and ∫_0^∞ |2 − u| e^{−u} Ein(u)² du, rounded up (0.748106, 0.789906 by mpmath.quad).
_K1, _K2 = 0.7482, 0.7900


def _density_max(d: int):
    """max f_D = f_D(1) = 2^{1−2a}/B(a, a), a = (d−1)/2 (docs/mathematics.md §2.1)."""
    a = mpmath.mpf(d - 1) / 2
    return mpmath.exp((1 - 2 * a) * mpmath.log(2) - mpmath.log(mpmath.beta(a, a)))


def _gap_density_at_zero(n: int, d: int):
    """H(0) = n(n−1) ∫_0^2 f_D(x)² (1 − F_D(x))^{n−2} dx, the density at 0 of D_(2) − D_(1) (d ≥ 3)."""
    if n < 2:
        return mpmath.mpf(0)
    if d == 3:
        return mpmath.mpf(n) / 2
    a = mpmath.mpf(d - 1) / 2
    logc = (1 - 2 * a) * mpmath.log(2) - mpmath.log(mpmath.beta(a, a))

    def f(x):
        if x <= 0 or x >= 2:
            return mpmath.mpf(0)
        F = mpmath.betainc(a, a, 0, x / 2, regularized=True)
        return mpmath.exp(2 * (logc + (a - 1) * (mpmath.log(x) + mpmath.log(2 - x))) + (n - 2) * mpmath.log1p(-F))

    from scipy.special import betaincinv

    # breaks where n F(x) = 2^k: the factor (1 − F)^{n−2} falls on that scale
    brk = {mpmath.mpf(0), mpmath.mpf(2), mpmath.mpf(1)}
    for k in range(-6, 12):
        p = 2.0 ** k / n
        if p < 1:
            brk.add(mpmath.mpf(2 * float(betaincinv(float(a), float(a), p))))
    pts = sorted(x for x in brk if 0 <= x <= 2)
    return n * (n - 1) * mpmath.quad(f, pts)


def large_beta_bound(n: int, d: int, beta):
    """Bound on |E w_(1) − (1 − H(0) log 2/β)| and |E Σ w² − (1 − H(0)/β)| (docs/mathematics.md §8.6), d ≥ 3.

    With M = max f_D, L = n(n−1)M²(1 + 2·[d ≥ 4]) (Lipschitz constant of the gap density H):
    B_1 = (L π²/12 + n(n−1) M² K_1/2)/β² + H(0) e^{−2β}/β and
    B_2 = 2 B_1 + 2(L π²/12 + n(n−1) M² K_2/2)/β² + 2 H(0) e^{−2β}/β + n(n−1) M²/β².
    Returns (B_1, B_2) as mpf.

    >>> import mpmath
    >>> b1, b2 = large_beta_bound(10, 3, mpmath.mpf(10) ** 20)  # d = 3: M = 1/2, L = 90/4
    >>> b1 < 1e-38 and b2 < 1e-37
    True
    """
    n, d = _check(n, d, beta)
    if d < 3:
        raise InputError("d = 2: the large-beta bound needs d >= 3 (the density of D is unbounded at d = 2)")
    b = to_mpf(beta)
    M2 = _density_max(d) ** 2
    nn = mpmath.mpf(n) * (n - 1)
    L = nn * M2 * (1 if d == 3 else 3)
    lip = L * mpmath.pi ** 2 / 12
    h0_tail = (mpmath.mpf(n) / 2 if d == 3 else nn * M2) * mpmath.exp(-2 * b) / b  # H(0) ≤ n(n−1) M²
    b1 = (lip + nn * M2 * _K1 / 2) / b ** 2 + h0_tail
    b2 = 2 * b1 + 2 * (lip + nn * M2 * _K2 / 2) / b ** 2 + 2 * h0_tail + nn * M2 / b ** 2
    return b1, b2


@precise
def large_beta_expansion(n, d, beta, digits: int = 20) -> WeightFunctionals:
    """E w_(1) = 1 − H(0) log 2/β and E Σ w² = 1 − H(0)/β, to O(β^{−2}) with the bound of :func:`large_beta_bound`
    in ``outer_error`` (docs/mathematics.md §8.6); d ≥ 3 (at d = 2 the gap density is infinite at 0).

    H(0) = n(n−1) ∫ f_D² (1 − F_D)^{n−2}: the density at 0 of the gap between the two nearest keys
    (d = 3: n/2). The expansion is exact to the digits asked for only when the bound is below them;
    :func:`exact_finite` uses it exactly then.

    >>> import mpmath
    >>> r = large_beta_expansion(10, 3, "1e20", digits=30)  # 1 − 5 log 2 · 1e−20
    >>> mpmath.nstr(1 - r.E_W1, 15), mpmath.nstr(5 * mpmath.log(2) * mpmath.mpf(10) ** -20, 15)
    ('3.46573590279973e-20', '3.46573590279973e-20')
    >>> r.outer_error < 1e-37   # the bound: O(n² β^{−2})
    True
    """
    n, d = _check(n, d, beta)
    check_range(n, digits)
    if d < 3:
        raise InputError("d = 2: the large-beta expansion needs d >= 3 (at d = 2 the density of the gap between the "
                         "two nearest keys is infinite at 0)")
    t0 = time.perf_counter()
    b = to_mpf(beta)
    h0 = _gap_density_at_zero(n, d)
    b1, b2 = large_beta_bound(n, d, b)
    return WeightFunctionals(E_W1=1 - h0 * mpmath.log(2) / b, E_sum_W2=1 - h0 / b, n=n, d=d, beta=b,
                             outer_nodes=0, outer_error=max(b1, b2), inner="large-beta expansion",
                             seconds=time.perf_counter() - t0)


def _expansion_suffices(n: int, d: int, b, digits: int) -> bool:
    """Whether the large-β expansion's bound is below 10^{−digits−1} (both values are near 1)."""
    if d < 3 or n < 2:
        return False
    b1, b2 = large_beta_bound(n, d, b)
    return max(b1, b2) < mpmath.mpf(10) ** (-digits - 1)


# ---------------------------------------------------------------- the integral route


@precise
def exact_finite(n, d, beta, digits: int = 20, *, which=("E_W1", "E_sum_W2"),
                 n_nodes=None, route: str = "auto") -> WeightFunctionals:
    """Exact E w_(1) and E Σ w² for n uniform keys on S^{d−1} at inverse temperature β (any n ≥ 1).

    Returns a :class:`WeightFunctionals` with E_W1 (unless ``which`` leaves it out), E_sum_W2 (``digits``
    significant digits), n, d, beta and the diagnostics outer_nodes, outer_error, seconds (``inner`` is
    "large-beta expansion" when that route answered, else None).
    β is read at the working precision (decimal text keeps every digit; "10/7" is exact). Inputs outside the
    supported range (module docstring) are refused at once with :class:`InputError`. ``route``: "auto" (the
    large-β expansion where its bound is below the digits asked for, else the integrals), "integral" or
    "expansion" (each refused where it cannot deliver the digits). ``n_nodes``: Gauss–Legendre nodes per inner
    panel, by default 24 up to 20 digits and 0.75 (digits + 8) beyond (4 … 64).

    >>> import mpmath
    >>> r = exact_finite(1, 3, 2, digits=10)  # one key takes all the mass
    >>> mpmath.nstr(r.E_W1, 10), mpmath.nstr(r.E_sum_W2, 10)
    ('1.0', '1.0')
    """
    n, d = _check(n, d, beta)
    which = _check_which(which)
    # Gauss–Legendre nodes per inner panel: 24 carry about 34 digits (measured against 48), so more beyond 20
    n_nodes = max(24, math.ceil(0.75 * (digits + 8))) if n_nodes is None else integer(n_nodes, "n_nodes", low=4, high=64)
    choice(route, "route", ("auto", "integral", "expansion"))
    want_w1 = "E_W1" in which
    t0 = time.perf_counter()
    check_range(n, digits)
    b = to_mpf(beta)
    if n == 1:
        one = mpmath.mpf(1)
        return WeightFunctionals(E_W1=one if want_w1 else None, E_sum_W2=one, n=n, d=d, beta=b, outer_nodes=0,
                                 outer_error=mpmath.mpf(0), seconds=time.perf_counter() - t0)
    if route == "expansion" and not _expansion_suffices(n, d, b, digits):
        raise InputError(f"the large-beta expansion is not exact to {digits} digits at n = {n}, d = {d}, "
                         f"beta = {beta} ({_expansion_threshold_text(n, d, digits)})")
    if route != "integral" and _expansion_suffices(n, d, b, digits):
        # the expansion's bound is below the digits asked for: exact, and instant
        r = large_beta_expansion(n, d, beta, digits)
        return WeightFunctionals(E_W1=r.E_W1 if want_w1 else None, E_sum_W2=r.E_sum_W2, n=n, d=d, beta=r.beta,
                                 outer_nodes=0, outer_error=r.outer_error, inner=r.inner,
                                 seconds=time.perf_counter() - t0)
    if b > MAX_BETA:
        need = ("the expansion needs d >= 3" if d < 3 else
                "route = integral" if route == "integral" else _expansion_threshold_text(n, d, digits))
        raise InputError(f"beta = {beta} is beyond the integral route of law finite (beta <= 1e14: its panels "
                         f"are placed in double precision on [0, 2 beta]) and the large-beta expansion "
                         f"1 - H(0) log 2/beta is not yet exact to {digits} digits ({need}); "
                         f"ask for fewer --digits")
    # log10 n + 5 digits beyond the gate's: the power exp((n − 1) log1p(−x)) multiplies the relative error of x by n;
    # and log10 β more: v ∈ [0, 2β] must carry its digits after the point (t e^{−v} = e^{log t − v})
    guard = int(math.log10(n)) + 5 + max(0, int(mpmath.log10(2 * b)))
    with working_digits(digits + guard), arb_digits(digits + guard):
        b = to_mpf(beta)
        bits = mpmath.mp.prec
        model = _intensity(n, d, b, bits)
        rule = gl_rule(n_nodes)
        own = None
        if want_w1 and float(model.a.mid()) <= 8:
            v_top = _nearest_top(model, n, bits)
            if v_top <= NEAREST_V_MAX:
                own = _nearest_geometry(model, v_top, rule)

        def integrand(s):
            tt = arb(mpmath.exp(s))
            r = sweep(model, tt, k_max=1 if (want_w1 and own is None) else 0, n_nodes=n_nodes)
            x = r["Phi"] / n
            ok = (1 - x > 0) and float((1 - x).mid()) > 1e-30 * float(x.mid())
            pw = ((n - 1) * (-x).log1p()).exp() if ok else arb(0)
            out = [tt * tt * pw * r["M2"]]
            if want_w1:
                out.append(tt * (r["I"][0] if own is None else _nearest_I(own, rule, tt, r["Phi"], n)))
            return [arb_to_mpf(y) for y in out]

        cache = {}

        def memo(s):
            v = cache.get(s)
            if v is None:
                v = cache[s] = integrand(s)
            return v

        # scale of T = Σ e^{−v_i}: E T = n e^{−β} 0F1(; d/2; β²/4) (docs/mathematics.md §5 with the factor e^{−β})
        c = -_log_mean_T(n, d, b)
        lo = c - (bits * math.log(2) + 20)
        need = bits * math.log(2) + 25
        c0 = math.log(bits * math.log(2) + 30)
        if n > need:
            v_star = arb_to_mpf(model.mass_inverse(arb(need)))
            hi = v_star + c0 + 6
        else:
            hi = min(2 * b, arb_to_mpf(model.v_end)) + mpmath.log(need) + 6
        hi = max(hi, c + 10)
        # the typical log(1/T): deep in the supercritical regime E T is carried by rare near keys and c lies
        # far below it (n = 10^6, d = 64, β = 5470: c = 159, typical 2.4·10^3; 2853 outer nodes with c alone)
        # (with few keys, n ≤ need, the nearest key's law spreads over [0, 2β]: no single typical value)
        s_typ = _typical_log_inv_T(model, float(c)) if n > need else c
        if hi - c > 3 * (c - lo) or abs(s_typ - c) > 5:
            # deep in the supercritical regime with few keys, log(1/T) spreads over [0, 2β]: a sinh map
            # scaled to that length would be too coarse near c (and near the edge of the support at
            # 2β, which matters when all n keys can be far), so each gets its own exp-sinh map; the
            # nearest key's law starts at v = 0, an edge of log(1/T) near s = 0 that gets a centre too
            # (without it n = 2, β = 10^6 stalled at 8 digits)
            # 2β, the end of the support of v, is an anchor whenever it is in range: there the outer integrand
            # meets 0 like (2β − s)^{n−1} (a kink of order n − 1, 14 digits of 20 at n = 10, β = 10^6 inside one
            # exp-sinh piece), and when all n keys can lie near it the integrand has unit-scale structure there
            centers = [c] + ([2 * b] if c < 2 * b < hi else [])
            if abs(s_typ - c) > 5 and lo < s_typ < hi:
                centers.append(s_typ)
            # the smoothed step of the outer integrand there (it rises like e^{2s} and settles like
            # e^{−e^s}, analytic only in a strip of half-width π) is resolved by pieces whose length
            # doubles away from it: 0, 2, 4, 8, … (one tanh-sinh piece [0, c] converged only geometrically,
            # and the stopping rule took 13 digits for 17 at n = 2, β = 10^9)
            x = mpmath.mpf(0)
            while lo + 5 < x < c - 5:
                centers.append(x)
                x = 2 * x if x else mpmath.mpf(2)
            # the pieces reach the double-exponential rate late (a piece of length 10^6 beside unit-scale
            # edges): ask the stopping rule for digits such that its predicted error δ^{7/4} below them means
            # the last two levels themselves agreed to the digits asked (n = 2, β = 10^6: 14 digits of 15 else)
            split_digits = math.ceil(1.75 * (digits + 1)) - 2
            r = de_integrate_split(memo, centers=centers, lo=lo, hi=hi, digits=split_digits)
        else:
            split_digits = digits + 2
            centers = [c]
            r = outer_log_integral(memo, c, lo, hi, digits + 2)
        if not r.converged and r.error > mpmath.mpf(10) ** (-digits):
            # the stopping rule took a slow pre-asymptotic halving for a stall (n = 2, β = 10^6: the edges of
            # log(1/T) at 0 and 2β resolve only from the third level on): start two levels finer, where the
            # trapezoid sums converge at the double-exponential rate; the values already computed are reused
            r = de_integrate_split(memo, centers=centers, lo=lo, hi=hi, digits=split_digits, h0=0.125)
        vals, nodes, err = r.value, len(cache), r.error
        if not r.converged and err > mpmath.mpf(10) ** (-digits):
            raise InputError(f"law finite could not reach {digits} digits at n = {n}, d = {d}, beta = {beta} "
                             f"(outer integral stalled at relative error {mpmath.nstr(err, 2)}); "
                             f"ask for fewer --digits")
        return WeightFunctionals(E_W1=vals[1] if want_w1 else None, E_sum_W2=vals[0], n=n, d=d, beta=b,
                                 outer_nodes=nodes, outer_error=err, seconds=time.perf_counter() - t0)


def _typical_log_inv_T(model, c: float):
    """A typical value of log(1/T), for placing the outer nodes (floats; a heuristic, not a result).

    With v_m the median of the nearest key's v (n P(βD < v_m) = log 2), T is typically about
    e^{−v_m} + S, S = ∫_{v_m}^{2β} ρ_n e^{−v} dv the keys beyond it: in the subcritical regime S ≈ E T
    (log(1/T) ≈ c = −log E T), deep in the supercritical regime e^{−v_m} ≫ S (log(1/T) ≈ v_m ≫ c).
    """
    from scipy.integrate import quad

    v_m = model.mass_inverse_float(math.log(2))
    b2 = 2 * float(model.beta.mid())
    top = min(b2, float(model.v_end.mid()))
    if not v_m < top:
        return mpmath.mpf(c)
    a1 = float(model.a.mid()) - 1
    logc = float(model.logc.mid())

    def g(v):
        return logc + a1 * (math.log(v) + math.log(2 - v / float(model.beta.mid()))) - v

    p = min(max(model.peak(), v_m), top * (1 - 1e-12))
    g_max = g(p)
    try:
        pts = [x for x in (v_m, p, p + 1.5 * model.width(), top) if v_m <= x <= top]
        with warnings.catch_warnings():  # a rough S is all a node placement needs
            warnings.simplefilter("ignore")
            tot = sum(quad(lambda v: math.exp(g(v) - g_max) if v < b2 else 0.0, x0, x1, limit=200)[0]
                      for x0, x1 in zip(pts, pts[1:]) if x1 > x0)
        log_s = g_max + math.log(tot) if tot > 0 else -math.inf
    except (ArithmeticError, ValueError):
        return mpmath.mpf(c)
    hi_, lo_ = max(-v_m, log_s), min(-v_m, log_s)
    return mpmath.mpf(-(hi_ + math.log1p(math.exp(lo_ - hi_))))


def _log_mean_T(n: int, d: int, b):
    """log E T = log n − β + log ₀F₁(; d/2; β²/4) (docs/mathematics.md §2.5), the centre of the outer integral.

    ₀F₁(; ν+1; β²/4) = Γ(ν+1) (β/2)^{−ν} I_ν(β), ν = d/2 − 1; where mpmath's series gives up (d = 4096,
    β = 4·10^4) Debye's uniform expansion log I_ν(νz) = νη − log(2πν)/2 − log(1 + z²)/4 + O(1/ν),
    η = √(1+z²) + log(z/(1 + √(1+z²))) (DLMF 10.41.3) serves: a centre needs no more than a few digits.
    """
    try:
        return mpmath.log(n) - b + mpmath.log(mpmath.hyp0f1(mpmath.mpf(d) / 2, b * b / 4, maxterms=10 ** 4))
    except mpmath.libmp.NoConvergence:
        nu = mpmath.mpf(d) / 2 - 1
        z = b / nu
        r = mpmath.sqrt(1 + z * z)
        log_i = nu * (r + mpmath.log(z / (1 + r))) - mpmath.log(2 * mpmath.pi * nu) / 2 - mpmath.log(r) / 2
        return mpmath.log(n) - b + mpmath.loggamma(nu + 1) - nu * mpmath.log(b / 2) + log_i


def _expansion_threshold_text(n: int, d: int, digits: int) -> str:
    """'beta >= X' at which the large-β bound meets ``digits`` (bisection on the exponent)."""
    lo, hi = mpmath.mpf(0), mpmath.mpf(308)
    if not _expansion_suffices(n, d, mpmath.mpf(10) ** hi, digits):
        return "it needs beta beyond the double range"
    for _ in range(40):
        mid = (lo + hi) / 2
        if _expansion_suffices(n, d, mpmath.mpf(10) ** mid, digits):
            hi = mid
        else:
            lo = mid
    return f"it needs beta >= {mpmath.nstr(mpmath.mpf(10) ** hi, 2)} at these n, d, digits"


def exact_E_W1(n, d, beta, digits: int = 20):
    """Exact E w_(1) (the largest attention weight) for n uniform keys on S^{d−1}.

    d = 3, n = 2: w_(1) = 1/(1 + e^{−β Z}), Z = |D_1 − D_2| with the density (2 − z)/2 on [0, 2]:

    >>> import mpmath
    >>> ref = mpmath.quad(lambda z: (2 - z) / 2 / (1 + mpmath.exp(-4 * z)), [0, 2])
    >>> mpmath.nstr(exact_E_W1(2, 3, 4, digits=10), 10), mpmath.nstr(ref, 10)
    ('0.8524048173', '0.8524048173')
    """
    return exact_finite(n, d, beta, digits, which=("E_W1",)).E_W1


def exact_E_sum_W2(n, d, beta, digits: int = 20):
    """Exact E Σ w_i² for n uniform keys on S^{d−1} (one outer integral; no cumulative part).

    One key carries all the weight; with two keys at d = 3, Σ w² = (1 + e^{−2βZ})/(1 + e^{−βZ})², Z as in
    :func:`exact_E_W1`:

    >>> import mpmath
    >>> mpmath.nstr(exact_E_sum_W2(1, 5, 3, digits=10), 10)
    '1.0'
    >>> ref = mpmath.quad(lambda z: (2 - z) / 2 * (1 + mpmath.exp(-8 * z)) / (1 + mpmath.exp(-4 * z)) ** 2, [0, 2])
    >>> mpmath.nstr(exact_E_sum_W2(2, 3, 4, digits=10), 10), mpmath.nstr(ref, 10)
    ('0.7933007359', '0.7933007359')
    """
    return exact_finite(n, d, beta, digits, which=("E_sum_W2",)).E_sum_W2


@precise
def exact_finite_d3(n, beta, digits: int = 15, *, which=("E_W1", "E_sum_W2")) -> WeightFunctionals:
    """d = 3 by closed-form inner integrals (independent of the Gauss-panel route).

    D uniform on [0, 2] gives, with τ = t e^{−β D_(1)} conditioning on the nearest key (docs/mathematics.md §8):
    E w_(1) = n ∫_0^2 (1/2) ∫_0^∞ e^{−τ} (1 − δ/2 − G(τ, δ))^{n−1} dτ dδ,
    G(τ, δ) = (Ein(τ) − Ein(τ e^{−β(2−δ)}))/(2β)   (DLMF 6.2.3 for Ein);
    E Σ w² = ∫ t n E[Y² e^{−tY}] (E e^{−tY})^{n−1} dt with
    E e^{−tY} = (E_1(t e^{−2β}) − E_1(t))/(2β), n E[Y² e^{−tY}] = n (γ(2, t) − γ(2, t e^{−2β}))/(2β t²).
    Returns a :class:`WeightFunctionals` (E_W1, E_sum_W2 as ``which`` asks; n, d = 3, beta, seconds).
    Same range as :func:`exact_finite` for n and digits; β ≤ :data:`MAX_BETA`.

    >>> import mpmath
    >>> r = exact_finite_d3(2, 4, digits=10, which=("E_sum_W2",))
    >>> # n = 2: Σ w² = w² + (1 − w)², |D_1 − D_2| has the density (2 − z)/2 on [0, 2]
    >>> ref = mpmath.quad(lambda z: (2 - z) / 2 * (1 + mpmath.exp(-8 * z)) / (1 + mpmath.exp(-4 * z)) ** 2, [0, 2])
    >>> mpmath.nstr(r.E_sum_W2, 10), mpmath.nstr(ref, 10)
    ('0.7933007359', '0.7933007359')
    """
    n = count(n, "n")
    positive_real(beta, "beta")
    which = _check_which(which)
    check_range(n, digits)
    if to_mpf(beta) > MAX_BETA:
        raise InputError(f"beta = {beta} is beyond the range of exact_finite_d3 (beta <= 1e14)")
    t0 = time.perf_counter()
    guard = int(math.log10(n)) + 5
    # log10 n + 5 digits beyond the gate's: the power (1 − x)^{n−1} multiplies the relative error of x by n
    with working_digits(digits + guard):
        b = to_mpf(beta)

        ein_tau = {}  # mpmath.quad puts the same τ nodes under every δ: Ein(τ) once per node

        def G(tau, dl):
            e = ein_tau.get(tau)
            if e is None:
                e = ein_tau[tau] = ein(tau)
            return (e - ein(tau * mpmath.exp(-b * (2 - dl)))) / (2 * b)

        def inner(dl):
            def f(tau):
                x = dl / 2 + G(tau, dl)
                if x >= 1:
                    return mpmath.mpf(0)
                return mpmath.exp(-tau + (n - 1) * mpmath.log1p(-x))
            return mpmath.quad(f, [0, 4, mpmath.inf])

        # δ-breaks at the scale 2/n of the nearest key
        brk = [mpmath.mpf(0)]
        for m in (1, 10, 60):
            x = 2 * mpmath.mpf(m) / n
            if x < 2:
                brk.append(x)
        brk.append(mpmath.mpf(2))
        w1 = n * mpmath.quad(inner, brk) / 2 if "E_W1" in which else None

        def lower_gamma2(z):
            # γ(2, z) = 1 − (1 + z) e^{−z}, by its series for small z (no cancellation)
            if z < 1:
                term = z * z / 2
                tot, k = term, 2
                while abs(term) > mpmath.eps * tot:
                    term *= -z / (k + 1)
                    tot += term * k
                    k += 1
                return tot
            return 1 - (1 + z) * mpmath.exp(-z)

        def e1diff(t):
            # n E(1 − e^{−tY}) · 2β/n = Ein(t) − Ein(t e^{−2β})  (D uniform on [0, 2])
            return ein(t) - ein(t * mpmath.exp(-2 * b))

        def f2(s):
            t = mpmath.exp(s)
            L = 1 - e1diff(t) / (2 * b)  # E e^{−tY} = 1 − E(1 − e^{−tY})
            if L <= 0:
                return mpmath.mpf(0)
            m2 = n * (lower_gamma2(t) - lower_gamma2(t * mpmath.exp(-2 * b))) / (2 * b * t * t)
            return t * t * m2 * mpmath.exp((n - 1) * mpmath.log(L))

        c = -(mpmath.log(n) + mpmath.log(-mpmath.expm1(-2 * b) / (2 * b)))
        # beyond v* with n P(βD <= v*) = prec ln 2 + 25 the power (E e^{−tY})^{n−1} is negligible once
        # log t > v* + log(prec); otherwise e^{−t e^{−2β}} ends the range
        need = mpmath.mp.prec * math.log(2) + 25
        v_star = 2 * b * need / n if n > need else 2 * b
        s_hi = v_star + mpmath.log(need) + 8
        s_lo = c - mpmath.mp.prec * math.log(2) - 20
        pts = sorted(set([s_lo, c - 20, c - 5, c, c + 5, c + 20] + [x for x in (2 * b, b) if s_lo < x < s_hi] + [s_hi]))
        pts = [p for p in pts if s_lo <= p <= max(s_hi, c + 20)]
        s2 = mpmath.quad(f2, pts) if "E_sum_W2" in which else None
        return WeightFunctionals(E_W1=w1, E_sum_W2=s2, n=n, d=3, beta=b, seconds=time.perf_counter() - t0)
