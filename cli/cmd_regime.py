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


def _multiplier(args):
    """The factor of the rule at this n, from the sympy expressions of :mod:`attnlimits.theory.scaling_rules`."""
    import sympy as sp

    from attnlimits.theory.scaling_rules import L, multiplier, n, s
    from attnlimits.theory.validation import InputError

    rule = args.rule
    if rule == "none":
        return sp.Integer(1)
    subs = {n: sp.Integer(args.n)}
    if rule in ("yarn", "qwen-logn"):
        if args.train_length is None and not (rule == "yarn" and args.scale is not None):
            raise InputError(f"--rule {rule} needs --train-length")
        if rule == "yarn" and args.scale is not None:
            subs = {n: sp.Rational(str(args.scale)), L: 1}
        else:
            subs[L] = sp.Integer(args.train_length)
    if rule == "ssmax":
        if args.ssmax_s is None:
            raise InputError("--rule ssmax needs --ssmax-s")
        subs[s] = sp.Rational(str(args.ssmax_s))
    return multiplier(rule).subs(subs)


def run(args) -> int:
    import mpmath
    import sympy as sp

    from attnlimits.numerics.formatting import decimal_string
    from attnlimits.numerics.precision import check_digits, working_digits
    from attnlimits.numerics.laws.regime import regime_report

    digits = check_digits(args.digits)
    with working_digits(digits):
        m = _multiplier(args)
        beta = mpmath.mpf(str(args.beta)) * mpmath.mpf(str(sp.N(m, mpmath.mp.dps)))
        beta_text = mpmath.nstr(beta, mpmath.mp.dps)
    rep = regime_report(args.n, args.d, beta_text, digits)
    out = {"n": str(args.n), "d": str(args.d)}
    if args.rule != "none":
        out.update({"rule": args.rule, "base_beta": str(args.beta), "multiplier": decimal_string(sp.N(m, digits + 5), digits)})
    out["beta"] = decimal_string(beta, digits)
    out.update(rep.to_json(digits))
    emit(out, args.json, title=f"regime of softmax attention, n = {args.n}, d = {args.d}")
    return 0
