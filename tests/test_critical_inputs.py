"""Issue 15: the critical and supercritical laws at every valid corner, and bad input refused at once.

* Every public function of numerics/laws/poisson_limit, max_weight, weight_functionals and supercritical raises
  InputError (a ValueError, one line) for zero, negative, NaN, infinite, beyond-double ('1e400'), non-numeric
  and wrongly typed values of each numeric parameter, within a second (parametrized; a 10 s alarm guards).
* The series inner integrals (large E T) against routes that share none of their machinery: the α = 1 Ein
  closed forms and conditioning on the first point (docs/critical.md §4).
* Every number of `law critical` / `law supercritical` is read at the working precision: a 30-digit w and the
  same w changed in its 25th digit give CDFs that differ there, each matching the Dickman closed form; exact
  ratios such as 1/3 are exact.
* The supercritical laws at extreme λ, h, d against closed forms (docs/critical.md §5).
"""
from __future__ import annotations

import json
import math
import time

import mpmath
import pytest

from attnlimits.cli.main import main
from attnlimits.numerics.laws import max_weight as MW
from attnlimits.numerics.laws import poisson_limit as C
from attnlimits.numerics.laws import supercritical as S
from attnlimits.numerics.laws import weight_functionals as WF
from attnlimits.numerics.precision import digits_agreed
from attnlimits.theory.validation import InputError


# ---------------------------------------------------------------- bad input of every public function

NOT_NUMBERS = [float("nan"), float("inf"), float("-inf"), "1e400", "-1e400", "abc", "", None, [1.0], object(), True]
NON_POSITIVE = [0, -1, "-1e-3", "0/7"]

