"""Claims on the local-exponent principle for other key laws (paper 1 §2-§3 principle; catalog: extension).

The engine (theory/local_exponent.py) derives (alpha, kappa) from each law written in polar coordinates.
Each claim compares its answer with (i) the expected answer written here independently (a closed form
from the law's density at q and the sphere's cap constant), and (ii) the exact finite-t CDF of the law
by quadrature (numerics/laws/key_laws.py), whose ratio to kappa t^alpha must tend to 1 as t = 10^-k -> 0.
One statistical claim compares exact samples with the exact finite-t CDF.
"""
from __future__ import annotations

import mpmath
import sympy as sp

from attnlimits.proofs_checks.registry import Outcome, Source, claim

AREA = "P1.local"  # the claim ids this module owns (checked by the registry)

_KS = (2, 4, 6)  # t = 10^-k


def _ratios(law, res, digits=10):
    from attnlimits.numerics.laws.key_laws import leading_ratio

    return [float(leading_ratio(law, res.alpha, res.kappa, mpmath.mpf(10) ** -k, digits)) for k in _KS]


def _converges(r, tol=1e-3):
    """|ratio - 1| does not grow as t decreases and ends below ``tol``."""
    e = [abs(x - 1) for x in r]
    # 1e-8: the quadrature's own noise (10 digits), which is all that is left when F is a pure power
    return all(e[i + 1] <= e[i] + 1e-8 for i in range(len(e) - 1)) and e[-1] < tol


def _kappa_uniform(m):
    """kappa_m = 2^{-a}/(a B(a, a)), a = (m-1)/2: the cap constant of the uniform law on S^{m-1} (P1 §2)."""
    a = sp.Rational(m - 1, 2)
    return 2 ** (-a) / (a * sp.beta(a, a))


def _kappa_symbolic():
    from attnlimits.theory.sphere import d

    a = (d - 1) / 2
    return d, 2 ** (-a) / (a * sp.beta(a, a))


def _is_one(ratio):
    """Exact check that a ratio of sympy expressions simplifies to 1."""
    return sp.simplify(sp.gammasimp(sp.expand_func(ratio))) == 1


def _same(x, y, digits=25):
    return abs(sp.N(x / y - 1, digits + 5)) < sp.Float(10) ** (-digits)


@claim("P1.local.uniform",
       statement="Engine: uniform keys give alpha = (d-1)/2, kappa = kappa_d, and the distance-CDF route agrees",
       source=Source("P1", "§2"), evidence="symbolic")
def _uniform(ctx):
    from attnlimits.theory.cap import cap_probability_hyper
    from attnlimits.theory.key_laws import uniform
    from attnlimits.theory.local_exponent import from_distance_cdf, local_exponent

    ok, figs = True, {}
    for d in (2, 3, 4, 7, 12):
        polar = local_exponent(uniform(d))
        cdf = from_distance_cdf(cap_probability_hyper(d))
        ok &= polar.alpha == sp.Rational(d - 1, 2) and cdf.alpha == polar.alpha
        ok &= sp.simplify(sp.gammasimp(polar.kappa / _kappa_uniform(d))) == 1
        ok &= sp.simplify(sp.gammasimp(cdf.kappa / _kappa_uniform(d))) == 1
        figs[f"d={d}"] = str(polar.kappa)
    d, kd = _kappa_symbolic()
    for route in (local_exponent(uniform(d)), from_distance_cdf(cap_probability_hyper(d))):
        ok &= sp.simplify(route.alpha - (d - 1) / 2) == 0 and _is_one(route.kappa / kd)
    return Outcome(ok, "polar route and distance-CDF route (2F1 form) both give ((d-1)/2, 2^-a/(a B(a,a))), "
                       "for symbolic d and d = 2, 3, 4, 7, 12", figs)


@claim("P1.local.vmf",
       statement="vMF(mu, kappa0) keys: alpha = (d-1)/2 and kappa = kappa_d e^{kappa0 <q,mu>} / 0F1(; d/2; kappa0^2/4) "
                 "(kappa_d times the density at q relative to uniform), for q = mu and q != mu",
       source=Source.extension(derivation="docs/mathematics.md §9"), evidence="numerical")
