"""Attention-temperature rules of long-context models, as sympy expressions of the context length n (docs/rules.md).

Each rule multiplies a model's base inverse temperature beta_0 (the one it was trained with) by a factor m that
depends on the context length n or on the query's position ``pos`` (0-based). A position rule is mapped to a
context length by the query at the last position, **pos = n - 1** (it sees all n keys, the prefix 0..n-1); the
multiplier of a rule that scales the query alone multiplies the logits once, one that scales both q and k
(through the rotary cos/sin tables) multiplies them by its square. The catalogue (:data:`RULES`, sources in
docs/rules.md §2):

- ``none``         1;
- ``yarn``         (0.1 ln s + 1)^2, s = n / L_train (dynamic YaRN), 1 when s <= 1 (Peng et al., YaRN §3.4: q and k
                   are both scaled by sqrt(1/t) = 0.1 ln s + 1, so the logits by its square);
- ``yarn-mscale``  ((0.1 mscale ln s + 1) / (0.1 mscale_all_dim ln s + 1))^2, s = n / L_train: the YaRN variant
                   with two constants (the transformers rope utilities' ``attention_factor``, multiplying the
                   rotary cos and sin, hence q and k: squared); 1 when s <= 1;
- ``qwen-logn``    log_{L_train} i = ln i / ln L_train beyond the training length, 1 within it, i = pos + 1 = n
                   (Qwen-1's logn attention, L_train = 2048 for Qwen-7B; scales the query: not squared);
- ``llama4``       log(floor((pos + 1)/8192) + 1) * 0.1 + 1 (Llama 4's ``attn_temperature_tuning`` on its NoPE
                   layers, ``floor_scale`` 8192 and ``attn_scale`` 0.1; scales the query);
- ``mistral``      1 + 0.1 log(1 + floor(pos/16384)) (Mistral / Ministral's ``llama_4_scaling`` with beta 0.1 and
                   original_max_position_embeddings 16384; scales the query);
- ``grok2``        log2(pos) / log2(1024) beyond pos = 1024, 1 within (Grok-2's attention temperature length
                   1024; scales the query);
- ``ssmax``        s ln n (scalable softmax, SSMax, with its learned scalar s);

and a user's own sympy expression of ``n`` or ``pos`` (:func:`parse_rule`), restricted to numbers, + - * / **,
log, floor, sqrt, Piecewise, Max and Min.

For scores whose top has the local law P(top - X <= t) ~ kappa t^alpha the critical scale is (kappa n)^{1/alpha}
(P1 §3; docs/critical.md): :func:`eventual_limit` computes lim beta_0 m(n) / (kappa n)^{1/alpha} symbolically and
:func:`eventual_regime` names it (0: subcritical, oo: supercritical, finite and positive: critical). Every rule of
the catalogue grows like a power of log n, slower than any power of n, so each is eventually subcritical at every
alpha > 0 (docs/rules.md §3).
"""
from __future__ import annotations

import io
import math
import sys
import tokenize

import sympy as sp

from attnlimits.theory.sphere import critical_scale
from attnlimits.theory.validation import InputError, choice

__all__ = ["n", "pos", "L", "s", "RULES", "RULE_PARAMETERS", "multiplier", "eventual_ratio", "parse_rule",
           "eventual_limit", "eventual_regime"]

n = sp.Symbol("n", positive=True)
pos = sp.Symbol("pos", nonnegative=True, integer=True)
L = sp.Symbol("L_train", positive=True)
s = sp.Symbol("s", positive=True)

RULES = ("none", "yarn", "yarn-mscale", "qwen-logn", "llama4", "mistral", "grok2", "ssmax")

#: Each rule's parameters beyond ``train_length`` and ``ssmax_s``, with the model's value as default.
RULE_PARAMETERS = {
    "yarn-mscale": {"mscale": sp.Symbol("mscale", positive=True),
                    "mscale_all_dim": sp.Symbol("mscale_all_dim", positive=True)},
    "llama4": {"floor_scale": sp.Integer(8192), "attn_scale": sp.Rational(1, 10)},
    "mistral": {"original_max_position_embeddings": sp.Integer(16384), "beta": sp.Rational(1, 10)},
    "grok2": {"temperature_length": sp.Integer(1024)},
}

