"""``attnlimits law finite``: exact finite-n E w_(1) and E sum w^2 for uniform keys (docs/mathematics.md §8)."""
from __future__ import annotations

from attnlimits.cli.common import add_digits, add_json, dimension_arg, emit, int_arg, positive_arg


def register(sub):
    p = sub.add_parser("finite", help="exact finite-n expectations of the attention weights",
                       description="E w_(1) and E sum w^2 for n i.i.d. uniform keys on S^{d-1}, exactly at that n "
                                   "(no asymptotics). Give --beta, or --lam for beta = lambda (kappa_d n)^{1/alpha}.")
    p.add_argument("--n", type=int_arg("n", low=1), required=True, help="number of keys (scientific notation ok)")
    p.add_argument("--d", type=dimension_arg, required=True, help="dimension")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--beta", type=positive_arg("beta"), help="inverse temperature")
    g.add_argument("--lam", type=positive_arg("lambda"), help="lambda: beta = lambda (kappa_d n)^{1/alpha}")
    add_digits(p, 15)
    add_json(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from attnlimits.numerics.laws import finite_n as F
    from attnlimits.numerics.precision import check_digits

    k = check_digits(args.digits)
    beta = args.beta if args.beta is not None else F.beta_from_lambda(args.n, args.d, args.lam, k + 5)
    r = F.exact_finite(args.n, args.d, beta, k)
    fields = r.to_json(k)
    out = {"n": str(args.n), "d": str(args.d), **{key: fields[key] for key in ("beta", "E_W1", "E_sum_W2")},
           "seconds": f"{r.seconds:.2f}"}
    if args.lam is not None:
        out["lambda"] = str(args.lam)
    emit(out, args.json, title="exact finite-n attention weights")
    return 0
