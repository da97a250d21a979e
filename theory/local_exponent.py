"""The local-exponent engine: from a key law near q to (alpha, kappa, beta*_n) (paper 1, §2-§3).

Principle (paper 1): if P(D <= t) ~ kappa t^alpha as t -> 0, the critical inverse temperature is
beta*_n = (kappa n)^{1/alpha} and n_eff = n kappa Gamma(alpha + 1) beta^{-alpha}.

A key law is described near q in geodesic polar coordinates (theta, omega) about q:
K = cos(theta) q + sin(theta) omega, omega a unit tangent vector at q. The law lives on a great
subsphere S^{m-1} through q (m = d: the whole sphere) with density p(theta, u) with respect to the
normalized uniform measure of S^{m-1}, restricted to the region g(theta, u) >= 0, where u = <omega, nu>
for one fixed unit tangent vector nu (laws symmetric about the plane (q, nu), such as vMF or caps
centred off q, need no more). The normalized uniform measure is c_m sin^{m-2}(theta) dtheta dsigma(omega)
and u has density c_{m-1} (1 - u^2)^{(m-4)/2} on [-1, 1] (m >= 3; u = +-1 for m = 2), so

    P(D <= t) = int_0^{theta_t} c_m sin^{m-2}(theta) E_u[p(theta, u) 1{g >= 0}] dtheta,
    theta_t = arccos(1 - t) ~ sqrt(2 t).

The engine (:func:`local_exponent`) derives the leading term of this integral:

1. classify q by g(0, u): > 0 interior, = 0 boundary, < 0 outside the support;
2. interior: the leading term h_0(u) theta^gamma of p in theta, averaged over u;
   boundary: the support's tangent cone {u : g_1(u) > 0}, g_1 the leading coefficient of g in theta,
   and the direction mass P_u(g_1(u) > 0) from the law of u (via v = u^2, a Beta(1/2, (m-2)/2) variable);
   outside: no power law, nearest distance 1 - cos(theta_min), theta_min the first zero of max_u g;
3. integrate the leading term c_m theta^{m-2} H_0 theta^gamma from 0 to theta_t and substitute the
   leading term of theta_t; read alpha and kappa off C t^alpha.

A key law can also be given by its distance CDF (:func:`from_distance_cdf`).

Forms that lambdify (docs/mathematics.md §11.7): the derived kappa has its Gamma ratios written as rising factorials
(:func:`attnlimits.theory.special.stable`), and for a symbolic dimension the critical scale and n_eff raise it to
powers through one exponential of a sum of logarithms, so that nothing overflows where the value does not.
"""
from __future__ import annotations

import dataclasses

import mpmath
import sympy as sp

from attnlimits.theory import special
from attnlimits.theory.sphere import symbolic_dimension, n, normalizer, t
from attnlimits.theory.validation import InputError

__all__ = ["theta", "u", "PolarLaw", "LocalExponent", "polar_law", "local_exponent",
           "from_distance_cdf", "direction_density", "direction_tail"]

theta = sp.Symbol("theta", positive=True)
u = sp.Symbol("u", real=True)

_E = sp.Dummy("e", positive=True)


@dataclasses.dataclass(frozen=True)
class PolarLaw:
    """A key law near q in geodesic polar coordinates; see the module docstring.

    ``d`` ambient dimension; ``m`` dimension of the great subsphere S^{m-1} through q that carries the
    law; ``density`` p(theta, u) w.r.t. the normalized uniform measure of S^{m-1}; ``support`` g(theta, u)
    (the law lives where g >= 0) or None for the whole subsphere; ``name`` and ``params`` describe it.

    >>> PolarLaw(3, 3, sp.Integer(1), name="uniform")  # not checked: build laws with polar_law
    PolarLaw(d=3, m=3, density=1, support=None, name='uniform', params=())
    """

    d: object
    m: object
    density: sp.Expr
    support: sp.Expr | None = None
    name: str = "custom"
    params: tuple = ()


