"""``attnlimits heads``: fit, place, predict and check every attention head of a q/k file (docs/heads.md)."""
from __future__ import annotations

import argparse
import sys

from attnlimits.cli.common import add_json, int_arg, positive_arg
from attnlimits.cli.paths import output_dir_arg
from attnlimits.theory import validation

#: The files --report writes (checked at parse time: no folder where one of them must go).
REPORT_FILES = ("heads.md", "heads.json", "heads_phase.png", "heads_observed.png", "heads_tail.png")


def _rule_param(text):
    """KEY=VALUE of a temperature rule's parameter (the value is read by the rule)."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip() or not value.strip():
        raise argparse.ArgumentTypeError(f"--rule-param must be KEY=VALUE, got {text!r}")
    return key.strip().replace("-", "_"), value.strip()


_rule_param.__name__ = "KEY=VALUE"


def register(sub):
    p = sub.add_parser(
        "heads", help="fit, place on the phase diagram and check every attention head of a q/k file",
        description="For each head of a file of queries and keys: the local law of its logits near their top "
                    "(gap-law exponent alpha and constant kappa with 95% intervals, extreme-value index xi, the "
                    "directional exponent, cross-checked by scikit-dimension's MLE and TwoNN when it is "
                    "installed), lambda = beta / (kappa n)^(1/alpha) with beta = 1 (the logits carry the "
                    "head's temperature), its regime and the Poisson-limit E W_(1) with an interval; the real "
                    "attention's E W_(1), sum w^2, entropy and Kish n at the full context and at subsampled shorter "
                    "ones; and the verdict: whether the i.i.d. theory fits the head (observed E W_(1) inside the "
                    "predicted interval widened by 1.96 standard errors), and by how much it misses. With "
                    "--predict-n, E W_(1) at those context lengths under --rule. FILE: .npz or .safetensors with "
                    "arrays q and k, shapes (layers, heads, n, d_head), (heads, n, d_head) or (n, d_head) "
                    "(docs/heads.md).")
    p.add_argument("--qk", metavar="FILE", default=None, help=".npz or .safetensors file with arrays q and k")
    p.add_argument("--q", metavar="FILE", default=None, help="queries as a .npy file (with --k)")
    p.add_argument("--k", metavar="FILE", default=None, help="keys as a .npy file (with --q)")
    p.add_argument("--causal", action="store_true", help="causal mask: query i sees keys 0..i (needs m == n)")
    p.add_argument("--scale", type=positive_arg("scale"), default=None,
                   help="logit scale: s = scale <q, k> (default 1/sqrt(d_head))")
    p.add_argument("--predict-n", nargs="+", type=int_arg("predict-n", low=2), default=[], metavar="N",
                   help="context lengths at which to predict E W_(1) under --rule (e.g. 4096 1e6)")
    p.add_argument("--rule", default="none",
                   help="temperature rule for longer contexts, normalized to 1 at the observed n (default none): "
                        "yarn, yarn-mscale, qwen-logn, llama4, mistral, grok2, ssmax, or an expression in n "
                        "(docs/rules.md); it sets --predict-n's predictions and the regime-change length")
    p.add_argument("--rule-param", action="append", type=_rule_param, default=[], metavar="KEY=VALUE",
                   help="a parameter of --rule, e.g. train_length=4096, ssmax_s=0.4 (repeatable)")
    p.add_argument("--report", type=output_dir_arg(files=REPORT_FILES), default=None, metavar="DIR",
                   help="write heads.md, heads.json and the figures into DIR")
    p.add_argument("--digits", type=int_arg("digits", low=1), default=6,
                   help="significant digits of the JSON numbers (default 6; the fits are double-precision "
                        "statistics)")
    add_json(p)
    p.set_defaults(func=run)


def _check_rule(args) -> dict:
    """The rule's parameters, after the rule and they are checked (a name of docs/rules.md or an expression)."""
    from attnlimits.numerics.heads.predict import rule_multiplier

    params = dict(args.rule_param)
    if params and args.rule == "none":
        raise validation.InputError("--rule-param needs a --rule other than none")
    m, _ = rule_multiplier(args.rule, **params)
    for n in [2.0] + [float(x) for x in args.predict_n]:
        value = float(m(n))
        if not (value > 0 and value < float("inf")):
            raise validation.InputError(f"--rule {args.rule}: its multiplier at n = {n:.0f} is {value:.6g}; it must "
                                        "be finite and positive at every context length")
    return params


def run(args) -> int:
    import json

    from attnlimits.numerics.heads.analysis import analyse_heads, table_json, table_text
    from attnlimits.numerics.heads.arrays import load_qk

    if args.qk is None and args.q is None and args.k is None:
        raise validation.InputError("give --qk FILE (.npz or .safetensors with arrays q and k) or --q FILE --k FILE "
                                    "(.npy)")
    if args.digits > 17:
        raise validation.InputError(f"digits must be <= 17 (the fits are double-precision statistics), got "
                                    f"{args.digits}")
    params = _check_rule(args)
    qk = load_qk(args.qk, q_path=args.q, k_path=args.k)
    if args.causal and qk.q.shape[2] != qk.k.shape[2]:
        raise validation.InputError(f"--causal needs as many queries as keys (query i sees keys 0..i), got "
                                    f"{qk.q.shape[2]} queries and {qk.k.shape[2]} keys")
    table = analyse_heads(qk, args.scale, args.causal, args.predict_n, args.rule, rule_params=params)
    if args.report is not None:
        from attnlimits.numerics.figures.heads import write_report

        write_report(table, qk, args.report, digits=args.digits)
    if args.json:
        json.dump(table_json(table, args.digits), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(table_text(table))
        if args.report is not None:
            sys.stdout.write(f"report written to {args.report}/heads.md\n")
    return 0
