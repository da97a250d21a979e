"""Claims of the critical regime: the Poisson limit and its functionals (paper 1, §3–4)."""
from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

from attnlimits.numerics.laws import poisson_limit as C
from attnlimits.numerics.montecarlo.stats import ks_compare, family_verdict
from attnlimits.numerics.precision import digits_agreed
from attnlimits.proofs_checks.registry import Outcome, Source, claim

AREA = "P1.crit"  # the claim ids this module owns (checked by the registry)


@claim("P1.crit.poisson_limit",
       statement="With beta_n = lambda (kappa n)^{1/alpha}, the rescaled distances (kappa n)^{1/alpha} D_(j) converge "
                 "to the points Gamma_j^{1/alpha} of a Poisson process with mean measure d(s^alpha)",
       source=Source("P1", "§3"), evidence="statistical", quick=True)
def _poisson_limit(ctx):
    # exact draws of D for n uniform keys: (1 + X)/2 ~ Beta(a, a), D = 1 − X; the three nearest keys,
    # rescaled, against P(S_j <= s) = P(Gamma_j <= s^alpha) (Gamma(j, 1) law), for d = 3 and d = 5
    from scipy import stats as st

    reps = 4000 if ctx.full else 1500
    n = 20000
    comps = []
    for d, seed in ((3, 11), (5, 12)):
        a = (d - 1) / 2
        kappa = float(sp.N(2 ** (-sp.Rational(d - 1, 2)) * sp.gamma(d - 1) / (sp.Rational(d - 1, 2) * sp.gamma(sp.Rational(d - 1, 2)) ** 2)))
        rng = np.random.Generator(np.random.PCG64(seed))
        S = np.empty((reps, 3))
        for r in range(reps):
            D = 2.0 - 2.0 * rng.beta(a, a, size=n)
            S[r] = np.sort(np.partition(D, 3)[:3]) * (kappa * n) ** (1 / a)
        for j in range(3):
            comps.append(ks_compare(f"d={d} S_{j + 1}", S[:, j], lambda s, j=j, a=a: st.gamma(j + 1).cdf(s ** a)))
    ok, fig = family_verdict(comps)
    fig.update({"n": n, "reps": reps})
    return Outcome(ok, f"KS of the 3 nearest rescaled distances at n={n} (d=3, 5) against Gamma_j^(1/alpha); "
                       f"Holm family of {len(comps)}", fig)


@claim("P1.crit.weights",
       statement="Ranked limiting weights W_(k) = y_k/T, y = exp(-lambda S): E W_(k), E sum W^2, the entropy and E T "
                 "agree between independent routes (Campbell-Mecke in t; conditioning on the first point; "
                 "d = 3 one-dimensional Ein forms)",
       source=Source("P1", "§3"), evidence="numerical", quick=True)
def _weights(ctx):
    figs = {}
    ok = True
    digs = 30 if ctx.full else 20
    # d = 3 (alpha = 1): Campbell route against the Ein closed forms
    for lam in ((1, 3) if ctx.full else (2,)):
        a = C.campbell_functionals(1, lam, digs, k_max=5)
        b = C.alpha1_functionals(lam, digs)
        for key in ("E_W1", "E_sum_W2", "E_entropy", "E_T"):
            dgt = digits_agreed(getattr(a, key), getattr(b, key), tie=digs)
            figs[f"d3_lam{lam}_{key}_digits"] = dgt
            ok &= dgt >= digs - 2
        # the k-th weights are decreasing and sum to at most 1
        ok &= all(a.E_W[k] > a.E_W[k + 1] for k in range(4)) and sum(a.E_W) < 1
    # d = 5 (alpha = 2): Campbell against conditioning on the first point
    dg5 = 25 if ctx.full else 10
    for lam in ((1, 4) if ctx.full else (1,)):
        for key, dgt in _campbell_vs_first_point(2, lam, dg5).items():
            figs[f"d5_lam{lam}_{key}_digits"] = dgt
            ok &= dgt >= dg5 - 1
    return Outcome(ok, "Campbell route vs d=3 Ein closed forms and vs first-point conditioning (d=5)", figs)