@dataclasses.dataclass(frozen=True)
class LocalExponent:
    """Result of the engine: P(D <= t) ~ kappa t^alpha (power_law=True), or no power law.

    With ``power_law=False`` (q outside the support) ``alpha`` and ``kappa`` are None and
    ``nearest_distance`` is the positive distance D from q to the support.

    >>> le = LocalExponent(True, sp.Integer(1), sp.Rational(1, 2), sp.Integer(0))  # uniform keys, d = 3
    >>> le.critical_scale(), le.n_eff(n, 10)  # beta*_n = kappa_3 n = n/2; n kappa Gamma(2)/beta
    (n/2, n/20)
    >>> LocalExponent(False, None, None, sp.Rational(1, 2), position="outside").critical_scale()
    Traceback (most recent call last):
    ...
    attnlimits.theory.validation.InputError: the query is outside the support (nearest distance D = 1/2): ...
    """

    power_law: bool
    alpha: sp.Expr | None
    kappa: sp.Expr | None
    nearest_distance: sp.Expr
    law: str = "custom"
    position: str = "interior"  # interior | boundary | outside

    def critical_scale(self, nn=n):
        """beta*_n = (kappa n)^{1/alpha}; with free symbols in (alpha, kappa), exp((log kappa + log n)/alpha), which
        lambdifies (numpy, scipy, mpmath; tested for uniform keys up to d = 10^4) where kappa itself overflows."""
        self._need_power_law("critical scale")
        if self._exact():
            return (self.kappa * nn) ** (1 / self.alpha)
        return sp.exp((special.log_form(self.kappa) + sp.log(nn)) / self.alpha)

    def n_eff(self, nn, b):
        """n_eff = n kappa Gamma(alpha + 1) beta^{-alpha}; with free symbols in (alpha, kappa), n exp(log kappa
        + log Gamma(alpha + 1) - alpha log beta) (lambdifies; tested for uniform keys up to d = 10^4)."""
        self._need_power_law("effective number of keys")
        if self._exact():
            return nn * self.kappa * sp.gamma(self.alpha + 1) * b ** (-self.alpha)
        return nn * sp.exp(special.log_form(self.kappa) + special.loggamma(self.alpha + 1) - self.alpha * sp.log(b))

    def _exact(self):
        return not (self.kappa.free_symbols or self.alpha.free_symbols)

    def _need_power_law(self, what):
        if not self.power_law:
            raise InputError(f"the query is outside the support (nearest distance D = {self.nearest_distance}): "
                             f"there is no power law, hence no {what}")


def _as_expr(e, name, allowed=frozenset()):
    try:
        e = sp.sympify(e)
    except (sp.SympifyError, TypeError):
        raise InputError(f"{name} must be a sympy expression in theta and u, got {e!r}") from None
    extra = e.free_symbols - {theta, u} - set(allowed)
    if extra:
        raise InputError(f"{name} may depend only on theta and u, found {', '.join(sorted(map(str, extra)))}")
    return e


def polar_law(d, density, support=None, *, m=None, name="custom", params=(), symbols=()):
    """Build and validate a :class:`PolarLaw`: expressions in ``theta``, ``u`` (and the dimension symbols).

    d and m may be integers or sympy symbols (e.g. :data:`attnlimits.theory.sphere.d`); ``symbols`` lists
    further parameter symbols the expressions may contain. Without free parameters the density is
    checked to be finite and nonnegative on a grid of the support.

    >>> law = polar_law(3, 3 * sp.cos(theta)**2)  # density 3 <q, K>^2 (E X^2 = 1/3 for d = 3)
    >>> local_exponent(law).kappa  # 3 kappa_3, the density being 3 at q
    3/2
    >>> polar_law(3, sp.cos(theta))  # negative on the far hemisphere
    Traceback (most recent call last):
    ...
    attnlimits.theory.validation.InputError: the density is negative at theta=..., u=-1
    """
    dd = symbolic_dimension(d)
    mm = dd if m is None else symbolic_dimension(m)
    if dd.is_Number and mm.is_Number and mm > dd:
        raise InputError(f"the subsphere dimension m must be <= d = {dd}, got {mm}")
    allowed = dd.free_symbols | mm.free_symbols | set(symbols)
    p = _as_expr(density, "density", allowed=allowed)
    g = None if support is None else _as_expr(support, "support", allowed=allowed)
    if not p.free_symbols - {theta, u} and (g is None or not g.free_symbols - {theta, u}):
        _check_nonnegative(p, g, mm)  # with a symbolic dimension in the density, no grid check is possible
    return PolarLaw(dd, mm, p, g, name, tuple(params))


