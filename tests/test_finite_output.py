"""Exact finite-n output functionals (numerics.laws.finite_output): independent routes, limits, Monte Carlo, input checks.

Reference routes, none of which uses the Gauss-panel sweep or the double-exponential engine:
- direct quadrature of the n-fold integral (n = 2, 3) in the polar angles, Gauss–Legendre in numpy (``_direct``);
- the d = 3 route ``exact_output_d3`` (closed-form inner integrals, mpmath.quad outside, the Frullani kernel
  e^{−tET} instead of the panel route's (1 + tET/16)^{−16});
- an independent two-dimensional integral for E log T (nearest-key conditioning, d = 3);
- the Poisson limit (numerics.laws.poisson_limit, another intensity model) at n = 10^12 on the critical scale;
- the small-β expansion E⟨q, y⟩ = β(1 − 1/n)/d + O(β³) (odd in β);
- Monte Carlo with fixed seeds (5-sigma, Holm over the family).
"""
import math
import time

import mpmath
import numpy as np
import pytest
from scipy.special import gammaln, roots_legendre

from attnlimits.numerics.laws import finite_output as O
from attnlimits.numerics.laws.finite_n import beta_from_lambda, exact_finite
from attnlimits.theory.validation import InputError

FIELDS = ("E_inner", "Var_inner", "E_perp2", "E_entropy", "E_sum_W2")


def _direct(n, d, beta, N=56):
    """E of the output statistics for n = 2, 3 keys by the n-fold integral over the ordered angles
    θ_1 > θ_2 (> θ_3) (X_i = −cos θ_i has the density ∝ sin^{d−2} θ on [0, π]), times n!: Gauss–Legendre
    with N nodes in each angle, each inner angle mapped to [0, θ_previous]. Smooth in θ for every d; the
    ordering makes the ranks w_(1) = w_1 > w_2 (> w_3) smooth too."""
    x, w = roots_legendre(N)
    lognorm = 0.5 * math.log(math.pi) + gammaln((d - 1) / 2) - gammaln(d / 2)

    def dens(th):
        return np.exp((d - 2) * np.log(np.sin(th)) - lognorm)

    t1 = ((x + 1) * math.pi / 2)[:, None]
    w1 = (w * math.pi / 2)[:, None]
    if n == 2:
        t2 = (x[None, :] + 1) * t1 / 2
        wt = w1 * (w[None, :] * t1 / 2) * dens(t1) * dens(t2) * 2
        th = [np.broadcast_to(t1, t2.shape), t2]
    else:
        t1, w1 = t1[:, :, None], w1[:, :, None]
        t2 = (x[None, :, None] + 1) * t1 / 2
        t3 = (x[None, None, :] + 1) * t2 / 2
        wt = w1 * (w[None, :, None] * t1 / 2) * (w[None, None, :] * t2 / 2) * dens(t1) * dens(t2) * dens(t3) * 6
        shape = t3.shape
        th = [np.broadcast_to(t1, shape), np.broadcast_to(t2, shape), t3]
    X = [-np.cos(t) for t in th]
    e = [np.exp(beta * (Xi - X[0])) for Xi in X]   # X_1 is the largest
    T = sum(e)
    ws = [ei / T for ei in e]
    inner = sum(wi * Xi for wi, Xi in zip(ws, X))

    def E(f):
        return float(np.sum(wt * f))

    m = E(inner)
    return dict(E_inner=m, Var_inner=E((inner - m) ** 2), E_perp2=E(sum(wi * wi * (1 - Xi * Xi) for wi, Xi in zip(ws, X))),
                E_entropy=E(-sum(wi * np.log(wi) for wi in ws)), E_sum_W2=E(sum(wi * wi for wi in ws)),
                E_W=[E(wi) for wi in ws], mass=E(np.ones_like(inner)))