def _campbell_vs_first_point(alpha, lam, digits) -> dict:
    """Digits on which the Campbell route and conditioning on the first point agree, per functional."""
    a = C.campbell_functionals(alpha, lam, digits, k_max=1)
    b = C.first_point_functionals(alpha, lam, digits)
    return {key: digits_agreed(getattr(a, key), getattr(b, key), tie=digits) for key in ("E_W1", "E_sum_W2", "E_entropy")}


@claim("P1.crit.weights_d64",
       statement="E W_(1), E sum W^2 and the expected entropy of the limiting weights agree between the Campbell "
                 "and first-point routes to 25 digits at d = 64 (alpha = 31.5; lambda = 12, 25), d = 5 "
                 "(alpha = 2, lambda = 2) and alpha = 1 (lambda = 0.5)",
       source=Source("P1", "§3"), evidence="numerical", quick=False)
def _weights_d64(ctx):
    figs = {}
    ok = True
    for alpha, lam in ((mpmath.mpf(63) / 2, 12), (mpmath.mpf(63) / 2, 25), (1, 0.5), (2, 2)):
        for key, dgt in _campbell_vs_first_point(alpha, lam, 25).items():
            figs[f"alpha{float(alpha)}_lam{lam}_{key}"] = dgt
            ok &= dgt >= 25
    return Outcome(ok, "Campbell vs first-point routes at 25 requested digits", figs)


@claim("P1.crit.alpha1_identity",
       statement="For d = 3 (alpha = 1): Phi(t) = Ein(t)/lambda, 1/W_(1) - 1 is generalised Dickman(1/lambda), "
                 "P(W_(1) > w) = e^{-gamma/lambda}((1-w)/w)^{1/lambda}/Gamma(1+1/lambda) for w >= 1/2, "
                 "E sum W^2 = 1 - E W_(1)/lambda, and E W_(1) = e^{-gamma} at lambda = 1",
       source=Source.extension(derivation="docs/mathematics.md §4.4"), evidence="symbolic", quick=True)
def _alpha1(ctx):
    from attnlimits.theory import poisson_limit as P

    th = sp.Symbol("theta", positive=True)
    # (i) phi_1 = Ein: the Taylor coefficients of phi_alpha at alpha = 1 are those of Ein
    z = sp.Symbol("z")
    ein_series = sp.series(P.Ein(z), z, 0, 8).removeO()
    phi_series = sum(P.phi_series_term(1).subs({P.m: k, P.t: z}) for k in range(1, 8))
    ok1 = sp.simplify(sp.expand(ein_series - phi_series)) == 0
    # (ii) the Dickman density solves the Steutel equation on (0, 1] and has the Tauberian constant
    ok2 = P.steutel_residual(th) == 0
    C_const = sp.exp(-sp.EulerGamma * th) / sp.gamma(th)
    ok3 = sp.simplify(C_const * sp.gamma(th) - P.dickman_constant_limit(th)) == 0
    # (iii) E sum W^2 = 1 - E W_(1)/lambda: by parts, d/dt e^{-Ein/lam} = -(1-e^{-t})/(lam t) e^{-Ein/lam}
    lam = P.lam_sym
    t = P.t
    integrand_diff = sp.exp(-P.Ein(t) / lam) * ((1 - (1 + t) * sp.exp(-t)) / t - (1 - sp.exp(-t)) / t) / lam \
        + sp.exp(-P.Ein(t) / lam) * sp.exp(-t) / lam
    ok4 = sp.simplify(integrand_diff) == 0
    ok5 = sp.simplify(sp.diff(sp.exp(-P.Ein(t) / lam), t) + (1 - sp.exp(-t)) / (lam * t) * sp.exp(-P.Ein(t) / lam)) == 0
    # numerical confirmation at 30 digits, lambda = 0.7
    with mpmath.workdps(45):
        lam7 = mpmath.mpf(7) / 10
        r = C.alpha1_functionals(lam7, 30)
        dg = digits_agreed(r.E_sum_W2, 1 - r.E_W1 / lam7)
    # (iv) at lambda = 1: E W_(1) = e^{-gamma}. e^{-Ein(t)} = e^{-gamma} e^{-E_1(t)}/t and
    # d/dt e^{-E_1(t)} = e^{-t} e^{-E_1(t)}/t, so the integral of e^{-t - Ein(t)} is e^{-gamma}[e^{-E_1}]_0^oo
    ok6 = sp.simplify(sp.diff(sp.exp(-sp.expint(1, t)), t) - sp.exp(-t) * sp.exp(-sp.expint(1, t)) / t) == 0
    ok6 &= sp.simplify(sp.exp(-P.Ein(t)) - sp.exp(-sp.EulerGamma) * sp.exp(-sp.expint(1, t)) / t) == 0
    with mpmath.workdps(45):
        r1 = C.alpha1_functionals(1, 30)
        dg1 = digits_agreed(r1.E_W1, mpmath.exp(-mpmath.euler))
    ok = bool(ok1 and ok2 and ok3 and ok4 and ok5 and ok6 and dg >= 29 and dg1 >= 29)
    return Outcome(ok, "sympy: Ein series = phi_1 series; Steutel residual 0; Tauberian constant; "
                       "by-parts identity; numerical identity at 30 digits",
                   {"phi1_is_Ein": bool(ok1), "steutel": bool(ok2), "constant": bool(ok3),
                    "identity_digits": dg, "EW1_lambda1_is_exp_minus_gamma_digits": dg1})