def _check_nonnegative(p, g, m):
    """Reject a density that is negative (or not finite) somewhere on a grid of the support."""
    # constants (Bessel, incomplete beta, ...) are evaluated once, not at every grid point
    f = sp.lambdify((theta, u), p.evalf(40), "mpmath")
    gf = None if g is None else sp.lambdify((theta, u), g.evalf(40), "mpmath")
    us = [-1, 1] if m == 2 else [-1, -0.5, 0, 0.5, 1]
    with mpmath.workdps(30):
        for i in range(1, 40):
            th = mpmath.pi * i / 40
            for uu in us:
                if gf is not None and gf(th, uu) < 0:
                    continue
                try:
                    v = mpmath.mpf(f(th, uu))
                except (TypeError, ValueError, ZeroDivisionError):
                    raise InputError(f"the density is not a finite real number at theta={mpmath.nstr(th, 5)}, "
                                     f"u={uu}") from None
                if not mpmath.isfinite(v):
                    raise InputError(f"the density is not finite at theta={mpmath.nstr(th, 5)}, u={uu}")
                if v < 0:
                    raise InputError(f"the density is negative at theta={mpmath.nstr(th, 5)}, u={uu}")


def direction_density(m):
    """Density of u = <omega, nu> on (-1, 1), omega uniform on the unit sphere of the tangent space (m >= 3).
    With a symbolic m it lambdifies with numpy (arrays of m and u), scipy and mpmath: tested up to m = 10^4.

    >>> direction_density(4)  # tangent sphere S^2: u is uniform on [-1, 1] (Archimedes)
    1/2
    >>> direction_density(3), sp.integrate(direction_density(3), (u, -1, 1))  # tangent circle: arcsine law
    (1/(pi*sqrt(1 - u**2)), 1)
    """
    return normalizer(m - 1) * (1 - u**2) ** (sp.Rational(m - 4, 2) if sp.sympify(m).is_Number else (m - 4) / 2)


def direction_tail(u0, m):
    """P(u > u0) for u = <omega, nu>.

    m = 2: u = +-1 with probability 1/2 each. m >= 3: u^2 ~ Beta(1/2, (m-2)/2) (substitute v = u^2 in
    the density c_{m-1} (1-u^2)^{(m-4)/2}), and u is symmetric, so
    P(u > u0) = 1/2 - sign(u0) I_{u0^2}(1/2, (m-2)/2) / 2, returned for u0 > 0 as I_{1-u0^2}((m-2)/2, 1/2)/2
    (DLMF 8.17.4), which does not cancel when the tail is small. With a symbolic m it lambdifies with numpy (arrays
    of m), scipy and mpmath (tested up to m = 10^4).

    >>> sp.N(direction_tail(sp.Rational(1, 2), 4), 15)  # u uniform on [-1, 1]
    0.250000000000000
    >>> sp.N(direction_tail(sp.Rational(1, 2), 3), 15)  # u = cos(phi), phi uniform: P(|phi| < pi/3) = 1/3
    0.333333333333333
    >>> direction_tail(0, 2)  # m = 2: u = +-1 with probability 1/2 each
    1/2
    """
    u0 = sp.sympify(u0)
    if m == 2:
        return sp.Integer(1) if u0 < -1 else (sp.Rational(1, 2) if u0 < 1 else sp.Integer(0))
    if u0 <= -1:
        return sp.Integer(1)
    if u0 >= 1:
        return sp.Integer(0)
    b = (sp.sympify(m) - 2) / 2
    if u0 > 0:  # the tail itself, not 1/2 minus a number close to 1/2
        return special.betainc_regularized(b, sp.Rational(1, 2), 0, 1 - u0**2) / 2
    if u0 == 0:
        return sp.Rational(1, 2)
    return sp.Rational(1, 2) + special.betainc_regularized(sp.Rational(1, 2), b, 0, u0**2) / 2


