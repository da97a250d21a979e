"""``attnlimits law score``: any i.i.d. score law: its extreme-value domain, critical scale, exact finite-n
weights and limit values (docs/score_laws.md)."""
from __future__ import annotations

from attnlimits.cli.common import add_json, emit, int_arg, positive_arg

LAWS_HELP = ("gaussian[:SIGMA] (N(0, SIGMA^2) scores), gumbel, exponential, uniform (on [0, 1]), beta:A,B, sphere:D "
             "(keys uniform on S^{D-1}), pareto:A (P(X > x) = x^-A), student:NU, norm-sphere:D,G (keys on S^{D-1} "
             "with norms R, P(1 - R <= s) = s^G), bernoulli:P (no density)")


def register(sub):
    p = sub.add_parser("score", help="any score law: domain, critical scale, exact finite-n weights, limits",
                       description="The extreme-value domain (weibull, gumbel, frechet) of a score law, its critical "
                                   "scale beta_n and, with --n and a temperature, the exact finite-n E W_(1), "
                                   "E sum W^2 and E H; with --c (gumbel, frechet) or --lam (weibull) and no --n, the "
                                   "limit values. Gaussian scores: beta multiplies the score, --c means beta = "
                                   "c sqrt(2 log n)/SIGMA. Frechet: --c means beta = c log n/(C n)^(1/a). Laws: "
                                   + LAWS_HELP + ". Exact finite n: any digits for uniform, beta (2A, 2B integers), "
                                   "sphere, gaussian, gumbel, exponential; digits <= 9 (double precision) for "
                                   "pareto and student; not for norm-sphere or bernoulli.")
    p.add_argument("--law", required=True, help="the score law, e.g. gaussian, beta:2,3, pareto:2")
    p.add_argument("--n", type=int_arg("n", low=1), help="number of keys (scientific notation ok)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--beta", type=positive_arg("beta"), help="inverse temperature (with --n)")
    g.add_argument("--c", type=positive_arg("c"), help="beta = c beta_n (gumbel and frechet domains)")
    g.add_argument("--lam", type=positive_arg("lambda"), help="beta = lambda (kappa n)^(1/alpha) (weibull domain)")
    p.add_argument("--digits", type=int_arg("digits", low=None), default=None,
                   help="significant digits (default 15; 9 for the double-precision top route of pareto and student)")
    add_json(p)
    p.set_defaults(func=run)


def _exact(e):
    return None if e is None else str(e)


def run(args) -> int:
    import mpmath
    import sympy as sp

    from attnlimits.numerics.formatting import decimal_string
    from attnlimits.numerics.laws import score_finite as SF
    from attnlimits.numerics.laws import score_limits as SL
    from attnlimits.numerics.precision import check_digits
    from attnlimits.theory.score_laws import score_law
    from attnlimits.theory.validation import InputError

    law = score_law(args.law)
    top_route = law.family in ("pareto", "student")
    k = check_digits(args.digits if args.digits is not None else (SF.TOP_MAX_DIGITS if top_route else 15))
    temperature = args.beta is not None or args.c is not None or args.lam is not None
    if args.beta is not None and args.n is None:
        raise InputError("--beta needs --n (the exact finite-n weights at that n); --c or --lam alone give limits")
    # every refusal before any long work
    if args.n is not None and temperature:
        if law.density is None:
            raise InputError(f"law {law.spec} has no density ({law.note}): exact finite n needs one")
        if law.family == "norm-sphere":
            SF.score_finite(law, 1, 1, 1)  # raises the one-line refusal
        if top_route and k > SF.TOP_MAX_DIGITS:
            raise InputError(f"exact finite n of {law.spec} comes from the double-precision top route: digits must "
                             f"be <= {SF.TOP_MAX_DIGITS}, got {k}")
    if args.c is not None or args.lam is not None:
        _check_scale(law, args)

    def num(e):
        return None if e is None else decimal_string(mpmath.mpf(str(sp.N(e, k + 10))), k)

    out = {"law": law.spec, "domain": law.domain, "xi": num(law.xi)}
    if law.domain == "weibull":
        out.update({"alpha": num(law.alpha), "kappa": num(law.kappa)})
    if law.domain == "frechet":
        out.update({"tail_index": num(law.tail_index), "tail_constant": num(law.tail_constant)})
    exact = {key: _exact(val) for key, val in (("xi", law.xi), ("alpha", law.alpha), ("kappa", law.kappa),
                                                 ("tail_index", law.tail_index), ("tail_constant", law.tail_constant),
                                                 ("critical_scale", law.critical_scale())) if val is not None}
    if exact:
        out["exact"] = exact
    if law.domain == "none":
        del out["xi"]
        out["note"] = law.note
    if args.n is not None:
        out["n"] = str(args.n)
        if law.domain != "none" and (law.domain == "weibull" or args.n >= 2):
            out["critical_beta"] = decimal_string(SL.critical_beta(law, args.n, k), k)
        if temperature:
            if args.beta is not None:
                beta = args.beta
            else:
                beta = SL.beta_at(law, args.n, c=args.c, lam=args.lam, digits=k + 5)
            which = ("E_W1", "E_sum_W2", "E_entropy")
            note = None
            if not top_route and law.family != "norm-sphere" and args.n > 1:
                v1 = SF.top_key_v(law, args.n, beta)
                if v1 > SF.ENTROPY_V_MAX:
                    which = ("E_W1", "E_sum_W2")
                    note = (f"not computed: the top key sits at v = beta x gap = {v1:.3g} > {SF.ENTROPY_V_MAX}, deep in "
                            f"the supercritical regime (E H ~ log v/v)")
            r = SF.score_finite(law, args.n, beta, k, which=which)
            fields = r.to_json(k)
            out.update({key: fields[key] for key in ("beta", "E_W1", "E_sum_W2", "E_entropy")})
            if note:
                out["E_entropy"] = note
            out["route"] = r.route
            if r.truncation is not None:
                out["truncation"] = fields["truncation"]
                out["truncation_bound"] = fields["truncation_bound"]
            if law.domain == "gumbel" and args.n >= 2:
                out["c_eff"] = decimal_string(SL.gumbel_effective_c(law, args.n, beta, k), k)
            out["seconds"] = f"{r.seconds:.2f}"
    elif temperature:
        r = SL.limit_values(law, c=args.c, lam=args.lam, digits=k)
        out["limit_E_W1"] = decimal_string(r.E_W1, k)
        out["limit_E_sum_W2"] = decimal_string(r.E_sum_W2, k)
        out["limit_E_entropy"] = decimal_string(r.E_entropy, k) if r.E_entropy is not None else "diverges"
    emit(out, args.json, title=f"score law {law.spec}")
    return 0


def _check_scale(law, args):
    """The scale matches the domain (lambda: weibull; c: gumbel, frechet), checked before any work."""
    from attnlimits.theory.validation import InputError

    if law.domain == "none":
        raise InputError(f"law {law.spec} is in no extreme-value domain ({law.note}): give --beta with --n")
    if args.lam is not None and law.domain != "weibull":
        raise InputError(f"--lam is the weibull-domain scale beta = lambda (kappa n)^(1/alpha); law {law.spec} is in "
                         f"the {law.domain} domain: use --c")
    if args.c is not None and law.domain == "weibull":
        raise InputError(f"--c is the gumbel/frechet-domain scale; law {law.spec} is in the weibull domain: use --lam "
                         f"(beta = lambda (kappa n)^(1/alpha))")
    if args.n is not None and law.domain != "weibull" and args.n < 2:
        raise InputError(f"n must be >= 2 for the critical scale of a {law.domain}-domain law (log n), got {args.n}")
