"""``attnlimits critical-beta``: the exact finite-(n, d) critical beta for uniform keys and the laws beside it."""
from __future__ import annotations

from attnlimits.cli.common import add_json, dimension_arg, emit, int_arg

#: The evaluator works in double precision with about 6 correct significant digits (see numerics.laws.critical_beta).
MAX_DIGITS = 6


def register(sub):
    p = sub.add_parser(
        "critical-beta", help="exact finite-(n, d) critical beta (E W_(1) = 1/2) vs the asymptotic laws",
        description="For a fixed query and n i.i.d. keys uniform on S^{d-1}, the beta at which the expected "
                    "largest attention weight is 1/2, from the exact finite-n integral; beside it (kappa_d n)^{2/(d-1)} "
                    "(paper 1), sqrt(2 d log n) (Gaussian scores), log n (paper 2) and the package's "
                    "energy-entropy law, with the ratios; and the exact finite-n half-mass beta of Gaussian scores "
                    "N(0, 1/d) (gaussian_exact): the sphere's scores have a Weibull top (alpha = (d-1)/2) but "
                    "look Gaussian when d >> log n, and the two ratios show where the table crosses from one "
                    "extreme-value domain to the other (docs/score_laws.md §9). Supported: d >= 2 up to 10^9, 3 <= n <= 1e100 with "
                    "(kappa_d n)^{2/(d-1)} < 1e300 (a few seconds each); n = 2 is refused because the larger of two "
                    "weights is always >= 1/2, so the half-mass beta is 0 (docs/equiangular.md §5).")
    p.add_argument("--d", required=True, type=dimension_arg, help="dimension d >= 2")
    p.add_argument("--n", required=True, type=int_arg("n", low=2), help="number of keys (3 .. 1e100; 1e12 accepted)")
    p.add_argument("--criterion", default="half-mass", choices=("half-mass",),
                   help="definition of the critical beta: half-mass (E W_(1) = 1/2), the only one so far")
    p.add_argument("--digits", type=int_arg("digits", low=1), default=MAX_DIGITS,
                   help=f"significant digits to print (at most {MAX_DIGITS}: double-precision quadrature)")
    add_json(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from attnlimits.numerics.laws import critical_beta as CB
    from attnlimits.numerics.formatting import decimal_string
    from attnlimits.theory.validation import InputError, choice

    choice(args.criterion, "criterion", CB.CRITERIA)
    if args.digits > MAX_DIGITS:
        raise InputError(f"critical-beta is computed in double precision: at most {MAX_DIGITS} digits, got {args.digits}")
    k = args.digits
    row = CB.critical_beta_row(args.n, args.d, criterion=args.criterion, both_domains=True)
    out = {"d": str(args.d), "n": str(args.n), "criterion": args.criterion}
    out.update({name: decimal_string(getattr(row, name), k) for name in row.fields() if name not in ("d", "n")})
    emit(out, args.json, title="critical beta, uniform keys (extension: where the two papers meet)")
    return 0