def _vmf(ctx):
    from attnlimits.theory.key_laws import von_mises_fisher
    from attnlimits.theory.local_exponent import local_exponent

    ok, figs = True, {}
    cases = [(3, 1, 0), (4, 2, sp.Rational(1, 2))] + ([(4, 2, 0), (6, 5, sp.pi / 3)] if ctx.full else [])
    for d, k0, ang in cases:
        law = von_mises_fisher(d, k0, ang)
        res = local_exponent(law)
        dens_q = sp.exp(k0 * sp.cos(ang)) / sp.hyper([], [sp.Rational(d, 2)], sp.Integer(k0) ** 2 / 4)
        ok &= res.alpha == sp.Rational(d - 1, 2) and _same(res.kappa, _kappa_uniform(d) * dens_q)
        r = _ratios(law, res)
        ok &= _converges(r)
        figs[f"d={d},k0={k0},angle={ang}"] = f"kappa={sp.N(res.kappa, 12)}; F/(kappa t^alpha)={[round(x, 9) for x in r]}"
    # symbolic d: kappa / kappa_d is the density at q relative to uniform
    d, kd = _kappa_symbolic()
    k0, phi = sp.Integer(3), sp.pi / 5
    sym = local_exponent(von_mises_fisher(d, k0, phi))
    ok &= sp.simplify(sym.alpha - (d - 1) / 2) == 0
    ok &= _is_one(sym.kappa / (kd * sp.exp(k0 * sp.cos(phi)) / sp.hyper([], [d / 2], k0**2 / 4)))
    figs["symbolic_d_kappa"] = str(sym.kappa)
    return Outcome(ok, "engine (alpha, kappa) vs kappa_d x vMF density at q (symbolic d, and 25 digits at fixed d); "
                       "exact CDF by quadrature over (theta, u) divided by kappa t^alpha at t = 1e-2, 1e-4, 1e-6", figs)


def _cap_case(d, r, ang):
    from attnlimits.numerics.laws.cap import cap_probability
    from attnlimits.theory.key_laws import cap
    from attnlimits.theory.local_exponent import local_exponent

    law = cap(d, r, ang)
    res = local_exponent(law)
    # the cap's mass from the Arb route (independent of the sympy expression inside the law)
    with mpmath.workdps(50):
        mass = cap_probability(d, mpmath.nstr(1 - mpmath.cos(mpmath.mpf(str(sp.N(r, 50)))), 45), 35)
        return law, res, mpmath.mpf(str(sp.N(_kappa_uniform(d), 50))) / mass


@claim("P1.local.cap_inside",
       statement="Keys uniform on a cap with q inside: alpha = (d-1)/2, kappa = kappa_d / (mass of the cap)",
       source=Source.extension(derivation="docs/mathematics.md §9"), evidence="numerical")
def _cap_inside(ctx):
    ok, figs = True, {}
    cases = [(3, 1, 0), (4, 1, sp.Rational(1, 2))] + ([(7, sp.pi / 4, sp.pi / 8)] if ctx.full else [])
    for d, r, ang in cases:
        law, res, expect = _cap_case(d, r, ang)
        ok &= res.position == "interior" and res.alpha == sp.Rational(d - 1, 2)
        ok &= abs(mpmath.mpf(str(sp.N(res.kappa, 35))) / expect - 1) < mpmath.mpf(10) ** -25
        rr = _ratios(law, res)
        ok &= _converges(rr)
        figs[f"d={d},r={r},angle={ang}"] = f"kappa={sp.N(res.kappa, 12)}; ratios={[round(x, 9) for x in rr]}"
    from attnlimits.theory.cap import cap_probability
    from attnlimits.theory.key_laws import cap
    from attnlimits.theory.local_exponent import local_exponent

    d, kd = _kappa_symbolic()
    sym = local_exponent(cap(d, 1, sp.Rational(1, 2)))
    ok &= sym.position == "interior" and _is_one(sym.kappa * cap_probability(d, 1 - sp.cos(1)) / kd)
    return Outcome(ok, "engine vs kappa_d / sigma(cap) (symbolic d; and at fixed d with the cap mass by Arb, "
                       "25 digits); exact CDF ratio -> 1", figs)


@claim("P1.local.cap_boundary",
       statement="Keys uniform on a cap with q on its boundary: alpha = (d-1)/2, kappa = kappa_d / (2 mass of the cap)",
       source=Source.extension(derivation="docs/mathematics.md §9"), evidence="numerical")