@claim("P1.crit.output",
       statement="The limiting output: (kappa n)^{1/alpha}(1 - <q,y>) -> sum W_j S_j and (kappa n)^{1/(2 alpha)} P_perp y -> "
                 "sum W_j sqrt(2 S_j) U_j; their means and second moments by two routes",
       source=Source("P1", "§4"), evidence="numerical", quick=True)
def _output(ctx):
    from attnlimits.numerics.montecarlo.sampling import replicates
    from attnlimits.numerics.montecarlo.stats import z_compare

    lam = 2
    digs = 12
    a = C.campbell_functionals(1, lam, digs, k_max=0)
    b = C.alpha1_functionals(lam, digs)
    dgt = digits_agreed(a.E_normal, b.E_normal)
    # Monte Carlo at n = 20000, d = 3 (kappa = 1/2): the rescaled output against the limit; tolerance
    # from the standard error plus the finite-n bias bound 5 (E|.|) / n^{1/alpha} (d = 3: the cap law is exact,
    # corrections are O(1/n))
    n, reps = 20000, (800 if ctx.full else 300)
    beta = lam * (0.5 * n)
    r = replicates(n, 3, beta, reps, seed=2024)
    scale = 0.5 * n
    N = scale * (1 - r.parallel)
    P2 = scale * r.perp_norm ** 2
    c1 = z_compare("E_normal", N, a.E_normal)
    c2 = z_compare("E_tangential_sq", P2, a.E_tangential_sq)
    c3 = z_compare("E_normal_sq", N ** 2, a.E_normal_sq)
    ok_mc, fig = family_verdict([c1, c2, c3])
    fig.update({"route_digits": dgt, "E_normal": float(a.E_normal), "E_tangential_sq": float(a.E_tangential_sq)})
    return Outcome(bool(dgt >= digs - 2 and ok_mc),
                   "Campbell E N vs d=3 Ein form; Monte Carlo at n=2e4 (d=3) of N, N^2, |perp|^2 vs the limit", fig)


@claim("P1.crit.small_lambda",
       statement="lambda -> 0 meets the subcritical description: E W_(1) -> 0 and lambda^{-alpha} E sum W^2 -> "
                 "2^{-alpha}/Gamma(alpha+1) (= M(2beta)/(n M(beta)^2) at leading Watson order)",
       source=Source("P1", "§3"), evidence="numerical", quick=True)
