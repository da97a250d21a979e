"""``attnlimits check``: run the registered claims and write the report."""
from __future__ import annotations

import json
import sys

from attnlimits.cli.common import add_json
from attnlimits.cli.paths import check_output_dir, output_dir_arg

#: where ``check`` writes report.md and report.json (``report`` has its own default folder)
DEFAULT_REPORT = "attnlimits-report"
REPORT_FILES = ("report.md", "report.json")


def register(sub):
    p = sub.add_parser("check", help="run the claims of the papers against their evidence",
                       description="Run every registered claim (or those named with --claim), print a "
                                   "table, and write report.md and report.json. The report is rewritten "
                                   "after each claim (marked partial until the run ends), so an interrupted "
                                   "run keeps what it finished. Progress goes to stderr: a bar on a "
                                   "terminal, one line per finished claim otherwise. Exit 0 when all hold, "
                                   "1 when any fails, 2 on bad usage.")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="the fast subset (default)")
    mode.add_argument("--full", action="store_true", help="every claim, with the larger Monte Carlo samples")
    p.add_argument("--claim", nargs="+", metavar="ID", default=None, help="run only these claims")
    p.add_argument("--report", metavar="DIR", type=output_dir_arg(files=REPORT_FILES), default=None,
                   help=f"folder for report.md and report.json, created if needed (default ./{DEFAULT_REPORT})")
    p.add_argument("--list", action="store_true", help="list the claims and exit (runs nothing)")
    p.add_argument("--markdown", action="store_true",
                   help="print the claims as the Markdown table of README.md and exit; implies --list")
    add_json(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from attnlimits.proofs_checks.registry import all_claims, get_claim
    from attnlimits.proofs_checks.report import summary, write_report
    from attnlimits.proofs_checks.runner import run_claims

    full = bool(args.full)
    if args.claim:
        claims = [get_claim(c) for c in args.claim]
    else:
        claims = [c for c in all_claims() if full or c.quick]
    if args.markdown:
        from attnlimits.proofs_checks.report import claims_table

        print(claims_table(claims))
        return 0
    if args.list:
        wid = max((len(c.id) for c in claims), default=0)
        wsrc = max((len(str(c.source)) for c in claims), default=0)
        for c in claims:
            print(f"{c.id:{wid}s}  {c.evidence:12s} {str(c.source):{wsrc}s}  {c.statement}")
        return 0
    if not claims:
        print("attnlimits: error: no claims are registered", file=sys.stderr)
        return 2
    # an explicit --report was checked while parsing; the default is checked here, before any claim runs
    out = args.report if args.report is not None else check_output_dir(DEFAULT_REPORT, "--report",
                                                                         files=REPORT_FILES)
    mode = "full" if full else ("selected" if args.claim else "quick")

    def keep(done):
        if len(done) < len(claims):
            write_report(done, out, mode=mode, partial=f"{len(done)} of {len(claims)} claims finished")

    keep([])
    try:
        results = run_claims(claims, full=full, on_result=keep)
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: main prints one line, this tells where the work is
        exc.args = (f"the partial report in {out} holds the claims finished before it",)
        raise
    pm, _ = write_report(results, out, mode=mode)
    if args.json:
        print(json.dumps(summary(results, mode=mode), indent=2))
    else:
        w = max(len(r.claim.id) for r in results)
        for r in results:
            print(f"{r.status.upper():5s}  {r.claim.id.ljust(w)}  {r.claim.evidence:11s}  {r.seconds:7.2f}s  "
                  f"{_short(r.outcome.evidence)}")
        n_ok = sum(r.status == "pass" for r in results)
        print(f"{n_ok} of {len(results)} claims hold; report: {pm}")
    return 0 if all(r.status == "pass" for r in results) else 1


def _short(s: str, n: int = 90) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"