@pytest.mark.parametrize("n,d,beta", [(2, 3, 2), (2, 2, 5), (2, 7, 3), (3, 3, 4), (3, 4, "1.5"), (3, 16, 6)])
def test_two_and_three_keys_direct_quadrature(n, d, beta, assert_digits):
    ref = _direct(n, d, float(beta))
    assert abs(ref["mass"] - 1) < 1e-13   # the reference rule integrates the density to 1
    r = O.exact_output(n, d, beta, 12)
    for f in FIELDS:
        assert_digits(getattr(r, f), ref[f], 11, f)
    for k in range(n):
        assert_digits(r.E_W[k], ref["E_W"][k], 11, f"E_W{k + 1}")
    assert all(x == 0 for x in r.E_W[n:])     # fewer keys than ranks


def test_one_key(assert_digits):
    # w_1 = 1, y = K: E⟨q, y⟩ = E X = 0, Var X = 1/d, |P⊥y|² = 1 − X², no entropy
    r = O.exact_output(1, 5, 3, 15)
    assert_digits(r.Var_inner, mpmath.mpf(1) / 5, 15)
    assert_digits(r.E_perp2, mpmath.mpf(4) / 5, 15)
    assert r.E_inner == 0 and r.E_entropy == 0 and r.E_W == (1, 0, 0, 0, 0) and r.E_sum_W2 == 1


def test_ranks_sum_to_one_for_five_keys(assert_digits):
    # reference: Σ_k w_(k) = 1 exactly when every key is ranked (n = 5 = K_MAX); E W_(1) from finite_n's k = 1 path
    r = O.exact_output(5, 9, 7, 15)
    assert_digits(mpmath.fsum(r.E_W), 1, 14, "sum of E W_(k)")
    assert_digits(r.E_W1, exact_finite(5, 9, 7, 15).E_W1, 14, "E W_(1)")


@pytest.mark.parametrize("n,beta", [(10 ** 6, 100), pytest.param(10 ** 3, 5 * 10 ** 4, marks=pytest.mark.slow)])
def test_d3_route(n, beta, assert_digits):
    # (10^3, 5·10^4): λ = 100, the edge of the supported range; deep supercritical, E H = E Σ w v + E log T cancels
    # about 4 digits of two terms near ±100 (the panel route integrates E H as one integrand, the d = 3 route adds)
    a = O.exact_output(n, 3, beta, 12, k_max=0)
    b = O.exact_output_d3(n, beta, 12)
    for f in FIELDS:
        assert_digits(getattr(a, f), getattr(b, f), 12, f)


@pytest.mark.slow
def test_d3_route_at_1e12(assert_digits):
    # the critical scale at n = 10^12 (λ = 1): the powers (1 − x)^{n−1} need the log10 n guard digits on both routes
    n, beta = 10 ** 12, 5 * 10 ** 11
    a = O.exact_output(n, 3, beta, 12, k_max=0)
    b = O.exact_output_d3(n, beta, 12)
    for f in FIELDS:
        assert_digits(getattr(a, f), getattr(b, f), 12, f)


@pytest.mark.slow
def test_d3_route_ranks(assert_digits):
    # E W_(1), E W_(2) by the d = 3 route's two-dimensional mpmath.quad (about two minutes)
    a = O.exact_output(10, 3, 2, 10, k_max=2)
    b = O.exact_output_d3(10, 2, 10, k_max=2)
    for k in range(2):
        assert_digits(a.E_W[k], b.E_W[k], 10, f"E_W{k + 1}")


@pytest.mark.slow
def test_log_T_against_nearest_key_conditioning(assert_digits):
    # reference: d = 3, E log T = −β E D_(1) + E log(1 + R), E D_(1) = 2/(n + 1), and given D_(1) = δ the other
    # n − 1 gaps β(D_j − δ) are uniform on [0, L], L = β(2 − δ): E log(1 + R) = E_δ ∫ (1 − (1 − G(s))^{n−1}) e^{−s} ds/s,
    # G(s) = (Ein(s) − Ein(s e^{−L}))/L (Frullani for log(1 + R)); δ has the density (n/2)(1 − δ/2)^{n−1}
    from attnlimits.numerics.special.incomplete_gamma import ein

    n, beta = 1000, 5 * 10 ** 4   # λ = 100
    with mpmath.workdps(30):
        b = mpmath.mpf(beta)

        def inner(dl):
            L = b * (2 - dl)
            return mpmath.quad(lambda s: -mpmath.expm1((n - 1) * mpmath.log1p(-(ein(s) - ein(s * mpmath.exp(-L))) / L))
                               * mpmath.exp(-s) / s, [0, 1, 10, 100])

        # (mpmath.quad may return an mpc with an imaginary part below 10^{-40000}: the real part is the value)

        ref = -2 * b / (n + 1) + mpmath.quad(lambda dl: n * (1 - dl / 2) ** (n - 1) / 2 * inner(dl),
                                             [0, mpmath.mpf(2) / n, mpmath.mpf(20) / n, mpmath.mpf(200) / n, 2])
        ref = mpmath.re(ref)
    r = O.exact_output(n, 3, beta, 14, k_max=0)
    assert_digits(r.E_log_T, ref, 14, "E log T")


