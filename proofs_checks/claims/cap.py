"""Claims of paper 1 §2-§3 on uniform keys: the cap law, its series, alpha, kappa, the critical scale, Watson.

Each check compares the package's derivation (theory/cap.py, theory/watson.py) with an independent route:
the hypergeometric series definition (DLMF 15.2.1), Legendre's duplication formula, Arb balls, mpmath
quadrature of the density, the exact Laplace transform e^{-beta} 0F1(; d/2; beta^2/4), or sampling.
"""
from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp
from scipy import stats as _st

from attnlimits.numerics.precision import digits_agreed
from attnlimits.proofs_checks.registry import Outcome, Source, claim

AREA = "P1.cap"  # the claim ids this module owns (checked by the registry)

_D = (2, 3, 4, 5, 10, 100, 4096)


@claim("P1.cap.law",
       statement="For K uniform on S^{d-1}, P(D <= t) = I_{t/2}(a, a) = (t/2)^a/(a B(a,a)) 2F1(a, 1-a; a+1; t/2), "
                 "a = (d-1)/2, including tiny caps in high dimension (d = 4096, t = 1e-3: about 1.6e-5529)",
       source=Source("P1", "§2"), evidence="numerical")
def _law(ctx):
    from flint import arb

    from attnlimits.numerics.laws.cap import cap_probability, cap_probability_quad
    from attnlimits.theory.cap import cap_probability_hyper
    from attnlimits.theory.sphere import d, t

    hyper_f = sp.lambdify((d, t), cap_probability_hyper(), "mpmath")
    worst, contained = 10**9, True
    cases = [(dd, tt) for dd in _D for tt in ("1e-3", "0.1", "0.7")] + [(10, "1.5"), (3, "2")]
    for dd, tt in cases:
        ball = cap_probability(dd, tt, 30, certified=True)
        with mpmath.workdps(45):
            q = cap_probability_quad(dd, tt, 30)  # quadrature of the density c_d (s(2-s))^{a-1}
            h = hyper_f(mpmath.mpf(dd), mpmath.mpf(tt)) if mpmath.mpf(tt) < 2 else mpmath.mpf(1)
            for v in (q, h):
                contained &= bool(ball.overlaps(arb(mpmath.nstr(v, 45))))
                worst = min(worst, digits_agreed(v, mpmath.mpf(ball.mid().str(45, radius=False))))
    ok = contained and worst >= 30
    return Outcome(ok, f"Arb ball of I_(t/2)(a,a) vs mpmath quadrature of the density and the 2F1 form at "
                       f"{len(cases)} (d, t) pairs, d up to 4096", {"min_digits_agreed": worst,
                                                                     "all_in_ball": contained})


@claim("P1.cap.law_sampled",
       statement="X = <q, K> for K = G/|G| (G standard Gaussian) has (1 + X)/2 ~ Beta(a, a), i.e. density "
                 "c_d (1 - x^2)^{(d-3)/2}",
       source=Source("P1", "§2"), evidence="statistical")
def _law_sampled(ctx):
    from attnlimits.numerics.montecarlo.stats import family_verdict, ks_compare

    N = 200_000 if ctx.full else 40_000
    comps = []
    for i, dd in enumerate((2, 3, 4, 7, 50)):
        rng = np.random.Generator(np.random.PCG64(1000 + i))
        g = rng.standard_normal((N, dd))
        x = g[:, 0] / np.linalg.norm(g, axis=1)
        a = (dd - 1) / 2
        comps.append(ks_compare(f"d={dd}", (1 + x) / 2, _st.beta(a, a).cdf))
    ok, fig = family_verdict(comps)
    return Outcome(ok, f"KS test of {N} normalized Gaussian vectors per d against Beta(a, a), Holm over d", fig)


@claim("P1.cap.series",
       statement="P(D <= t) = sum_k c_d 2^{a-1} binomial(a-1, k) (-1/2)^k t^{a+k}/(a+k) for symbolic d "
                 "(binomial expansion of the density, term-by-term integration)",
       source=Source("P1", "§2"), evidence="symbolic")