def _direction_mean(h, m, u0=None, upper=True):
    """E_u[h(u) 1{u > u0}] (or 1{u < u0} when not ``upper``); u0 None means no restriction."""
    if u not in h.free_symbols:
        if u0 is None:
            return h
        tail = direction_tail(u0, m)
        return h * (tail if upper else 1 - tail)
    if m == 2:
        pts = [sp.Integer(1), sp.Integer(-1)]
        keep = [pu for pu in pts if u0 is None or (pu > u0 if upper else pu < u0)]
        return sp.Add(*[h.subs(u, pu) for pu in keep]) / 2
    lo, hi = -1, 1
    if u0 is not None:
        lo, hi = (u0, 1) if upper else (-1, u0)
    return sp.integrate(h * direction_density(m), (u, lo, hi))


def _leading(expr, var):
    """Leading term C var^p of ``expr`` as var -> 0+: returns (p, C).

    Only the var-dependent factor is simplified: constants such as 0F1 values or incomplete beta
    functions are carried along untouched (simplifying them is slow and gains nothing).
    """
    lt = expr.as_leading_term(var)
    if lt == 0:
        return None, sp.Integer(0)
    const, dep = lt.as_independent(var, as_Add=False)
    dep = sp.simplify(dep)
    p = sp.simplify(var * sp.diff(dep, var) / dep)
    c = const * sp.simplify(dep / var**p)
    if var in c.free_symbols or var in p.free_symbols:
        raise InputError(f"cannot read a power-law leading term off {expr} as {var} -> 0")
    return p, c


def _tidy(e):
    """simplify, except for expressions that carry special-function constants (kept as they are)."""
    return e if e.has(sp.hyper, sp.besseli, sp.betainc_regularized) else sp.simplify(sp.expand_func(e))


def local_exponent(law: PolarLaw) -> LocalExponent:
    """Derive (alpha, kappa) of P(D <= t) ~ kappa t^alpha for ``law``, or report that there is no power law
    (docs/mathematics.md §9.2). The derived kappa, and the critical scale and n_eff built on it, lambdify with numpy
    (arrays), scipy and mpmath: tested for uniform keys with symbolic d up to d = 10^4.

    >>> from attnlimits.theory import key_laws
    >>> le = local_exponent(key_laws.uniform(5))
    >>> le.alpha, le.kappa, le.critical_scale(n)  # kappa_5 = 3/4
    (2, 3/4, sqrt(3)*sqrt(n)/2)
    >>> local_exponent(key_laws.subsphere(5, 3)).alpha  # keys on a great S^2 through q: alpha = (m - 1)/2
    1
    >>> local_exponent(key_laws.cap(3, sp.pi / 2, sp.pi / 2)).position  # q on the rim of a hemisphere
    'boundary'
    """
    if not isinstance(law, PolarLaw):
        raise InputError("local_exponent needs a PolarLaw (see attnlimits.theory.key_laws)")
    m, p, g = law.m, law.density, law.support
    position, u0, upper = "interior", None, True
    if g is not None:
        g0 = sp.simplify(g.subs(theta, 0))
        if u in g0.free_symbols:
            raise InputError("the support's boundary must not depend on the direction at q itself")
        if g0 < 0:
            return _outside(law)
        if g0 == 0:
            position = "boundary"
            _, g1 = _leading(g - g0, theta)
            slope = sp.diff(g1, u)
            if sp.diff(g1, u, 2) != 0 or slope == 0:
                raise InputError("only supports whose boundary at q is a smooth hypersurface (g affine in u) "
                                 "are handled")
            u0 = sp.simplify(-g1.subs(u, 0) / slope)
            upper = bool(slope > 0)
    gamma, h0 = _leading(p, theta)
    if gamma is None:
        raise InputError("the density vanishes to all orders at q; no power law can be read off")
    H0 = _direction_mean(h0, m, u0, upper)
    if H0.is_number and sp.N(H0) <= 0:
        raise InputError("the density's leading term at q is not positive")
    # c_m sin^{m-2}(theta) H_0 theta^gamma ~ C theta^e
    e, C = _leading(normalizer(m) * sp.sin(theta) ** (m - 2) * theta**gamma * H0, theta)
    if (e + 1).is_number and (e + 1) <= 0:
        raise InputError(f"the density is not integrable at q (it behaves like theta^{gamma} on S^{m - 1})")
    # integrate from 0 to theta_t with e + 1 > 0 made explicit, then theta_t ~ leading term of arccos(1 - t)
    F = (C * sp.integrate(theta ** (_E - 1), (theta, 0, theta), conds="none")).subs(_E, e + 1)
    th_t = sp.acos(1 - t).as_leading_term(t)
    a, k = _leading(F.subs(theta, th_t), t)
    return LocalExponent(True, sp.simplify(a), special.stable(_tidy(k)), sp.Integer(0), law.name, position)


