"""Score laws beyond the sphere (docs/score_laws.md): the laws and their domains (theory.score_laws), exact finite n
(numerics.laws.score_finite) against direct quadrature and other routes, the limit values (numerics.laws.score_limits)
against independent routes, and the command line ``attnlimits law score``."""
import json
import time

import mpmath
import numpy as np
import pytest
import sympy as sp

from attnlimits.numerics.laws import score_finite as SF
from attnlimits.numerics.laws import score_limits as SL
from attnlimits.theory import score_laws as T
from attnlimits.theory.validation import InputError


def _refused(fn, *words, seconds=10):
    """fn() raises InputError within ``seconds`` with one line containing every word."""
    t0 = time.perf_counter()
    with pytest.raises(InputError) as exc:
        fn()
    assert time.perf_counter() - t0 < seconds
    msg = str(exc.value)
    assert "\n" not in msg
    for w in words:
        assert w in msg, msg
    return msg


# ---------------------------------------------------------------- theory: laws, domains, derivations


@pytest.mark.parametrize("spec,domain", [("gaussian", "gumbel"), ("gaussian:2", "gumbel"), ("gumbel", "gumbel"),
                                         ("exponential", "gumbel"), ("uniform", "weibull"), ("beta:2,3", "weibull"),
                                         ("sphere:5", "weibull"), ("pareto:2", "frechet"), ("student:3", "frechet"),
                                         ("norm-sphere:3,2", "weibull"), ("bernoulli:0.3", "none")])
def test_every_named_law_has_its_domain(spec, domain):
    assert T.score_law(spec).domain == domain


@pytest.mark.parametrize("spec", ["gaussian", "gumbel", "exponential", "uniform", "beta:2,3", "beta:3/2,5/2",
                                  "sphere:3", "sphere:6", "pareto:2", "pareto:1/2", "student:3", "student:5/2"])
def test_hand_constants_match_the_derivation_from_the_density(spec):
    # reference: sympy limits on the density itself (top_exponent, tail_exponent, von Mises' ξ), independent of the
    # hand-written fields
    law = T.score_law(spec)
    for key, val in T.derive(law).items():
        assert sp.simplify(sp.gammasimp(getattr(law, key) - val)) == 0, (spec, key, getattr(law, key), val)


def test_sphere_law_agrees_with_kappa_d():
    from attnlimits.theory.sphere import kappa

    for d in (2, 3, 4, 9):
        law = T.score_law(f"sphere:{d}")
        assert sp.simplify(law.kappa - kappa(d)) == 0 and law.alpha == sp.Rational(d - 1, 2)


def test_density_normalizes():
    # reference: sympy integrates each closed-form density over its support to 1
    for spec in ("gaussian:3", "gumbel", "exponential", "uniform", "beta:2,3", "sphere:4", "pareto:3", "student:3"):
        law = T.score_law(spec)
        total = sp.integrate(law.density, (T.x, *law.support))
        assert sp.simplify(total) == 1, spec


def test_exact_gumbel_normalization():
    # n F̄(b_n + a_n z) -> e^{-z}: exactly for the exponential law, and for the standard Gumbel law
    assert T.gumbel_limit(T.score_law("exponential")) == sp.exp(-sp.Symbol("z", real=True))
    assert T.gumbel_limit(T.score_law("gumbel")) == sp.exp(-sp.Symbol("z", real=True))


def test_gaussian_normalization_limit():
    # the second-order b_n of Gaussian scores: n Φ̄(b_n + a_n z) -> e^{-z} (sympy, about 4 s)
    assert T.gumbel_limit(T.score_law("gaussian")) == sp.exp(-sp.Symbol("z", real=True))


def test_convolved_top_is_the_beta_integral():
    # reference: the convolution integral ∫_0^t κ1 α1 s^{α1-1} κ2 (t-s)^{α2} ds evaluated numerically at t = 1
    a1, k1, a2, k2 = sp.Rational(3, 2), sp.Rational(2), sp.Rational(5, 2), sp.Rational(1, 3)
    al, ka = T.convolved_top(a1, k1, a2, k2)
    num = mpmath.quad(lambda s: 2 * 1.5 * s ** 0.5 * mpmath.mpf(1) / 3 * (1 - s) ** 2.5, [0, 1])
    assert al == 4
    assert abs(float(ka) - float(num)) < 1e-14


