"""``attnlimits law supercritical``: collapse on the nearest key (paper 1, §3; docs/mathematics.md §7)."""
from __future__ import annotations

from attnlimits.cli.common import add_digits, add_json, dimension_arg, emit, positive_arg, real_arg


def register(sub):
    p = sub.add_parser("supercritical", help="collapse of the weights on the nearest key as lambda grows",
                       description="Gap law of S_2 - S_1 (the lambda -> infinity law of -log(1 - W_(1))/lambda), the "
                                   "Weibull law of the nearest distance, and for d = 3 the exact P(W_(1) > 1 - eps) "
                                   "and the output's excess distance over the nearest key. Every number is read at "
                                   "the working precision and may be a ratio such as 1/3; any lambda in the double "
                                   "range is answered (docs/critical.md §5); h^alpha and s^alpha above 10^1000 are "
                                   "refused (exp(-h^alpha) would be below 10^(-10^1000)).")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--d", type=dimension_arg, help="dimension d >= 2 of the keys: alpha = (d-1)/2")
    g.add_argument("--alpha", type=positive_arg("alpha"), help="local exponent alpha > 0 (instead of d)")
    p.add_argument("--lam", type=positive_arg("lambda"), default=None,
                   help="lambda > 0 (for the d = 3 exact laws: P(W_(1) > 1 - eps) and E N - E S_1)")
    p.add_argument("--eps", type=positive_arg("eps"), default="0.01", help="eps in (0, 1/2] in P(W_(1) > 1 - eps)")
    p.add_argument("--h", type=real_arg("h"), default="1", help="h >= 0 in P(S_2 - S_1 > h)")
    p.add_argument("--s", type=real_arg("s"), default="1",
                   help="s >= 0 in P((kappa n)^{1/alpha} D_(1) > s) = exp(-s^alpha)")
    add_digits(p, 20)
    add_json(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from attnlimits.numerics.laws import supercritical as S
    from attnlimits.numerics.precision import check_digits

    k = check_digits(args.digits)
    r = S.supercritical_laws(alpha=args.alpha, d=args.d, lam=args.lam, eps=args.eps, h=args.h, s=args.s, digits=k)
    emit(r.to_json(k, skip_none=True), args.json, title="supercritical regime")
    return 0