def _series(ctx):
    from attnlimits.numerics.laws.cap import cap_probability
    from attnlimits.theory.cap import cap_series_terms
    from attnlimits.theory.sphere import d

    a = (d - 1) / 2
    K = 6
    terms = cap_series_terms(K)
    ok = True
    for k, (e, c) in enumerate(terms):
        # coefficient of t^{a+k} in (t/2)^a/(a B(a,a)) 2F1(a, 1-a; a+1; t/2), from the series DLMF 15.2.1
        ref = 2 ** (-a - k) / (a * sp.beta(a, a)) * sp.rf(a, k) * sp.rf(1 - a, k) / (sp.rf(a + 1, k) * sp.factorial(k))
        ok &= sp.simplify(sp.gammasimp(sp.expand_func(c / ref))) == 1 and sp.simplify(e - (a + k)) == 0
    # numerically: the remainder after K terms is of the size of term K (d = 4, 6: non-terminating series)
    ratios = {}
    with mpmath.workdps(40):
        for dd in (4, 6):
            fs = [(float(e.subs(d, dd)), sp.lambdify((), c.subs(d, dd), "mpmath")()) for e, c in terms]
            for tt in ("1e-2", "1e-4"):
                T = mpmath.mpf(tt)
                P = cap_probability(dd, tt, 40)
                S = sum(c * T ** mpmath.mpf(e) for e, c in fs[:K - 1])
                r = (P - S) / (fs[K - 1][1] * T ** mpmath.mpf(fs[K - 1][0]))
                ratios[f"d={dd},t={tt}"] = float(r)
    ok &= all(abs(r - 1) < 0.05 for k, r in ratios.items() if "1e-2" in k)
    ok &= all(abs(r - 1) < 5e-4 for k, r in ratios.items() if "1e-4" in k)
    return Outcome(ok, f"{K} derived coefficients equal the 2F1 series coefficients for symbolic d; "
                       f"(P - S_{K - 1})/term_{K - 1} -> 1 against Arb", {"remainder_ratios": str(ratios)})


@claim("P1.cap.exponent",
       statement="P(D <= t) ~ kappa_d t^alpha as t -> 0 with alpha = (d-1)/2 for uniform keys",
       source=Source("P1", "§2"), evidence="symbolic")
def _exponent(ctx):
    from attnlimits.theory.cap import derived_alpha
    from attnlimits.theory.key_laws import uniform
    from attnlimits.theory.local_exponent import local_exponent
    from attnlimits.theory.sphere import d

    ok = sp.simplify(derived_alpha() - (d - 1) / 2) == 0
    engine = {dd: local_exponent(uniform(dd)).alpha for dd in (2, 3, 6)}
    ok &= all(sp.simplify(v - sp.Rational(dd - 1, 2)) == 0 for dd, v in engine.items())
    return Outcome(ok, "leading exponent of the derived series (symbolic d) and of the engine (polar route, d=2,3,6) "
                       "equal (d-1)/2", {"engine_alpha": str(engine)})


@claim("P1.cap.constant",
       statement="kappa_d = 2^{-a}/(a B(a, a)), a = (d-1)/2; kappa_3 = 1/2",
       source=Source("P1", "§2"), evidence="symbolic")
def _constant(ctx):
    from attnlimits.numerics.laws.cap import cap_probability
    from attnlimits.theory.cap import derived_kappa
    from attnlimits.theory.sphere import d

    a = (d - 1) / 2
    closed = 2 ** (-a) / (a * sp.beta(a, a))
    ok = sp.simplify(sp.gammasimp(sp.expand_func(derived_kappa() / closed))) == 1
    ok &= sp.nsimplify(closed.subs(d, 3)) == sp.Rational(1, 2)
    # independent: P(D <= t)/(kappa t^alpha) -> 1 with Arb values of P
    worst = 0.0
    with mpmath.workdps(30):
        for dd in (2, 3, 4, 10, 100):
            k = mpmath.mpf(str(sp.N(closed.subs(d, dd), 40)))
            r = cap_probability(dd, "1e-8", 25) / (k * mpmath.mpf("1e-8") ** (mpmath.mpf(dd - 1) / 2))
            worst = max(worst, float(abs(r - 1)))
    ok &= worst < 1e-5
    return Outcome(ok, "derived leading coefficient c_d 2^{a-1}/a equals 2^{-a}/(a B(a,a)) (duplication formula, "
                       "symbolic d); P(1e-8)/(kappa t^alpha) within 1e-5 of 1 for d up to 100",
                   {"max_abs_ratio_minus_1_at_t_1e-8": worst})


def _same_power(x, y):
    """x = y for symbolic d > 1, both of the form C X^{1/a}: with d = 2A + 1, A > 0, (x/y)^A must simplify to 1."""
    from attnlimits.theory.special import to_gamma
    from attnlimits.theory.sphere import d

    A = sp.Symbol("A", positive=True)
    r = to_gamma(x / y).subs(d, 2 * A + 1)
    r = sp.powsimp(sp.expand_power_base(r**A, force=True), force=True)
    return sp.simplify(sp.gammasimp(r)) == 1


@claim("P1.cap.critical_scale",
       statement="beta*_n = (kappa_d n)^{2/(d-1)}: at beta = beta*_n the expected number of keys n E e^{-beta D} "
                 "tends to Gamma(alpha+1) (n_eff = Gamma(alpha+1))",
       source=Source("P1", "§3"), evidence="numerical")
