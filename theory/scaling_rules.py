"""Attention-temperature scaling rules used by long-context models, as sympy expressions of n.

Each rule multiplies a model's base inverse temperature beta_0 (the one it was trained with) by a
factor that depends on the context length n:

- ``none``       1;
- ``yarn``       (0.1 ln s + 1)^2 with s = n / L_train the context extension factor (YaRN scales both q
                 and k by sqrt(1/t) = 0.1 ln s + 1, so logits by its square), 1 when s <= 1;
- ``qwen-logn``  log_{L_train}(n) = ln n / ln L_train beyond the training length, 1 within it (Qwen's
                 logn attention);
- ``ssmax``      s ln n (scalable softmax, SSMax, with its learned scalar s).

For i.i.d. uniform keys on S^{d-1} the critical scale grows like n^{2/(d-1)} (P1 §3), faster than any of
these logarithmic rules, so every one of them is eventually subcritical at fixed d:
:func:`eventual_ratio` computes lim beta_rule(n) / beta*_n symbolically.
"""
from __future__ import annotations

import sympy as sp

from attnlimits.theory.sphere import critical_scale
from attnlimits.theory.validation import choice

__all__ = ["n", "L", "s", "RULES", "multiplier", "eventual_ratio"]

n = sp.Symbol("n", positive=True)
L = sp.Symbol("L_train", positive=True)
s = sp.Symbol("s", positive=True)

RULES = ("none", "yarn", "qwen-logn", "ssmax")


def multiplier(rule: str, nn=n, train_length=L, ssmax_s=s):
    """The factor beta_rule(n) / beta_0 of a scaling rule (see the module docstring).
    Lambdified with numpy (arrays), scipy and mpmath: tested.

    >>> multiplier("yarn", 131072, 4096)  # (0.1 ln 32 + 1)^2
    1.81326043403950
    >>> multiplier("ssmax")
    s*log(n)
    """
    choice(rule, "rule", RULES)
    if rule == "none":
        return sp.Integer(1)
    if rule == "yarn":
        ratio = nn / train_length
        return sp.Piecewise(((sp.Rational(1, 10) * sp.log(ratio) + 1) ** 2, ratio > 1), (1, True))
    if rule == "qwen-logn":
        return sp.Piecewise((sp.log(nn) / sp.log(train_length), nn > train_length), (1, True))
    return ssmax_s * sp.log(nn)


def eventual_ratio(rule: str, d, beta0=1, train_length=L, ssmax_s=s):
    """lim_{n -> oo} beta_0 * multiplier(n) / beta*_n with beta*_n = (kappa_d n)^{2/(d-1)} (sympy limit).

    >>> eventual_ratio("qwen-logn", 64, train_length=4096)  # eventually subcritical
    0
    """
    m = multiplier(rule, n, train_length, ssmax_s)
    if isinstance(m, sp.Piecewise):
        m = m.args[0][0]  # the branch that holds for large n
    return sp.limit(beta0 * m / critical_scale(n, d), n, sp.oo)
