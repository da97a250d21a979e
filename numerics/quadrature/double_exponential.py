"""Double-exponential quadrature: one family of trapezoid rules, one node cache, one stopping rule.

Every outer integral of the laws (``numerics.laws.poisson_limit``, ``max_weight``, ``finite_n``) and the
fixed τ- and Gumbel rules inside them are trapezoid sums after a double-exponential (DE) change of
variables s = φ(x) (Takahasi & Mori, Publ. RIMS Kyoto Univ. 9 (1974) 721–741):

    ∫ f(s) ds = ∫ f(φ(x)) φ'(x) dx ≈ T_h = h Σ_k f(φ(x_k)) φ'(x_k),    x_k = k h.

φ is analytic in a strip around the real axis and makes f(φ(x)) φ'(x) decay double-exponentially in |x|;
the trapezoid rule, exact up to exponentially small terms for such integrands, then converges like
exp(−c N/log N) in the number N of nodes (Trefethen & Weideman, "The exponentially convergent
trapezoidal rule", SIAM Review 56 (2014) 385–458, §5). See docs/mathematics.md §11.

Maps (the members of the family, :class:`DEMap`; each carries the x-range [−x_left, x_right] outside
which the caller has made the integrand negligible):

- :class:`SinhMap` on the line, s = c + a_R (e^x − 1)/2 − a_L (e^{−x} − 1)/2 (= c + a sinh x when
  a_L = a_R = a): integrands decaying exponentially on both sides (e^{s} at −∞, e^{−s/λ} at +∞, the
  outer integrals in s = log t; the Gumbel density in the Gumbel expectations; the density of
  log Γ_1^{1/α} in the first-point averages);
- :class:`ExpSinhMap` on a half-line from a centre c, |s − c| = e^{x − e^{−x}}: nodes cluster
  double-exponentially at c and spread with spacing ≈ h |s − c| further out;
- :class:`TanhSinhMap` on an interval [a, b], s = m + r tanh(π/2 sinh x): clustering at both ends;
- :class:`ExponentialMap`, t = e^{s(x)} for a line map s (0 < t < ∞): the τ-rule of the first-point
  route, τ = e^{y}, y = 2 sinh x, for ∫_0^∞ e^{−τ} h(τ) dτ with h bounded at 0.

Node cache: a :class:`DERule` (a map, a first step h_0 and an arithmetic, ``"mpf"`` for mpmath or
``"arb"`` for python-flint balls) uses at level ℓ the step h_ℓ = h_0 2^{−ℓ} and the nodes x_k = k h_ℓ,
−⌈x_left/h_ℓ⌉ ≤ k ≤ ⌈x_right/h_ℓ⌉. A node is computed once (keyed by k/2^ℓ in lowest terms), so
level ℓ + 1 re-uses every node of level ℓ and adds only the odd multiples of h_{ℓ+1}; within one
integration, each integrand value is computed once. ``rule.nodes(level)`` returns the (s_k, h_ℓ φ'(x_k))
of one level (cached per level) for a fixed rule that serves many integrands.

Stopping rule (the only one, :func:`predicted_error`): integrate at levels 0, 1, 2, …; at level ℓ ≥ 1
let δ_ℓ = max over components of |T_ℓ − T_{ℓ−1}|/|T_ℓ| (relative; |T_ℓ| floored at 10^{−3 dps} so
that tiny functionals, E W_(1) ~ 1e−35 at d = 64, λ = 1, still get their digits). For a DE rule the
error of T_{ℓ−1} is about δ_ℓ (the error of T_ℓ is much smaller), and each halving multiplies the
number of correct digits by q ≤ 2 (the trapezoid error e^{−2πd/h} of an integrand analytic in a strip
of half-width d is squared when h is halved; the logarithmic factor of exp(−cN/log N) makes q ≈ 1.7–1.9
for N = 50 … 1000 nodes). The predicted error of T_ℓ is therefore

    ε_ℓ = δ_ℓ^q,   q = clamp(log δ_ℓ / log δ_{ℓ−1}, 1, 7/4)   (q = 3/2 at ℓ = 1 or while δ_{ℓ−1} ≥ 1/10),

the rate measured on the last two halvings, capped below the asymptotic squaring (the extrapolation of
Borwein, Bailey & Girgensohn, Experimentation in Mathematics, A K Peters 2003, pp. 312–313, which
mpmath's ``QuadratureRule.estimate_error`` caps at q = 2). The rule returns T_ℓ at the first level with
ε_ℓ < 10^{−digits−2}. If the halvings stop paying (δ_{ℓ−1} < 10^{−6} and log δ_ℓ / log δ_{ℓ−1} < 5/4)
the integrand's own accuracy has been reached: the rule stops there and reports ε_ℓ = δ_ℓ
(``converged`` is then False, as it is when ``max_level`` is reached first).

Fixed rules: the level of a rule that serves a whole family of integrands is chosen once, by the same
stopping rule on a typical member (the τ-rule of ``numerics.laws.poisson_limit.first_point_functionals``
is settled on the typical first point and then reused at every outer node), or a priori from the strip
of analyticity (the Gumbel trapezoid of ``numerics.laws.max_weight``: step 2π d/K for an error near
e^{−K}, d the half-width of the strip).

Arithmetic: the integrand may return one value or a list/tuple of values of any type closed under
+ and * (mpf, mpc, arb, acb); the engine sums whatever it returns, with the nodes in the rule's
arithmetic, and converts only the error estimate to mpf.
"""
from __future__ import annotations

