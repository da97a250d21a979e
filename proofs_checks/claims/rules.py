"""Claims on the temperature rules of long-context models and on the head-prediction route (docs/rules.md).

- every rule of the catalogue is available by name, its multiplier at chosen context lengths equals the model's
  formula written here independently in plain Python, and its eventual regime against (kappa n)^{1/alpha} is
  proven by a sympy limit for each alpha of a grid (0.5 to 16), with the numbers m(n)/n^{1/alpha} at
  n = 1e30, 1e60, 1e120 decreasing as an independent check;
- the double-precision Poisson-limit route of ``numerics.heads.predict`` agrees with the package's mpmath routes;
- the critical band (E W_(1) = 0.1, 0.9) at alpha = 1 agrees with the closed form E W_(1) = int e^{-tau - Ein(tau)
  / lambda} dtau by mpmath quadrature.
"""
from __future__ import annotations

import math

from attnlimits.proofs_checks.registry import Outcome, Source, claim

AREA = "EXT.rules"

_ALPHAS = ("0.5", 1, 2, "3.5", 8, "15.5", 16)


def _plain(rule: str, n: int) -> float:
    """The models' formulas in plain Python (pos = n - 1), independent of theory.scaling_rules' sympy."""
    pos = n - 1
    if rule == "none":
        return 1.0
    if rule == "yarn":  # L_train = 4096
        s = n / 4096
        return (0.1 * math.log(s) + 1) ** 2 if s > 1 else 1.0
    if rule == "yarn-mscale":  # L_train = 4096, mscale = 1, mscale_all_dim = 0.5
        s = n / 4096
        return ((0.1 * math.log(s) + 1) / (0.05 * math.log(s) + 1)) ** 2 if s > 1 else 1.0
    if rule == "qwen-logn":  # Qwen-1: i = pos + 1 against 2048
        i = pos + 1
        return math.log(i) / math.log(2048) if i > 2048 else 1.0
    if rule == "llama4":
        return math.log((pos + 1) // 8192 + 1) * 0.1 + 1
    if rule == "mistral":
        return 1 + 0.1 * math.log(1 + pos // 16384)
    if rule == "grok2":
        return math.log2(pos) / math.log2(1024) if pos > 1024 else 1.0
    if rule == "ssmax":  # s = 0.43
        return 0.43 * math.log(n)
    raise KeyError(rule)


_PARAMS = {"yarn": {"train_length": 4096}, "yarn-mscale": {"train_length": 4096, "mscale": 1, "mscale_all_dim": "0.5"},
           "ssmax": {"ssmax_s": "0.43"}}


@claim("EXT.rules.catalogue",
       statement="Every listed temperature rule (none, YaRN, YaRN mscale, Qwen-1 log-n, Llama 4, Mistral, Grok-2, SSMax) "
                 "is available by name with the model's formula, and is proven eventually subcritical for every alpha "
                 "of 0.5..16: lim beta_0 m(n) / (kappa n)^(1/alpha) = 0",
       source=Source.extension("P1 §3 critical scale, temperature rules of real models", derivation="docs/rules.md §3"),
       evidence="symbolic", quick=True)
def _catalogue(ctx):
    from attnlimits.numerics.heads.predict import rule_multiplier
    from attnlimits.theory.scaling_rules import RULES, eventual_regime

    bad, checked = [], 0
    for rule in RULES:
        m, _ = rule_multiplier(rule, **_PARAMS.get(rule, {}))
        for nn in (10, 2048, 2049, 4097, 8191, 8192, 16384, 16385, 10**5, 131072, 10**6 + 3, 10**9):
            got, ref = float(m(float(nn))), _plain(rule, nn)
            if abs(got - ref) > 1e-12 * max(1.0, abs(ref)):
                bad.append(f"{rule} at n = {nn}: {got!r} != {ref!r}")
        for a in _ALPHAS:
            reg = eventual_regime(rule, a)
            checked += 1
            if reg != "subcritical":
                bad.append(f"{rule} at alpha = {a}: {reg}")
            af = float(a)
            ratios = [float(m(10.0**k)) / 10 ** (k / af) for k in (30, 60, 120)]
            if not ratios[0] > ratios[1] > ratios[2]:
                bad.append(f"{rule} at alpha = {a}: m(n)/n^(1/alpha) does not decrease: {ratios}")
    return Outcome(holds=not bad, evidence=("; ".join(bad[:3]) if bad else
                                            f"{len(RULES)} rules: values at 12 lengths equal the plain formulas; "
                                            f"{checked} sympy limits equal 0, the ratios at 1e30, 1e60, 1e120 decrease"),
                   figures={"rules": len(RULES), "limits": checked})


@claim("EXT.rules.user_expression",
       statement="A user's rule expression of n or pos is read safely and its eventual regime is the limit's sign: "
                 "n^(1/2) against (kappa n)^(1/alpha) is subcritical for alpha < 2, critical at 2, supercritical above",
       source=Source.extension("P1 §3 critical scale, user temperature rules", derivation="docs/rules.md §3"),
       evidence="symbolic", quick=True)
def _user(ctx):
    from attnlimits.theory.scaling_rules import eventual_regime
    from attnlimits.theory.validation import InputError

    got = [eventual_regime("sqrt(pos + 1)", a) for a in ("1.5", 2, 3)]
    refused = 0
    for text in ("__import__('os')", "exp(n)", "n.n", "10**10**10"):
        try:
            eventual_regime(text, 2)
        except InputError:
            refused += 1
    ok = got == ["subcritical", "critical", "supercritical"] and refused == 4
    return Outcome(holds=ok, evidence=f"regimes {got}; {refused} of 4 unsafe expressions refused")


@claim("EXT.rules.limit_route",
       statement="The double-precision Poisson-limit route of the head prediction agrees with the package's mpmath "
                 "routes (first point, alpha = 1 forms) to 8 digits in E W_(1), E sum W^2 and E H",
       source=Source.extension("P1 §3 Poisson limit at real alpha", derivation="docs/rules.md §5"),
       evidence="numerical", quick=True)
def _route(ctx):
    import mpmath

    from attnlimits.numerics.heads.predict import limit_functionals
    from attnlimits.numerics.laws.poisson_limit import alpha1_functionals, first_point_functionals
    from attnlimits.numerics.precision import digits_agreed

    pts = [("1.5", "1"), ("4.3", "0.5")] + ([("7.5", "4"), ("0.7", "1.3")] if ctx.full else [])
    worst = 99
    for a, la in pts:
        ref = first_point_functionals(a, la, digits=10)
        got = limit_functionals(a, la)
        for f in ("E_W1", "E_sum_W2", "E_entropy"):
            worst = min(worst, digits_agreed(mpmath.mpf(getattr(got, f)), getattr(ref, f), tie=10))
    ref = alpha1_functionals("0.3", digits=12)
    got = limit_functionals(1, "0.3")
    for f in ("E_W1", "E_sum_W2", "E_entropy"):
        worst = min(worst, digits_agreed(mpmath.mpf(getattr(got, f)), getattr(ref, f), tie=12))
    return Outcome(holds=worst >= 8, evidence=f"{len(pts) + 1} (alpha, lambda) points, 3 functionals each",
                   figures={"digits_agreed": worst})


@claim("EXT.rules.band",
       statement="The critical band at alpha = 1 (E W_(1) = 0.1 and 0.9) agrees with the closed form "
                 "E W_(1) = int exp(-tau - Ein(tau)/lambda) dtau (mpmath quadrature) to 6 digits",
       source=Source.extension("P1 §3 regime thresholds of docs/regimes.md §2", derivation="docs/rules.md §6"),
       evidence="numerical", quick=True)
def _band(ctx):
    import mpmath

    from attnlimits.numerics.heads.predict import critical_band

    lo, hi = critical_band(1)
    vals = []
    with mpmath.workdps(20):
        for lam in (lo, hi):
            th = 1 / mpmath.mpf(lam)
            vals.append(mpmath.quad(lambda u: mpmath.exp(-u - th * u * mpmath.hyp2f2(1, 1, 2, 2, -u)),
                                    [0, 1, 10, 60, mpmath.inf]))
    err = max(abs(float(vals[0]) - 0.1) / 0.1, abs(float(vals[1]) - 0.9) / 0.9)
    return Outcome(holds=err < 1e-6, evidence=f"E W_(1) at the band's edges = {float(vals[0]):.9f}, "
                                              f"{float(vals[1]):.9f}", figures={"relative_error": err})
