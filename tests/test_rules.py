"""Temperature rules of real models (theory/scaling_rules.py, rule_expression / rule_beta of numerics/laws/regime.py).

References: each model's formula written here in plain Python floats (math.log, integer division), independent of
the sympy expressions; eventual regimes checked against the numbers m(n) / n^{1/alpha} at growing n.
"""
from __future__ import annotations

import math
import time

import mpmath
import pytest
import sympy as sp

from attnlimits.numerics.laws.regime import rule_beta, rule_expression, rule_params_from_text
from attnlimits.theory.scaling_rules import (L, RULE_PARAMETERS, RULES, eventual_limit, eventual_ratio,
                                             eventual_regime, multiplier, n, parse_rule)
from attnlimits.theory.validation import InputError


def _plain(rule, nn, L_train=4096, mscale=1.0, mscale_all=0.5, ssmax_s=0.43):
    """The models' formulas in floats; the query at the last position, pos = n - 1."""
    pos = nn - 1
    if rule == "none":
        return 1.0
    if rule == "yarn":
        s = nn / L_train
        return (0.1 * math.log(s) + 1) ** 2 if s > 1 else 1.0
    if rule == "yarn-mscale":
        s = nn / L_train
        return ((0.1 * mscale * math.log(s) + 1) / (0.1 * mscale_all * math.log(s) + 1)) ** 2 if s > 1 else 1.0
    if rule == "qwen-logn":  # Qwen-1: logn_list[i] = log_{2048}(i) for i > 2048, i = pos + 1
        i = pos + 1
        return math.log(i) / math.log(2048) if i > 2048 else 1.0
    if rule == "llama4":  # attn_scales = log(floor((cache_position + 1) / 8192) + 1) * 0.1 + 1
        return math.log((pos + 1) // 8192 + 1) * 0.1 + 1
    if rule == "mistral":  # 1 + 0.1 log(1 + floor(pos / 16384))
        return 1 + 0.1 * math.log(1 + pos // 16384)
    if rule == "grok2":
        return math.log2(pos) / math.log2(1024) if pos > 1024 else 1.0
    if rule == "ssmax":
        return ssmax_s * math.log(nn)
    raise KeyError(rule)


_KW = {"yarn": dict(train_length=4096), "yarn-mscale": dict(train_length=4096, params={"mscale": 1, "mscale_all_dim": "0.5"}),
       "ssmax": dict(ssmax_s="0.43")}
_LENGTHS = (1, 10, 1024, 1025, 1026, 2048, 2049, 4096, 4097, 8191, 8192, 8193, 16384, 16385, 16386, 32769, 131072,
            10**6 + 7, 10**9)


def test_every_rule_of_the_issue_is_listed():
    assert set(RULES) >= {"none", "yarn", "yarn-mscale", "qwen-logn", "llama4", "mistral", "grok2", "ssmax"}


@pytest.mark.parametrize("rule", RULES)
def test_multiplier_equals_the_models_formula(rule):
    for nn in _LENGTHS:
        if rule == "ssmax" and nn == 1:  # s ln 1 = 0: no temperature, refused
            with pytest.raises(InputError, match="must be a finite positive number"):
                rule_beta(1, rule, nn, **_KW[rule])
            continue
        got = rule_beta(1, rule, nn, digits=20, **_KW.get(rule, {})).multiplier
        ref = _plain(rule, nn)
        assert abs(float(got) - ref) <= 1e-14 * max(1.0, ref), (rule, nn, got, ref)


def test_qwen_default_train_length_is_qwen1s_2048():
    assert float(rule_beta(1, "qwen-logn", 2048**2, digits=15).multiplier) == pytest.approx(2.0, rel=1e-14)
    assert rule_beta(1, "qwen-logn", 2048, digits=15).multiplier == 1


def test_yarn_mscale_equal_constants_cancel_and_zero_all_dim_is_plain_mscale():
    # mscale = mscale_all_dim (DeepSeek-V2/V3 configs): the rotary factor is 1
    r = rule_beta(1, "yarn-mscale", 131072, train_length=4096, params={"mscale": "0.707", "mscale_all_dim": "0.707"})
    assert r.multiplier == 1
    # mscale_all_dim = 0: the square of YaRN's 0.1 mscale ln s + 1; mscale = 1 is the plain yarn rule
    r = rule_beta(1, "yarn-mscale", 131072, train_length=4096, params={"mscale": 1, "mscale_all_dim": 0}, digits=20)
    assert abs(float(r.multiplier) - (0.1 * math.log(32) + 1) ** 2) < 1e-14


def test_position_rules_use_the_last_query():
    # Llama 4's first step is at cache_position + 1 = 8192, i.e. n = 8192 keys (pos = 8191)
    m = multiplier("llama4")
    assert m.subs(n, 8191) == 1 and m.subs(n, 8192) == 1 + sp.log(2) / 10
    # Mistral's first step is at pos = 16384, i.e. n = 16385
    m = multiplier("mistral")
    assert m.subs(n, 16384) == 1 and m.subs(n, 16385) == 1 + sp.log(2) / 10


def test_legacy_names_and_symbols_still_work():
    assert sp.simplify(multiplier("yarn").subs({n: sp.exp(10) * L})) == 4
    assert eventual_ratio("qwen-logn", 64, train_length=4096) == 0


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("alpha", ("0.5", 1, "3.5", 8, 16))
def test_every_rule_is_eventually_subcritical(rule, alpha):
    assert eventual_limit(rule, alpha) == 0
    assert eventual_regime(rule, alpha) == "subcritical"
    # independent: the ratio m(n) / n^{1/alpha} decreases along n = 1e30, 1e60, 1e120 (plain floats; YaRN's
    # (0.1 ln s + 1)^2 still outgrows n^{1/16} up to n ~ 1e20)
    r = [_plain(rule, 10**k) / 10 ** (k / float(alpha)) for k in (30, 60, 120)]
    assert r[0] > r[1] > r[2]


@pytest.mark.parametrize("text, alpha, regime", [
    ("sqrt(n)", "1.5", "subcritical"), ("sqrt(n)", 2, "critical"), ("sqrt(n)", 3, "supercritical"),
    ("n**(1/4)*log(n)", 4, "supercritical"), ("Max(1, log(pos)/log(1024))", 1, "subcritical"),
    ("Piecewise((log(pos + 1)/log(2048), pos + 1 > 2048), (1, True))", 8, "subcritical"),
    ("floor(n/1000)**0.5", 2, "critical"), ("2*floor(pos/64) + 1", 1, "critical"),
])
def test_user_expressions(text, alpha, regime):
    assert eventual_regime(text, alpha) == regime


def test_critical_limit_value():
    # sqrt(n) against (kappa n)^{1/2}: beta_0 / sqrt(kappa)
    b, k = sp.Symbol("beta_0", positive=True), sp.Symbol("kappa", positive=True)
    assert sp.simplify(eventual_limit("sqrt(n)", 2) - b / sp.sqrt(k)) == 0


@pytest.mark.parametrize("text, words", [
    ("__import__('os')", "'__import__' is not allowed"),
    ("exp(n)", "'exp' is not allowed"),
    ("n.n", "'.' is not allowed"),
    ("n[0]", "'[' is not allowed"),
    ("lambda: 1", "'lambda' is not allowed"),
    ("x*n", "'x' is not allowed"),
    ("10**10**10", "the constant exponent"),
    ("n**100", "the constant exponent 100 is beyond"),
    ("1e400*n", "beyond the double range"),
    ("3", "does not depend on n or pos"),
    ("n > 3", "is not a number-valued expression"),
    ("log(n", "cannot read"),
    ("", "give a sympy expression"),
    ("n" * 401, "at most 400 characters"),
])
def test_unsafe_or_bad_expressions_are_refused_in_one_line(text, words):
    t0 = time.perf_counter()
    with pytest.raises(InputError) as exc:
        parse_rule(text)
    msg = str(exc.value)
    assert words in msg and "\n" not in msg
    assert time.perf_counter() - t0 < 10


@pytest.mark.parametrize("kwargs, words", [
    (dict(rule="yarn-mscale", train_length=4096, params={"mscale": 1}), "needs mscale_all_dim"),
    (dict(rule="yarn", params={}), "needs --train-length"),
    (dict(rule="ssmax"), "needs --ssmax-s"),
    (dict(rule="llama4", params={"foo": 1}), "takes no parameter foo"),
    (dict(rule="log(n)", params={"mscale": 1}), "takes no parameters"),
    (dict(rule="log(n) - 20"), "a temperature multiplier must be a finite positive number"),
    (dict(rule="llama4", params={"floor_scale": 0}), "floor_scale must be > 0"),
    (dict(rule="yarn-mscale", train_length=4096, params={"mscale": -1, "mscale_all_dim": 1}), "mscale must be >= 0"),
])
def test_rule_beta_refusals(kwargs, words):
    t0 = time.perf_counter()
    with pytest.raises(InputError) as exc:
        rule_beta(1, n=10**6, **kwargs)
    assert words in str(exc.value) and "\n" not in str(exc.value)
    assert time.perf_counter() - t0 < 10


def test_rule_parameters_override_the_defaults():
    r = rule_beta(1, "llama4", 4096, params={"floor_scale": 4096, "attn_scale": "0.2"}, digits=20)
    assert abs(float(r.multiplier) - (math.log(2) * 0.2 + 1)) < 1e-15
    assert set(RULE_PARAMETERS["llama4"]) == {"floor_scale", "attn_scale"}


def test_expression_rules_are_evaluated_at_working_precision():
    r = rule_beta("10/7", "log(n)/log(4096)", 4096**3, digits=30)
    with mpmath.workdps(40):
        assert abs(r.beta - mpmath.mpf(30) / 7) < mpmath.mpf(10) ** -28
    assert r.rule == "log(n)/log(4096)"


def test_rule_expression_is_a_function_of_n_alone():
    for rule in RULES:
        expr, name = rule_expression(rule, **{k: v for k, v in _KW.get(rule, {}).items()})
        assert expr.free_symbols <= {n} and name == rule


def test_rule_params_from_text():
    assert rule_params_from_text(["a=1", "b = 2"]) == {"a": "1", "b": "2"}
    for bad, words in ((["a"], "must be NAME=VALUE"), (["a=1", "a=2"], "given twice"), (["=3"], "NAME=VALUE")):
        with pytest.raises(InputError, match=words):
            rule_params_from_text(bad)


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_ALPHABET = "n pos log floor sqrt Piecewise Max Min True exp os import _ . , ( ) [ ] ' \" + - * / ** < > = 0 1 2 9 e"


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_ALPHABET.split(" ") + [" "]), max_size=14).map("".join))
def test_any_text_is_an_expression_or_one_line_refusal(text):
    """Fuzzing parse_rule with the tokens of allowed and forbidden text: it returns a sympy expression of n or
    raises InputError with one line; never another exception, never evaluates anything else."""
    t0 = time.perf_counter()
    try:
        expr = parse_rule(text)
    except InputError as exc:
        assert "\n" not in str(exc)
    else:
        assert isinstance(expr, sp.Expr) and expr.free_symbols <= {n}
    assert time.perf_counter() - t0 < 10
