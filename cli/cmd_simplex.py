"""``attnlimits simplex``: the equiangular model of paper 2 (Theorems 2.1 and 2.4) at one (rho, gamma).

Parses, calls :func:`attnlimits.numerics.laws.equiangular.simplex_summary` and prints its fields.
"""
from __future__ import annotations

import argparse

from attnlimits.cli.common import add_digits, add_json, emit, int_arg, positive_arg, real_arg
from attnlimits.theory import validation


def _gamma_arg(text):
    """A positive number (decimal text or a ratio such as 10/7) or 'critical' (gamma_c = 1/(1 - rho) exactly)."""
    if text.strip() == "critical":
        return "critical"
    try:
        return validation.positive_real(text, "gamma")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


_gamma_arg.__name__ = "gamma"


def register(sub):
    p = sub.add_parser(
        "simplex", help="equiangular tokens, beta = gamma log n: phase, limits and exact finite-n values",
        description="n equiangular unit tokens with pairwise inner product rho, one pre-LN attention layer "
                    "(Q = K = V = I) at beta = gamma log n, optional residual alpha x_i with |x_i|^2 = q. "
                    "Prints gamma_c = 1/(1 - rho), the phase, the limit of the output cosine <y_i', y_j'>, "
                    "its exact finite-n value (with --n), and the gradient statistic eta. Every number may be "
                    "a decimal or an exact ratio such as 10/7, read at the working precision; --gamma critical "
                    "puts gamma exactly at gamma_c.")
    p.add_argument("--rho", required=True, type=real_arg("rho"),
                   help="pairwise inner product, in (-1/(n-1), 1); a decimal or a ratio such as 1/3")
    p.add_argument("--gamma", required=True, type=_gamma_arg,
                   help="slope of beta = gamma log n (> 0): a number, a ratio such as 10/7, or 'critical' for "
                        "gamma_c = 1/(1 - rho) exactly (e.g. 10/7 at rho = 0.3)")
    p.add_argument("--n", type=int_arg("n", low=2), default=None, help="number of tokens (>= 2; 1e12 accepted)")
    p.add_argument("--residual", type=real_arg("residual"), default="0", help="residual weight alpha >= 0 (default 0)")
    p.add_argument("--sqnorm", type=positive_arg("sqnorm"), default="1", help="squared token norm q (default 1)")
    p.add_argument("--d", type=int_arg("d", low=2), default=None,
                   help="dimension for eta (default: d = n when --n is given; the model needs d >= n)")
    add_digits(p, 20)
    add_json(p)
    p.set_defaults(func=run)


ETA_CONVENTION = "eta: Theorem 2.4 setting (no residual); LN onto the unit sphere, |x_i|^2 = q"


def run(args) -> int:
    from attnlimits.numerics.laws.equiangular import critical_gamma, simplex_summary

    gamma = critical_gamma(args.rho) if args.gamma == "critical" else args.gamma
    s = simplex_summary(args.rho, gamma, args.n, residual=args.residual, sqnorm=args.sqnorm, d=args.d,
                        digits=args.digits)
    # the numbers as typed (exact ratios print as typed); gamma "critical" prints as the exact fraction it is
    out = {"rho": str(args.rho), "gamma": str(gamma), "residual": str(args.residual), "sqnorm": str(args.sqnorm)}
    for key, value in s.to_json(args.digits).items():
        if value is None and key not in ("limit_inner", "eta_limit"):  # those two print null when rho <= 0
            continue
        out[key] = str(value) if key in ("n", "d") else value
    out["eta_convention"] = ETA_CONVENTION
    emit(out, args.json, title="equiangular model (paper 2, Thm 2.1 / 2.4)")
    return 0
