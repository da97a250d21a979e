"""``attnlimits cap``: the cap probability P(D <= t) = I_{t/2}((d-1)/2, (d-1)/2) and its logarithm."""
from __future__ import annotations

from attnlimits.cli.common import add_digits, add_json, emit
from attnlimits.numerics.formatting import ball_string, decimal_string, scientific_string


def register(sub):
    p = sub.add_parser("cap", help="P(<q,K> >= 1 - t) for a uniform key: the cap probability and its log",
                       description="P(D <= t), D = 1 - <q, K>, K uniform on S^{d-1}, at any precision "
                                   "(tiny caps in high dimension included), optionally as a certified Arb ball.")
    p.add_argument("--d", required=True, metavar="D", help="ambient dimension d >= 2")
    p.add_argument("--t", required=True, metavar="T", help="cap size t in (0, 2] (scientific notation accepted)")
    add_digits(p)
    add_json(p)
    p.add_argument("--certified", action="store_true", help="also print the rigorous Arb enclosures")
    p.set_defaults(func=run)


def run(args) -> int:
    from attnlimits.numerics.laws.cap import cap_probability, check_t, log_cap_probability
    from attnlimits.numerics.precision import check_digits
    from attnlimits.theory.validation import dimension

    d = dimension(args.d)
    t = check_t(args.t)
    digits = check_digits(args.digits)
    p = cap_probability(d, t, digits)
    lp = log_cap_probability(d, t, digits)
    out = {"d": str(d), "t": t, "digits": str(digits),
           "probability": scientific_string(p, digits), "log_probability": decimal_string(lp, digits)}
    if args.certified:
        out["probability_ball"] = ball_string(cap_probability(d, t, digits, certified=True), digits)
        out["log_probability_ball"] = ball_string(log_cap_probability(d, t, digits, certified=True), digits)
    emit(out, args.json, title=f"P(D <= {t}) for a uniform key on S^{d - 1}")
    return 0
