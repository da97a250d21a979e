"""The documentation is self-contained: every citation `docs/<page>.md §N` (or §N.M, a range §3–4, a list
§1, §2) in the repository's *.py and *.md files names an existing page and an existing numbered heading in it,
every `docs/<page>.md` mentioned exists, and nothing cites by section ("notes" followed by a section sign) a document
that is not in the repository."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIP_DIRS = {".git", ".hypothesis", ".venv", "venv", "build", "dist", "__pycache__", "attnlimits.egg-info",
             "attnlimits-report", "attnlimits-paper-report"}

_LABEL = r"\d+[a-z]?(?:\.\d+)*"
_ONE = rf"{_LABEL}(?:\s*[–-]\s*{_LABEL})?"
#: `docs/<page>.md §4`, `§4.2`, `§3–4`, `§1, §2, §11.6`
CITATION = re.compile(rf"docs/(?P<page>[A-Za-z0-9_-]+)\.md,? §(?P<labels>{_ONE}(?:,\s*§{_ONE})*)")
PAGE = re.compile(r"docs/(?P<page>[A-Za-z0-9_-]+)\.md")
#: numbered headings: `## 4. Critical regime`, `### 4.1 The Laplace exponent`, `## 2a. Ziggurat`
HEADING = re.compile(rf"^#{{1,6}}\s+(?P<label>{_LABEL})\.?\s", re.M)


def _files():
    for path in sorted(ROOT.rglob("*")):
        if path.suffix in (".py", ".md") and path.is_file() and not SKIP_DIRS & set(path.relative_to(ROOT).parts):
            yield path


def _headings(page: str) -> set[str]:
    return {m.group("label") for m in HEADING.finditer((ROOT / "docs" / f"{page}.md").read_text())}


def _labels(text: str) -> list[str]:
    """Every label of a citation's tail: the ends of ranges and the items of lists."""
    return re.findall(_LABEL, text)


def _citations():
    for path in _files():
        text = path.read_text(errors="replace")
        for m in CITATION.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            yield f"{path.relative_to(ROOT)}:{line}", m.group("page"), _labels(m.group("labels"))


def test_the_citation_pattern_reads_ranges_and_lists():
    found = [(m.group("page"), _labels(m.group("labels"))) for m in CITATION.finditer(
        "see docs/mathematics.md §3–4, §7–8; docs/geometry.md §1 and docs/mathematics.md §11.6, and "
        "(docs/mathematics.md §1, §2, §11.6)")]
    assert found == [("mathematics", ["3", "4", "7", "8"]), ("geometry", ["1"]), ("mathematics", ["11.6"]),
                     ("mathematics", ["1", "2", "11.6"])]
    assert HEADING.findall("## 4. Critical regime\n### 4.1 The first\n## 2a. Ziggurat\n## Claims\n") == \
        ["4", "4.1", "2a"]


def test_every_section_citation_resolves():
    citations = list(_citations())
    assert len(citations) >= 40, "the package cites docs/mathematics.md throughout; did the pattern break?"
    bad = []
    for where, page, labels in citations:
        if not (ROOT / "docs" / f"{page}.md").is_file():
            bad.append(f"{where}: docs/{page}.md does not exist")
            continue
        missing = [lab for lab in labels if lab not in _headings(page)]
        if missing:
            bad.append(f"{where}: docs/{page}.md has no section {', '.join('§' + m for m in missing)}")
    assert not bad, "\n".join(bad)


def test_every_docs_page_mentioned_exists():
    bad = []
    for path in _files():
        for m in PAGE.finditer(path.read_text(errors="replace")):
            if not (ROOT / "docs" / f"{m.group('page')}.md").is_file():
                bad.append(f"{path.relative_to(ROOT)}: docs/{m.group('page')}.md")
    assert not bad, "missing pages:\n" + "\n".join(sorted(set(bad)))


def test_nothing_cites_the_old_notes():
    old = "notes " + "§"  # spelled in two pieces so that this file does not match itself
    hits = [f"{p.relative_to(ROOT)}:{i}" for p in _files()
            for i, line in enumerate(p.read_text(errors="replace").splitlines(), 1) if old in line]
    assert not hits, "replace by docs/mathematics.md §N:\n" + "\n".join(hits)


