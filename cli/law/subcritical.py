"""``attnlimits law subcritical``: mean, bias and exact CLT covariance of the output for n_eff -> oo (P1 §4).

Parses, calls :func:`attnlimits.numerics.laws.subcritical.subcritical_summary` and prints its fields.
"""
from __future__ import annotations

from attnlimits.cli.common import add_digits, add_json, dimension_arg, emit, int_arg, positive_arg


def register(sub):
    p = sub.add_parser("subcritical", help="population output, bias, CLT covariance (beta << n^{2/(d-1)})",
                       description="Exact values for uniform keys on S^{d-1}: A_d(beta) = I_{d/2}/I_{d/2-1}, the bias "
                                   "A_d - 1, and n times the limiting variances of <q,y> and of each coordinate of "
                                   "P_perp y (exact in beta, the CLT being in n). With --n: n_eff and the standard "
                                   "deviations of the fluctuations.")
    p.add_argument("--d", type=dimension_arg, required=True, help="ambient dimension (keys on S^{d-1}), d >= 2")
    p.add_argument("--beta", type=positive_arg("beta"), required=True, help="inverse temperature beta > 0")
    p.add_argument("--n", type=int_arg("n", low=1), default=None, help="number of keys (gives n_eff)")
    add_digits(p)
    add_json(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from attnlimits.numerics.laws.subcritical import subcritical_summary
    from attnlimits.numerics.precision import check_digits

    digits = check_digits(args.digits)
    s = subcritical_summary(args.d, args.beta, args.n, digits)
    out = {"d": str(args.d), "beta": str(args.beta), **s.to_json(digits, skip_none=True)}
    if s.n is not None:
        out["n"] = str(s.n)
    emit(out, args.json, title=f"subcritical regime, d = {args.d}, beta = {args.beta}")
    return 0