def test_norm_sphere_exponent_against_the_score_law_near_its_top():
    # reference: P(1 - X <= t) = ∫ f_R(r) P(U >= (1 - t)/r) dr by mpmath.quad at 30 digits, D = 3 (U uniform on
    # [-1, 1]) and G = 2 (f_R = 2(1 - r)): the ratio to κ t^α tends to 1 like O(t)
    law = T.score_law("norm-sphere:3,2")
    al, ka = float(law.alpha), float(law.kappa)
    ratios = []
    with mpmath.workdps(30):
        for t in (mpmath.mpf("1e-3"), mpmath.mpf("1e-5")):
            p = mpmath.quad(lambda r: 2 * (1 - r) * (1 - (1 - t) / r) / 2, [1 - t, 1])
            ratios.append(abs(p / (ka * t ** al) - 1))
    assert ratios[0] < 1e-2 and ratios[1] < ratios[0] / 50


def test_critical_scales():
    assert T.score_law("uniform").critical_scale() == T.n
    assert T.score_law("gaussian").critical_scale() == sp.sqrt(2) * sp.sqrt(sp.log(T.n))
    assert T.score_law("pareto:2").critical_scale() == sp.log(T.n) / sp.sqrt(T.n)
    assert T.score_law("bernoulli:0.5").critical_scale() is None


@pytest.mark.parametrize("spec,words", [
    ("cauchy", ["law must be one of"]), ("beta:1", ["takes 2 parameters"]), ("beta:1,x", ["B (in beta:A,B)"]),
    ("beta:-1,2", ["A (in beta:A,B) must be > 0"]), ("sphere:1", ["D (in sphere:D)"]),
    ("pareto:0", ["A (in pareto:A) must be > 0"]), ("bernoulli:1", ["P (in bernoulli:P) must be < 1"]),
    ("gaussian:-1", ["SIGMA"]), ("student:inf", ["NU (in student:NU) must be finite"]), ("", ["law must be"]),
    ("norm-sphere:3,-2", ["G (in norm-sphere:D,G) must be > 0"]), ("uniform:3", ["takes no parameters"])])
def test_bad_law_names_are_one_line(spec, words):
    _refused(lambda: T.score_law(spec), *words)


def test_a_density_that_does_not_normalize_is_refused():
    _refused(lambda: T.from_density(3 * T.x, (0, 1)), "does not normalize", "3/2")
    law = T.from_density(3 * T.x ** 2, (0, 1))
    assert (law.alpha, law.kappa, law.domain) == (1, 3, "weibull")
    law = T.from_density(2 * T.x ** -3, (1, sp.oo))
    assert (law.domain, law.tail_index) == ("frechet", 2)


# ---------------------------------------------------------------- exact finite n: direct quadrature at n = 2, 3


def _logistic_forms(beta, kernel, breaks):
    """n = 2: (E w_(1), E Σ w², E H) from the density of Z = |X_1 − X_2| (mpmath.quad)."""
    b = mpmath.mpf(beta)
    w = lambda z: 1 / (1 + mpmath.exp(-b * z))  # noqa: E731
    w1 = mpmath.quad(lambda z: kernel(z) * w(z), breaks)
    w2 = mpmath.quad(lambda z: kernel(z) * (w(z) ** 2 + (1 - w(z)) ** 2), breaks)
    # H = −w log w − (1 − w) log(1 − w) = log(1 + e) + β z e/(1 + e), e = e^{−βz} (no 0·log 0 at large z)
    h = mpmath.quad(lambda z: kernel(z) * (mpmath.log1p(mpmath.exp(-b * z))
                                           + b * z * mpmath.exp(-b * z) / (1 + mpmath.exp(-b * z))), breaks)
    return w1, w2, h


