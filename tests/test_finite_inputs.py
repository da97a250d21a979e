"""law finite and critical-beta at every corner (issue 15): refusals of the API and the CLI, and the routes
that answer where they used to hang, fail or return wrong digits.

References are independent of the code under test: closed forms (n = 2, d = 3: E w_(1) = 1 − log 2/β +
π²/(24β²) + O(e^{−2β}), E Σ w² = 1 − 1/β + log 2/β² + O(e^{−2β}), from ∫_0^2 ((2 − z)/2) k(βz) dz with the
kernels 1/(1 + e^{βz}) and 1/(2 cosh²(βz/2)) and η(2) = π²/12); the small-β expansion
E w_(1) = 1/n + β (n − 1)/(n (n + 1)) + O(β²) at d = 3 (w_i = 1/n + (β/n)(X_i − X̄) + O(β²), E X_(n) =
(n − 1)/(n + 1) for X uniform on [−1, 1]); the subcritical moment expansion of E Σ w² (below); the other
solver of the half-mass β (GaussianScores, exact_finite); a seeded Monte Carlo.
"""
from __future__ import annotations

import json
import math
import time
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attnlimits.cli.main import main
from attnlimits.numerics.laws import critical_beta as CB
from attnlimits.numerics.laws import finite_n as F
from attnlimits.theory.validation import InputError


def _refusal(limit, fn, kwargs, seconds=5.0):
    """The InputError message of fn(**kwargs), which must come within ``seconds`` (``limit``: the time_limit fixture)."""
    t0 = time.perf_counter()
    try:
        with limit(seconds + 5):
            fn(**kwargs)
    except limit.Expired:
        pytest.fail(f"{fn.__qualname__}({kwargs}) did not refuse within {seconds + 5} s")
    except InputError as exc:
        msg = str(exc)
        assert msg and "\n" not in msg
        assert time.perf_counter() - t0 < seconds, f"refusal took {time.perf_counter() - t0:.1f} s"
        return msg
    pytest.fail(f"{fn.__qualname__}({kwargs}) was accepted")


# ---------------------------------------------------------------- API: every numeric parameter

BAD_NUMBERS = [0, -1, -2.5, float("nan"), float("inf"), float("-inf"), "1e400", "-1e400", "nan", "abc", None,
               object(), [3], True]

