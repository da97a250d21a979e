"""``attnlimits law subcritical``: mean, bias and exact CLT covariance of the output for n_eff -> oo (P1 §4)."""
from __future__ import annotations

import mpmath

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
    from attnlimits.numerics.formatting import decimal_string
    from attnlimits.numerics.precision import check_digits, working_digits
    from attnlimits.numerics.laws.subcritical import clt_variances, n_eff, ratio_bias

    digits = check_digits(args.digits)
    v = clt_variances(args.d, args.beta, digits + 5)
    with working_digits(digits + 5):
        bias = v["mean_resultant"] - 1  # A_d is computed with 5 extra digits; bias = A - 1 loses at most log10(1/|bias|)
        if bias != 0:
            extra = max(0, int(-mpmath.log10(abs(bias)))) + 5
            from attnlimits.numerics.special.bessel_ratio import mean_resultant
            with working_digits(digits + extra):
                bias = mean_resultant(args.d, args.beta, digits + extra) - 1
    out = {
        "d": str(args.d),
        "beta": str(args.beta),
        "mean_resultant": decimal_string(v["mean_resultant"], digits),
        "bias": decimal_string(bias, digits),
        "var_parallel": decimal_string(v["var_parallel"], digits),
        "var_perp": decimal_string(v["var_perp"], digits),
    }
    if args.n is not None:
        ne = n_eff(args.n, args.d, args.beta, digits)
        with working_digits(digits):
            out["n"] = str(args.n)
            out["n_eff"] = decimal_string(ne, digits)
            # Kish's effective sample size n (E w)^2 / E w^2 = n M(beta)^2 / M(2 beta) = n / R, exact in beta
            # (asymptotically 2^alpha n_eff; n_eff itself is the large-beta Laplace form of notes §2)
            out["kish_n"] = decimal_string(args.n / v["R"], digits)
            out["sd_parallel"] = decimal_string(mpmath.sqrt(v["var_parallel"] / args.n), digits)
            out["sd_perp"] = decimal_string(mpmath.sqrt(v["var_perp"] / args.n), digits)
            out["ratio_bias"] = decimal_string(ratio_bias(args.n, args.d, args.beta, digits), digits)
    emit(out, args.json, title=f"subcritical regime, d = {args.d}, beta = {args.beta}")
    return 0