import dataclasses
import math

import mpmath
from flint import arb

__all__ = ["DEMap", "SinhMap", "ExpSinhMap", "TanhSinhMap", "ExponentialMap", "DERule", "DEResult",
           "predicted_error", "integrate_rules", "de_integrate", "de_integrate_split", "outer_log_integral"]


# ---------------------------------------------------------------- arithmetic of the nodes


class _Mpf:
    """Nodes as mpmath numbers at the current mpmath precision (x_k = k h_ℓ is exact: h_ℓ is dyadic times h_0)."""

    @staticmethod
    def step(h0, level):
        return mpmath.mpf(h0) / 2 ** level

    @staticmethod
    def point(k, h):
        return k * h

    const = staticmethod(mpmath.mpf)
    exp = staticmethod(mpmath.exp)
    sinh = staticmethod(mpmath.sinh)
    cosh = staticmethod(mpmath.cosh)
    tanh = staticmethod(mpmath.tanh)

    @staticmethod
    def pi():
        return +mpmath.pi


class _Arb:
    """Nodes as Arb balls at the current Arb precision (h_0 a float: h_ℓ and k h_ℓ are exact)."""

    @staticmethod
    def step(h0, level):
        return float(h0) / 2 ** level

    @staticmethod
    def point(k, h):
        return arb(k) * arb(h)

    @staticmethod
    def const(v):
        return v if isinstance(v, arb) else arb(v)

    exp = staticmethod(lambda x: x.exp())
    sinh = staticmethod(lambda x: x.sinh())
    cosh = staticmethod(lambda x: x.cosh())
    tanh = staticmethod(lambda x: x.tanh())
    pi = staticmethod(arb.pi)


_ARITHMETIC = {"mpf": _Mpf, "arb": _Arb}


# ---------------------------------------------------------------- the maps


class DEMap:
    """A change of variables x ↦ s = φ(x) on [−x_left, x_right]; subclasses implement :meth:`point`.

    ``point`` receives the rule's arithmetic ``num`` (``num.const``, ``num.exp``, … in mpf or Arb), so one map
    serves both. The identity map on [−8, 8] makes :class:`DERule` the plain trapezoid rule, already
    exponentially accurate for e^{−s²} (error ~ e^{−π²/h²}):

    >>> import mpmath
    >>> class Line(DEMap):
    ...     x_left = x_right = 8
    ...     def point(self, x, num):
    ...         return x, num.const(1)
    >>> with mpmath.workdps(35):
    ...     r = DERule(Line()).integrate(lambda s: mpmath.exp(-s * s), 20)
    ...     mpmath.nstr(r.value, 20), mpmath.nstr(mpmath.sqrt(mpmath.pi), 20), r.converged
    ('1.7724538509055160273', '1.7724538509055160273', True)
    """

    x_left = 0
    x_right = 0

    def point(self, x, num):
        """(φ(x), φ'(x)) in the arithmetic ``num`` (``_Mpf`` or ``_Arb``)."""
        raise NotImplementedError