# function, valid baseline, {parameter: (bad values beyond BAD_NUMBERS, words its message must contain)}
API = {
    "exact_finite": (F.exact_finite, dict(n=10, d=3, beta="2", digits=15),
                     {"n": ([2.5, "1e101"], "n"), "d": ([1, 2.5, 10 ** 10], "d"), "beta": ([], "beta"),
                      "digits": ([61, 2.5, 10 ** 9], "digits"), "n_nodes": ([3, 65, 2.5], "n_nodes")}),
    "exact_E_W1": (F.exact_E_W1, dict(n=10, d=3, beta="2", digits=15),
                   {"n": ([2.5], "n"), "d": ([1], "d"), "beta": ([], "beta"), "digits": ([61], "digits")}),
    "exact_E_sum_W2": (F.exact_E_sum_W2, dict(n=10, d=3, beta="2", digits=15),
                       {"n": ([2.5], "n"), "d": ([1], "d"), "beta": ([], "beta"), "digits": ([61], "digits")}),
    "exact_finite_d3": (F.exact_finite_d3, dict(n=10, beta="2", digits=15, which=("E_sum_W2",)),
                        {"n": ([2.5, "1e101"], "n"), "beta": (["1e15"], "beta"), "digits": ([61], "digits")}),
    "beta_from_lambda": (F.beta_from_lambda, dict(n=10, d=3, lam="1", digits=15),
                         {"n": ([2.5], "n"), "d": ([1], "d"), "lam": (["1e308"], "lambda"),
                          "digits": ([10 ** 9], "digits")}),
    "large_beta_expansion": (F.large_beta_expansion, dict(n=10, d=3, beta="1e20", digits=15),
                             {"n": ([2.5], "n"), "d": ([1, 2], "d"), "beta": ([], "beta"), "digits": ([61], "digits")}),
    "large_beta_bound": (F.large_beta_bound, dict(n=10, d=3, beta="1e20"),
                         {"n": ([2.5], "n"), "d": ([1, 2], "d"), "beta": ([], "beta")}),
    "check_range": (F.check_range, dict(n=10, digits=15), {"n": (["1e101"], "n"), "digits": ([61], "digits")}),
    "SphereScores": (CB.SphereScores, dict(d=3), {"d": ([1, 2.5, 10 ** 10], "d")}),
    "GaussianScores": (CB.GaussianScores, dict(sigma=1.0), {"sigma": ([], "sigma")}),
    "expected_top_weight": (CB.expected_top_weight, dict(n=10, beta=2.0, law=CB.SphereScores(3)),
                            {"n": ([1, 2.5], "n"), "beta": ([], "beta")}),
    "critical_beta": (CB.critical_beta, dict(n=10, d=3),
                      {"n": ([1, 2, 2.5, "1e101"], "n"), "d": ([1, 2.5, 10 ** 10], "d"),
                       "rtol": ([1, "1e-13"], "rtol")}),
    "laws": (CB.laws, dict(n=10, d=2), {"n": ([1, 2.5, 10 ** 200], "n"), "d": ([1, 10 ** 10], "d")}),
    "critical_beta_row": (CB.critical_beta_row, dict(n=10, d=3), {"n": ([2, "1e101"], "n"), "d": ([1], "d")}),
}
CASES = [(name, param, bad) for name, (_, _, params) in API.items() for param, (extra, _) in params.items()
         for bad in BAD_NUMBERS + extra
         if not (bad is None and (name, param) in (("critical_beta", "d"), ("exact_finite", "n_nodes")))]
# (critical_beta with d = None and no law is refused too, by another message; n_nodes = None is the default)


def _case_id(c):
    name, param, bad = c
    return f"{name}:{param}={bad!r}"[:60]


@pytest.mark.parametrize("name,param,bad", CASES, ids=[_case_id(c) for c in CASES])
def test_api_refuses_bad_numbers(name, param, bad, time_limit):
    fn, base, params = API[name]
    msg = _refusal(time_limit, fn, {**base, param: bad})
    assert params[param][1] in msg, msg


def test_api_baselines_are_accepted(time_limit):
    for name, (fn, base, _) in API.items():
        if name not in ("critical_beta", "critical_beta_row"):  # solved below at their own corners
            with time_limit(30):
                fn(**base)


@pytest.mark.parametrize("kwargs,words", [
    (dict(which=("E_W3",)), "which"), (dict(which="E_W1"), "which"), (dict(which=()), "which"),
    (dict(route="fast"), "route"),
])
def test_exact_finite_refuses_bad_options(kwargs, words, time_limit):
    assert words in _refusal(time_limit, F.exact_finite, dict(n=10, d=3, beta=2, digits=15, **kwargs))


@pytest.mark.parametrize("kwargs,words", [
    (dict(law=object()), "law"), (dict(law=CB.SphereScores(5)), "either d or a score law"),
    (dict(evaluator=5), "evaluator"), (dict(criterion="entropy"), "criterion"),
])
def test_critical_beta_refuses_bad_options(kwargs, words, time_limit):
    assert words in _refusal(time_limit, CB.critical_beta, dict(n=10, d=3, **kwargs))


def test_table_checks_every_pair_first():
    t0 = time.perf_counter()
    with pytest.raises(InputError, match="n = 2"):
        CB.table((3, 8), (100, 2), progress_bar=False)
    with pytest.raises(InputError, match="sequences"):
        CB.table(3, (100,), progress_bar=False)
    assert time.perf_counter() - t0 < 5


@settings(max_examples=25, deadline=None, derandomize=True)
@given(beta=st.one_of(st.floats(max_value=0.0), st.just(float("nan")), st.just(float("inf")),
                      st.just("1e400"), st.just("-1e400")))