@pytest.mark.slow  # tens of seconds: run with -m slow
def test_two_gaussian_scores_closed_forms(assert_digits):
    # reference: X_1 − X_2 ~ N(0, 2): |Z| has density 2 φ(z/√2)/√2 on (0, ∞)
    with mpmath.workdps(35):
        ref = _logistic_forms(3, lambda z: 2 * mpmath.npdf(z, 0, mpmath.sqrt(2)), [0, 1, 4, 12, mpmath.inf])
    r = SF.score_finite("gaussian", 2, 3, 15)
    for got, want in zip((r.E_W1, r.E_sum_W2, r.E_entropy), ref):
        assert_digits(got, want, 14)
    assert r.truncation_bound < mpmath.mpf("2.1e-20")


def test_two_uniform_scores_closed_forms(assert_digits):
    # reference: Z = |X_1 − X_2| has density 2(1 − z) on [0, 1]
    with mpmath.workdps(35):
        ref = _logistic_forms(5, lambda z: 2 * (1 - z), [0, mpmath.mpf(1) / 5, 1])
    r = SF.score_finite("uniform", 2, 5, 15)
    for got, want in zip((r.E_W1, r.E_sum_W2, r.E_entropy), ref):
        assert_digits(got, want, 14)


def test_three_exponential_scores_by_renyi_spacings(assert_digits):
    # reference: for n = 3 exponential scores the top spacings are independent, G1 ~ Exp(1), G2 ~ Exp(2) (Rényi),
    # and w_(1) = 1/(1 + e^{−βG1} + e^{−β(G1+G2)}): a double integral (mpmath.quad)
    b = mpmath.mpf(2)
    with mpmath.workdps(20):
        ref = mpmath.quad(lambda g1, g2: mpmath.exp(-g1) * 2 * mpmath.exp(-2 * g2)
                          / (1 + mpmath.exp(-b * g1) + mpmath.exp(-b * (g1 + g2))), [0, 2, 40], [0, 2, 40])
    assert_digits(SF.score_finite("exponential", 3, 2, 15, which=("E_W1",)).E_W1, ref, 14)


@pytest.mark.slow
def test_three_gaussian_scores_by_the_spacing_density(assert_digits):
    # reference: the top spacings (g1, g2) of three N(0, 1) scores have density
    # 3! ∫ φ(x) φ(x − a) φ(x − b) dx = (3/(π √3)) exp(−(a² + b² − (a + b)²/3)/2), a = g1, b = g1 + g2
    beta = mpmath.mpf(2)

    def dens(g1, g2):
        a, b = g1, g1 + g2
        return 3 / (mpmath.pi * mpmath.sqrt(3)) * mpmath.exp(-(a * a + b * b - (a + b) ** 2 / 3) / 2)

    with mpmath.workdps(18):
        ref = mpmath.quad(lambda g1, g2: dens(g1, g2) / (1 + mpmath.exp(-beta * g1) + mpmath.exp(-beta * (g1 + g2))),
                          [0, 1, 3, 12], [0, 1, 3, 12])
    assert_digits(SF.score_finite("gaussian", 3, 2, 13, which=("E_W1",)).E_W1, ref, 12)


def test_sphere_law_against_finite_n(assert_digits):
    # reference: numerics.laws.finite_n.exact_finite (its own model class FiniteIntensity)
    from attnlimits.numerics.laws import finite_n as F

    a = SF.score_finite("sphere:5", 10 ** 6, 500, 15, which=("E_W1", "E_sum_W2"))
    b = F.exact_finite(10 ** 6, 5, 500, 15)
    assert_digits(a.E_W1, b.E_W1, 15)
    assert_digits(a.E_sum_W2, b.E_sum_W2, 15)


