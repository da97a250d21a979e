"""README.md stays true: its claims table is the registry's, and its two set-up commands are the ones CI runs."""
from __future__ import annotations

import re
from pathlib import Path

from attnlimits.proofs_checks.registry import all_claims
from attnlimits.proofs_checks.report import claims_table

ROOT = Path(__file__).resolve().parents[1]


def _readme() -> str:
    return (ROOT / "README.md").read_text()


def test_claims_table_matches_registry():
    text = _readme()
    m = re.search(r"<!-- claims:start -->\n(.*?)\n<!-- claims:end -->", text, re.S)
    assert m, "README.md lacks the <!-- claims:start/end --> block"
    expected = claims_table(all_claims())
    assert m.group(1).strip() == expected.strip(), (
        "README claims table is stale: regenerate with `attnlimits check --list --full --markdown`")


def test_readme_commands_are_the_ones_ci_runs():
    text = _readme()
    ci = (ROOT / ".ci" / "run").read_text()
    assert 'pip install ".[test]"' in text and 'pip install -q ".[test]"' in ci
    assert "attnlimits check --quick" in text and "attnlimits check --quick" in ci
    assert "pytest" in text and "pytest" in ci