def test_beta_property(beta):
    """Every non-positive, NaN or infinite beta is refused by both modules at once."""
    with pytest.raises(InputError, match="beta"):
        F.exact_finite(10, 3, beta, 15)
    with pytest.raises(InputError, match="beta"):
        CB.expected_top_weight(10, beta, CB.SphereScores(3))


# ---------------------------------------------------------------- the supported range, up front

@pytest.mark.parametrize("kwargs,words", [
    (dict(n=10 ** 12, d=3, beta="1e20"), "not yet exact to 15 digits"),   # the expansion's bound grows like n²
    (dict(n=10, d=2, beta="1e20"), "needs d >= 3"),
    (dict(n=10, d=3, beta="1e16", route="integral"), "beyond the integral route"),
    (dict(n=10 ** 101, d=3, beta=2), "n <= 1e100"),
    (dict(n=10, d=3, beta=2, digits=61), "at most 60 digits"),
])
def test_out_of_range_refused_at_once(kwargs, words, time_limit):
    kwargs.setdefault("digits", 15)
    assert words in _refusal(time_limit, F.exact_finite, kwargs, seconds=3)


def test_cli_refusals_one_line_exit_2(capsys):
    for argv, words in [
        (["law", "finite", "--n", "10", "--d", "3", "--beta", "1e400"], "beyond the largest double"),
        (["law", "finite", "--n", "1e12", "--d", "3", "--beta", "1e20"], "large-beta expansion"),
        (["law", "finite", "--n", "10", "--d", "3", "--beta", "2", "--digits", "61"], "at most 60 digits"),
        (["law", "finite", "--n", "1e12", "--d", "3", "--lam", "1e300"], "beyond the largest double"),
        (["critical-beta", "--d", "2", "--n", "2"], "the half-mass beta is 0"),
        (["critical-beta", "--d", "1e9", "--n", "2"], "the half-mass beta is 0"),
        (["critical-beta", "--d", "2", "--n", "1e200"], "n <= 1e100"),
        (["critical-beta", "--d", "3", "--n", "1e101"], "n <= 1e100"),
    ]:
        t0 = time.perf_counter()
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and words in err, (argv, err)
        assert time.perf_counter() - t0 < 5, argv


# ---------------------------------------------------------------- routes against independent references

def test_huge_beta_answers_by_the_expansion(capsys, assert_digits):
    # n = 10, d = 3: H(0) = n/2, E w_(1) = 1 − 5 log 2/β to O(β^{−2}) (docs/mathematics.md §8.6)
    for beta in ("1e20", "1e300"):
        t0 = time.perf_counter()
        assert main(["law", "finite", "--n", "10", "--d", "3", "--beta", beta, "--digits", "30", "--json"]) == 0
        out = json.loads(capsys.readouterr().out)
        assert time.perf_counter() - t0 < 5
        with mpmath.workdps(60):
            b = mpmath.mpf(beta)
            assert_digits(mpmath.mpf(out["E_W1"]), 1 - 5 * mpmath.log(2) / b, 30)
            assert_digits(mpmath.mpf(out["E_sum_W2"]), 1 - 5 / b, 30)
        assert "large-beta expansion" in out["route"]


def test_expansion_matches_two_key_closed_form(assert_digits):
    # n = 2, d = 3: the closed form above; at β = 1e20 its β^{−2} term (4e−41) is below 30 digits
    r = F.exact_finite(2, 3, "1e20", 30)
    with mpmath.workdps(60):
        b = mpmath.mpf("1e20")
        assert_digits(r.E_W1, 1 - mpmath.log(2) / b + mpmath.pi ** 2 / (24 * b * b), 30)
        assert_digits(r.E_sum_W2, 1 - 1 / b + mpmath.log(2) / b ** 2, 30)
    assert r.outer_error < mpmath.mpf(10) ** -31