def test_small_beta_cancellation(assert_digits):
    # reference: E⟨q, y⟩ is odd in β with slope (1 − 1/n) Var X = (1 − 1/n)/d: at β = 10^{-6} the O(β³) term is
    # 10^{-12} relative; E⟨q, y⟩ = E Σ w (1 − D) is the small difference of M_1 and M_v/β
    n, d, beta = 2, 3, mpmath.mpf("1e-6")
    r = O.exact_output(n, d, "1e-6", 15, k_max=0)
    assert_digits(r.E_inner, beta * (1 - mpmath.mpf(1) / n) / d, 11, "E_inner")
    # β = 0.01 against the direct quadrature (2 of 15 digits cancel)
    ref = _direct(2, 3, 0.01)
    assert_digits(O.exact_output(2, 3, "0.01", 12, k_max=0).E_inner, ref["E_inner"], 11, "E_inner at 0.01")


def test_critical_scale_against_poisson_limit(assert_digits):
    # reference: the Poisson limit (poisson_limit.campbell_functionals, the intensity 1/λ on (0, ∞)), d = 3, λ = 1:
    # (κn)^{1/α} = n/2 scales 1 − ⟨q, y⟩ to N = Σ W S and |P⊥y|² to |Σ W √(2S) U|²; the finite-n error is O(1/n)
    from attnlimits.numerics.laws import poisson_limit as C

    n = 10 ** 12
    lim = C.campbell_functionals(1, 1, 15, k_max=5)
    r = O.exact_output(n, 3, beta_from_lambda(n, 3, 1, 20), 15)
    s = mpmath.mpf(n) / 2
    for k in range(5):
        assert_digits(r.E_W[k], lim.E_W[k], 10, f"E_W{k + 1}")
    assert_digits(r.E_gap * s, lim.E_normal, 10, "E N")
    assert_digits(r.Var_inner * s * s, lim.E_normal_sq - lim.E_normal ** 2, 10, "Var N")
    assert_digits(r.E_perp2 * s, lim.E_tangential_sq, 10, "E tangential²")
    assert_digits(r.E_entropy, lim.E_entropy, 10, "E H")


def test_consistency_with_finite_n(assert_digits):
    # the k = 1 path of numerics.laws.finite_n (its own outer plan and rank loop), d = 16 near the critical scale
    n, d = 10 ** 9, 16
    beta = beta_from_lambda(n, d, 2, 20)
    a = O.exact_output(n, d, beta, 15, k_max=1)
    b = exact_finite(n, d, beta, 15)
    assert_digits(a.E_W1, b.E_W1, 14, "E_W1")
    assert_digits(a.E_sum_W2, b.E_sum_W2, 14, "E_sum_W2")