# function -> (valid keyword arguments, {parameter: its domain-specific bad values})
CASES = {
    "poisson_limit.LimitParameters": (C.LimitParameters, dict(alpha=1, lam=1, kappa="0.5"),
                                      {"alpha": NON_POSITIVE, "lam": NON_POSITIVE, "kappa": NON_POSITIVE}),
    "poisson_limit.parameters": (C.parameters, dict(alpha=1, lam=1, digits=10),
                                 {"alpha": NON_POSITIVE, "lam": NON_POSITIVE, "digits": [0, -1, 2.5, 10 ** 9]}),
    "poisson_limit.parameters(c)": (C.parameters, dict(alpha=2, c=1, kappa="0.75", digits=10),
                                    {"c": NON_POSITIVE, "kappa": NON_POSITIVE}),
    "poisson_limit.mean_T": (C.mean_T, dict(alpha=1, lam=1, digits=10), {"alpha": NON_POSITIVE, "lam": NON_POSITIVE}),
    "poisson_limit.campbell_functionals": (C.campbell_functionals, dict(alpha=1, lam=1, digits=10, k_max=1),
                                           {"alpha": NON_POSITIVE, "lam": NON_POSITIVE, "k_max": [-1, 2.5, 10 ** 6],
                                            "n_nodes": [0, -3, 2.5], "steep": NON_POSITIVE,
                                            "digits": [0, -1, 2.5, 10 ** 9]}),
    "poisson_limit.first_point_functionals": (C.first_point_functionals, dict(alpha=1, lam=1, digits=5),
                                              {"alpha": NON_POSITIVE, "lam": NON_POSITIVE, "h": NON_POSITIVE + [2],
                                               "digits": [0, -1]}),
    "poisson_limit.alpha1_functionals": (C.alpha1_functionals, dict(lam=1, digits=10),
                                         {"lam": NON_POSITIVE, "digits": [0, -1]}),
    "poisson_limit.max_weight_tail": (C.max_weight_tail, dict(lam=1, w="0.5", digits=10),
                                      {"lam": NON_POSITIVE, "w": [0, "0.4", 1, 2, -1]}),
    "poisson_limit.limit_functionals": (C.limit_functionals, dict(p=None, digits=10, k_max=1),
                                        {"p": [None, 3, "p"], "k_max": [-1]}),
    "poisson_limit.check_supported": (C.check_supported, dict(alpha=1, lam=1, digits=10),
                                      {"alpha": NON_POSITIVE, "lam": NON_POSITIVE, "route": ["talbot", 3],
                                       "digits": [0, -1, 2.5, 10 ** 9]}),
    "poisson_limit.series_regime": (C.series_regime, dict(alpha=1, lam=1, digits=10),
                                    {"alpha": NON_POSITIVE, "lam": NON_POSITIVE, "digits": [0, -1],
                                     "k_max": [-1, 2.5]}),
    "max_weight.check_supported": (MW.check_supported, dict(alpha=1, lam=1, w="0.5", digits=10),
                                   {"alpha": NON_POSITIVE, "lam": NON_POSITIVE, "w": [0, 1, -0.5, 1.5, "0.01"],
                                    "route": ["talbot"], "digits": [0, -1, 2.5]}),
    "max_weight.max_weight_cdf": (MW.max_weight_cdf, dict(alpha=1, lam=1, w="0.5", digits=10),
                                  {"alpha": NON_POSITIVE, "lam": NON_POSITIVE, "w": [0, 1, -0.5, 1.5, "0.01"],
                                   "route": ["talbot"], "digits": [0, -1]}),
    "max_weight.max_weight_sf": (MW.max_weight_sf, dict(alpha=1, lam=1, w="0.5", digits=10),
                                 {"alpha": NON_POSITIVE, "lam": NON_POSITIVE, "w": [0, 1, 1.5], "route": ["x"]}),
    "max_weight.max_weight_sf_first_point": (MW.max_weight_sf_first_point, dict(alpha=1, lam=1, w="0.5", digits=10),
                                             {"alpha": NON_POSITIVE, "lam": NON_POSITIVE, "w": [0, 1, "0.01"]}),
    "max_weight.max_weight_sf_mecke": (MW.max_weight_sf_mecke, dict(alpha=1, lam=1, w="0.5", digits=10),
                                       {"alpha": NON_POSITIVE, "lam": NON_POSITIVE, "w": [0, 1, "0.4"]}),
    "max_weight.conditional_cdf_R": (MW.conditional_cdf_R, dict(alpha=1, lam=1, u="0.5", x=1, digits=10),
                                     {"alpha": NON_POSITIVE, "lam": NON_POSITIVE, "u": NON_POSITIVE,
                                      "x": NON_POSITIVE + [100]}),
    "max_weight.laplace_closure": (MW.laplace_closure, dict(alpha=2, lam=1, u="0.7", tau=30, digits=5),
                                   {"alpha": NON_POSITIVE, "lam": NON_POSITIVE, "u": NON_POSITIVE,
                                    "tau": NON_POSITIVE + ["0.5"]}),
    "weight_functionals.WeightFunctionals.to_json": (lambda digits: WF.WeightFunctionals(E_W1=mpmath.mpf(1)).to_json(
        digits), dict(digits=10), {"digits": [0, -1, 2.5, 10 ** 9]}),
    "supercritical.collapse_probability_alpha1": (S.collapse_probability_alpha1, dict(lam=2, eps="0.1", digits=10),
                                                  {"lam": NON_POSITIVE, "eps": [0, -0.1, "0.75", 1]}),
    "supercritical.gap_survival": (S.gap_survival, dict(alpha=1, h=1, digits=10),
                                   {"alpha": NON_POSITIVE, "h": [-1, "-1e-300"]}),
    "supercritical.gap_mean": (S.gap_mean, dict(alpha=1, digits=10), {"alpha": NON_POSITIVE}),
    "supercritical.nearest_survival_exact": (S.nearest_survival_exact, dict(n=10, d=3, s=1, digits=10),
                                             {"n": [0, -1, 2.5], "d": [0, 1, 2.5, 10 ** 30], "s": [-1]}),
    "supercritical.nearest_survival_limit": (S.nearest_survival_limit, dict(alpha=1, s=1, digits=10),
                                             {"alpha": NON_POSITIVE, "s": [-1]}),
    "supercritical.output_excess": (S.output_excess, dict(lam=2, digits=10), {"lam": NON_POSITIVE}),
    "supercritical.supercritical_laws": (S.supercritical_laws, dict(alpha=1, lam=2, digits=10),
                                         {"alpha": NON_POSITIVE, "lam": NON_POSITIVE, "eps": [0, "0.7"],
                                          "h": [-1], "s": [-1], "digits": [0, -1]}),
}
# Where a parameter is optional, None means "not given" and is no bad value.
OPTIONAL = {("poisson_limit.LimitParameters", "kappa"), ("poisson_limit.campbell_functionals", "steep"),
            ("poisson_limit.first_point_functionals", "h"), ("supercritical.supercritical_laws", "lam"),
            ("poisson_limit.parameters(c)", "kappa")}