@pytest.mark.slow
@pytest.mark.parametrize("beta", ["1e6", "1e9", "1e14"])
def test_integral_route_at_large_beta_two_keys(beta, assert_digits):
    # the outer integral used to stop early here (n = 2, β = 1e6: 12 correct digits of 15, no warning)
    r = F.exact_finite(2, 3, beta, 15, route="integral")
    with mpmath.workdps(50):
        b = mpmath.mpf(beta)
        assert_digits(r.E_W1, 1 - mpmath.log(2) / b + mpmath.pi ** 2 / (24 * b * b), 15)
        assert_digits(r.E_sum_W2, 1 - 1 / b + mpmath.log(2) / b ** 2, 15)


@pytest.mark.slow
@pytest.mark.parametrize("d", [3, 5])
def test_expansion_within_its_bound_of_the_integral(d):
    # two routes at β = 1e6, n = 10: the integral to 20 digits, the expansion with its derived bound
    ex = F.large_beta_expansion(10, d, "1e6", 20)
    ig = F.exact_finite(10, d, "1e6", 20, route="integral")
    assert abs(ex.E_W1 - ig.E_W1) <= ex.outer_error
    assert abs(ex.E_sum_W2 - ig.E_sum_W2) <= ex.outer_error
    # and the bound is not vacuous: the first-order term is much larger than it
    assert ex.outer_error < (1 - ex.E_sum_W2) * mpmath.mpf("1e-3")


def test_two_keys_d2(assert_digits):
    # d = 2 (density of D singular at both ends, own first and last panels in s = √v): X = cos θ, θ uniform,
    # E w_(1) = E 1/(1 + e^{−β|X_1 − X_2|}) and E Σ w² by scipy's dblquad over θ_1 < θ_2 (X_1 > X_2), doubled
    from scipy.integrate import dblquad

    b = 5
    r = F.exact_finite(2, 2, b, 12)
    kernels = (lambda z: 1 / (1 + math.exp(-b * z)),
               lambda z: (1 + math.exp(-2 * b * z)) / (1 + math.exp(-b * z)) ** 2)
    for got, k in zip((r.E_W1, r.E_sum_W2), kernels):
        ref, err = dblquad(lambda t2, t1: k(math.cos(t1) - math.cos(t2)), 0, math.pi, lambda t1: t1, math.pi,
                           epsabs=1e-14, epsrel=1e-13)
        assert err < 1e-12
        assert_digits(got, 2 * ref / math.pi ** 2, 11)


@pytest.mark.slow
def test_digits_beyond_30_carry_their_digits():
    # 24 Gauss nodes per panel carried about 34 digits: at 45 digits the default now agrees with 64 nodes
    # to 50 digits (before: 36 and 34)
    from attnlimits.numerics.precision import digits_agreed

    a = F.exact_finite(10, 3, "2.5", 45)
    b = F.exact_finite(10, 3, "2.5", 45, n_nodes=64)
    with mpmath.workdps(100):
        assert digits_agreed(a.E_W1, b.E_W1) >= 50 and digits_agreed(a.E_sum_W2, b.E_sum_W2) >= 50


def test_many_keys_small_beta_top_weight():
    # n = 1e12, β = 1, d = 3: w_(1) = Y_max/T with T = n E Y (1 + O(n^{−1/2})), E Y_max = e^β (1 − O(β/n)):
    # E w_(1) = β e^β/(n sinh β) (1 + O(1/n)). The sweep's fixed first panels gave 1.9e−19654 here.
    r = F.exact_finite(10 ** 12, 3, 1, 15)
    ref = math.e / (10 ** 12 * math.sinh(1.0))
    assert abs(float(r.E_W1) / ref - 1) < 1e-10
    assert r.E_W1 >= mpmath.mpf(10) ** -12  # E w_(1) >= 1/n always


