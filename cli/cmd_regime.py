"""``attnlimits regime``: which regime (n, d, beta) is in, where beta sits, and what attention does there."""
from __future__ import annotations

import argparse

from attnlimits.cli.common import add_digits, add_json, dimension_arg, emit, int_arg, positive_arg
from attnlimits.theory import validation


def _beta_arg(text):
    """A positive number (decimal text or a ratio such as 10/7, read later at the working precision) or 'critical'."""
    if text.strip() == "critical":
        return "critical"
    try:
        return validation.positive_real(text, "beta")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


_beta_arg.__name__ = "beta"


def register(sub):
    p = sub.add_parser(
        "regime", help="which regime a context length, dimension and temperature are in",
        description="Classify (n, d, beta) for a fixed query and n i.i.d. uniform keys on S^{d-1}: uniform "
                    "averaging, subcritical (bias- or fluctuation-dominated), critical window or supercritical, "
                    "with the exact finite-n figures behind the verdict, beta over the exact half-mass beta of this "
                    "(n, d) (where E W_(1) = 1/2), and whether the fixed-d asymptotic figures (lambda, n_eff) apply "
                    "(asymptotics_apply, with the reason in asymptotics_note). beta multiplies the inner product of "
                    "unit vectors: for logits q.k/sqrt(d_head) it is |q||k|/sqrt(d_head); with QK-normalization it "
                    "is the logit scale. With --rule, --beta is the base value the rule multiplies at context n. "
                    "Supported: n <= 1e30, d <= 1024, digits <= 30, beta <= 1e4 times the energy-entropy scale "
                    "(d-1)x/(1-x^2), x^2 = 1 - n^(-2/(d-1)) (docs/regimes.md); beyond, a one-line refusal.")
    p.add_argument("--n", required=True, type=int_arg("n", low=1), help="context length (number of keys)")
    p.add_argument("--d", required=True, type=dimension_arg, help="dimension (keys on S^{d-1}), e.g. the head dimension")
    p.add_argument("--beta", required=True, type=_beta_arg,
                   help="inverse temperature (base value with --rule): a number, a ratio such as 10/7, or "
                        "'critical' for paper 1's critical scale (kappa_d n)^{2/(d-1)}, i.e. lambda = 1 "
                        "(not with --rule)")
    p.add_argument("--rule", default="none",
                   help="a temperature rule applied to --beta at context n: none, yarn, yarn-mscale, qwen-logn, "
                        "llama4, mistral, grok2, ssmax (docs/rules.md), or a sympy expression of n or pos "
                        "(pos = n - 1), e.g. 'log(n)/log(4096)'")
    p.add_argument("--rule-param", action="append", default=[], metavar="NAME=VALUE",
                   help="a constant of the rule (repeatable): mscale, mscale_all_dim (yarn-mscale); floor_scale, "
                        "attn_scale (llama4); original_max_position_embeddings, beta (mistral); temperature_length "
                        "(grok2)")
    p.add_argument("--train-length", type=int_arg("train-length", low=2), default=None,
                   help="training context length L_train (yarn, qwen-logn)")
    p.add_argument("--scale", type=positive_arg("scale"), default=None,
                   help="YaRN extension factor s (default n / L_train)")
    p.add_argument("--ssmax-s", type=positive_arg("ssmax-s"), default=None, help="SSMax scalar s (logits x s log n)")
    p.add_argument("--validity", action="store_true",
                   help="also which limit law describes (n, d, beta) and to what accuracy (docs/output.md §4): the "
                        "largest relative error of the subcritical Gaussian, the critical Poisson limit and the "
                        "supercritical collapse against the exact finite-n weights and output, at 6 digits (key "
                        "'validity': law, error, errors). Supported where the exact output is (n <= 1e18, "
                        "beta <= 1e14, lambda <= 100); outside, a one-line refusal")
    add_digits(p, default=6)
    add_json(p)
    p.set_defaults(func=run)


#: Digits of the validity map's comparison: its errors are reported to 3 digits.
VALIDITY_DIGITS = 6


#: Keys of the fixed-d asymptotic figures, marked in the listing for people when they do not apply.
ASYMPTOTIC_KEYS = ("lambda", "n_eff")


def run(args) -> int:
    import mpmath

    from attnlimits.numerics.formatting import decimal_string
    from attnlimits.numerics.laws.regime import (check_supported, critical_scale, regime_position, regime_report,
                                                 rule_beta, rule_params_from_text)
    from attnlimits.numerics.precision import check_digits

    digits = check_digits(args.digits)
    check_supported(args.n, args.d, digits)  # before the scaling rule's sympy and the integrals' imports
    out = {"n": str(args.n), "d": str(args.d)}
    params = rule_params_from_text(args.rule_param)
    if args.beta == "critical":
        if args.rule != "none" or params:
            raise validation.InputError("--beta critical sets the effective beta (lambda = 1); it cannot be combined "
                                        "with --rule")
        beta = "critical"
        out["beta"] = decimal_string(critical_scale(args.n, args.d, digits), digits)
    elif args.rule == "none" and not params:
        beta = args.beta  # the typed text (or exact ratio), read by each computation at its own precision
        with mpmath.workdps(digits + 15):
            out["beta"] = decimal_string(validation.to_mpf(beta), digits)
    else:
        # digits + 30 carried: the regime's computations work at digits + 15 and more
        rb = rule_beta(args.beta, args.rule, args.n, train_length=args.train_length, scale=args.scale,
                       ssmax_s=args.ssmax_s, params=params, digits=digits + 30)
        beta = rb.beta
        out.update({"rule": rb.rule, "base_beta": str(args.beta),
                    "multiplier": decimal_string(rb.multiplier, digits), "beta": decimal_string(rb.beta, digits)})
    if args.validity:
        from attnlimits.numerics.laws.finite_output import check_output_range

        # the exact output's range, before the regime's own integrals
        vbeta = critical_scale(args.n, args.d, VALIDITY_DIGITS + 15) if beta == "critical" else beta
        check_output_range(args.n, args.d, vbeta, VALIDITY_DIGITS)
    rep = regime_report(args.n, args.d, beta, digits)
    pos = regime_position(args.n, args.d, beta, digits)
    rep_json, pos_json = rep.to_json(digits), pos.to_json(digits)
    out["regime"] = rep_json.pop("regime")
    for k in ("beta_over_half_mass", "beta_half_mass", "half_mass_note", "asymptotics_apply"):
        out[k] = pos_json.pop(k)
    out.update(rep_json)
    out.update(pos_json)
    if args.validity:
        from attnlimits.numerics.laws.validity import validity

        out["validity"] = validity(args.n, args.d, vbeta, VALIDITY_DIGITS).summary(3)
    if not args.json:
        out = {k: v for k, v in out.items() if v is not None}
        if "validity" in out:
            v = out["validity"]
            others = ", ".join(f"{k} {e}" for k, e in v["errors"].items() if k != v["law"])
            out["validity"] = f"{v['law']} (largest relative error {v['error']}; {others})"
        if not pos.asymptotics_apply:
            for k in ASYMPTOTIC_KEYS:
                out[k] = f"{out[k]}  (fixed-d asymptotics, not valid here: see asymptotics_note)"
    emit(out, args.json, title=f"regime of softmax attention, n = {args.n}, d = {args.d}")
    return 0
