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


def run_claims(claims: list[Claim], *, full: bool = False, show_progress: bool = True) -> list[Result]:
    """Run each claim's check; an exception inside a check is reported as status 'error'."""
    ctx = CheckContext(full=full)
    results = []
    bar = progress(claims, desc="claims", unit="claim", disable=not show_progress)
    for c in bar:
        if hasattr(bar, "set_postfix_str"):
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
    return results