def _small(ctx):
    figs = {}
    ok = True
    prev = None
    for lam in (mpmath.mpf("1e-2"), mpmath.mpf("1e-3"), mpmath.mpf("1e-4")):
        r = C.alpha1_functionals(lam, 15)
        ratio = r.E_sum_W2 / lam
        err = abs(ratio - mpmath.mpf(1) / 2)
        figs[f"lam{float(lam):g}_ratio"] = float(ratio)
        figs[f"lam{float(lam):g}_E_W1"] = float(r.E_W1)
        ok &= r.E_W1 < 20 * lam * mpmath.log(1 / lam)
        if prev is not None:
            ok &= err < prev
        prev = err
    ok &= prev < mpmath.mpf("1e-3")
    # alpha = 2 via the Campbell route
    lam = mpmath.mpf("0.05")
    r = C.campbell_functionals(2, lam, 8, k_max=1)
    ratio2 = r.E_sum_W2 / lam ** 2
    figs["alpha2_ratio"] = float(ratio2)
    ok &= abs(ratio2 - mpmath.mpf(1) / 8) < mpmath.mpf("0.02")
    return Outcome(bool(ok), "d=3 Ein forms at lambda = 1e-2..1e-4 and alpha=2 Campbell at 0.05 vs 2^-alpha/Gamma(alpha+1)",
                   figs)


@claim("P1.crit.large_lambda",
       statement="lambda -> infinity meets the supercritical description: for d = 3, lambda (1 - E W_(1)) -> log 2 and "
                 "lambda^2 (E N - E S_1) -> pi^2/12 (the output sits on the nearest key)",
       source=Source("P1", "§3"), evidence="numerical", quick=True)
def _large(ctx):
    figs = {}
    errs1, errs2 = [], []
    for lam in (10, 40, 160):
        r = C.alpha1_functionals(lam, 12)
        x1 = lam * (1 - r.E_W1)
        x2 = lam ** 2 * (r.E_normal - 1)  # E N − E S_1, E N = E Σ W v/λ
        figs[f"lam{lam}_lam(1-EW1)"] = float(x1)
        figs[f"lam{lam}_lam2_excess"] = float(x2)
        errs1.append(abs(x1 - mpmath.log(2)))
        errs2.append(abs(x2 - mpmath.pi ** 2 / 12))
    ok = errs1[0] > errs1[1] > errs1[2] and errs2[0] > errs2[1] > errs2[2] and errs1[2] < 0.01 and errs2[2] < 0.02
    return Outcome(bool(ok), "d=3 Ein forms at lambda = 10, 40, 160: monotone approach to log 2 and pi^2/12", figs)


def _gd_cdf_alpha1(lam, x):
    """P(R < x), 1 < x <= 2, for alpha = 1: R = 1/W_(1) - 1 is generalised Dickman GD(1/lambda), so
    P(R < x) = G0(x) - theta int_1^x G0(x - y) dy/y, G0(z) = e^{-gamma theta} z^theta/Gamma(1+theta),
    and the integral is theta C (x-1)^{theta+1}/(theta+1) 2F1(1, 1; theta+2; 1-x) (docs/critical.md)."""
    th = 1 / mpmath.mpf(lam)
    c = mpmath.exp(-mpmath.euler * th) / mpmath.gamma(1 + th)
    x = mpmath.mpf(x)
    return c * x ** th - th * c * (x - 1) ** (th + 1) / (th + 1) * mpmath.hyp2f1(1, 1, th + 2, 1 - x)