@pytest.mark.parametrize("number, words", [
    ("1", "Model"), ("2", "Uniform keys"), ("3", "Normalization"), ("4", "Critical regime"),
    ("5", "Subcritical regime"), ("6", "heat equation"), ("7", "Supercritical regime"), ("8", "finite-n"),
    ("9", "local-exponent"), ("10", "equiangular"), ("11", "Numerical methods"),
])
def test_mathematics_has_its_numbered_sections(number, words):
    text = (ROOT / "docs" / "mathematics.md").read_text()
    m = re.search(rf"^## {number}\. (.*)$", text, re.M)
    assert m and words.lower() in m.group(1).lower(), f"§{number} should be about {words}"


def test_imports_shown_in_the_docs_resolve():
    """`from attnlimits.x.y import a, b` and `import attnlimits.x.y` in the pages' code name what exists."""
    import importlib
    import importlib.util

    bad, seen = [], 0
    for page in sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]:
        text = page.read_text()
        for m in re.finditer(r"^\s*(?:>>> )?from (attnlimits(?:\.\w+)+) import ([\w, ]+)$", text, re.M):
            seen += 1
            mod = importlib.import_module(m.group(1))
            names = [item.split(" as ")[0].strip() for item in m.group(2).split(",")]
            bad += [f"{page.name}: {m.group(1)}.{name}" for name in names
                    if name and not hasattr(mod, name) and importlib.util.find_spec(f"{m.group(1)}.{name}") is None]
    assert seen >= 10
    assert not bad, "the docs import names that do not exist:\n" + "\n".join(bad)


def _python_blocks():
    for page in sorted((ROOT / "docs").glob("*.md")):
        text = page.read_text()
        for m in re.finditer(r"^```python\n(.*?)^```", text, re.M | re.S):
            yield pytest.param(page.name, m.group(1), id=f"{page.name}:{text.count(chr(10), 0, m.start()) + 1}")


@pytest.mark.parametrize("page, code", list(_python_blocks()))
def test_python_examples_of_the_docs_run(page, code, monkeypatch, tmp_path):
    """The ```python blocks of docs/*.md run as written (their comments say what they return)."""
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(compile(code, f"docs/{page}", "exec"), namespace)
    assert any(not k.startswith("__") for k in namespace), "the example defined nothing"


def test_dotted_names_in_the_docs_resolve():
    """Every `theory.x`, `numerics.x.y.f`, `proofs_checks.x`, `cli.x` the pages name in backticks exists (with or
    without the `attnlimits.` prefix): module paths stay true after a move."""
    import importlib

    bad, seen = [], 0
    for page in sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]:
        names = set(re.findall(r"`(?:attnlimits\.)?((?:theory|numerics|proofs_checks|cli)(?:\.\w+)+)",
                               page.read_text()))
        for name in sorted(names):
            seen += 1
            parts = f"attnlimits.{name}".split(".")
            for i in range(len(parts), 1, -1):  # the longest importable prefix, then attributes
                try:
                    obj = importlib.import_module(".".join(parts[:i]))
                except ImportError:
                    continue
                for attr in parts[i:]:
                    obj = getattr(obj, attr, None)
                if obj is None:
                    bad.append(f"{page.name}: {name}")
                break
            else:
                bad.append(f"{page.name}: {name}")
    assert seen >= 50
    assert not bad, "the docs name what does not exist:\n" + "\n".join(bad)


def test_claim_ids_named_in_the_docs_are_registered():
    """A claim renamed or removed is renamed or removed in the pages too (`P1.cap.critical_scale`, ...)."""
    from attnlimits.proofs_checks.registry import all_claims

    ids = {c.id for c in all_claims()}
    named = {(page.name, m) for page in sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
             for m in re.findall(r"\b((?:P1|P2|EXT)\.[a-z0-9_]+\.[a-z0-9_]+)\b", page.read_text())}
    assert len(named) >= 40
    unknown = sorted(f"{page}: {cid}" for page, cid in named if cid not in ids)
    assert not unknown, "the docs name claims that do not exist:\n" + "\n".join(unknown)