def _cap_boundary(ctx):
    ok, figs = True, {}
    cases = [(3, 1), (6, sp.Rational(1, 2))] + ([(4, sp.pi / 3)] if ctx.full else [])
    for d, r in cases:
        law, res, expect = _cap_case(d, r, r)
        ok &= res.position == "boundary" and res.alpha == sp.Rational(d - 1, 2)
        ok &= abs(mpmath.mpf(str(sp.N(res.kappa, 35))) / (expect / 2) - 1) < mpmath.mpf(10) ** -25
        rr = _ratios(law, res)
        ok &= _converges(rr, tol=3e-3)  # the boundary's curvature gives a sqrt(t) correction
        figs[f"d={d},r={r}"] = f"kappa={sp.N(res.kappa, 12)}; ratios={[round(x, 9) for x in rr]}"
    from attnlimits.theory.cap import cap_probability
    from attnlimits.theory.key_laws import cap
    from attnlimits.theory.local_exponent import local_exponent

    d, kd = _kappa_symbolic()
    sym = local_exponent(cap(d, 1, 1))
    ok &= sym.position == "boundary" and _is_one(2 * sym.kappa * cap_probability(d, 1 - sp.cos(1)) / kd)
    return Outcome(ok, "engine vs kappa_d / (2 sigma(cap)) (symbolic d; and 25 digits at fixed d); exact CDF ratio "
                       "-> 1 (error ~ sqrt(t))", figs)


@claim("P1.local.subsphere",
       statement="Keys uniform on a great subsphere S^{m-1} through q: alpha = (m-1)/2, kappa = kappa_m",
       source=Source.extension(derivation="docs/mathematics.md §9"), evidence="numerical")
def _subsphere(ctx):
    from attnlimits.theory.key_laws import subsphere
    from attnlimits.theory.local_exponent import local_exponent

    ok, figs = True, {}
    for d, m in ((5, 2), (6, 3), (10, 4), (12, 7)):
        law = subsphere(d, m)
        res = local_exponent(law)
        ok &= res.alpha == sp.Rational(m - 1, 2) and _same(res.kappa, _kappa_uniform(m))
        rr = _ratios(law, res)
        ok &= _converges(rr)
        figs[f"d={d},m={m}"] = f"alpha={res.alpha}; ratios={[round(x, 9) for x in rr]}"
    m = sp.Symbol("m", positive=True)
    sym = local_exponent(subsphere(sp.Symbol("d", positive=True), m))
    a = (m - 1) / 2
    ok &= sp.simplify(sym.alpha - a) == 0 and _is_one(sym.kappa / (2 ** (-a) / (a * sp.beta(a, a))))
    return Outcome(ok, "engine vs ((m-1)/2, kappa_m) (symbolic m, and at fixed (d, m)); exact CDF ratio -> 1", figs)


@claim("P1.local.vanishing_density",
       statement="A key density ~ C |k - q|^gamma at q gives alpha = (d-1+gamma)/2, "
                 "kappa = C c_d 2^{a-1+gamma/2} / (a + gamma/2)",
       source=Source.extension(derivation="docs/mathematics.md §9"), evidence="numerical")
def _vanishing(ctx):
    from attnlimits.theory.key_laws import vanishing
    from attnlimits.theory.local_exponent import local_exponent

    ok, figs = True, {}
    for d, g in ((3, 1), (5, 2), (4, sp.Rational(-1, 2)), (6, sp.Rational(7, 3))):
        g = sp.sympify(g)  # exact: g/2 must not become a float
        law = vanishing(d, g)
        res = local_exponent(law)
        a = sp.Rational(d - 1, 2)
        # independent: C (2D)^{gamma/2} times the uniform density c_d 2^{a-1} D^{a-1} near D = 0, integrated
        C = law.density.subs(sp.Symbol("theta", positive=True), 1) / (2 * sp.sin(sp.Rational(1, 2))) ** g
        c_d = sp.gamma(sp.Rational(d, 2)) / (sp.sqrt(sp.pi) * sp.gamma(a))
        expect = C * c_d * 2 ** (a - 1 + g / 2) / (a + g / 2)
        ok &= res.alpha == (sp.Integer(d) - 1 + g) / 2 and _same(res.kappa, expect)
        rr = _ratios(law, res)
        ok &= _converges(rr)
        figs[f"d={d},gamma={g}"] = f"alpha={res.alpha}; ratios={[round(x, 9) for x in rr]}"
    # symbolic d and gamma; C = 1 / E|K - q|^gamma = B(a, a) / (2^gamma B(a + gamma/2, a)) for uniform K
    d, _ = _kappa_symbolic()
    g = sp.Symbol("g", positive=True)
    sym = local_exponent(vanishing(d, g))
    a = (d - 1) / 2
    C = sp.beta(a, a) / (2**g * sp.beta(a + g / 2, a))
    c_d = sp.gamma(d / 2) / (sp.sqrt(sp.pi) * sp.gamma(a))
    ok &= sp.simplify(sym.alpha - (d - 1 + g) / 2) == 0
    ok &= _is_one(sym.kappa / (C * c_d * 2 ** (a - 1 + g / 2) / (a + g / 2)))
    return Outcome(ok, "engine vs (d-1+gamma)/2 and the integrated leading density (symbolic d and gamma, and at "
                       "fixed values); exact CDF ratio -> 1", figs)