#: The names and functions a user's rule may use (:func:`parse_rule`).
_ALLOWED_FUNCTIONS = {"log": sp.log, "floor": sp.floor, "sqrt": sp.sqrt, "Piecewise": sp.Piecewise, "Max": sp.Max,
                      "Min": sp.Min}
_ALLOWED_OPS = {"+", "-", "*", "/", "**", "(", ")", ",", "<", ">", "<=", ">="}
_MAX_TEXT = 400
_MAX_CONSTANT_EXPONENT = 64


def _params(rule: str, params: dict) -> dict:
    known = RULE_PARAMETERS.get(rule, {})
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise InputError(f"rule {rule} takes no parameter {unknown[0]} (its parameters: "
                         f"{', '.join(known) or 'train_length, ssmax_s only'})")
    return {**known, **{k: sp.sympify(v) for k, v in params.items()}}


def multiplier(rule: str, nn=n, train_length=L, ssmax_s=s, **params):
    """The factor beta_rule(n) / beta_0 of a scaling rule of :data:`RULES` at context length ``nn`` (see the module
    docstring; position rules at pos = n - 1). ``params`` overrides the defaults of :data:`RULE_PARAMETERS`.
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> multiplier("yarn", 131072, 4096)  # (0.1 ln 32 + 1)^2
    1.81326043403950
    >>> multiplier("ssmax")
    s*log(n)
    >>> multiplier("llama4", 3 * 8192)  # pos = n - 1: log(floor(n/8192) + 1)/10 + 1 = log(4)/10 + 1
    log(4)/10 + 1
    """
    choice(rule, "rule", RULES)
    p = _params(rule, params)
    if rule == "none":
        return sp.Integer(1)
    if rule == "yarn":
        ratio = nn / train_length
        return sp.Piecewise(((sp.Rational(1, 10) * sp.log(ratio) + 1) ** 2, ratio > 1), (1, True))
    if rule == "yarn-mscale":
        ratio = nn / train_length
        f = ((sp.Rational(1, 10) * p["mscale"] * sp.log(ratio) + 1)
             / (sp.Rational(1, 10) * p["mscale_all_dim"] * sp.log(ratio) + 1)) ** 2
        return sp.Piecewise((f, ratio > 1), (1, True))
    if rule == "qwen-logn":
        return sp.Piecewise((sp.log(nn) / sp.log(train_length), nn > train_length), (1, True))
    if rule == "llama4":
        q = nn - 1  # pos of the last query
        return sp.log(sp.floor((q + 1) / p["floor_scale"]) + 1) * p["attn_scale"] + 1
    if rule == "mistral":
        q = nn - 1
        return 1 + p["beta"] * sp.log(1 + sp.floor(q / p["original_max_position_embeddings"]))
    if rule == "grok2":
        q = nn - 1
        length = p["temperature_length"]
        return sp.Piecewise((sp.log(q) / sp.log(length), q > length), (1, True))
    return ssmax_s * sp.log(nn)


def eventual_ratio(rule: str, d, beta0=1, train_length=L, ssmax_s=s):
    """lim_{n -> oo} beta_0 * multiplier(n) / beta*_n with beta*_n = (kappa_d n)^{2/(d-1)} (sympy limit): uniform keys
    on S^{d-1}, alpha = (d-1)/2 (:func:`eventual_limit` takes any alpha and kappa).

    >>> eventual_ratio("qwen-logn", 64, train_length=4096)  # eventually subcritical
    0
    """
    m = _large_n_branch(multiplier(rule, n, train_length, ssmax_s), n)
    return sp.limit(beta0 * m / critical_scale(n, d), n, sp.oo)


def _large_n_branch(expr, var):
    """The branch of every Piecewise that holds for all large ``var`` (its condition at var = oo)."""

    def pick(pw):
        for e, c in pw.args:
            if c == sp.true:
                return e
            at_inf = c.subs(var, sp.oo)
            if at_inf == sp.true:
                return e
            if at_inf != sp.false:
                raise InputError(f"cannot tell which branch of {pw} holds for large {var}: its condition {c} does "
                                 f"not settle as {var} -> oo")
        raise InputError(f"no branch of {pw} holds for large {var}")

    return expr.replace(lambda e: isinstance(e, sp.Piecewise), pick)