def test_campbell_and_top_routes_agree_for_gaussian_scores(assert_digits):
    # reference: the top route (condition on the top score; numpy double precision), independent of the sweep
    beta = SL.beta_at("gaussian", 10 ** 6, c=2, digits=20)
    a = SF.score_finite("gaussian", 10 ** 6, beta, 12)
    b = SF.score_finite_top("gaussian", 10 ** 6, beta, 9)
    for k in ("E_W1", "E_sum_W2", "E_entropy"):
        assert_digits(getattr(a, k), getattr(b, k), 11, k)


def test_two_pareto_scores_by_double_quadrature(assert_digits):
    # reference: n = 2 Pareto(2) scores: E σ(β|X_1 − X_2|) as 2 ∫∫_{1<y<x} f(x) f(y) σ(β(x − y)), mpmath.quad
    beta = mpmath.mpf("0.5")
    f = lambda x: 2 * x ** -3  # noqa: E731
    with mpmath.workdps(20):
        ref = 2 * mpmath.quad(lambda x: f(x) * mpmath.quad(lambda y: f(y) / (1 + mpmath.exp(-beta * (x - y))),
                                                              [1, x]), [1, 2, 5, 20, mpmath.inf])
    assert_digits(SF.score_finite("pareto:2", 2, "0.5", 9, which=("E_W1",)).E_W1, ref, 9)


def test_pareto_top_route_against_naive_monte_carlo():
    # reference: n = 1000 Pareto(2) scores sampled directly (X = U^{−1/2}), softmax at the critical β, 4000
    # replicates, fixed seed; |z| <= 5 with the sample standard error for E w_(1) and E Σ w²
    n, reps = 1000, 4000
    beta = float(SL.beta_at("pareto:2", n, c=1, digits=15))
    rng = np.random.Generator(np.random.PCG64(2013))
    X = rng.random((reps, n)) ** -0.5
    y = np.exp(beta * (X - X.max(axis=1, keepdims=True)))
    w = y / y.sum(axis=1, keepdims=True)
    r = SF.score_finite("pareto:2", n, beta, 9, which=("E_W1", "E_sum_W2"))
    for sample, exact in ((w.max(axis=1), r.E_W1), ((w * w).sum(axis=1), r.E_sum_W2)):
        z = (sample.mean() - float(exact)) / (sample.std(ddof=1) / np.sqrt(reps))
        assert abs(z) <= 5, z


def test_one_key_and_the_truncation_bound():
    r = SF.score_finite("gaussian", 1, 3, 15)
    assert (r.E_W1, r.E_sum_W2, r.E_entropy) == (1, 1, 0)
    r = SF.score_finite("gumbel", 100, 2, 10, which=("E_sum_W2",))
    assert 0 < r.truncation_bound <= mpmath.mpf("2.0001e-15")


def test_gaussian_scale_invariance_matches_the_top_route(assert_digits):
    # N(0, 4) scores at β = 1.5 are N(0, 1) scores at β = 3; reference: the top route at σ = 1
    a = SF.score_finite("gaussian:2", 1000, "1.5", 12, which=("E_W1",)).E_W1
    b = SF.score_finite_top("gaussian", 1000, 3, 9, which=("E_W1",)).E_W1
    assert_digits(a, b, 9)


@pytest.mark.slow
def test_deep_supercritical_two_keys(assert_digits):
    # n = 2 uniform scores at β = 100: log(1/T) spreads over [0, β] (split outer rule); reference: the closed forms in
    # Z = |X_1 − X_2| (density 2(1 − z)), E H included (its two parts are about v_1 = 29 in size)
    with mpmath.workdps(35):
        ref = _logistic_forms(100, lambda z: 2 * (1 - z), [0, mpmath.mpf(1) / 100, mpmath.mpf(30) / 100, 1])
    r = SF.score_finite("uniform", 2, 100, 10)
    for got, want in zip((r.E_W1, r.E_sum_W2, r.E_entropy), ref):
        assert_digits(got, want, 10)
    # beyond v_1 = 200 the entropy is refused, E W_(1) still computed: 1 − E W_(1) = 2 log 2/β − (π²/6)/β² + …
    _refused(lambda: SF.score_finite("uniform", 2, 10 ** 6, 10), "E_entropy", "v <= 200", "E_W1 and E_sum_W2")
    w1 = SF.score_finite("uniform", 2, 10 ** 6, 10, which=("E_W1",)).E_W1
    b = mpmath.mpf(10) ** 6
    assert_digits(w1, 1 - 2 * mpmath.log(2) / b + mpmath.pi ** 2 / 6 / b ** 2, 10)