def _bad_calls():
    out = []
    for key, (fn, base, domain) in CASES.items():
        params = [p for p in domain] + [p for p in base if p not in domain and p != "digits" and p != "p"]
        for p in dict.fromkeys(params):
            values = list(domain.get(p, [])) + ([] if p in ("route", "p") else NOT_NUMBERS)
            for v in values:
                if v is None and (key, p) in OPTIONAL:
                    continue
                out.append(pytest.param(key, p, v, id=f"{key}:{p}={v!r}"[:90]))
    return out


@pytest.mark.parametrize("key,param,value", _bad_calls())
def test_bad_input_is_refused_at_once(key, param, value, time_limit):
    fn, base, _ = CASES[key]
    kwargs = dict(base)
    kwargs[param] = value
    if key == "poisson_limit.limit_functionals" and param != "p":
        kwargs["p"] = C.parameters(alpha=1, lam=1, digits=10)
    t0 = time.perf_counter()
    with time_limit(10), pytest.raises(InputError) as info:
        fn(**kwargs)
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    assert message and "\n" not in message and "Traceback" not in message
    assert time.perf_counter() - t0 < 5


def test_every_public_function_is_swept():
    # reference: the modules' own __all__; a new public function must get its row in CASES
    swept = {k.split("(")[0] for k in CASES}
    for mod, name in ((C, "poisson_limit"), (MW, "max_weight"), (S, "supercritical")):
        for f in mod.__all__:
            obj = getattr(mod, f)
            if callable(obj) and not isinstance(obj, type) or f == "LimitParameters":
                assert f"{name}.{f}" in swept, f"{name}.{f} has no bad-input row"


def test_alpha1_functionals_reported_cases(time_limit):
    # the tester's list: lambda = 0 raised ZeroDivisionError, -1 returned E_W1 = 2.33, NaN returned NaN, inf hung
    for lam, words in ((0, "lambda must be > 0"), (-1, "lambda must be > 0"), (float("nan"), "must be finite"),
                       (float("inf"), "must be finite"), ("1e400", "beyond the largest double")):
        with time_limit(10), pytest.raises(InputError, match=words):
            C.alpha1_functionals(lam, 10)


# ---------------------------------------------------------------- the series inner integrals (docs/critical.md §4)


def test_series_route_against_alpha1_closed_forms():
    # reference: the alpha = 1 one-dimensional Ein forms (alpha1_functionals: mpmath.quad, no Campbell sweep).
    # E T = 200 (just inside the series regime) and 10^6 (where the panel route got E W_(1) wrong in every digit)
    for lam, digits in (("0.005", 20), ("1e-6", 15)):
        r = C.campbell_functionals(1, lam, digits, k_max=1)
        assert r.inner == "series"
        ref = C.alpha1_functionals(lam, digits)
        for key in ("E_W1", "E_sum_W2", "E_entropy", "E_log_T", "E_sum_Wv"):
            assert digits_agreed(getattr(r, key), getattr(ref, key), tie=digits) >= digits, (lam, key)


def test_series_route_against_first_point_alpha_half():
    # reference: conditioning on the first point (an independent route) at d = 2, E T = 280
    r = C.campbell_functionals("0.5", "1e-5", 15, k_max=1)
    ref = C.first_point_functionals("0.5", "1e-5", 15)
    assert r.inner == "series"
    for key in ("E_W1", "E_sum_W2", "E_entropy"):
        assert digits_agreed(getattr(r, key), getattr(ref, key), tie=15) >= 15, key


def test_large_d_deterministic_limit(time_limit):
    # d = 4096, lambda = 1: E T = Gamma(alpha+1) e^{13568}; the weights are y_j/T with T ~ E T, so
    # E T E W_(1) ~ E e^{-v_1} and E N = E sum W v/lambda ~ int rho v e^{-v}/(lambda E T) = alpha/lambda
    alpha = mpmath.mpf(4095) / 2
    with time_limit(60):
        r = C.campbell_functionals(alpha, 1, 15, k_max=2)
    assert r.inner == "series" and r.E_W[0] > r.E_W[1] > 0
    with mpmath.workdps(30):
        assert abs(r.E_normal / alpha - 1) < mpmath.mpf("1e-10")
        # E e^{-v_1}, v_1 = Gamma_1^{1/alpha}: int e^{-g - g^{1/alpha}} dg (mpmath.quad)
        ref = mpmath.quad(lambda g: mpmath.exp(-g - g ** (1 / alpha)), [0, 1, 10, 100])
        assert abs(r.E_W1 * r.E_T / ref - 1) < mpmath.mpf("1e-3")  # T - E T is relatively ~ 2^{-alpha/2}


