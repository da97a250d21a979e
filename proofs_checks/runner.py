"""Run claims and collect their results."""
from __future__ import annotations

import dataclasses
import time
import traceback

from attnlimits.numerics.progress import progress
from attnlimits.proofs_checks.registry import CheckContext, Claim, Outcome

__all__ = ["Result", "run_claims"]


@dataclasses.dataclass
class Result:
    claim: Claim
    status: str  # "pass" | "fail" | "error"
    outcome: Outcome
    seconds: float

    def as_dict(self) -> dict:
        c = self.claim
        return {
            "id": c.id,
            "statement": c.statement,
            "source": c.source.describe(),
            "source_detail": c.source.as_dict(),
            "evidence_kind": c.evidence,
            "status": self.status,
            "evidence": self.outcome.evidence,
            "figures": {k: _jsonable(v) for k, v in self.outcome.figures.items()},
            "seconds": round(self.seconds, 3),
        }


def _jsonable(v):
    if isinstance(v, (bool, int, str)) or v is None:
        return v
    if isinstance(v, float):
        return v if v == v and abs(v) != float("inf") else str(v)
    return str(v)


def run_claims(claims: list[Claim], *, full: bool = False, show_progress: bool = True,
               on_result=None) -> list[Result]:
    """Run each claim's check; an exception inside a check is reported as status 'error'.

    Progress goes to stderr (:func:`attnlimits.numerics.progress.progress`: a bar on a terminal, one line per
    finished claim elsewhere). ``on_result(results)``, if given, is called with the results so far after each
    claim, e.g. to rewrite the report so that an interrupted run keeps what it finished.

    >>> from attnlimits.proofs_checks.registry import Claim, Outcome, Source
    >>> c = Claim("EXT.demo.one", "1 + 1 = 2", Source("P1", "§2"), "symbolic", lambda ctx: Outcome(1 + 1 == 2, "sum"))
    >>> seen = []
    >>> [r.status for r in run_claims([c], show_progress=False, on_result=lambda rs: seen.append(len(rs)))], seen
    (['pass'], [1])
    """
    ctx = CheckContext(full=full)
    results = []
    bar = progress(claims, desc="claims", unit="claim", disable=not show_progress, lines=True)
    for c in bar:
        bar.set_postfix_str(c.id)
        t0 = time.perf_counter()
        try:
            out = c.run(ctx)
            status = "pass" if out.holds else "fail"
        except Exception as exc:  # a broken check is a failed verification, not a crash
            tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
            out = Outcome(False, f"check raised {tb}", {})
            status = "error"
        results.append(Result(c, status, out, time.perf_counter() - t0))
        if on_result is not None:
            on_result(results)
    return results