# 20-digit values from the route before docs/output.md §2's peak-centred outer rule: the sinh map centred at
# −log E T (1029 and 580 outer nodes) and E H = E Σ w v + E log T, the two recomputed at the digits they lose.
# Another map and another formula for E H: the peak rule and the one-integrand E H must reproduce them.
DEEP_REFERENCE = {
    (256, "241.31080791749145"): {
        "E_inner": "0.420841023357693773934",
        "Var_inner": "0.0001256867143012292153389",
        "E_perp2": "0.3780078818543225739439",
        "E_entropy": "1.512813584970516589985",
        "E_log_T": "-138.2445069812519584232",
        "E_sum_W2": "0.4633821129710807766364",
        "E_W": ("0.5965149951092248895643", "0.1463123622818638852343", "0.06702023531916821467338",
              "0.03887778362457223790064", "0.02553962596944522189852")},
    (16, "5867.424808375221"): {
        "E_inner": "0.983888646990946352497",
        "Var_inner": "0.000006547940776851245640516",
        "E_perp2": "0.02944127936940443498365",
        "E_entropy": "0.1210781223193784777351",
        "E_log_T": "-94.41107421949275947164",
        "E_sum_W2": "0.9297128841288841251927",
        "E_W": ("0.9509423379640315977896", "0.04397352654940887940784", "0.00432879837086131661916",
              "0.0006145800694139682183838", "0.0001099159744447672496673")},
}


@pytest.mark.parametrize("d,beta", [(256, "241.31080791749145"),
                                    pytest.param(16, "5867.424808375221", marks=pytest.mark.slow)])
def test_deep_supercritical_1e12(d, beta, assert_digits):
    # n = 10^12, λ = 100 (β = 100 (κ_d n)^(2/(d−1)) as a double). d = 256: −log T ≈ v_(1) peaks 14 above
    # −log E T and the rule centred there applies; d = 16: the bend at the peak of ρ e^{−v} weighs 10^{−8}, the
    # rule stays centred at −log E T, its right-hand scale widened to σ. E H cancels 2 (d = 256) and 3 (d = 16)
    # digits of E Σ w v against E log T. The cost is asserted as outer nodes (deterministic, 138 and 489 measured);
    # `attnlimits bench` shows the CPU seconds.
    ref = DEEP_REFERENCE[(d, beta)]
    r = O.exact_output(10 ** 12, d, beta, 15)
    for f in ("E_inner", "Var_inner", "E_perp2", "E_entropy", "E_log_T", "E_sum_W2"):
        assert_digits(getattr(r, f), mpmath.mpf(ref[f]), 15, f)
    for k in range(5):
        assert_digits(r.E_W[k], mpmath.mpf(ref["E_W"][k]), 15, f"E_W{k + 1}")
    assert r.outer_nodes <= (300 if d == 256 else 520)
    if d == 256:
        # entropy=False leaves out the E H integrand and variance=False the second pass: the rest stays
        r = O.exact_output(10 ** 12, d, beta, 15, k_max=1, variance=False, entropy=False)
        assert r.E_entropy is None and r.E_log_T is None and r.Var_inner is None and len(r.E_W) == 1
        for f in ("E_inner", "E_perp2", "E_sum_W2", "E_W1"):
            assert_digits(getattr(r, f), mpmath.mpf(ref["E_W"][0] if f == "E_W1" else ref[f]), 15, f)


def _mc_family(r, reps, sampler, n, d, beta, seed):
    from attnlimits.numerics.laws.subcritical import variance_compare
    from attnlimits.numerics.montecarlo.sampling import replicates
    from attnlimits.numerics.montecarlo.stats import family_verdict, z_compare

    mc = replicates(n, d, float(beta), reps, seed, k=5, sampler=sampler)
    comps = [z_compare("gap", mc.gap, float(r.E_gap)),
             z_compare("perp2", mc.perp_norm ** 2, float(r.E_perp2)),
             z_compare("entropy", mc.entropy, float(r.E_entropy)),
             z_compare("sum_w2", mc.sum_w2, float(r.E_sum_W2)),
             variance_compare("var_inner", mc.gap, float(r.Var_inner))]
    comps += [z_compare(f"W{k + 1}", mc.top[:, k], float(r.E_W[k])) for k in range(5)]
    ok, _ = family_verdict(comps)
    return ok, comps


@pytest.mark.parametrize("n,d,lam,seed", [(1000, 3, 1, 11), (1000, 8, "0.5", 12)])
def test_monte_carlo_small_n(n, d, lam, seed):
    # reference: the exact reduced sampler (one inner product and one tangential norm per key), 4000 replicates
    beta = beta_from_lambda(n, d, lam, 20)
    r = O.exact_output(n, d, beta, 10)
    ok, comps = _mc_family(r, 4000, "exact", n, d, beta, seed)
    assert ok and all(abs(c.z) <= 5 for c in comps), [c.to_json(4) for c in comps]