def test_refusals_name_the_range_within_a_second():
    cases = [(dict(alpha="1e-8", lam=1), "alpha >= 1/2"), (dict(alpha="0.7", lam=1), "2 alpha is an integer"),
             (dict(alpha=1, lam="1e20"), "lambda <= max(1000, 4 alpha)"),
             (dict(alpha="2047.5", lam=1500), "lambda >= 0.9 alpha")]
    for kwargs, words in cases:
        t0 = time.perf_counter()
        with pytest.raises(InputError, match=words.replace("(", r"\(").replace(")", r"\)")):
            C.campbell_functionals(digits=20, **kwargs)
        assert time.perf_counter() - t0 < 2


# ---------------------------------------------------------------- numbers read at the working precision


def _dickman_cdf(lam, w, dps):
    """P(W_(1) <= w) = 1 - e^{-gamma/lam} ((1-w)/w)^{1/lam}/Gamma(1+1/lam) for alpha = 1, w >= 1/2 (docs/critical.md
    §2), evaluated here by mpmath at dps digits from the exact decimal w."""
    with mpmath.workdps(dps):
        w, th = mpmath.mpf(w), 1 / mpmath.mpf(lam)
        return 1 - mpmath.exp(-mpmath.euler * th) * ((1 - w) / w) ** th / mpmath.gamma(1 + th)


W30 = "0.612345678901234567890123456789"
W30_25 = "0.612345678901234567890123556789"  # the 25th significant digit changed (4 -> 5)


def test_cdf_w_read_at_working_precision_api():
    a = MW.max_weight_cdf(1, 2, W30, 30)
    b = MW.max_weight_cdf(1, 2, W30_25, 30)
    assert a != b
    assert digits_agreed(a, _dickman_cdf(2, W30, 60), tie=30) >= 29
    assert digits_agreed(b, _dickman_cdf(2, W30_25, 60), tie=30) >= 29
    # the change of 1e-25 in w moves the CDF by its density times 1e-25: visible from the 25th-26th digit on
    assert 23 <= digits_agreed(a, b) <= 27


@pytest.mark.slow
def test_cdf_w_read_at_working_precision_cli(capsys):
    got = {}
    for w in (W30, W30_25):
        status = main(["law", "critical", "--d", "3", "--lam", "2", "--digits", "30", "--route", "first_point",
                       "--cdf-w", w, "--json"])
        out, err = capsys.readouterr()
        assert status == 0 and err == ""
        got[w] = mpmath.mpf(json.loads(out)["P_W1_le"][0]["value"])
    with mpmath.workdps(40):
        assert got[W30] != got[W30_25]
        for w in (W30, W30_25):
            assert digits_agreed(got[w], _dickman_cdf(2, w, 60), tie=30) >= 29


def test_exact_ratios_are_exact():
    # w = 2/3 and lambda = 1/3 as exact ratios: the Dickman form at the exact values (theta = 3, x = 1/2)
    got = MW.max_weight_cdf(1, "1/3", "2/3", 25)
    with mpmath.workdps(50):
        ref = 1 - mpmath.exp(-3 * mpmath.euler) * mpmath.mpf(2) ** -3 / 6
    assert digits_agreed(got, ref, tie=25) >= 25
    p = C.parameters(alpha="10/7", lam="1/3", digits=30)
    with mpmath.workdps(50):
        assert digits_agreed(p.alpha, mpmath.mpf(10) / 7) >= 30 and digits_agreed(p.lam, mpmath.mpf(1) / 3) >= 30