class SinhMap(DEMap):
    """s = c + a_R (e^x − 1)/2 − a_L (e^{−x} − 1)/2, s' = (a_R e^x + a_L e^{−x})/2, on the whole line.

    Exponential decay of the integrand on either side becomes double-exponential in x; the scales a_L,
    a_R set the spacing h a near c. ``x_left``, ``x_right``: the x-range (the tails beyond are the caller's).

    The Gumbel-type density e^{s − e^s} (decay e^{s} at −∞, double-exponential at +∞) integrates to Γ(1) = 1;
    s ranges over [−(e^5 − 1), (e^3 − 1)/2] = [−147.4…, 9.54…]:

    >>> import mpmath
    >>> with mpmath.workdps(35):
    ...     r = DERule(SinhMap(0, 2, 1, 5, 3)).integrate(lambda s: mpmath.exp(s - mpmath.exp(s)), 20)
    ...     mpmath.nstr(r.value, 20), r.converged
    ('1.0', True)
    """

    def __init__(self, center, a_left, a_right, x_left, x_right):
        self.c, self.a_left, self.a_right = center, a_left, a_right
        self.x_left, self.x_right = x_left, x_right

    def point(self, x, num):
        c, aL, aR = num.const(self.c), num.const(self.a_left), num.const(self.a_right)
        ex = num.exp(x)
        return c + aR * (ex - 1) / 2 - aL * (1 / ex - 1) / 2, (aR * ex + aL / ex) / 2


class ExpSinhMap(DEMap):
    """u = |s − c| = e^{x − e^{−x}} on (0, length]: double-exponential clustering at c, spacing ≈ h u
    further out; s = c + sign·u. The integrand must be negligible at the far end (u = length).

    x_left puts u below 10^{−dps}/length (the part of [c, c ± u] left out is below the working
    precision); x_right solves x − e^{−x} = log(length) (Newton).

    ∫_0^∞ s^{−1/2} e^{−s} ds = Γ(1/2) = √π, singular at the centre (e^{−120} is below 30 digits):

    >>> import mpmath
    >>> with mpmath.workdps(35):
    ...     r = DERule(ExpSinhMap(0, 1, 120)).integrate(lambda s: mpmath.exp(-s) / mpmath.sqrt(s), 20)
    ...     mpmath.nstr(r.value, 20), mpmath.nstr(mpmath.sqrt(mpmath.pi), 20)
    ('1.7724538509055160273', '1.7724538509055160273')
    """

    def __init__(self, center, sign, length):
        self.c, self.sign, self.length = center, sign, length
        self.x_left = mpmath.log(mpmath.mp.dps * math.log(10) + mpmath.log(length) + 10)
        y = mpmath.log(length)
        x = max(y, mpmath.mpf(0))
        for _ in range(30):
            fx = x - mpmath.exp(-x) - y
            x -= fx / (1 + mpmath.exp(-x))
            if abs(fx) < mpmath.mpf(10) ** (-5):
                break
        self.x_right = x

    def point(self, x, num):
        e = num.exp(-x)
        u = min(num.exp(x - e), num.const(self.length))
        return num.const(self.c) + self.sign * u, u * (1 + e)