def test_small_beta_expansion_d3():
    # E w_(1) = 1/n + β (n − 1)/(n (n + 1)) + O(β²), E Σ w² = 1/n + O(β²) (module docstring)
    n, beta = 100, mpmath.mpf("1e-6")
    r = F.exact_finite(n, 3, "1e-6", 15)
    assert abs(r.E_W1 - (mpmath.mpf(1) / n + beta * (n - 1) / (n * (n + 1)))) < 1e-13
    assert abs(r.E_sum_W2 - mpmath.mpf(1) / n) < 1e-14


@pytest.mark.slow
def test_many_keys_top_weight_against_d3_route(assert_digits):
    # the same regime by the Ein route of docs/mathematics.md §8.3 (mpmath.quad; about 2 minutes)
    a = F.exact_finite(1000, 3, 1, 12).E_W1
    b = F.exact_finite_d3(1000, 1, 12, which=("E_W1",)).E_W1
    assert_digits(a, b, 12)


def _sum_w2_moment_expansion(n, d, beta):
    """(E Σ w² to O(n^{−2}), a relative tolerance for the rest).

    E Σ w² = (R/n)(1 + c/n + O(n^{−2})), R = m_2/m_1², c = 3(R − 1) − 2(m_3/(m_2 m_1) − 1), m_k = E e^{kβX} =
    0F1(; d/2; k²β²/4): Σ Y²/T² expanded in ε = T/(n m_1) − 1 and δ = Σ Y²/(n m_2) − 1 to second order. The
    next terms carry the fourth moment: 100 (m_4/m_2²)/n² bounds them with room (d = 4096, n = 1e6, β = 100:
    the residual is 5.2e−7, the tolerance 1.6e−6)."""
    m = [mpmath.hyp0f1(mpmath.mpf(d) / 2, (k * beta) ** 2 / 4) for k in (1, 2, 3, 4)]
    R = m[1] / m[0] ** 2
    c = 3 * (R - 1) - 2 * (m[2] / (m[1] * m[0]) - 1)
    return R / n * (1 + c / n), 100 * m[3] / m[1] ** 2 / mpmath.mpf(n) ** 2


def test_large_d_answers_and_matches_moment_expansion():
    # d = 4096, n = 1e6, β = 100 did not answer in 300 s (2000 panels per outer node followed the Beta tail to 2β)
    with mpmath.workdps(30):
        t0 = time.perf_counter()
        r = F.exact_finite(10 ** 6, 4096, 100, 15)
        assert time.perf_counter() - t0 < 120
        ref, tol = _sum_w2_moment_expansion(10 ** 6, 4096, mpmath.mpf(100))
        assert abs(r.E_sum_W2 / ref - 1) < tol
        assert 1e-6 <= r.E_W1 <= 1


@pytest.mark.slow
def test_large_d_monte_carlo():
    # n = 1e6 keys, X = 2B − 1 with B ~ Beta(a, a) (docs/mathematics.md §2.1), 40 replicates, seed 15
    n, d, beta, reps = 10 ** 6, 4096, 100.0, 40
    r = F.exact_finite(n, d, beta, 12)
    rng = np.random.Generator(np.random.PCG64(15))
    a = (d - 1) / 2
    w1, s2 = [], []
    for _ in range(reps):
        x = 2 * rng.beta(a, a, size=n) - 1
        y = np.exp(beta * (x - x.max()))
        w = y / y.sum()
        w1.append(w.max())
        s2.append((w * w).sum())
    for sample, exact in ((np.array(w1), float(r.E_W1)), (np.array(s2), float(r.E_sum_W2))):
        z = (sample.mean() - exact) / (sample.std(ddof=1) / math.sqrt(reps))
        assert abs(z) < 5, z


@pytest.mark.slow
@pytest.mark.parametrize("d", [10 ** 4, 10 ** 9])
def test_larger_d_answers(d):
    with mpmath.workdps(30):
        r = F.exact_finite(10 ** 6, d, 100, 15)
        ref, tol = _sum_w2_moment_expansion(10 ** 6, d, mpmath.mpf(100))
        assert abs(r.E_sum_W2 / ref - 1) < tol