def _critical(ctx):
    from attnlimits.theory.sphere import critical_scale, d, n
    from attnlimits.theory.watson import critical_scale_closed, n_eff

    # the package returns forms that lambdify (rising factorial, B(a, 1/2)); the textbook (kappa_d n)^{1/a} with
    # kappa_d = 2^{-a}/(a B(a, a)) is typed here, and all three agree for symbolic d
    a = (d - 1) / 2
    textbook = (2 ** (-a) / (a * sp.beta(a, a)) * n) ** (1 / a)
    ok = _same_power(critical_scale_closed(), critical_scale(n)) and _same_power(textbook, critical_scale(n))
    neff_at = {dd: sp.N(n_eff(n, critical_scale(n, dd), dd) / sp.gamma(sp.Rational(dd + 1, 2)), 30)
               for dd in (3, 4, 9)}
    ok &= all(abs(v - 1) < 1e-25 for v in neff_at.values())
    rel = {}
    with mpmath.workdps(60):
        for dd in (3, 4, 9):
            a = mpmath.mpf(dd - 1) / 2
            kap = mpmath.exp(-a * mpmath.log(2) + mpmath.loggamma(2 * a) - mpmath.log(a) - 2 * mpmath.loggamma(a))
            errs = []
            for e in (6, 12, 24):
                N = mpmath.mpf(10) ** e
                b = (kap * N) ** (1 / a)
                exact = N * mpmath.exp(-b) * mpmath.hyp0f1(mpmath.mpf(dd) / 2, b * b / 4)
                errs.append(abs(exact / mpmath.gamma(a + 1) - 1))
            rel[dd] = [float(x) for x in errs]
            ok &= errs[0] >= errs[1] >= errs[2] and errs[2] < 1e-3  # d = 3: already exact up to e^{-2 beta}
    return Outcome(ok, "closed forms with B(a,a) and B(a,1/2) = (kappa n)^{1/alpha} (symbolic d); "
                       "n_eff(beta*_n) = Gamma(alpha+1); "
                       "exact n e^{-beta} 0F1(;d/2;beta^2/4) at beta*_n -> Gamma(alpha+1) for n = 1e6, 1e12, 1e24",
                   {"relative_error_by_d": str(rel)})


@claim("P1.cap.watson_expansion",
       statement="E e^{-beta D} ~ sum_k c_d 2^{a-1} binomial(a-1,k) (-1/2)^k Gamma(a+k) beta^{-a-k} "
                 "(Watson's lemma; leading term kappa_d Gamma(alpha+1) beta^{-alpha})",
       source=Source("P1", "§2"), evidence="numerical")
def _watson(ctx):
    from attnlimits.theory.special import to_gamma
    from attnlimits.theory.sphere import beta, d, kappa
    from attnlimits.theory.watson import watson_expansion

    a = (d - 1) / 2
    lead = to_gamma(watson_expansion(1))  # the returned form is one exponential of log-Gammas (it lambdifies)
    ok = sp.simplify(sp.gammasimp(lead / (kappa() * sp.gamma(a + 1) * beta ** (-a)))) == 1
    K = 4
    ratios = {}
    with mpmath.workdps(60):
        for dd in (4, 6, 10):
            parts = [sp.lambdify(beta, watson_expansion(k, dd), "mpmath") for k in (K, K + 1)]
            for b in (40, 400):
                B = mpmath.mpf(b)
                exact = mpmath.exp(-B) * mpmath.hyp0f1(mpmath.mpf(dd) / 2, B * B / 4)
                sK, sK1 = parts[0](B), parts[1](B)
                ratios[(dd, b)] = float((exact - sK) / (sK1 - sK))  # remainder / first omitted term
        odd = {}
        for dd in (3, 5, 7):
            f = sp.lambdify(beta, watson_expansion(K, dd), "mpmath")
            B = mpmath.mpf(40)
            exact = mpmath.exp(-B) * mpmath.hyp0f1(mpmath.mpf(dd) / 2, B * B / 4)
            odd[dd] = float(abs(exact - f(B)) / exact)  # the series terminates: only e^{-2 beta} terms remain
    ok &= all(abs(r - 1) < 0.2 for (dd, b), r in ratios.items() if b == 40)
    ok &= all(abs(r - 1) < 0.02 for (dd, b), r in ratios.items() if b == 400)
    ok &= all(v < 1e-30 for v in odd.values())
    return Outcome(ok, f"leading term = kappa Gamma(alpha+1) beta^-alpha (symbolic d); remainder after {K} terms "
                       f"/ term {K} -> 1 against exact e^-beta 0F1 (d = 4, 6, 10); odd d: exact up to e^(-2 beta)",
                   {"remainder_ratios": str({f"d={k[0]},beta={k[1]}": round(v, 5) for k, v in ratios.items()}),
                    "odd_d_rel_error_beta_40": str(odd)})
