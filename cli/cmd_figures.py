"""``attnlimits figures``: write the package's figures as PNG files."""
from __future__ import annotations

from attnlimits.cli.paths import check_output_dir, output_dir_arg

DEFAULT_OUT = "attnlimits-figures"


def register(sub):
    p = sub.add_parser("figures", help="write every figure as PNG (needs the 'plots' extra)",
                       description="Write the figures of every area (phase diagram, limit laws, heat "
                                   "semigroup, equiangular model, ...) as PNG files into --out. Each PNG is "
                                   "written whole (a temporary file, then renamed). Progress goes to stderr: a "
                                   "bar on a terminal, one line per finished figure otherwise.")
    p.add_argument("--out", metavar="DIR", type=output_dir_arg(), default=None,
                   help=f"output folder, created if needed (default ./{DEFAULT_OUT})")
    p.add_argument("--only", nargs="+", metavar="NAME", help="make only these figures (names: --list)")
    p.add_argument("--list", action="store_true", help="list the figures and exit")
    p.set_defaults(func=run)


def run(args) -> int:
    from attnlimits.numerics.figures.registry import all_figures, make_figures

    if args.list:
        for f in all_figures():
            print(f"{f.name:28s} {f.area:14s} {f.caption[:80]}")
        return 0
    out = args.out if args.out is not None else check_output_dir(DEFAULT_OUT, "--out")
    for path, f in make_figures(out, args.only):
        print(f"wrote {path}")
    return 0