@pytest.mark.slow
@pytest.mark.parametrize("d,lam,seed", [(3, 1, 21), (5, 2, 22)])
def test_monte_carlo_1e7(d, lam, seed):
    # reference: the order-statistics sampler (nearest keys exact, the rest certified below 1e-13), n = 10^7
    n = 10 ** 7
    beta = beta_from_lambda(n, d, lam, 20)
    r = O.exact_output(n, d, beta, 10)
    ok, comps = _mc_family(r, 20000 if d == 3 else 6000, "orderstat", n, d, beta, seed)
    assert ok and all(abs(c.z) <= 5 for c in comps), [c.to_json(4) for c in comps]


def test_result_json_keys():
    r = O.exact_output(3, 3, 2, 8)
    assert set(r.cli_json(8)) == {"E_inner", "Var_inner", "E_perp2", "E_entropy", "E_W2", "E_W3", "E_W4", "E_W5"}
    assert float(r.cli_json(8)["E_W4"]) == 0.0 and float(r.cli_json(8)["E_W3"]) > 0


@pytest.mark.parametrize("kwargs,words", [
    (dict(n=0, d=3, beta=1), "n must be an integer >= 1"),
    (dict(n=10 ** 19, d=3, beta=1), "n <= 1e18"),
    (dict(n=10, d=1, beta=1), "d must be an integer >= 2"),
    (dict(n=10, d=5000, beta=1), "d <= 4096"),
    (dict(n=10, d=3, beta=0), "beta must be > 0"),
    (dict(n=10, d=3, beta="nan"), "beta must be finite"),
    (dict(n=10, d=3, beta="1e400"), "beyond the largest double"),
    (dict(n=10, d=3, beta=1, k_max=6), "k_max must be an integer <= 5"),
    (dict(n=10, d=3, beta=1, digits=0), "digits must be an integer >= 1"),
])
def test_bad_input(kwargs, words):
    t0 = time.perf_counter()
    with pytest.raises(InputError, match=words.replace("(", r"\(")):
        O.exact_output(**kwargs)
    assert time.perf_counter() - t0 < 2


def test_bad_input_d3_route():
    with pytest.raises(InputError, match="beta must be > 0"):
        O.exact_output_d3(10, -1)


_NOT_A_NUMBER = [float("nan"), float("inf"), "1e400", "-1e400", "1e-400", "abc", "", None, [1.0], object()]
_DOMAIN = {"n": [0, -1, 2.5, 10 ** 19], "d": [0, 1, 2.5, 10 ** 30, 5000], "beta": [0, -1], "digits": [0, 2.5, 10 ** 9]}


@pytest.mark.parametrize("fn,base", [(O.exact_output, dict(n=10, d=3, beta="2", digits=6)),
                                     (O.exact_output_d3, dict(n=10, beta="2", digits=6))])
def test_every_bad_number_is_refused_at_once(fn, base):
    # the API-inputs sweep of tests/test_api_inputs.py, here for the two routes: one-line InputError within 2 s
    for param in base:
        for bad in _NOT_A_NUMBER + _DOMAIN.get(param, []):
            t0 = time.perf_counter()
            with pytest.raises(InputError) as exc:
                fn(**{**base, param: bad})
            assert "\n" not in str(exc.value) and time.perf_counter() - t0 < 2, (param, bad)


@pytest.mark.parametrize("kwargs,words", [
    (dict(n=1000, d=3, beta=10 ** 6), "lambda = 2000 times the critical scale"),
    (dict(n=10, d=3, beta="1e15"), "beta <= 1e14"),
    (dict(n=10 ** 12, d=3, beta=1, digits=31), "at most 30 digits"),
])
def test_outside_the_supported_range_is_refused_up_front(kwargs, words):
    # docs/output.md §2: λ ≤ 100, β ≤ 10^14, digits ≤ 30; the refusal comes before any integral
    t0 = time.perf_counter()
    with pytest.raises(InputError, match=words):
        O.exact_output(**kwargs)
    with pytest.raises(InputError, match=words):
        O.check_output_range(**kwargs)
    assert time.perf_counter() - t0 < 10


