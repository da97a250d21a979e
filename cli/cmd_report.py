"""``attnlimits report``: the regenerated document of all claims, constants and figures."""
from __future__ import annotations

import time

from attnlimits.cli.common import int_arg
from attnlimits.cli.paths import check_output_dir, output_dir_arg

#: where ``report`` writes its document (distinct from ``check``'s ./attnlimits-report, so neither overwrites
#: the other)
DEFAULT_OUT = "attnlimits-paper-report"
REPORT_FILES = ("report.md", "report.json")
#: The constants table's Poisson-limit rows cost about a minute at 40 digits and grow quickly beyond
#: (13 s at 15 digits, 58 s at 40 on a 2-core machine); more digits are for ``attnlimits constants``.
MAX_DIGITS = 50


def _digits(s):
    import argparse

    from attnlimits.theory.validation import InputError, integer

    try:
        value = integer(s, "digits", low=1)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if value > MAX_DIGITS:
        from attnlimits.numerics.precision import MAX_DIGITS as MOST

        raise argparse.ArgumentTypeError(
            f"digits must be at most {MAX_DIGITS} here, got {s}: the report's constants table takes many "
            f"minutes beyond that (its d = 3 Poisson-limit rows); for more digits of the sphere constants use "
            f"`attnlimits constants --digits N` (N up to {MOST})")
    return value


def register(sub):
    p = sub.add_parser("report", help="run every claim and write report.md/report.json with constants and figures",
                       description="Run `check --full` (or --quick), evaluate the constants table and make "
                                   "the figures, and write report.md and report.json into --out. Everything "
                                   "is checked before the work starts; the report is rewritten after each "
                                   "claim (marked partial until the run ends), so an interrupted run keeps "
                                   "what it finished. Progress goes to stderr: a bar on a terminal, one line "
                                   "per finished claim or figure otherwise.")
    p.add_argument("--out", metavar="DIR", type=output_dir_arg(files=REPORT_FILES, folders=("figures",)), default=None,
                   help=f"output folder, created if needed (default ./{DEFAULT_OUT})")
    p.add_argument("--quick", action="store_true", help="only the quick claims")
    p.add_argument("--no-figures", action="store_true", help="skip the figures")
    p.add_argument("--digits", type=_digits, default=15,
                   help=f"digits of the constants table, 1..{MAX_DIGITS} (default 15)")
    p.set_defaults(func=run)


def run(args) -> int:
    from pathlib import Path

    from attnlimits.numerics.progress import progress
    from attnlimits.proofs_checks.registry import all_claims
    from attnlimits.proofs_checks.report import write_report
    from attnlimits.proofs_checks.runner import run_claims

    out = args.out if args.out is not None else check_output_dir(DEFAULT_OUT, "--out", files=REPORT_FILES,
                                                                   folders=("figures",))
    t0 = time.perf_counter()
    full = not args.quick
    mode = "full" if full else "quick"
    claims = [c for c in all_claims() if full or c.quick]
    pending = "the constants table" + ("" if args.no_figures else " and the figures")

    def keep(done, sections=()):
        ran = f"{len(done)} of {len(claims)} claims finished" if len(done) < len(claims) else "all claims finished"
        write_report(done, out, mode=mode, sections=sections, partial=f"{ran}; not made yet: {pending}")

    keep([])
    try:
        results = run_claims(claims, full=full, on_result=keep)
        from attnlimits.numerics.laws.constants_table import markdown

        for _ in progress(["constants"], desc="constants table", lines=True):
            sections = [("Constants", markdown(args.digits))]
        figures = []
        if not args.no_figures:
            pending = "the figures"
            keep(results, sections)
            try:
                from attnlimits.numerics.figures.registry import make_figures

                made = make_figures(Path(out) / "figures")
                figures = [(p, f.caption) for p, f in made]
            except ValueError as exc:  # matplotlib missing: the report says so instead of failing
                sections.append(("Figures", f"Not made: {exc}."))
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: main prints one line, this tells where the work is
        exc.args = (f"the partial report in {out} holds what was finished before it",)
        raise
    extra = {"wall_seconds": round(time.perf_counter() - t0, 1)}
    pm, pj = write_report(results, out, mode=mode, sections=sections, figures=figures, extra=extra)
    n_ok = sum(r.status == "pass" for r in results)
    print(f"{n_ok} of {len(results)} claims hold; {len(figures)} figures; wrote {pm} and {pj}")
    return 0 if n_ok == len(results) else 1