def test_markov_shortcut_large_d():
    # d = 256, lambda = 1: E W_(1) ~ 1e-214, so P(W_(1) > 1/3) <= 3 E W_(1) (Markov): the CDF is 1 to any digits
    t0 = time.perf_counter()
    assert MW.max_weight_cdf("127.5", 1, "1/3", 20) == 1
    assert time.perf_counter() - t0 < 30
    assert MW.check_supported("127.5", 1, "1/3") == "markov"


# ---------------------------------------------------------------- the supercritical laws at every lambda (§5)


def test_output_excess_against_closed_forms():
    # lambda -> infinity: lambda^2 (E N - 1) -> pi^2/12 with O(1/lambda) corrections; at lambda = 1e300 the
    # correction is below 1e-290. lambda = 1: E sum W v/lambda - 1 from the Ein forms (at 60 digits no cancellation
    # matters); lambda -> 0: E N - 1 ~ 1/lambda
    with mpmath.workdps(40):
        assert digits_agreed(S.output_excess("1e300", 25) * mpmath.mpf(10) ** 600, mpmath.pi ** 2 / 12) >= 25
        r = C.alpha1_functionals(1, 40)
        assert digits_agreed(S.output_excess(1, 30), r.E_sum_Wv - 1, tie=30) >= 29
        assert abs(S.output_excess("1e-300", 20) * mpmath.mpf("1e-300") - 1) < mpmath.mpf("1e-19")


def test_collapse_and_gap_at_extremes():
    with mpmath.workdps(60):
        # Dickman at lambda = 1e20, eps = 1/3: e^{-gamma/lambda} 2^{-1/lambda}/Gamma(1 + 1/lambda) = 1 - log 2/lambda + ...
        p = S.collapse_probability_alpha1("1e20", "1/3", 30)
        assert digits_agreed(1 - p, mpmath.log(2) * mpmath.mpf("1e-20"), tie=30) >= 19
        # alpha = 2: P(S_2 - S_1 > h) = e^{-h^2} - h sqrt(pi) erfc(h) (by parts), at h = 30 about 1e-394
        h = mpmath.mpf(30)
        ref = mpmath.exp(-h * h) - h * mpmath.sqrt(mpmath.pi) * mpmath.erfc(h)
    with mpmath.workdps(500):
        ref = mpmath.exp(-h * h) - h * mpmath.sqrt(mpmath.pi) * mpmath.erfc(h)
    assert digits_agreed(S.gap_survival(2, 30, 30), ref, tie=30) >= 29
    # alpha = 1: the gap is Exp(1) at any h, e^{-1e10}
    with mpmath.workdps(60):
        assert digits_agreed(S.gap_survival(1, "1e10", 30), mpmath.exp(-mpmath.mpf(10) ** 10), tie=30) >= 29
    # alpha -> 0: P(S_2 - S_1 > 1) -> P(Gamma_2 > 1) = 2/e
    assert abs(S.gap_survival("1e-8", 1, 15) - 2 / mpmath.e) < mpmath.mpf("1e-6")


def test_supercritical_cli_extreme_lambda(capsys):
    for lam, key, check in (("1e300", "E_output_excess",
                             lambda v: abs(v * mpmath.mpf(10) ** 600 / (mpmath.pi ** 2 / 12) - 1) < 1e-15),
                            ("1e-300", "E_output_excess", lambda v: abs(v * mpmath.mpf("1e-300") - 1) < 1e-15)):
        t0 = time.perf_counter()
        status = main(["law", "supercritical", "--d", "3", "--lam", lam, "--json"])
        out, err = capsys.readouterr()
        assert status == 0 and err == "" and time.perf_counter() - t0 < 10
        with mpmath.workdps(30):
            assert check(mpmath.mpf(json.loads(out)[key]))


def test_huge_powers_are_refused():
    with pytest.raises(InputError, match="10\\^\\(-10\\^1000\\)"):
        S.nearest_survival_limit("5e8", 3, 10)
    with pytest.raises(InputError, match="h\\^alpha"):
        S.gap_survival("5e8", 3, 10)
    # just inside: s^alpha = 10^1000 at alpha = 1000, s = 10: e^{-10^1000}, every digit of the mantissa kept
    with mpmath.workdps(1030):
        ref = mpmath.exp(-mpmath.mpf(10) ** 1000)
    assert digits_agreed(S.nearest_survival_limit(1000, 10, 20), ref, tie=20) >= 20
    assert math.isfinite(float(mpmath.log10(mpmath.log10(ref) * -1)))