def test_finite_n_refusals_are_fast_and_name_the_reason():
    _refused(lambda: SF.score_finite("bernoulli:0.5", 10, 1), "has no density", "bernoulli")
    _refused(lambda: SF.score_finite("norm-sphere:3,2", 10, 1), "not available for norm-sphere:3,2", "sphere:D")
    _refused(lambda: SF.score_finite("beta:2,0.7", 10, 1), "2A and 2B integers", "limit values")
    _refused(lambda: SF.score_finite("pareto:2", 10, 1, 12), "digits must be <= 9")
    _refused(lambda: SF.score_finite("gaussian", 10, "1e300"), "out of range", "1e12")
    _refused(lambda: SF.score_finite("uniform", 10, "1e-300"), "out of range", "1e-12")
    _refused(lambda: SF.score_finite("gaussian", 10 ** 301, 3), "n <= 1e300")
    _refused(lambda: SF.score_finite("gaussian", 0, 3), "n must be")
    _refused(lambda: SF.score_finite("gaussian", 10, 0), "beta must be > 0")
    _refused(lambda: SF.score_finite("gaussian", 10, 1, which=("E_W3",)), "which must be one of")


# ---------------------------------------------------------------- limits


def test_pd_functionals_against_exponential_scores(assert_digits):
    # reference: exact finite n for exponential scores at β = c, n = 10^12: n P(X > log n + z) = e^{−z} exactly, so
    # only the binomial and the bottom (y >= 1) corrections remain, O(1/n) and O(n^{−(c−1)}): 10 digits at c = 2
    r = SF.score_finite("exponential", 10 ** 12, 2, 15)
    pd = SL.pd_functionals("1/2", 15)
    assert_digits(r.E_W1, pd.E_W1, 10)
    assert_digits(r.E_sum_W2, pd.E_sum_W2, 10)
    assert_digits(r.E_entropy, pd.E_entropy, 10)


def test_pd_entropy_and_sum_w2_closed_forms(assert_digits):
    # reference: E Σ f(W) = E[f(W̃)/W̃], W̃ ~ Beta(1 − θ, θ) (the size-biased pick), by direct mpmath.quad
    with mpmath.workdps(40):
        th = mpmath.mpf(3) / 10
        dens = lambda w: w ** (-th) * (1 - w) ** (th - 1) / mpmath.beta(1 - th, th)  # noqa: E731
        ent = mpmath.quad(lambda w: -mpmath.log(w) * dens(w), [0, 1])
        s2 = mpmath.quad(lambda w: w * dens(w), [0, 1])
    r = SL.pd_functionals("0.3", 20)
    assert_digits(r.E_entropy, ent, 18)
    assert_digits(r.E_sum_W2, s2, 12)  # the quadrature of (1 − w)^{θ−1} at w = 1 keeps about 13 digits


def test_pd_largest_weight_law_by_stick_breaking():
    # reference: Monte Carlo of PD(θ, 0) by stick breaking (GEM: V_k ~ Beta(1, θ)... for θ here the two-parameter
    # family PD(α, 0) uses V_k ~ Beta(1 − α, kα)); fixed seed, |z| <= 5 with the binomial standard error
    th = 0.5
    rng = np.random.Generator(np.random.PCG64(1313))
    reps, K = 40000, 400
    V = rng.beta(1 - th, th * np.arange(1, K + 1)[None, :], size=(reps, K))
    rest = np.cumprod(1 - V, axis=1)
    W = V * np.concatenate([np.ones((reps, 1)), rest[:, :-1]], axis=1)
    top = W.max(axis=1)
    for w in (0.5, 0.7):
        p = float(SL.pd_max_weight_tail(th, w, 15))
        est = float(np.mean(top > w))
        assert abs(est - p) <= 5 * np.sqrt(p * (1 - p) / reps), (w, est, p)
    # and E W_(1) of the integral formula (the leftover stick mass after K pieces is below 1e-5 in mean)
    m, se = float(top.mean()), float(top.std() / np.sqrt(reps))
    assert abs(m - float(SL.pd_functionals(th, 15).E_W1)) <= 5 * se + 1e-4