class TanhSinhMap(DEMap):
    """s = m + r tanh(π/2 sinh x) on [a, b] (m, r the midpoint and half-length): double-exponential
    clustering at both ends (Takahasi–Mori); the x-range keeps every node whose distance to an end is
    above 10^{−dps} (b − a) e^{−10}.

    ∫_0^1 s^{−1/2} ds = 2 (singular at a) and ∫_0^1 4/(1 + s²) ds = π:

    >>> import mpmath
    >>> with mpmath.workdps(35):
    ...     r1 = DERule(TanhSinhMap(0, 1)).integrate(lambda s: 1 / mpmath.sqrt(s), 20)
    ...     r2 = DERule(TanhSinhMap(0, 1)).integrate(lambda s: 4 / (1 + s * s), 20)
    ...     mpmath.nstr(r1.value, 20), mpmath.nstr(r2.value, 20), mpmath.nstr(mpmath.pi, 20)
    ('2.0', '3.1415926535897932385', '3.1415926535897932385')
    """

    def __init__(self, a, b):
        self.a, self.b, self.r = a, b, (b - a) / 2
        X = mpmath.asinh((mpmath.mp.dps * math.log(10) + mpmath.log(b - a) + 10) / mpmath.pi)
        self.x_left = self.x_right = X

    def point(self, x, num):
        # s − a = 2r e^{2z}/(1 + e^{2z}) for x ≤ 0 and b − s = 2r/(1 + e^{2z}) for x > 0: the distance to
        # the nearer end without cancellation (an integrand singular there, log s on [0, 1], sees s > 0)
        hp = num.pi() / 2
        z = hp * num.sinh(x)
        r = num.const(self.r)
        e2 = num.exp(2 * z)
        s = num.const(self.a) + 2 * r * e2 / (1 + e2) if x <= 0 else num.const(self.b) - 2 * r / (1 + e2)
        return s, r * hp * num.cosh(x) / num.cosh(z) ** 2


class ExponentialMap(DEMap):
    """t = e^{s(x)}, t' = t s'(x), for a line map s (same x-range): the half-line (0, ∞) for integrands
    that are smooth in log t, e.g. the τ-rule τ = e^{y}, y = 2 sinh x (``ExponentialMap(SinhMap(0, 2, 2, ·, ·))``).

    ∫_0^∞ τ^{−1/2} e^{−τ} dτ = √π on that τ-rule (τ from e^{−2 sinh 5} = e^{−148.4…} to e^{2 sinh 2} = e^{7.25…}):

    >>> import mpmath
    >>> with mpmath.workdps(35):
    ...     r = DERule(ExponentialMap(SinhMap(0, 2, 2, 5, 2))).integrate(lambda t: mpmath.exp(-t) / mpmath.sqrt(t), 20)
    ...     mpmath.nstr(r.value, 20), mpmath.nstr(mpmath.sqrt(mpmath.pi), 20)
    ('1.7724538509055160273', '1.7724538509055160273')
    """

    def __init__(self, inner: DEMap):
        self.inner = inner
        self.x_left, self.x_right = inner.x_left, inner.x_right

    def point(self, x, num):
        s, ds = self.inner.point(x, num)
        t = num.exp(s)
        return t, t * ds


# ---------------------------------------------------------------- the rule and its node cache


def _key(k: int, level: int):
    """k h_0 2^{−level} in lowest terms: the same node has the same key at every level."""
    while level and k % 2 == 0:
        k //= 2
        level -= 1
    return k, level


