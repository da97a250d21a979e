"""``attnlimits law critical``: functionals of the critical-regime Poisson limit (paper 1, §3–4)."""
from __future__ import annotations

from attnlimits.cli.common import add_digits, add_json, dimension_arg, emit, positive_arg

SUPPORTED = ("Supported range (docs/critical.md §4; 20 digits, about a minute of one core at most): every d (or "
             "alpha) where E T = Gamma(alpha+1) lambda^-alpha exceeds about 130, by series inner integrals in "
             "seconds (d = 128, 4096, 10^4, 10^9 at lambda = 1); otherwise the panel route for d <= 129 "
             "(alpha <= 64) at every lambda <= max(1000, 4 alpha), and above d = 129 for lambda >= 0.9 alpha "
             "(up to d ~ 10^4), with alpha >= 1/2 and 2 alpha an integer or alpha >= 8; --route first_point for "
             "0.05 <= alpha <= 32 and E T <= 1e8. Inputs outside are refused at once with the reason.")


def register(sub):
    p = sub.add_parser("critical", help="the Poisson limit at beta_n = lambda (kappa n)^{1/alpha}",
                       description="Functionals of the ranked limiting weights W_(1) >= W_(2) >= ... and of the "
                                   "limiting output, by the Campbell-Mecke route (d = 3 also by the Ein closed forms). "
                                   "Give --d (or --alpha) and --lam (or --c; --c needs --d or --kappa). Every number is "
                                   "read at the working precision and may be a ratio such as 1/3. " + SUPPORTED)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--d", type=dimension_arg, help="dimension: alpha = (d-1)/2, kappa = kappa_d")
    g.add_argument("--alpha", type=positive_arg("alpha"), help="local exponent alpha > 0 (instead of d)")
    p.add_argument("--kappa", type=positive_arg("kappa"), help="cap constant kappa (with --alpha, for --c)")
    h = p.add_mutually_exclusive_group(required=True)
    h.add_argument("--lam", type=positive_arg("lambda"), help="lambda > 0 in beta_n = lambda (kappa n)^{1/alpha}")
    h.add_argument("--c", type=positive_arg("c"), help="c > 0 in beta_n = c n^{1/alpha}")
    p.add_argument("--route", choices=("campbell", "first_point"), default="campbell",
                   help="campbell (all functionals, default; inner integrals by panels or, where E T is large, "
                        "by series) or first_point (E_W1, E_sum_W2, E_entropy; 0.05 <= alpha <= 32)")
    p.add_argument("--cdf-w", action="append", default=None, metavar="W",
                   help="also P(W_(1) <= w) for this w in [1/13, 1) (repeatable, or a comma list); adds P_W1_le "
                        "(first-point Hankel route, numerics.laws.max_weight). Below 1/13 the route would need more "
                        "than 12 terms of its expansion and is refused")
    p.add_argument("--cdf-output", action="append", default=None, metavar="X",
                   help="also P(N <= x) for the limit N = sum_j W_j S_j of (kappa n)^{1/alpha}(1 - <q, y>), x >= 0 "
                        "(repeatable, or a comma list); adds P_output_le, each entry with its route: Gil-Pelaez "
                        "inversion of Campbell's transform where it is in range, else the real-space route (at most "
                        "10 digits, 0.05 <= lambda <= 20; numerics.laws.critical_output; docs/critical_output.md "
                        "§6, §9). Refused at once beyond both")
    p.add_argument("--cdf-perp", action="append", default=None, metavar="X",
                   help="also P(R <= x) for the limit R = |sum_j W_j sqrt(2 S_j) U_j| of (kappa n)^{1/(2 alpha)} "
                        "|P_perp y|, x >= 0, d = 2 and d = 4 (repeatable, or a comma list); adds P_perp_le "
                        "(docs/critical_output.md §4)")
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


def _nonnegative_points(values, option: str):
    """The values of a comma-list option as validated reals x >= 0 (text or exact ratio kept as typed)."""
    from attnlimits.theory.validation import real

    out = []
    for item in values or ():
        for part in str(item).split(","):
            part = part.strip()
            if part:
                out.append(real(part, option, low=0))
    return out


def _cdf_entry(r, x, k: int) -> dict:
    """{x, value} of one distribution-function value; a value in the far lower tail that carries fewer than k
    significant digits is printed with those only, with its absolute error (docs/critical_output.md §5)."""
    from attnlimits.numerics.formatting import decimal_string, scientific_string

    sig = r.significant_digits if r.significant_digits is not None else k
    entry = {"x": str(x), "value": decimal_string(r.cdf, max(sig, 1)) if sig else "0"}
    if sig < k:
        entry["significant_digits"] = sig
        entry["absolute_error"] = scientific_string(r.absolute_error, 2)
    return entry


def run(args) -> int:
    from attnlimits.numerics.formatting import decimal_string
    from attnlimits.numerics.laws import max_weight as MW
    from attnlimits.numerics.laws import poisson_limit as C
    from attnlimits.numerics.precision import check_digits

    k = check_digits(args.digits)
    cdf_ws = _cdf_points(args.cdf_w)
    prm = C.parameters(alpha=args.alpha, d=args.d, lam=args.lam, c=args.c, kappa=args.kappa, digits=k)
    # every refusal before any long work: the route's range, then each w of the law of W_(1)
    engine = C.check_supported(prm.alpha, prm.lam, k, route=args.route)
    for w in cdf_ws:
        MW.check_supported(prm.alpha, prm.lam, w, k)
    cdf_out = _nonnegative_points(args.cdf_output, "--cdf-output")
    cdf_perp = _nonnegative_points(args.cdf_perp, "--cdf-perp")
    if cdf_out or cdf_perp:
        from attnlimits.numerics.laws import critical_output as CO
        # a few transform values per x (well under a second each): refuse before the functionals are computed
        out_routes = [CO.choose_route(prm.alpha, prm.lam, x, k) for x in cdf_out]
        for x in cdf_perp:
            CO.check_supported(prm.alpha, prm.lam, x, k, which="perp")
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
        # w goes in as the user's text (or exact ratio), read by max_weight_cdf at its working precision
        out["P_W1_le"] = [{"w": str(wt), "value": decimal_string(MW.max_weight_cdf(prm.alpha, prm.lam, wt, k), k)}
                          for wt in cdf_ws]
        if not args.json:
            out["P_W1_le"] = {d["w"]: d["value"] for d in out["P_W1_le"]}
    # x goes in as the user's text (or exact ratio), read by the law at its working precision
    if cdf_out:
        out["P_output_le"] = [dict(_cdf_entry(CO.output_cdf(prm.alpha, prm.lam, x, k, route=rt), x, k), route=rt)
                              for x, rt in zip(cdf_out, out_routes)]
    if cdf_perp:
        out["P_perp_le"] = [_cdf_entry(CO.perp_cdf(prm.alpha, prm.lam, x, k), x, k) for x in cdf_perp]
    for key in ("P_output_le", "P_perp_le"):
        if key in out and not args.json:
            out[key] = {d["x"]: d["value"] for d in out[key]}
    out["route"] = args.route
    if args.route == "campbell":
        out["inner"] = engine  # the inner integrals: "panels" in v or "series" in t (E T large)
    out["seconds"] = f"{r.seconds:.2f}"
    emit(out, args.json, title="critical regime: Poisson limit functionals")
    return 0
