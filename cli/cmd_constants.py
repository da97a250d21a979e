"""``attnlimits constants``: the constants of the cap law and the critical scale for uniform keys on S^{d-1}.

The rows come from :data:`attnlimits.numerics.sphere.CONSTANT_ROWS` (key, LaTeX name, value function);
adding a constant of another regime is adding a row there.
"""
from __future__ import annotations

import sys

from attnlimits.cli.common import add_digits, emit
from attnlimits.numerics.formatting import decimal_string


def register(sub):
    p = sub.add_parser("constants", help="alpha, kappa_d, the critical scale and the cap series for uniform keys",
                       description="Constants of P(D <= t) ~ kappa_d t^alpha for uniform keys on S^{d-1} and of "
                                   "the critical scale beta*_n = (kappa_d n)^{2/(d-1)}, to the requested digits.")
    p.add_argument("--d", required=True, metavar="D", help="ambient dimension d >= 2 (keys on S^{d-1})")
    add_digits(p)
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print a JSON object (numbers as decimal strings)")
    fmt.add_argument("--latex", action="store_true", help="print LaTeX table rows (name & value \\\\)")
    p.set_defaults(func=run)


def _fmt(v, digits):
    if isinstance(v, (list, tuple)):
        return [decimal_string(x, digits) for x in v]
    return decimal_string(v, digits)


def run(args) -> int:
    from attnlimits.numerics.precision import check_digits
    from attnlimits.numerics.sphere import CONSTANT_ROWS, cap_series_powers
    from attnlimits.theory.validation import dimension

    d = dimension(args.d)
    digits = check_digits(args.digits)
    values = {key: fn(d, digits) for key, _, fn in CONSTANT_ROWS}
    if args.latex:
        for key, name, _ in CONSTANT_ROWS:
            v = _fmt(values[key], digits)
            if isinstance(v, list):
                for k, (pw, x) in enumerate(zip(cap_series_powers(d, len(v)), v)):
                    sys.stdout.write(f"${name}$, $k={k}$ ($t^{{{decimal_string(pw, 6)}}}$) & ${x}$ \\\\\n")
            else:
                sys.stdout.write(f"${name}$ & ${v}$ \\\\\n")
        return 0
    out = {"d": str(d), "digits": str(digits)}
    out.update({key: _fmt(values[key], digits) for key, _, _ in CONSTANT_ROWS})
    if "cap_series" in values:
        out["cap_series_powers"] = [decimal_string(x, digits) for x in cap_series_powers(d, len(values["cap_series"]))]
    emit(out, args.json, title=f"constants for uniform keys on S^{d - 1}")
    return 0
