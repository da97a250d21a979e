"""The regime calculator and the scaling rules (numerics/laws/regime.py, theory/scaling_rules.py, `attnlimits regime`)."""
from __future__ import annotations

import json

import mpmath
import pytest
import sympy as sp

from attnlimits.cli.main import main
from attnlimits.numerics.laws.regime import REGIMES, classify, median_nearest_distance, regime_report
from attnlimits.theory.scaling_rules import L, RULES, eventual_ratio, multiplier, n


def test_median_nearest_distance_d3_closed_form():
    # d = 3: X is uniform on [-1, 1], so F(t) = t/2 and the median of D_(1) solves (1 - t/2)^n = 1/2:
    # t = 2 (1 - 2^{-1/n}) in closed form.
    for nn in (1, 10, 10**6, 10**12):
        got = median_nearest_distance(nn, 3, 20)
        with mpmath.workdps(40):
            ref = 2 * (1 - mpmath.mpf(2) ** (-mpmath.mpf(1) / nn))
            assert abs(got / ref - 1) < mpmath.mpf(10) ** -18


def test_median_nearest_distance_against_betainc():
    # independent route: mpmath's betainc (hypergeometric series) for F(t) = I_{t/2}(a, a)
    for nn, d in ((1000, 8), (10**9, 16), (50, 128)):
        t = median_nearest_distance(nn, d, 15)
        with mpmath.workdps(50):
            a = mpmath.mpf(d - 1) / 2
            F = mpmath.betainc(a, a, 0, t / 2, regularized=True)
            assert abs((1 - F) ** nn - mpmath.mpf(1) / 2) < 1e-13


def test_classify_rules():
    assert classify(0.9, 0.01, -0.5, 0.1) == "uniform averaging"
    assert classify(0.1, 0.95, -1e-6, 1e-3) == "supercritical"
    assert classify(0.1, 0.5, -1e-6, 1e-3) == "critical window"
    assert classify(0.1, 0.01, -0.5, 0.1) == "subcritical, bias-dominated"
    assert classify(0.1, 0.01, -1e-4, 0.1) == "subcritical, fluctuation-dominated"
    assert set(REGIMES) == {"uniform averaging", "subcritical, bias-dominated", "subcritical, fluctuation-dominated",
                            "critical window", "supercritical"}


def test_lambda_at_d3_is_beta_over_half_n():
    # d = 3: kappa = 1/2 and alpha = 1 (X uniform), so lambda = beta / (n/2).
    r = regime_report(10**6, 3, 2000, 10)
    assert abs(r.lam - mpmath.mpf(2000) / (10**6 / 2)) < 1e-12
    assert r.regime.startswith("subcritical")


def test_regimes_at_the_extremes():
    assert regime_report(1000, 64, "0.01", 6).regime == "uniform averaging"
    sup = regime_report(10**4, 3, 50000, 6)  # lambda = 10: Poisson limit 1 - E W_(1) ~ log(2)/lambda
    assert sup.regime == "supercritical" and sup.E_W1 > 0.9
    crit = regime_report(10**4, 3, 5000, 6)  # lambda = 1
    assert crit.regime == "critical window"


def test_report_json_names(assert_digits):
    # the typed report prints lambda under its name (a Python keyword, the field is lam), in the CLI's order
    from attnlimits.theory.sphere import kappa

    r = regime_report(1000, 64, "0.01", 6)
    out = r.to_json(6)
    assert list(out) == ["regime", "lambda", "n_eff", "kish_n", "E_W1", "E_sum_W2", "mean_resultant", "bias",
                         "fluctuation", "nearest_distance_median", "nearest_euclidean_median", "summary"]
    # reference: lambda = beta / (kappa_d n)^{2/(d-1)} with kappa_64 from sympy (theory.sphere)
    assert_digits(out["lambda"], sp.N(sp.Rational(1, 100) / (kappa(64) * 1000) ** sp.Rational(2, 63), 30), 5)
    assert out["summary"] == r.summary and r.summary.startswith("Attention averages nearly all keys")


def test_rules_closed_forms():
    assert multiplier("none") == 1
    # YaRN at s = e^10: (0.1 * 10 + 1)^2 = 4; no change within the training length
    assert sp.simplify(multiplier("yarn").subs({n: sp.exp(10) * L})) == 4
    assert multiplier("yarn").subs({n: 1000, L: 4096}) == 1
    # Qwen logn at n = L^2: log_L(n) = 2
    assert sp.simplify(sp.expand_log(multiplier("qwen-logn").subs({n: 4096**2, L: 4096}), force=True)) == 2
    assert multiplier("ssmax").subs({n: sp.E**3, sp.Symbol("s", positive=True): 2}) == 6
    assert set(RULES) >= {"none", "yarn", "qwen-logn", "ssmax"}


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("d", (3, 64))
def test_log_rules_are_eventually_subcritical(rule, d):
    # beta_rule grows like a power of log n, beta*_n like n^{2/(d-1)}
    assert eventual_ratio(rule, d) == 0


def test_cli_regime_with_rule(capsys):
    assert main(["regime", "--n", "16777216", "--d", "64", "--beta", "2", "--rule", "qwen-logn",
                 "--train-length", "4096", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["multiplier"].startswith("2.0000") and out["beta"].startswith("4.0000")
    for key in ("regime", "lambda", "n_eff", "E_W1", "E_sum_W2", "bias", "fluctuation", "summary"):
        assert key in out
    assert out["regime"] in REGIMES


@pytest.mark.parametrize("argv, words", [
    (["regime", "--n", "0", "--d", "3", "--beta", "1"], "n must be an integer >= 1"),
    (["regime", "--n", "10", "--d", "1", "--beta", "1"], "d must be an integer >= 2"),
    (["regime", "--n", "10", "--d", "3", "--beta", "nan"], "beta must be finite"),
    (["regime", "--n", "10", "--d", "3", "--beta", "1", "--rule", "ssmax"], "needs --ssmax-s"),
    (["regime", "--n", "10", "--d", "3", "--beta", "1", "--rule", "yarn"], "needs --train-length"),
])
def test_cli_regime_bad_input(argv, words, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1
