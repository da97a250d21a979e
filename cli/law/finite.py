"""``attnlimits law finite``: exact finite-n E w_(1) and E sum w^2 for uniform keys (docs/mathematics.md §8); with
``--output`` also the attention output's E<q, y>, Var<q, y>, E|P_perp y|^2, the weights' entropy and E w_(2..5)
(docs/output.md §2)."""
from __future__ import annotations

from attnlimits.cli.common import add_digits, add_json, dimension_arg, emit, int_arg, positive_arg

RANGE = ("Supported (docs/critical.md §6.1): n <= 1e100, digits <= 60, every d from 2 to 10^9 (under 40 s of CPU "
         "at 15 digits for n = 1e6 and 1e12, near the critical window and 100 times above or below it), beta up to 1e14 by the integrals; a larger beta where the large-beta expansion "
         "1 - H(0) log 2/beta is exact to the digits asked (d >= 3; n = 10, d = 3: from beta = 1.1e9 at 15 digits). "
         "Outside that range the command refuses at once and says why.")


def register(sub):
    p = sub.add_parser("finite", help="exact finite-n expectations of the attention weights",
                       description="E w_(1) and E sum w^2 for n i.i.d. uniform keys on S^{d-1}, exactly at that n "
                                   "(no n -> oo limit; for huge beta the large-beta expansion, only where its derived "
                                   "error bound is below the digits asked, and the output names that route). Give --beta, or --lam for beta = lambda (kappa_d n)^{1/alpha}. "
                                   "Numbers are read at the working precision: 30-digit decimals keep their digits "
                                   "and ratios such as 10/7 are exact. " + RANGE)
    p.add_argument("--n", type=int_arg("n", low=1), required=True, help="number of keys (scientific notation ok)")
    p.add_argument("--d", type=dimension_arg, required=False, help="dimension (with --keys: from the spec)")
    p.add_argument("--keys", metavar="SPEC",
                   help="a key law centred at q for --output (docs/key_law_output.md): uniform:D, vmf:D,KAPPA0, "
                        "cap:D,RADIUS, subsphere:D,M, vanishing:D,GAMMA; --lam is then on the law's own critical "
                        "scale (kappa n)^(1/alpha)")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--beta", type=positive_arg("beta"), help="inverse temperature (decimal or ratio, e.g. 10/7)")
    g.add_argument("--lam", type=positive_arg("lambda"), help="lambda: beta = lambda (kappa_d n)^{1/alpha}")
    p.add_argument("--output", action="store_true",
                   help="also the exact finite-n attention output and ranks (docs/output.md): E_inner = E<q, y>, "
                        "Var_inner = Var<q, y>, E_perp2 = E|P_perp y|^2, E_entropy = E of -sum w log w, E_W2 ... E_W5 "
                        "(the k-th largest weights); E_W1 and E_sum_W2 then come from the same integrals. Supported: "
                        "n <= 1e18, d <= 4096, digits <= 30, beta <= 1e14 with lambda = beta/(kappa_d n)^{2/(d-1)} "
                        "<= 100 (under 10 s at n = 1e12, d <= 256, 15 digits for lambda <= 10); outside, a one-line "
                        "refusal")
    add_digits(p, 15)
    add_json(p)
    p.set_defaults(func=run)


def run(args) -> int:
    import math

    from attnlimits.numerics.formatting import scientific_string
    from attnlimits.numerics.laws import finite_n as F
    from attnlimits.numerics.precision import check_digits
    from attnlimits.theory.validation import InputError

    k = check_digits(args.digits)
    F.check_range(args.n, k)
    if args.keys is not None:
        return _run_keys(args, k)
    if args.d is None:
        raise InputError("--d is required (or give --keys SPEC)")
    # beta from lambda carries more digits than exact_finite works with (digits + 15 + log10 n + 5 + log10 beta)
    beta = args.beta if args.beta is not None else F.beta_from_lambda(args.n, args.d, args.lam,
                                                                      k + 40 + int(math.log10(args.n)))
    if args.output:
        return _run_output(args, beta, k)
    r = F.exact_finite(args.n, args.d, beta, k)
    fields = r.to_json(k)
    out = {"n": str(args.n), "d": str(args.d), **{key: fields[key] for key in ("beta", "E_W1", "E_sum_W2")},
           "seconds": f"{r.seconds:.2f}"}
    if r.inner:
        out["route"] = f"{r.inner} (error below {scientific_string(r.outer_error, 2)})"
    if args.lam is not None:
        out["lambda"] = str(args.lam)
    emit(out, args.json, title="exact finite-n attention weights")
    return 0


def _run_output(args, beta, k) -> int:
    """``--output``: every functional of ``finite_output.exact_output`` (its range checked before any integral)."""
    from attnlimits.numerics.laws import finite_output as O
    from attnlimits.numerics.results import json_value

    O.check_output_range(args.n, args.d, beta, k)
    r = O.exact_output(args.n, args.d, beta, k)
    out = {"n": str(args.n), "d": str(args.d), "beta": json_value(r.beta, k), "E_W1": json_value(r.E_W1, k),
           "E_sum_W2": json_value(r.E_sum_W2, k), **r.cli_json(k), "seconds": f"{r.seconds:.2f}"}
    if args.lam is not None:
        out["lambda"] = str(args.lam)
    emit(out, args.json, title="exact finite-n attention weights and output")
    return 0


def _run_keys(args, k) -> int:
    """``--keys SPEC --output``: numerics.laws.key_law_output (its range checked before any integral)."""
    import mpmath

    from attnlimits.numerics.laws import key_law_output as KL
    from attnlimits.numerics.results import json_value
    from attnlimits.theory.validation import InputError, to_mpf

    if not args.output:
        raise InputError("--keys needs --output")
    law = KL.parse_key_law(args.keys)
    if args.d is not None and args.d != law.d:
        raise InputError(f"--d {args.d} differs from the dimension {law.d} of --keys {args.keys}")
    beta = args.beta
    if beta is None:   # lambda on the law's own critical scale (kappa n)^(1/alpha)
        with mpmath.workdps(k + 40 + len(str(args.n))):
            lk, al = law.log_kappa_alpha()
            beta = mpmath.nstr(to_mpf(args.lam) * mpmath.exp((lk + mpmath.log(args.n)) / al), k + 30)
    KL.check_key_law_range(args.n, law, beta, k)
    r = KL.key_law_output(args.n, law, beta, k)
    out = {"n": str(args.n), "law": law.spec, "d": str(law.d), "beta": json_value(r.beta, k),
           "E_W1": json_value(r.E_W1, k), "E_sum_W2": json_value(r.E_sum_W2, k), **r.cli_json(k),
           "seconds": f"{r.seconds:.2f}"}
    if args.lam is not None:
        out["lambda"] = str(args.lam)
    emit(out, args.json, title="exact finite-n attention weights and output")
    return 0