def parse_rule(text: str):
    """A user's temperature rule: a sympy expression of ``n`` (context length) or ``pos`` (the query's 0-based
    position, mapped to n by pos = n - 1), read safely: only numbers, + - * / ** ( ) , < > <= >=, the names
    n, pos, True and the functions log, floor, sqrt, Piecewise, Max, Min are accepted, constant exponents are at
    most 64 in size; anything else is refused in one line (InputError) before sympy sees the text.

    >>> parse_rule("1 + 0.1*log(1 + floor(pos/16384))")
    0.1*log(floor(n/16384 - 1/16384) + 1) + 1
    >>> parse_rule("__import__('os')")
    Traceback (most recent call last):
    ...
    attnlimits.theory.validation.InputError: rule expression: '__import__' is not allowed (use n or pos, numbers, + - * / **, log, floor, sqrt, Piecewise, Max, Min)
    """
    from sympy.parsing.sympy_parser import auto_number, parse_expr

    if not isinstance(text, str) or not text.strip():
        raise InputError("rule expression: give a sympy expression of n or pos, e.g. 'log(n)/log(4096)'")
    if len(text) > _MAX_TEXT:
        raise InputError(f"rule expression: at most {_MAX_TEXT} characters, got {len(text)}")
    allowed = "use n or pos, numbers, + - * / **, log, floor, sqrt, Piecewise, Max, Min"
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError) as exc:
        raise InputError(f"rule expression: cannot read {text!r} ({exc.args[0]})") from None
    for tok in tokens:
        if tok.type in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.INDENT, tokenize.DEDENT):
            continue
        if tok.type == tokenize.NAME and (tok.string in _ALLOWED_FUNCTIONS or tok.string in ("n", "pos", "True")):
            continue
        if tok.type == tokenize.NUMBER and not tok.string.lower().endswith("j"):
            continue
        if tok.type == tokenize.OP and tok.string in _ALLOWED_OPS:
            continue
        raise InputError(f"rule expression: {tok.string!r} is not allowed ({allowed})")
    names = {"n": n, "pos": pos, "True": sp.true, **_ALLOWED_FUNCTIONS}
    # the names the parser's own code needs (evaluate=False writes operators as calls), and no builtins
    glob = {k: getattr(sp, k) for k in ("Integer", "Float", "Rational", "Add", "Mul", "Pow", "Symbol",
                                        "Lt", "Gt", "Le", "Ge")}
    glob["__builtins__"] = {}
    try:
        expr = parse_expr(text, local_dict=names, global_dict=glob, transformations=(auto_number,),
                          evaluate=False)
    except Exception as exc:  # sympy's parser raises many kinds; the user gets one line
        raise InputError(f"rule expression: cannot read {text!r} ({type(exc).__name__})") from None
    if not isinstance(expr, sp.Expr):
        raise InputError(f"rule expression: {text!r} is not a number-valued expression")
    for node in sp.postorder_traversal(expr):
        if node.is_Number and node != 0 and not (math.isfinite(float(abs(node)))
                                                  and float(abs(node)) >= sys.float_info.min):
            raise InputError(f"rule expression: the number {sp.N(node, 3)} is beyond the double range")
        if isinstance(node, sp.Pow) and not node.exp.free_symbols:
            e = node.exp.evalf(20)
            if not e.is_number or not e.is_real or abs(e) > _MAX_CONSTANT_EXPONENT:
                raise InputError(f"rule expression: the constant exponent {node.exp} is beyond "
                                 f"|exponent| <= {_MAX_CONSTANT_EXPONENT}")
    extra = expr.free_symbols - {n, pos}
    if extra:
        raise InputError(f"rule expression: unknown symbol {sorted(map(str, extra))[0]}")
    if not expr.free_symbols:
        raise InputError(f"rule expression: {text!r} does not depend on n or pos (a constant factor belongs in beta)")
    return sp.sympify(expr.subs(pos, n - 1).doit())


def _rule_expression(rule, params: dict):
    """(expression of n, name) of a catalogue rule or of a user's expression (anything not in RULES)."""
    if isinstance(rule, sp.Expr):
        return rule, "expression"
    if isinstance(rule, str) and rule in RULES:
        tl = params.pop("train_length", L)
        ss = params.pop("ssmax_s", s)
        return multiplier(rule, n, tl, ss, **params), rule
    return parse_rule(rule), "expression"