def test_range_edges_are_accepted():
    # λ = 100 exactly at d = 3 (β = 100 n/2) and n = 1 at any β are inside the range
    O.check_output_range(1000, 3, 50000)
    O.check_output_range(1, 3, "1e14")
    O.check_output_range(10 ** 18, 4096, 3, 30)


def _cli_json(args):
    import contextlib
    import io
    import json

    from attnlimits.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(args)
    return status, (json.loads(out.getvalue()) if status == 0 else None), err.getvalue()


def test_cli_output_keys_against_direct_quadrature(assert_digits):
    # reference: the two-key polar-angle quadrature (_direct, numpy Gauss–Legendre), not the panel route
    status, out, err = _cli_json("law finite --n 2 --d 3 --beta 2 --output --digits 12 --json".split())
    assert status == 0, err
    ref = _direct(2, 3, 2.0)
    assert {"E_inner", "Var_inner", "E_perp2", "E_entropy", "E_W2", "E_W3", "E_W4", "E_W5", "E_W1",
            "E_sum_W2"} <= set(out)
    for key in ("E_inner", "Var_inner", "E_perp2", "E_entropy", "E_sum_W2"):
        assert_digits(mpmath.mpf(out[key]), ref[key], 11, key)
    assert_digits(mpmath.mpf(out["E_W1"]), ref["E_W"][0], 11, "E_W1")
    assert_digits(mpmath.mpf(out["E_W2"]), ref["E_W"][1], 11, "E_W2")
    assert float(out["E_W3"]) == 0.0


def test_cli_output_refusal_is_one_line():
    t0 = time.perf_counter()
    status, _, err = _cli_json("law finite --n 1000 --d 3 --beta 1e6 --output --json".split())
    assert status == 2 and "lambda = 2000 times the critical scale" in err and err.count("\n") == 1
    assert time.perf_counter() - t0 < 10


def test_top_weights_at_small_beta_and_many_keys():
    # Regression: the ranks E W_(k) at small beta and large n were wrong (n = 1e12, d = 3, beta = 1 gave E W_(1) =
    # 1.9e-19654) because the step of e^{-A} at v ~ 2 beta n^{-1/alpha} fell inside one Gauss panel. Reference: for
    # n = 1e12, T/n = E e^{-beta D} = e^{-beta} 0F1(; d/2; beta^2/4) (docs/mathematics.md §2.5) up to a relative
    # 1e-6 fluctuation whose effect on E[e^{-beta D_(1)}/T] is O(1/n), so n E W_(1) E e^{-beta D} = E e^{-beta D_(1)},
    # computed by mpmath.quad from the nearest-distance survival (1 - I_{s/2}(a, a))^n (another route; for d = 3
    # with beta n^{-1/alpha} ~ 1e-12 it is 1 and the same holds for W_(2), W_(3))
    n = 10 ** 12
    for d, beta in ((3, "1"), (3, "0.1"), (16, "0.5"), (64, "0.1")):
        r = O.exact_output(n, d, beta, 12)
        with mpmath.workdps(30):
            b = mpmath.mpf(beta)
            a = mpmath.mpf(d - 1) / 2
            mean_y = mpmath.exp(-b) * mpmath.hyp0f1(mpmath.mpf(d) / 2, b * b / 4)
            surv = lambda s: mpmath.exp(n * mpmath.log1p(-mpmath.betainc(a, a, 0, s / 2, regularized=True)))
            scale = mpmath.mpf(n) ** (-1 / a)
            pts = [0] + [x * scale for x in (0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 4, 10, 100) if x * scale < 2] + [2]
            top = 1 - b * mpmath.quad(lambda s: mpmath.exp(-b * s) * surv(s), pts)
        assert abs(r.E_W[0] * n * mean_y / top - 1) < 1e-9, (d, beta)
        if d == 3:
            assert all(abs(r.E_W[k] * n * mean_y - 1) < 1e-9 for k in range(3))
        assert r.E_W[0] > r.E_W[1] > r.E_W[2] > 0
