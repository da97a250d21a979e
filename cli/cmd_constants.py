"""``attnlimits constants``: the constants of the cap law and the critical scale for uniform keys on S^{d-1}.

The values come from :func:`attnlimits.numerics.laws.sphere.constants` (a ``SphereConstants``), their LaTeX
names from :data:`attnlimits.numerics.laws.sphere.CONSTANT_ROWS`; this command parses, calls and formats.
"""
from __future__ import annotations

import sys

from attnlimits.cli.common import add_digits, emit
from attnlimits.numerics.formatting import decimal_string


def register(sub):
    p = sub.add_parser("constants", help="alpha, kappa_d, the critical scale and the cap series for uniform keys",
                       description="Constants of P(D <= t) ~ kappa_d t^alpha for uniform keys on S^{d-1} and of "
                                   "the critical scale beta*_n = (kappa_d n)^{2/(d-1)}, to the requested digits.")
    p.add_argument("--d", metavar="D", default=None,
                   help="ambient dimension d >= 2 (keys on S^{d-1}); without it, the table over d = 2 ... 4096")
    p.add_argument("--critical", action="store_true",
                   help="without --d: add the d = 3 Poisson-limit constants (E W_(1), lambda_1/2, ...; ~15 s)")
    add_digits(p)
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print a JSON object (numbers as decimal strings)")
    fmt.add_argument("--latex", action="store_true",
                     help="LaTeX: with --d, table rows (name & value \\\\); without, a complete tabular to paste")
    p.set_defaults(func=run)


def _fmt(v, digits):
    if isinstance(v, (list, tuple)):
        return [decimal_string(x, digits) for x in v]
    return decimal_string(v, digits)


def run(args) -> int:
    from attnlimits.numerics.precision import check_digits
    from attnlimits.numerics.laws.sphere import CONSTANT_ROWS, constants
    from attnlimits.theory.validation import dimension

    digits = check_digits(args.digits)
    if args.d is None:
        return _table(args, digits)
    d = dimension(args.d)
    values = constants(d, digits)
    if args.latex:
        for key, name, _ in CONSTANT_ROWS:
            v = _fmt(getattr(values, key), digits)
            if isinstance(v, list):
                for k, (pw, x) in enumerate(zip(values.cap_series_powers, v)):
                    sys.stdout.write(f"${name}$, $k={k}$ ($t^{{{decimal_string(pw, 6)}}}$) & ${x}$ \\\\\n")
            else:
                sys.stdout.write(f"${name}$ & ${v}$ \\\\\n")
        return 0
    out = {"d": str(d), "digits": str(digits), **values.to_json(digits)}
    emit(out, args.json, title=f"constants for uniform keys on S^{d - 1}")
    return 0


def _table(args, digits) -> int:
    """The constants over the standard dimensions (and, with --critical, the d = 3 Poisson-limit constants)."""
    import json

    from attnlimits.numerics.laws import constants_table as T

    if args.latex:
        sys.stdout.write(T.latex(digits, critical=args.critical))
        return 0
    rows = T.sphere_rows(digits)
    crit = T.critical_rows(digits) if args.critical else []
    if args.json:
        json.dump({"digits": str(digits), "sphere": rows, "critical_d3": {k: v for k, _, v in crit}}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    keys = ("d", "alpha", "kappa", "critical_constant", "neff_constant")
    widths = [max(len(k), *(len(r[k]) for r in rows)) for k in keys]
    sys.stdout.write("  ".join(k.ljust(w) for k, w in zip(keys, widths)) + "\n")
    for r in rows:
        sys.stdout.write("  ".join(r[k].ljust(w) for k, w in zip(keys, widths)) + "\n")
    for k, _, v in crit:
        sys.stdout.write(f"{k}  {v}\n")
    return 0