class DERule:
    """Trapezoid rule in x for a :class:`DEMap`: steps h_ℓ = h_0 2^{−ℓ}, nodes cached across levels.

    ``arithmetic`` is ``"mpf"`` (mpmath, the current mp.prec) or ``"arb"`` (python-flint, the current
    ctx.prec); nodes are computed at first use in the precision then current.

    >>> rule = DERule(SinhMap(0, 1, 1, 3, 3))
    >>> rule.step(2), rule.indices(2)  # h_2 = 0.5/4; k from −⌈3/h_2⌉ to ⌈3/h_2⌉
    (mpf('0.125'), range(-24, 25))
    >>> len(rule.nodes(0)), len(rule.nodes(1))  # level 1 adds the 12 odd multiples of h_1
    (13, 25)
    >>> from flint import arb
    >>> r = DERule(SinhMap(0, 2, 2, 4, 4), arithmetic="arb").integrate(lambda s: (-s * s).exp(), 12)
    >>> type(r.value).__name__, abs(r.value - arb.pi().sqrt()) < 1e-13   # Arb nodes, Arb value
    ('arb', True)
    """

    def __init__(self, dmap: DEMap, *, h0=0.5, arithmetic: str = "mpf"):
        self.map = dmap
        self.h0 = h0
        self.num = _ARITHMETIC[arithmetic]
        self._points = {}
        self._levels = {}

    def step(self, level: int):
        """h_ℓ = h_0 2^{−ℓ} in the rule's arithmetic."""
        return self.num.step(self.h0, level)

    def indices(self, level: int) -> range:
        """The k of level ℓ: −⌈x_left/h_ℓ⌉ ≤ k ≤ ⌈x_right/h_ℓ⌉."""
        h = mpmath.mpf(self.h0) / 2 ** level
        return range(-int(mpmath.ceil(self.map.x_left / h)), int(mpmath.ceil(self.map.x_right / h)) + 1)

    def point(self, k: int, level: int):
        """(s_k, φ'(x_k)) at x_k = k h_ℓ, computed once per node."""
        key = _key(k, level)
        p = self._points.get(key)
        if p is None:
            p = self._points[key] = self.map.point(self.num.point(key[0], self.step(key[1])), self.num)
        return p

    def nodes(self, level: int) -> list:
        """[(s_k, w_k)] of level ℓ, w_k = h_ℓ φ'(x_k): the fixed rule Σ w_k f(s_k) (cached per level).

        >>> import mpmath
        >>> rule = DERule(SinhMap(0, 2, 2, 4, 4))
        >>> mpmath.nstr(sum(w * mpmath.exp(-s * s) for s, w in rule.nodes(3)), 15), len(rule.nodes(3))
        ('1.77245385090552', 129)
        """
        out = self._levels.get(level)
        if out is None:
            h = self.step(level)
            points = (self.point(k, level) for k in self.indices(level))
            out = self._levels[level] = [(s, h * ds) for s, ds in points]
        return out

    def integrate(self, f, digits: int, *, max_level: int = 9) -> "DEResult":
        """∫ f(s) ds over the map's range to ``digits`` by the stopping rule of the module docstring.

        >>> import mpmath
        >>> with mpmath.workdps(45):   # ∫ e^{−s²} ds = √π with the sinh map
        ...     r = DERule(SinhMap(0, 2, 2, 4, 4)).integrate(lambda s: mpmath.exp(-s * s), 30)
        ...     abs(r.value - mpmath.sqrt(mpmath.pi)) < mpmath.mpf(10) ** -40, r.converged, r.level, r.nodes
        (True, True, 4, 257)
        >>> with mpmath.workdps(45):   # ∫_0^1 log s ds = −1 with the tanh-sinh map
        ...     r = DERule(TanhSinhMap(0, 1)).integrate(mpmath.log, 30)
        ...     mpmath.nstr(r.value, 30), r.error < mpmath.mpf(10) ** -32
        ('-1.0', True)
        """
        return integrate_rules(f, [self], digits, max_level=max_level)


@dataclasses.dataclass(frozen=True)
class DEResult:
    """One DE integration.

    value: the integral (a list when the integrand returns a list or tuple, else one value);
    nodes: the number of integrand evaluations; error: the predicted relative error ε_ℓ (mpf) of the
    stopping rule; level: the level ℓ returned (step h_0 2^{−ℓ}); converged: whether ε_ℓ < 10^{−digits−2}.
    (A plain dataclass of the engine, not a :class:`~attnlimits.numerics.results.Result`: it has no ``to_json``.)

    An integrand returning a list gives a list of integrals, ∫ e^{−s²} ds = √π and ∫ s² e^{−s²} ds = √π/2:

    >>> import mpmath
    >>> with mpmath.workdps(35):
    ...     r = DERule(SinhMap(0, 2, 2, 4, 4)).integrate(lambda s: [mpmath.exp(-s * s), s * s * mpmath.exp(-s * s)], 20)
    ...     [mpmath.nstr(v, 20) for v in r.value], mpmath.nstr(mpmath.sqrt(mpmath.pi) / 2, 20)
    (['1.7724538509055160273', '0.88622692545275801365'], '0.88622692545275801365')
    >>> r.converged, r.error < mpmath.mpf(10) ** -22, r.nodes == len(DERule(SinhMap(0, 2, 2, 4, 4)).nodes(r.level))
    (True, True, True)
    """

    value: object
    nodes: int
    error: object
    level: int
    converged: bool


def _magnitude(x):
    """|x| as an mpf (mpf, mpc, arb and acb values; balls by their midpoint)."""
    a = abs(x)
    if hasattr(a, "mid"):
        return mpmath.mpf(a.mid()._mpf_)
    return mpmath.mpf(a)