def test_limit_values_each_domain(assert_digits):
    r = SL.limit_values("uniform", lam=1, digits=15)   # α = κ = 1: E W_(1) = e^{−γ} (docs/mathematics.md §4.4)
    assert_digits(r.E_W1, mpmath.exp(-mpmath.euler), 15)
    r = SL.limit_values("pareto:3", c="1/2", digits=15)
    assert_digits(r.E_W1, 1 - mpmath.exp(-mpmath.mpf(1) / 8), 15)
    assert r.E_entropy is None
    r = SL.limit_values("gaussian", c="0.9", digits=15)
    assert r.E_W1 == 0 and r.E_sum_W2 == 0 and r.E_entropy is None
    _refused(lambda: SL.limit_values("gaussian", lam=1), "use c")
    _refused(lambda: SL.limit_values("beta:2,3", c=1), "use lambda")
    _refused(lambda: SL.limit_values("bernoulli:0.5", c=1), "no extreme-value domain")


def test_critical_beta_values(assert_digits):
    assert_digits(SL.critical_beta("beta:2,3", 1000, 15), mpmath.cbrt(4000), 15)        # (κ n)^{1/α}, κ = 4, α = 3
    assert_digits(SL.critical_beta("gaussian:2", 10 ** 6, 15), mpmath.sqrt(2 * mpmath.log(10 ** 6)) / 2, 15)
    assert_digits(SL.critical_beta("pareto:2", 10 ** 6, 15), mpmath.log(10 ** 6) / 1000, 15)


def test_gaussian_level_is_the_exact_quantile(assert_digits):
    # reference: the defining equation n Φ̄(b*) = 1, and a* = Φ̄(b*)/φ(b*)
    with mpmath.workdps(40):
        b, a = SL.gumbel_level("gaussian", 10 ** 12, 25)
        assert_digits(10 ** 12 * mpmath.ncdf(-b), 1, 22)
        assert_digits(a, mpmath.ncdf(-b) / mpmath.npdf(b), 22)


def test_gumbel_expansion_explains_the_slow_approach():
    # the raw error of E Σ w² against 1 − 1/c decays like log log n/log n; after θ_eff and η D(θ_eff)
    # (docs/score_laws.md §3) what is left is O(η²): 1% of the raw error at n = 10^6, less at 10^12
    for e, frac in ((6, 0.03), (12, 0.015)):
        n = 10 ** e
        beta = SL.beta_at("gaussian", n, c=2, digits=20)
        got = SF.score_finite("gaussian", n, beta, 12, which=("E_sum_W2",)).E_sum_W2
        pred, th, eta = SL.gumbel_sum_w2_expansion("gaussian", n, beta, 15)
        raw = got - mpmath.mpf(1) / 2
        assert raw > 0
        assert abs(got - pred) < frac * raw and abs(got - pred) < 3 * eta ** 2


def test_frechet_first_order_correction():
    # the finite-n E W_(1) at β = c log n/n^{1/a} against 1 − e^{−c^a}: the first-order (log 2/log n) correction
    # leaves a small fraction of the raw error
    n = 10 ** 9
    beta = SL.beta_at("pareto:2", n, c=1, digits=15)
    got = SF.score_finite("pareto:2", n, beta, 9, which=("E_W1",)).E_W1
    lim = 1 - mpmath.exp(-1)
    fo = SL.frechet_limit_first_order("pareto:2", 1, n, 15)
    assert abs(got - fo) < 0.3 * abs(got - lim)