@claim("P1.local.outside_support",
       statement="A query outside the support has no power law: P(D <= t) = 0 below the positive nearest distance",
       source=Source.extension(derivation="docs/mathematics.md §9"), evidence="numerical")
def _outside(ctx):
    from attnlimits.numerics.laws.key_laws import distance_cdf
    from attnlimits.theory.key_laws import cap
    from attnlimits.theory.local_exponent import local_exponent

    ok, figs = True, {}
    for d, r, ang in ((3, 1, 2), (5, sp.pi / 6, sp.pi / 2), (4, sp.Rational(1, 2), sp.Rational(3, 2))):
        law = cap(d, r, ang)
        res = local_exponent(law)
        # geodesic triangle inequality: the nearest point of the cap is at angle (angle - r) from q
        with mpmath.workdps(40):
            expect = 1 - mpmath.cos(mpmath.mpf(str(sp.N(ang - r, 40))))
            nd = mpmath.mpf(str(res.nearest_distance))
            ok &= (not res.power_law) and res.alpha is None and abs(nd / expect - 1) < mpmath.mpf(10) ** -25
        below = distance_cdf(law, mpmath.nstr(nd * mpmath.mpf("0.99"), 20), 10)
        above = distance_cdf(law, mpmath.nstr(min(2, nd * mpmath.mpf("1.05")), 20), 10)
        ok &= below == 0 and above > 0
        figs[f"d={d},r={r},angle={ang}"] = f"nearest D={mpmath.nstr(nd, 12)}; F(1.05 D)={mpmath.nstr(above, 5)}"
    return Outcome(ok, "engine's nearest distance vs 1 - cos(angle - r) (25 digits); exact CDF is 0 below it and "
                       "positive above it", figs)


@claim("P1.local.monte_carlo",
       statement="Exact samples of D for vMF (Wood's algorithm, q = mu and q != mu), cap (q inside, q on the boundary) "
                 "and subsphere keys follow the exact finite-t CDFs used in the local-exponent checks",
       source=Source.extension(derivation="docs/mathematics.md §9"), evidence="statistical")
def _monte_carlo(ctx):
    from attnlimits.numerics.laws.key_laws import distance_cdf, sample_distance
    from attnlimits.numerics.montecarlo.stats import family_verdict, z_compare
    from attnlimits.theory.key_laws import cap, subsphere, von_mises_fisher

    N = 1_000_000 if ctx.full else 200_000
    laws = [von_mises_fisher(4, 2), cap(5, sp.Rational(3, 4), sp.Rational(3, 4)), subsphere(8, 3)]
    if ctx.full:
        laws += [von_mises_fisher(3, 5, sp.Rational(1, 2)), cap(4, 1, sp.Rational(1, 2))]
    comps = []
    for i, law in enumerate(laws):
        D = sample_distance(law, N, 2024 + i)
        for t in ("0.01", "0.05", "0.2") if ctx.full else ("0.01", "0.1"):
            F = distance_cdf(law, t, 8)
            comps.append(z_compare(f"{law.name}{dict(law.params)} t={t}", (D <= float(t)).astype(float), F))
    ok, fig = family_verdict(comps)
    return Outcome(ok, f"empirical P(D <= t) from {N} exact draws per law vs the exact CDF by quadrature, Holm over "
                       f"{len(comps)} comparisons", fig)