def predicted_error(delta, previous=None):
    """(ε, stalled): the predicted relative error of the finer of two trapezoid sums that differ by ``delta``
    (relative), ``previous`` the difference one halving earlier (module docstring, stopping rule).

    >>> import mpmath
    >>> mpmath.nstr(predicted_error(mpmath.mpf(10) ** -10)[0], 3)   # first halving: δ^{3/2}
    '1.0e-15'
    >>> mpmath.nstr(predicted_error(mpmath.mpf(10) ** -16, mpmath.mpf(10) ** -9)[0], 3)   # capped rate 7/4
    '1.0e-28'
    >>> predicted_error(mpmath.mpf(10) ** -20, mpmath.mpf(10) ** -17)[1]   # no more progress: stalled
    True
    """
    delta = mpmath.mpf(delta)
    if delta == 0:
        return mpmath.mpf(0), False
    q = mpmath.mpf(3) / 2
    if previous is not None and 0 < previous < mpmath.mpf(1) / 10:
        rate = mpmath.log(delta) / mpmath.log(previous)
        if previous < mpmath.mpf(10) ** -6 and rate < mpmath.mpf(5) / 4:
            return delta, True
        q = min(max(rate, mpmath.mpf(1)), mpmath.mpf(7) / 4)
    return delta ** q, False


def integrate_rules(f, rules, digits: int, *, max_level: int = 9) -> DEResult:
    """Σ over ``rules`` of ∫ f(s) ds, all at the same level, halving until the stopping rule holds.

    Each integrand value is computed once (the values are cached by node, and every level re-uses the
    nodes of the coarser ones). The rules must share h_0 (one step per level). See the module docstring for the
    rule and its error estimate.

    ∫ e^{−|s|} ds = 2 as two half-lines from the kink at 0, each an :class:`ExpSinhMap`:

    >>> import mpmath
    >>> with mpmath.workdps(35):   # the maps' x-ranges follow the working precision: build them inside
    ...     halves = [DERule(ExpSinhMap(0, -1, 120)), DERule(ExpSinhMap(0, 1, 120))]
    ...     r = integrate_rules(lambda s: mpmath.exp(-abs(s)), halves, 20)
    ...     mpmath.nstr(r.value, 20), r.converged
    ('2.0', True)
    """
    if len({rule.h0 for rule in rules}) != 1:
        raise ValueError("the rules of one integration must share their first step h0")
    caches = [{} for _ in rules]
    scalar = []  # set when the integrand returns one value instead of a list

    def value(i, k, level):
        key = _key(k, level)
        cache = caches[i]
        g = cache.get(key)
        if g is None:
            s, ds = rules[i].point(k, level)
            y = f(s)
            if isinstance(y, (list, tuple)):
                g = [ds * v for v in y]
            else:
                scalar.append(True)
                g = [ds * y]
            cache[key] = g
        return g

    def trapezoid(level):
        tot = None
        for i, rule in enumerate(rules):
            for k in rule.indices(level):
                y = value(i, k, level)
                tot = list(y) if tot is None else [u + w for u, w in zip(tot, y)]
        h = rules[0].step(level)
        return [h * u for u in tot]

    tol = mpmath.mpf(10) ** (-digits - 2)
    floor = mpmath.mpf(10) ** (-3 * mpmath.mp.dps)
    prev = trapezoid(0)
    level, err, delta, stalled = 0, None, None, False
    for level in range(1, max_level + 1):
        cur = trapezoid(level)
        d = max(_magnitude(a - b) / max(_magnitude(b), floor) for a, b in zip(prev, cur))
        err, stalled = predicted_error(d, delta)
        delta, prev = d, cur
        if err < tol or stalled:
            break
    value_out = prev[0] if scalar else prev
    return DEResult(value_out, sum(len(c) for c in caches), err, level, bool(err is not None and err < tol))


# ---------------------------------------------------------------- entry points of the laws


