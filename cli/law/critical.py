"""``attnlimits law critical``: functionals of the critical-regime Poisson limit (paper 1, §3–4)."""
from __future__ import annotations

from attnlimits.cli.common import add_digits, add_json, dimension_arg, emit, positive_arg


def register(sub):
    p = sub.add_parser("critical", help="the Poisson limit at beta_n = lambda (kappa n)^{1/alpha}",
                       description="Functionals of the ranked limiting weights W_(1) >= W_(2) >= ... and of the "
                                   "limiting output, by the Campbell-Mecke route (d = 3 also by the Ein closed forms). "
                                   "Give --d (or --alpha) and --lam (or --c; --c needs --d or --kappa).")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--d", type=dimension_arg, help="dimension: alpha = (d-1)/2, kappa = kappa_d")
    g.add_argument("--alpha", type=positive_arg("alpha"), help="local exponent alpha (instead of d)")
    p.add_argument("--kappa", type=positive_arg("kappa"), help="cap constant kappa (with --alpha, for --c)")
    h = p.add_mutually_exclusive_group(required=True)
    h.add_argument("--lam", type=positive_arg("lambda"), help="lambda in beta_n = lambda (kappa n)^{1/alpha}")
    h.add_argument("--c", type=positive_arg("c"), help="c in beta_n = c n^{1/alpha}")
    p.add_argument("--route", choices=("campbell", "first_point"), default="campbell",
                   help="campbell (all functionals, default) or first_point (E_W1, E_sum_W2, E_entropy)")
    p.add_argument("--cdf-w", action="append", default=None, metavar="W",
                   help="also P(W_(1) <= w) for this w in (0, 1) (repeatable, or a comma list); "
                        "adds P_W1_le (first-point Hankel route, numerics.laws.max_weight)")
    add_digits(p, 20)
    add_json(p)
    p.set_defaults(func=run)


def _cdf_points(values):
    """The --cdf-w values as validated reals in (0, 1) (text kept for printing)."""
    from attnlimits.theory.validation import real

    out = []
    for item in values or ():
        for part in str(item).split(","):
            part = part.strip()
            if not part:
                continue
            out.append(real(part, "--cdf-w", low=0, high=1, low_open=True, high_open=True))
    return out


def run(args) -> int:
    from attnlimits.numerics.laws import poisson_limit as C
    from attnlimits.numerics.formatting import decimal_string
    from attnlimits.numerics.precision import check_digits

    k = check_digits(args.digits)
    cdf_ws = _cdf_points(args.cdf_w)
    prm = C.parameters(alpha=args.alpha, d=args.d, lam=args.lam, c=args.c, kappa=args.kappa, digits=k)
    out = {"alpha": decimal_string(prm.alpha, k), "lambda": decimal_string(prm.lam, k),
           "c": decimal_string(prm.c, k) if prm.c is not None else None,
           "conversion": "c = lambda * kappa^(1/alpha)"}
    if prm.kappa is not None:
        out["kappa"] = decimal_string(prm.kappa, k)
    if args.route == "first_point":
        r = C.first_point_functionals(prm.alpha, prm.lam, k)
        fields = r.to_json(k)
        out.update({key: fields[key] for key in ("E_W1", "E_sum_W2", "E_entropy", "E_T")})
    else:
        r = C.campbell_functionals(prm.alpha, prm.lam, k, k_max=5)
        fields = r.to_json(k)
        out.update({f"E_W{j}": x for j, x in enumerate(fields["E_W"], 1)})
        out.update({f"E_top{j}_mass": x for j, x in enumerate(fields["E_top_mass"], 1)})
        out.update({key: fields[key] for key in ("E_sum_W2", "E_entropy", "E_T", "E_log_T", "E_normal", "E_normal_sq",
                                                 "E_tangential_sq")})
        out["E_tangential_mean"] = "0"  # Σ W_j √(2 S_j) U_j is symmetric (module docstring of poisson_limit)
        if prm.alpha == 1:
            out["P_W1_gt_half"] = decimal_string(C.max_weight_tail(prm.lam, "0.5", k), k)
    if cdf_ws:
        from attnlimits.numerics.laws.max_weight import max_weight_cdf

        # w goes in as the user's text, read by max_weight_cdf at its working precision
        out["P_W1_le"] = [{"w": wt, "value": decimal_string(max_weight_cdf(prm.alpha, prm.lam, wt, k), k)}
                          for wt in cdf_ws]
        if not args.json:
            out["P_W1_le"] = {d["w"]: d["value"] for d in out["P_W1_le"]}
    out["route"] = args.route
    out["seconds"] = f"{r.seconds:.2f}"
    emit(out, args.json, title="critical regime: Poisson limit functionals")
    return 0
