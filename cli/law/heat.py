"""``attnlimits law heat``: Funk–Hecke eigenvalue of softmax averaging against the heat semigroup (P1 §3)."""
from __future__ import annotations

from attnlimits.cli.common import add_digits, add_json, dimension_arg, emit, int_arg, positive_arg


def register(sub):
    p = sub.add_parser("heat", help="Funk–Hecke eigenvalue I_{l+nu}/I_nu against e^{-l(l+d-2)/(2 beta)}",
                       description="Softmax averaging at inverse temperature beta multiplies a degree-l spherical "
                                   "harmonic on S^{d-1} by I_{l+nu}(beta)/I_nu(beta), nu = d/2 - 1; the heat "
                                   "semigroup at t = 1/(2 beta) by e^{-l(l+d-2)/(2 beta)}. Prints both and their "
                                   "difference (-l(l+d-2)/(4 beta^2) + O(beta^-3)).")
    p.add_argument("--d", type=dimension_arg, required=True, help="ambient dimension (sphere S^{d-1}), d >= 2")
    p.add_argument("--beta", type=positive_arg("beta"), required=True, help="inverse temperature beta > 0")
    p.add_argument("--degree", type=int_arg("degree", low=0), required=True, help="harmonic degree l >= 0")
    add_digits(p)
    add_json(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from attnlimits.numerics.laws.heat import heat_values
    from attnlimits.numerics.precision import check_digits

    digits = check_digits(args.digits)
    v = heat_values(args.d, args.degree, args.beta, digits)
    out = {"d": str(args.d), "beta": str(args.beta), "degree": str(args.degree), **v.to_json(digits)}
    emit(out, args.json, title=f"Funk–Hecke vs heat semigroup, d = {args.d}, degree = {args.degree}")
    return 0
