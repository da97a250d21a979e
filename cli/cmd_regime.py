"""``attnlimits regime``: which regime (n, d, beta) is in, and what attention does there."""
from __future__ import annotations

from attnlimits.cli.common import add_digits, add_json, dimension_arg, emit, int_arg, positive_arg


def register(sub):
    p = sub.add_parser(
        "regime", help="which regime a context length, dimension and temperature are in",
        description="Classify (n, d, beta) for a fixed query and n i.i.d. uniform keys on S^{d-1}: uniform "
                    "averaging, subcritical (bias- or fluctuation-dominated), critical window or supercritical, "
                    "with the exact finite-n figures behind the verdict. beta multiplies the inner product of unit "
                    "vectors: for logits q.k/sqrt(d_head) it is |q||k|/sqrt(d_head); with QK-normalization it is "
                    "the logit scale. With --rule, --beta is the base value the rule multiplies at context n.")
    p.add_argument("--n", required=True, type=int_arg("n", low=1), help="context length (number of keys)")
    p.add_argument("--d", required=True, type=dimension_arg, help="dimension (keys on S^{d-1}), e.g. the head dimension")
    p.add_argument("--beta", required=True, type=positive_arg("beta"), help="inverse temperature (base value with --rule)")
    p.add_argument("--rule", default="none", choices=("none", "yarn", "qwen-logn", "ssmax"),
                   help="a long-context scaling rule applied to --beta")
    p.add_argument("--train-length", type=int_arg("train-length", low=2), default=None,
                   help="training context length L_train (yarn, qwen-logn)")
    p.add_argument("--scale", type=positive_arg("scale"), default=None,
                   help="YaRN extension factor s (default n / L_train)")
    p.add_argument("--ssmax-s", type=positive_arg("ssmax-s"), default=None, help="SSMax scalar s (logits x s log n)")
    add_digits(p, default=6)
    add_json(p)
    p.set_defaults(func=run)


def run(args) -> int:
    import mpmath

    from attnlimits.numerics.formatting import decimal_string
    from attnlimits.numerics.laws.regime import regime_report, rule_beta
    from attnlimits.numerics.precision import check_digits

    digits = check_digits(args.digits)
    rb = rule_beta(args.beta, args.rule, args.n, train_length=args.train_length, scale=args.scale,
                   ssmax_s=args.ssmax_s, digits=digits)
    rep = regime_report(args.n, args.d, mpmath.nstr(rb.beta, digits + 15), digits)
    out = {"n": str(args.n), "d": str(args.d)}
    if args.rule != "none":
        out.update({"rule": args.rule, "base_beta": str(args.beta), "multiplier": decimal_string(rb.multiplier, digits)})
    out["beta"] = decimal_string(rb.beta, digits)
    out.update(rep.to_json(digits))
    emit(out, args.json, title=f"regime of softmax attention, n = {args.n}, d = {args.d}")
    return 0