def test_frechet_at_fixed_beta_the_top_takes_everything():
    # at fixed β the top gap X_(1) − X_(2) grows like n^{1/a}: 1 − E W_(1) ~ (density of the gap at 0)/β ∝ n^{−1/a}
    # (docs/score_laws.md §4): a factor 10 from n = 10^4 to 10^6 at a = 2
    lo = 1 - SF.score_finite("pareto:2", 10 ** 4, 1, 9, which=("E_W1",)).E_W1
    hi = 1 - SF.score_finite("pareto:2", 10 ** 6, 1, 9, which=("E_W1",)).E_W1
    assert 0 < hi < mpmath.mpf("0.005") and 8 < lo / hi < 12
    # and the derived constant: (log 2/β) a Γ(2 + 1/a) n^{−1/a}, to 5% at n = 10^4 and 10^6
    for n, d in ((10 ** 4, lo), (10 ** 6, hi)):
        assert abs(d / SL.frechet_fixed_beta_deficit("pareto:2", n, 1, 15) - 1) < 0.05


# ---------------------------------------------------------------- command line


def _cli(argv, capsys):
    from attnlimits.cli.main import main

    status = main(argv)
    out = capsys.readouterr()
    return status, out.out, out.err


def test_cli_limit_json(capsys):
    status, out, err = _cli(["law", "score", "--law", "gaussian", "--c", "2", "--json"], capsys)
    assert status == 0, err
    d = json.loads(out)
    assert d["domain"] == "gumbel" and d["xi"].startswith("0.0")
    assert d["limit_E_sum_W2"] == "0.500000000000000"
    assert abs(float(d["limit_E_W1"]) - float(SL.pd_functionals("1/2", 15).E_W1)) < 1e-14


def test_cli_weibull_keys(capsys):
    status, out, err = _cli(["law", "score", "--law", "beta:2,3", "--n", "1000", "--lam", "1", "--json",
                             "--digits", "10"], capsys)
    assert status == 0, err
    d = json.loads(out)
    for key in ("domain", "xi", "alpha", "kappa", "critical_beta", "E_W1", "E_sum_W2", "E_entropy"):
        assert key in d
    assert d["alpha"] == "3.000000000" and d["kappa"] == "4.000000000"
    assert abs(float(d["critical_beta"]) - 4000 ** (1 / 3)) < 1e-8


def test_cli_refusal_is_one_line(capsys):
    status, out, err = _cli(["law", "score", "--law", "beta:1"], capsys)
    assert status == 2 and err.count("\n") == 1 and "takes 2 parameters" in err


@pytest.mark.slow
def test_cli_gaussian_1e12_fifteen_digits(capsys, assert_digits):
    # the acceptance line: E W_(1) at n = 10^12 to 15 digits; reference: the top route (about 12 digits)
    # and the campbell route at 25 digits
    t0 = time.perf_counter()
    status, out, err = _cli(["law", "score", "--law", "gaussian", "--n", "1e12", "--c", "2", "--json"], capsys)
    assert status == 0, err
    d = json.loads(out)
    beta = SL.beta_at("gaussian", 10 ** 12, c=2, digits=30)
    ref = SF.score_finite("gaussian", 10 ** 12, beta, 25, which=("E_W1",)).E_W1
    assert_digits(mpmath.mpf(d["E_W1"]), ref, 14)
    assert time.perf_counter() - t0 < 120


def test_convolved_top_symbolic_beta_integral():
    # reference: sympy integrates the convolution of the two leading terms for symbolic exponents
    a1, a2, t, s = (sp.Symbol(nm, positive=True) for nm in ("a1", "a2", "t", "s"))
    k1, k2 = sp.Symbol("k1", positive=True), sp.Symbol("k2", positive=True)
    integral = sp.integrate(k1 * a1 * s ** (a1 - 1) * k2 * (t - s) ** a2, (s, 0, t), conds="none")
    al, ka = T.convolved_top(a1, k1, a2, k2)
    assert sp.simplify(sp.gammasimp(integral / t ** al - ka)) == 0