def _max_weight_checks(digs, cases_routes, closures):
    from attnlimits.numerics.laws import max_weight as MW

    figs, ok = {}, True
    with mpmath.workdps(digs + 30):
        # alpha = 1: the Dickman closed form (w >= 1/2) and the GD(theta) formula (1/3 <= w < 1/2)
        for lam, w in ((1, "0.5"), (1, "0.8"), ("0.5", "0.6")):
            ref = C.max_weight_tail(lam, mpmath.mpf(w), digs + 15)
            a = MW.max_weight_sf_first_point(1, lam, w, digs).sf
            b = MW.max_weight_sf_mecke(1, lam, w, digs).sf
            da, db = digits_agreed(a, ref, tie=digs), digits_agreed(b, ref, tie=digs)
            figs[f"alpha1_lam{lam}_w{w}_first_point_vs_dickman"] = da
            figs[f"alpha1_lam{lam}_w{w}_mecke_vs_dickman"] = db
            ok &= da >= digs - 2 and db >= digs - 2
        w = "0.4"
        ref = _gd_cdf_alpha1(2, (1 - mpmath.mpf(w)) / mpmath.mpf(w))
        a = MW.max_weight_sf_first_point(1, 2, w, digs).sf
        figs["alpha1_lam2_w0.4_first_point_vs_GD"] = d = digits_agreed(a, ref, tie=digs)
        ok &= d >= digs - 2
        # first point (Hankel sums averaged over v_1) against Mecke (one contour, no average), w >= 1/2
        for alpha, lam, w in cases_routes:
            a = MW.max_weight_sf_first_point(alpha, lam, w, digs).sf
            b = MW.max_weight_sf_mecke(alpha, lam, w, digs).sf
            figs[f"alpha{float(alpha):g}_lam{lam}_w{w}_first_point_vs_mecke"] = d = digits_agreed(a, b, tie=digs)
            figs[f"alpha{float(alpha):g}_lam{lam}_w{w}_P_W1_gt_w"] = float(a)
            ok &= d >= 25
        # the conditional law against its Laplace transform e^{-F(tau; u)} (power series of numerics.laws.poisson_limit):
        # covers x in (0, X], both sides of w = 1/2
        for alpha, lam, u, tau, dd in closures:
            r = MW.laplace_closure(alpha, lam, u, tau, dd)
            figs[f"alpha{float(alpha):g}_lam{lam}_u{u}_tau{tau}_closure"] = d = digits_agreed(r.lhs, r.rhs, tie=dd)
            ok &= d >= dd - 1
    return ok, figs


@claim("P1.crit.max_weight_law",
       statement="The distribution function of the largest limiting weight W_(1), any alpha > 0: conditioning on the "
                 "first point and the Hankel sums of the E-expansion agree with the Mecke contour for w >= 1/2 "
                 "(alpha = 2) to 25 digits, with the Dickman/GD closed forms for alpha = 1 (both sides of 1/2), "
                 "and the conditional law has Laplace transform e^{-F(tau)}",
       source=Source("P1", "§3", note="extension: law of W_(1)"), evidence="numerical", quick=True)
def _max_weight_law(ctx):
    ok, figs = _max_weight_checks(30, [(2, 1, "0.55"), (2, 1, "0.8")], [(2, 1, "0.7", 40, 25)])
    return Outcome(bool(ok), "first point vs Mecke (alpha=2), vs Dickman/GD closed forms (alpha=1), "
                             "Laplace closure of the conditional law (alpha=2), 30 digits requested", figs)


@claim("P1.crit.max_weight_law_d64",
       statement="The distribution function of W_(1) at d = 64 (alpha = 31.5, lambda = 40): the conditional law of the "
                 "first-point route has Laplace transform e^{-F(tau)} to 24 digits; alpha = 2, 3 routes agree to "
                 "25 digits at w = 0.5, 0.6, 0.95",
       source=Source("P1", "§3", note="extension: law of W_(1)"), evidence="numerical", quick=False)
def _max_weight_law_d64(ctx):
    a64 = mpmath.mpf(63) / 2
    ok, figs = _max_weight_checks(30, [(2, 3, "0.5"), (3, 2, "0.6"), (2, 1, "0.95")],
                                  [(3, 2, "1.5", 40, 25), (a64, 40, 40, 30, 25)])
    from attnlimits.numerics.laws import max_weight as MW

    r = MW.max_weight_sf_first_point(a64, 40, "0.5", 30)
    figs["alpha31.5_lam40_P_W1_gt_half"] = float(r.sf)
    figs["alpha31.5_lam40_seconds"] = round(r.seconds, 1)
    ok &= 0 < r.sf < 1
    return Outcome(bool(ok), "as P1.crit.max_weight_law plus d=64 Laplace closure and more (alpha, w)", figs)