# ---------------------------------------------------------------- precision of the numbers read

def _cli_json(capsys, argv):
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_beta_read_at_working_precision(capsys):
    b = "2.71828182845904523536028747135"  # 30 significant digits
    digits = [c for c in b if c.isdigit()]
    i = [k for k, c in enumerate(b) if c.isdigit()][24]  # the 25th significant digit
    b2 = b[:i] + str((int(b[i]) + 1) % 10) + b[i + 1:]
    assert len(digits) == 30 and b2 != b
    base = ["law", "finite", "--n", "10", "--d", "3", "--digits", "30", "--json"]
    o1 = _cli_json(capsys, base + ["--beta", b])
    o2 = _cli_json(capsys, base + ["--beta", b2])
    assert o1["beta"] == b and o2["beta"] == b2
    assert o1["E_W1"] != o2["E_W1"] and o1["E_sum_W2"] != o2["E_sum_W2"]


def test_exact_ratio_beta(capsys, assert_digits):
    out = _cli_json(capsys, ["law", "finite", "--n", "10", "--d", "3", "--beta", "10/7", "--digits", "30",
                             "--json"])
    assert out["beta"] == "1.42857142857142857142857142857"
    r = F.exact_finite(10, 3, Fraction(10, 7), 30)
    with mpmath.workdps(50):  # the printed 30 digits, parsed without rounding to a double
        assert_digits(mpmath.mpf(out["E_W1"]), r.E_W1, 29)
    with mpmath.workdps(60):
        assert abs(F.beta_from_lambda(7, 3, "10/7", 30) - 5) < 1e-40  # (10/7)(kappa_3 · 7) = 5 exactly


def test_lambda_read_at_working_precision(capsys):
    lam = "1.00000000000000000000000000001"
    out = _cli_json(capsys, ["law", "finite", "--n", "2", "--d", "3", "--lam", lam, "--digits", "30", "--json"])
    assert out["beta"] == "1.00000000000000000000000000001"  # β = λ n/2 at d = 3


def test_critical_beta_reads_exact_ratios(capsys):
    a = _cli_json(capsys, ["critical-beta", "--d", "6/2", "--n", "300/3", "--json"])
    b = _cli_json(capsys, ["critical-beta", "--d", "3", "--n", "100", "--json"])
    assert a == b


# ---------------------------------------------------------------- critical-beta corners

def test_critical_beta_huge_n_d3(capsys):
    # d = 3, n = 1e18 raised ZeroDivisionError (1 − x² = n^{−1} rounded to 0 in double); the ratio to n/2 is the
    # Poisson-limit constant λ_½ = 0.7979244611 (docs/mathematics.md §4.4)
    out = _cli_json(capsys, ["critical-beta", "--d", "3", "--n", "1e18", "--json"])
    assert abs(float(out["ratio_paper1_power"]) - 0.7979244611) < 2e-6
    assert float(out["energy_entropy"]) == pytest.approx(2e18, rel=1e-12)  # (d − 1) n^{2/(d−1)} x, x → 1


def test_critical_beta_huge_d_gaussian_law():
    # d = 1e9: β_crit/√d → the Gaussian-score half-mass point b_½(100) (the same solver on GaussianScores)
    t0 = time.perf_counter()
    b = CB.critical_beta(100, 10 ** 9)
    assert time.perf_counter() - t0 < 60
    g = CB.critical_beta(100, law=CB.GaussianScores(1.0))
    assert abs(b / math.sqrt(10 ** 9) / g - 1) < 1e-3


@pytest.mark.slow
@pytest.mark.parametrize("n,d", [(3, 2), (3, 3), (100, 2)])
def test_critical_beta_against_exact_route(n, d):
    # the exact finite-n route (numerics.laws.finite_n) at the solver's beta gives E w_(1) = 1/2 (6 digits)
    b = CB.critical_beta(n, d)
    assert abs(float(F.exact_E_W1(n, d, repr(b), 12)) - 0.5) < 1e-5
