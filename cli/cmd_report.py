"""``attnlimits report``: the regenerated document of all claims, constants and figures."""
from __future__ import annotations

import time


def register(sub):
    p = sub.add_parser("report", help="run every claim and write report.md/report.json with constants and figures",
                       description="Run `check --full` (or --quick), evaluate the constants table and make "
                                   "the figures, and write report.md and report.json into --out.")
    p.add_argument("--out", metavar="DIR", default="attnlimits-report", help="output directory")
    p.add_argument("--quick", action="store_true", help="only the quick claims")
    p.add_argument("--no-figures", action="store_true", help="skip the figures")
    p.add_argument("--digits", type=int, default=15, help="digits of the constants table (default 15)")
    p.set_defaults(func=run)


def run(args) -> int:
    from pathlib import Path

    from attnlimits.proofs_checks.registry import all_claims
    from attnlimits.proofs_checks.report import write_report
    from attnlimits.proofs_checks.runner import run_claims

    t0 = time.perf_counter()
    full = not args.quick
    claims = [c for c in all_claims() if full or c.quick]
    results = run_claims(claims, full=full)
    sections = []
    from attnlimits.numerics.laws.constants_table import markdown

    sections.append(("Constants", markdown(args.digits)))
    figures = []
    if not args.no_figures:
        try:
            from attnlimits.numerics.figures.registry import make_figures

            made = make_figures(Path(args.out) / "figures")
            figures = [(p, f.caption) for p, f in made]
        except ValueError as exc:  # matplotlib missing: the report says so instead of failing
            sections.append(("Figures", f"Not made: {exc}."))
    extra = {"wall_seconds": round(time.perf_counter() - t0, 1)}
    pm, pj = write_report(results, args.out, mode="full" if full else "quick", sections=sections,
                          figures=figures, extra=extra)
    n_ok = sum(r.status == "pass" for r in results)
    print(f"{n_ok} of {len(results)} claims hold; {len(figures)} figures; wrote {pm} and {pj}")
    return 0 if n_ok == len(results) else 1
