"""``attnlimits check``: run the registered claims and write the report."""
from __future__ import annotations

import json
import sys

from attnlimits.cli.common import add_json


def register(sub):
    p = sub.add_parser("check", help="run the claims of the papers against their evidence",
                       description="Run every registered claim (or those named with --claim), print a "
                                   "table, and write report.md and report.json. Exit 0 when all hold, "
                                   "1 when any fails, 2 on bad usage.")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="the fast subset (default)")
    mode.add_argument("--full", action="store_true", help="every claim, with the larger Monte Carlo samples")
    p.add_argument("--claim", nargs="+", metavar="ID", default=None, help="run only these claims")
    p.add_argument("--report", metavar="DIR", default="attnlimits-report",
                   help="directory for report.md and report.json (default ./attnlimits-report)")
    p.add_argument("--list", action="store_true", help="list the claims and exit")
    p.add_argument("--markdown", action="store_true", help="with --list: print the Markdown table of README.md")
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
    if args.list and args.markdown:
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
    mode = "full" if full else ("selected" if args.claim else "quick")
    results = run_claims(claims, full=full)
    pm, _ = write_report(results, args.report, mode=mode)
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