def de_integrate(f, *, center, a_left, a_right, x_left, x_right, digits: int, h0=0.5, max_halvings=9) -> DEResult:
    """∫_{s(−x_left)}^{s(x_right)} f(s) ds with the :class:`SinhMap` (mpf nodes; the tails beyond are the
    caller's). f returns a list of mpf (or one mpf); the stopping rule is the module's (docs/mathematics.md §11).

    >>> import mpmath
    >>> with mpmath.workdps(45):   # ∫ e^{−s²} ds = √π
    ...     r = de_integrate(lambda s: [mpmath.exp(-s * s)], center=0, a_left=2, a_right=2, x_left=4, x_right=4,
    ...                      digits=30)
    ...     mpmath.nstr(r.value[0], 30), mpmath.nstr(mpmath.sqrt(mpmath.pi), 30)
    ('1.77245385090551602729816748334', '1.77245385090551602729816748334')
    """
    c, aL, aR = mpmath.mpf(center), mpmath.mpf(a_left), mpmath.mpf(a_right)
    return DERule(SinhMap(c, aL, aR, x_left, x_right), h0=h0).integrate(f, digits, max_level=max_halvings)


def de_integrate_split(f, *, centers, lo, hi, digits: int, h0=0.5, max_halvings=9) -> DEResult:
    """∫_lo^hi f(s) ds on pieces that cluster their nodes at every point of ``centers`` (mpf nodes).

    The outer pieces [lo, c_1] and [c_last, hi] use the :class:`ExpSinhMap` (the integrand must be
    negligible at lo and hi), the pieces between centres the :class:`TanhSinhMap`. Both space their nodes
    in proportion to the distance from the nearest centre (spacing ≈ h u), so one rule resolves structure
    on the unit scale near every centre and on a scale of hundreds or thousands between them: the shape of
    the finite-n outer integrand deep in the supercritical regime, where log(1/T) spreads over [0, 2β]
    with an edge at 2β (``numerics.laws.finite_n``). All pieces halve together under the one stopping rule.

    >>> import mpmath
    >>> with mpmath.workdps(45):   # ∫ e^{−|s|} ds = 2, a kink at the centre
    ...     r = de_integrate_split(lambda s: [mpmath.exp(-abs(s))], centers=[0], lo=-120, hi=120, digits=30)
    ...     mpmath.nstr(r.value[0], 30)
    '2.0'
    """
    lo, hi = mpmath.mpf(lo), mpmath.mpf(hi)
    cs = sorted(set(mpmath.mpf(c) for c in centers if lo < c < hi))
    if not cs:
        cs = [(lo + hi) / 2]
    maps = [ExpSinhMap(cs[0], -1, cs[0] - lo)]
    maps += [TanhSinhMap(a, b) for a, b in zip(cs, cs[1:])]
    maps.append(ExpSinhMap(cs[-1], 1, hi - cs[-1]))
    return integrate_rules(f, [DERule(m, h0=h0) for m in maps], digits, max_level=max_halvings)


def outer_log_integral(integrand, center, lo, hi, digits: int) -> DEResult:
    """∫_lo^hi integrand(s) ds for the outer integrals in s = log t of the Campbell and finite-n routes.

    The integrand (a list of mpf) lives around ``center`` (s = −log E T, the scale of T) and decays
    exponentially on both sides; it must be negligible at ``lo`` and ``hi``. :class:`SinhMap` centred at
    c with scales a_L, a_R = 2 max(1, min(2, distance/60)): a long tail (e^{−Φ} ~ t^{−1/λ} for α = 1 and
    large λ) then costs a wider x-range, not a coarser grid at the centre (λ = 4, α = 1: 632 nodes at 30
    digits where a scale of 17 needed 2115). The x-range reaches lo and hi exactly. docs/mathematics.md §11.

    >>> import mpmath
    >>> with mpmath.workdps(45):   # ∫_0^∞ e^{−t} dt = 1 in s = log t
    ...     r = outer_log_integral(lambda s: [mpmath.exp(s - mpmath.exp(s))], 0, -110, 6, 30)
    ...     mpmath.nstr(r.value[0], 30)
    '1.0'
    """
    c = center
    aL = 2 * max(1, min(2, (c - lo) / 60))
    aR = 2 * max(1, min(2, (hi - c) / 60))
    xl = mpmath.log(2 * (c - lo) / aL + 1)
    xr = mpmath.log(2 * (hi - c) / aR + 1)
    return de_integrate(integrand, center=c, a_left=aL, a_right=aR, x_left=xl, x_right=xr, digits=digits)
