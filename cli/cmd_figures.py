"""``attnlimits figures``: write the package's figures as PNG files."""
from __future__ import annotations


def register(sub):
    p = sub.add_parser("figures", help="write every figure as PNG (needs the 'plots' extra)",
                       description="Write the figures of every area (phase diagram, limit laws, heat "
                                   "semigroup, equiangular model, ...) as PNG files into --out.")
    p.add_argument("--out", metavar="DIR", default="attnlimits-figures", help="output directory")
    p.add_argument("--only", nargs="+", metavar="NAME", help="make only these figures")
    p.add_argument("--list", action="store_true", help="list the figures and exit")
    p.set_defaults(func=run)


def run(args) -> int:
    from attnlimits.numerics.figures.registry import all_figures, make_figures

    if args.list:
        for f in all_figures():
            print(f"{f.name:28s} {f.area:14s} {f.caption[:80]}")
        return 0
    for path, f in make_figures(args.out, args.only):
        print(f"wrote {path}")
    return 0
