"""The layout rules of docs/developing.md §1–2, checked on the source: no private names across modules, data flows
theory → numerics → proofs_checks/cli and never back, every wing of numerics names its entry points."""
from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"theory": "theory", "numerics": "numerics", "proofs_checks": "proofs_checks", "cli": "cli"}


def _modules():
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield folder, path


def _imports(path: Path):
    """(imported module, imported name or None) for every import of the attnlimits namespace in ``path``."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("attnlimits"):
            for alias in node.names:
                yield node.module, alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("attnlimits"):
                    yield alias.name, None


def test_no_module_imports_a_private_name_of_another():
    offenders = [f"{path.relative_to(ROOT)}: {mod}.{name}" for _, path in _modules()
                 for mod, name in _imports(path) if name and name.startswith("_") and name != "__version__"]
    assert offenders == []


@pytest.mark.parametrize("folder, forbidden", [("theory", ("numerics", "proofs_checks", "cli")),
                                               ("numerics", ("proofs_checks", "cli"))])
def test_data_flows_one_way(folder, forbidden):
    offenders = [f"{path.relative_to(ROOT)}: {mod}" for f, path in _modules() if f == folder
                 for mod, _ in _imports(path) if any(mod.startswith(f"attnlimits.{x}") for x in forbidden)]
    assert offenders == []


@pytest.mark.parametrize("wing", ["special", "quadrature", "laws", "montecarlo", "figures"])
def test_every_wing_names_entry_points_that_resolve(wing):
    pkg = importlib.import_module(f"attnlimits.numerics.{wing}")
    assert pkg.__doc__ and len(pkg.__all__) >= 3
    for name in pkg.__all__:
        assert callable(getattr(pkg, name)), f"{wing}.{name}"


@pytest.mark.parametrize("wing", ["special", "quadrature", "laws", "montecarlo", "figures"])
def test_every_entry_point_of_a_wing_has_an_example(wing):
    # the names a wing's __init__ lists are what a newcomer reads first: each carries a >>> example (run by
    # tests/test_doctests.py)
    pkg = importlib.import_module(f"attnlimits.numerics.{wing}")
    without = [name for name in pkg.__all__ if ">>>" not in (getattr(pkg, name).__doc__ or "")]
    assert without == []
