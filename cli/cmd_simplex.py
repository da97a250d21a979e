"""``attnlimits simplex``: the equiangular model of paper 2 (Theorems 2.1 and 2.4) at one (rho, gamma)."""
from __future__ import annotations

from attnlimits.cli.common import add_digits, add_json, emit, int_arg, positive_arg, real_arg


def register(sub):
    p = sub.add_parser(
        "simplex", help="equiangular tokens, beta = gamma log n: phase, limits and exact finite-n values",
        description="n equiangular unit tokens with pairwise inner product rho, one pre-LN attention layer "
                    "(Q = K = V = I) at beta = gamma log n, optional residual alpha x_i with |x_i|^2 = q. "
                    "Prints gamma_c = 1/(1 - rho), the phase, the limit of the output cosine <y_i', y_j'>, "
                    "its exact finite-n value (with --n), and the gradient statistic eta.")
    p.add_argument("--rho", required=True, type=real_arg("rho"), help="pairwise inner product, in (-1/(n-1), 1)")
    p.add_argument("--gamma", required=True, type=positive_arg("gamma"), help="slope of beta = gamma log n (> 0)")
    p.add_argument("--n", type=int_arg("n", low=2), default=None, help="number of tokens (>= 2; 1e12 accepted)")
    p.add_argument("--residual", type=real_arg("residual"), default="0", help="residual weight alpha >= 0 (default 0)")
    p.add_argument("--sqnorm", type=positive_arg("sqnorm"), default="1", help="squared token norm q (default 1)")
    p.add_argument("--d", type=int_arg("d", low=2), default=None,
                   help="dimension for eta (default: d = n when --n is given; the model needs d >= n)")
    add_digits(p, 20)
    add_json(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from attnlimits.numerics.laws import equiangular as EQ
    from attnlimits.numerics.formatting import decimal_string
    from attnlimits.theory.validation import InputError, real

    digits = args.digits
    real(args.residual, "residual", low=0)
    if args.n is not None:
        EQ.check_rho(args.rho, args.n)
    else:
        EQ.check_rho(args.rho)
    if args.n is not None and args.d is not None and args.d < args.n:
        raise InputError(f"the equiangular configuration needs d >= n; got d = {args.d} < n = {args.n}")
    import mpmath

    with mpmath.workdps(digits + 30):
        rho_v = mpmath.mpf(args.rho)
        gamma_c = 1 / (1 - rho_v)
    out = {"rho": args.rho, "gamma": args.gamma, "residual": args.residual, "sqnorm": args.sqnorm,
           "gamma_c": decimal_string(gamma_c, digits)}
    if rho_v > 0:
        ph, lim = EQ.limit_inner(args.gamma, args.rho, alpha=args.residual, q=args.sqnorm, digits=digits)
        out["phase"] = ph
        out["limit_inner"] = decimal_string(lim, digits)
    else:
        out["phase"] = EQ.phase(args.gamma, args.rho)
        out["limit_inner"] = None
        out["note"] = "rho <= 0: the equiangular family does not extend to n -> infinity, no limit"
    if args.n is not None:
        n = args.n
        out["n"] = str(n)
        out["beta"] = decimal_string(EQ.beta_of(n, gamma=args.gamma), digits)
        out["self_weight"] = decimal_string(EQ.self_weight(n, EQ.beta_of(n, gamma=args.gamma), args.rho, digits),
                                            digits)
        out["finite_n_inner"] = decimal_string(
            EQ.finite_inner(n, args.rho, gamma=args.gamma, alpha=args.residual, q=args.sqnorm, digits=digits), digits)
    d = args.d if args.d is not None else args.n
    eta_note = "eta: Theorem 2.4 setting (no residual); LN onto the unit sphere, |x_i|^2 = q"
    if rho_v > 0 and d is not None:
        _, L = EQ.limit_eta(args.gamma, args.rho, d, q=args.sqnorm, digits=digits)
        out["d"] = str(d)
        out["eta_limit"] = decimal_string(L, digits)
    elif rho_v > 0:
        ph = out["phase"]
        out["eta_limit"] = {"subcritical": "0", "critical": "(1/(4q))(1 - 1/d)",
                            "supercritical": "(1/q)(1 - 1/d)"}[ph]
    else:
        out["eta_limit"] = None
    if args.n is not None:
        out["finite_n_eta"] = decimal_string(
            EQ.finite_eta(args.n, args.rho, d, gamma=args.gamma, q=args.sqnorm, digits=digits), digits)
    out["eta_convention"] = eta_note
    emit(out, args.json, title="equiangular model (paper 2, Thm 2.1 / 2.4)")
    return 0
