"""Write a verification run as report.md and report.json."""
from __future__ import annotations

import datetime as _dt
import json
import os
import platform
from pathlib import Path

from attnlimits.numerics.files import write_text_atomically
from attnlimits.proofs_checks.runner import Result
from attnlimits.proofs_checks.source import PAPERS

__all__ = ["summary", "write_report", "versions", "claims_table"]


def versions() -> dict:
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for pkg in ("attnlimits", "sympy", "mpmath", "numpy", "scipy", "python-flint"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def summary(results: list[Result], *, mode: str) -> dict:
    counts = {s: sum(r.status == s for r in results) for s in ("pass", "fail", "error")}
    return {
        "mode": mode,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "versions": versions(),
        "counts": counts,
        "seconds": round(sum(r.seconds for r in results), 2),
        "claims": [r.as_dict() for r in results],
    }


def _md_escape(s: str) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def write_report(results: list[Result], out_dir, *, mode: str, sections=(), figures=(),
                 extra: dict | None = None, partial: str | None = None) -> tuple[Path, Path]:
    """Write ``report.json`` and ``report.md`` into ``out_dir`` (created if needed), each atomically.

    ``sections``: (title, markdown body) pairs placed after the claims table (e.g. the constants);
    ``figures``: (png path, caption) pairs embedded at the end; ``extra``: more JSON fields; ``partial``: what
    the run has not finished yet (a run rewrites its report after each claim, so an interrupted run keeps what it
    finished): it heads report.md and is the JSON field ``partial`` (null when the report is complete).

    >>> import json, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     md, js = write_report([], tmp, mode="quick", partial="0 of 3 claims finished")
    ...     json.loads(js.read_text())["partial"], md.read_text().splitlines()[2]
    ('0 of 3 claims finished', '**Partial report:** 0 of 3 claims finished.')
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = summary(results, mode=mode)
    data.update(extra or {})
    data["partial"] = partial
    if figures:
        data["figures"] = [{"file": Path(p).name, "caption": c} for p, c in figures]
    pj = out / "report.json"
    write_text_atomically(pj, json.dumps(data, indent=2) + "\n")

    c = data["counts"]
    lines = ["# attnlimits verification report", ""]
    if partial:
        lines += [f"**Partial report:** {partial}.", ""]
    lines += [
        f"Mode `{mode}`, {len(results)} claims: {c['pass']} hold, {c['fail']} fail, {c['error']} errors; "
        f"{data['seconds']} s of checks. Created {data['created']}.",
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in data["versions"].items()) + ".",
        "",
        "Papers: " + "; ".join(f"{k} = {v}" for k, v in PAPERS.items()) + ". Derivations: docs/mathematics.md.",
        "",
        "| claim | source | evidence kind | status | seconds |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(f"| `{r.claim.id}` | {_md_escape(r.claim.source.describe())} | {r.claim.evidence} | "
                     f"{r.status.upper()} | {r.seconds:.2f} |")
    for title, body in sections:
        lines += ["", f"## {title}", "", body.rstrip()]
    lines += ["", "## Claims", ""]
    for r in results:
        d = r.as_dict()
        lines += [f"### `{d['id']}` — {d['status'].upper()}", "",
                  f"**Statement.** {d['statement']}", "",
                  f"**Source.** {d['source']}. **Evidence kind.** {d['evidence_kind']}.", "",
                  f"**Evidence.** {d['evidence']}", ""]
        if d["figures"]:
            lines += ["| figure | value |", "|---|---|"]
            lines += [f"| {_md_escape(k)} | {_md_escape(v)} |" for k, v in d["figures"].items()]
            lines.append("")
    if figures:
        lines += ["## Figures", ""]
        for i, (p, cap) in enumerate(figures, 1):
            rel = os.path.relpath(Path(p).resolve(), out.resolve())
            lines += [f"![Figure {i}]({rel})", "", f"*Figure {i}.* {cap}", ""]
    pm = out / "report.md"
    write_text_atomically(pm, "\n".join(lines) + "\n")
    return pm, pj


def claims_table(claims) -> str:
    """The Markdown table of claims (id, statement, source, evidence kind, in --quick) used in README.md."""
    lines = ["| claim | statement | source | evidence | quick |", "|---|---|---|---|---|"]
    for c in claims:
        lines.append(f"| `{c.id}` | {_md_escape(c.statement)} | {_md_escape(c.source.describe())} | {c.evidence} | "
                     f"{'yes' if c.quick else 'full only'} |")
    return "\n".join(lines)