def _outside(law: PolarLaw) -> LocalExponent:
    """q outside the support: theta_min = first zero on (0, pi] of G(theta) = max(g(theta, 1), g(theta, -1)).

    g is affine in u, so its maximum over the directions u in [-1, 1] is attained at u = +-1. The first
    sign change of G is bracketed on a grid and refined by mpmath's bisection-safe solver at 40 digits.
    """
    g = law.support
    if sp.diff(g, u, 2) != 0:
        raise InputError("only supports affine in u are handled when q is outside the support")
    with mpmath.workdps(40):
        gp = sp.lambdify(theta, g.subs(u, 1).evalf(50), "mpmath")
        gm = sp.lambdify(theta, g.subs(u, -1).evalf(50), "mpmath")

        def G(th):
            return max(gp(th), gm(th))

        grid = [mpmath.pi * i / 2048 for i in range(2049)]
        prev = grid[0]
        for th in grid[1:]:
            if G(th) >= 0:
                root = mpmath.findroot(G, (prev, th), solver="anderson")
                break
            prev = th
        else:
            raise InputError("the support is empty: no key can be drawn from this law")
        dist = 1 - mpmath.cos(root)
        return LocalExponent(False, None, None, sp.Float(mpmath.nstr(dist, 35), 35), law.name, "outside")


def from_distance_cdf(F, var=t, *, name="custom") -> LocalExponent:
    """(alpha, kappa) from a distance CDF F(t) = P(D <= t) given near t = 0.

    A piecewise F that is 0 on [0, t_0) means no power law, with nearest distance t_0. Gamma and Beta functions in
    kappa are simplified and their ratios written as rising factorials (so that kappa lambdifies; tested for the cap
    law with symbolic d).

    >>> le = from_distance_cdf(t / 2)  # uniform keys on S^2
    >>> le.alpha, le.kappa
    (1, 1/2)
    """
    F = sp.sympify(F)
    if var not in F.free_symbols:
        raise InputError("the distance CDF must depend on t")
    if isinstance(F, sp.Piecewise):
        first, cond = F.args[0]
        if first == 0 and isinstance(cond, sp.StrictLessThan) and cond.lhs == var and cond.rhs.is_positive:
            return LocalExponent(False, None, None, cond.rhs, name, "outside")
        F = first
    a, k = _leading(F, var)
    if a is None or a.is_positive is False or k.is_positive is False:
        raise InputError("a distance CDF must vanish like kappa t^alpha with alpha > 0, kappa > 0 at t = 0")
    if k.has(sp.beta, sp.gamma):  # e.g. 2^{-a}/(a B(a, a)) of the cap law: Gamma ratios that lambdify
        k = special.stable(sp.gammasimp(k.rewrite(sp.gamma)))
    return LocalExponent(True, a, k, sp.Integer(0), name, "interior")