def eventual_limit(rule, alpha, **params):
    """lim_{n -> oo} beta_0 m(n) / (kappa n)^{1/alpha} (sympy limit; beta_0 and kappa positive symbols): 0 means
    eventually subcritical, oo supercritical, a finite positive value critical (docs/rules.md §3).

    ``rule`` is a name of :data:`RULES` or a user's expression (text for :func:`parse_rule`, or a sympy expression
    of n); ``alpha`` a positive number (decimal text or a ratio is read exactly); ``params`` the rule's parameters
    (``train_length``, ``ssmax_s`` and those of :data:`RULE_PARAMETERS`; unset ones stay symbols). Every floor(u)
    is bounded by u - 1 < floor(u) <= u; when the limit with floor(u) -> u - theta (theta fixed in [0, 1]) does not
    depend on theta it is the limit (the catalogue's rules are monotone in each floor, so the two bounds squeeze).

    >>> eventual_limit("llama4", 8)
    0
    >>> eventual_limit("n**(1/2)", "0.5")  # n^{1/2} against n^2
    0
    >>> eventual_limit("n**(1/2)", 2)  # n^{1/2} against (kappa n)^{1/2}: critical
    beta_0/sqrt(kappa)
    """
    from attnlimits.theory.validation import positive_real

    a = positive_real(alpha, "alpha")
    a = sp.Rational(str(a)) if not isinstance(a, sp.Basic) else a
    expr, _ = _rule_expression(rule, dict(params))
    beta0 = sp.Symbol("beta_0", positive=True)
    kappa = sp.Symbol("kappa", positive=True)
    theta = sp.Symbol("theta", nonnegative=True)
    m = _large_n_branch(expr, n)
    m = m.replace(lambda e: isinstance(e, sp.floor), lambda e: e.args[0] - theta)
    m = _large_n_branch(m, n)  # Max/Min/Piecewise produced by the substitution
    m = m.replace(lambda e: isinstance(e, (sp.Max, sp.Min)), lambda e: _dominant(e))
    lim = sp.limit(beta0 * m / (kappa * n) ** (1 / a), n, sp.oo)
    if lim.has(sp.Limit) or lim.has(sp.AccumBounds) or lim.has(sp.nan):
        raise InputError(f"sympy cannot settle the limit of the rule {expr} against (kappa n)^(1/{a}) as n -> oo")
    if lim.has(theta):
        lims = {sp.simplify(lim.subs(theta, 0)), sp.simplify(lim.subs(theta, 1))}
        if len(lims) != 1:
            raise InputError(f"the rule {expr} has no limit against (kappa n)^(1/{a}): it oscillates with floor")
        lim = lims.pop()
    return sp.simplify(lim)


def _dominant(e):
    """The argument of Max (Min) that is largest (smallest) for all large n, by the limit of their ratio."""
    args = list(e.args)
    best = args[0]
    for other in args[1:]:
        r = sp.limit(other - best, n, sp.oo)
        if r.has(sp.Limit) or r == sp.nan or r.has(sp.AccumBounds) or r == 0:
            raise InputError(f"cannot tell which argument of {e} dominates as n -> oo")
        if (r > 0) == isinstance(e, sp.Max):
            best = other
    return best


def eventual_regime(rule, alpha, **params) -> str:
    """'subcritical', 'critical' or 'supercritical': the name of :func:`eventual_limit` (0, finite, oo).

    >>> [eventual_regime(r, 8) for r in ("yarn", "qwen-logn", "grok2", "ssmax")]
    ['subcritical', 'subcritical', 'subcritical', 'subcritical']
    >>> eventual_regime("n", "0.5"), eventual_regime("n", 1), eventual_regime("n", 2)
    ('subcritical', 'critical', 'supercritical')
    """
    lim = eventual_limit(rule, alpha, **params)
    if lim == 0:
        return "subcritical"
    if lim == sp.oo:
        return "supercritical"
    if lim.is_positive and lim.is_finite:
        return "critical"
    raise InputError(f"the eventual ratio {lim} of the rule is neither 0, oo nor a positive finite value")
