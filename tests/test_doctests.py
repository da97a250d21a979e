"""Executable documentation: the `>>>` examples in the docstrings of every module of attnlimits.theory,
attnlimits.numerics and attnlimits.proofs_checks run, one test per module, and print what they show."""
from __future__ import annotations

import doctest
import importlib
import pkgutil

import mpmath
import pytest

PACKAGES = ("attnlimits.theory", "attnlimits.numerics", "attnlimits.proofs_checks")

#: Modules with at least one example when this test was written; examples may be added, never silently lost.
MIN_MODULES_WITH_EXAMPLES = 54


def _modules() -> list[str]:
    names = []
    for pkg_name in PACKAGES:
        pkg = importlib.import_module(pkg_name)
        names.append(pkg_name)
        names += [m.name for m in pkgutil.walk_packages(pkg.__path__, prefix=pkg_name + ".")]
    return sorted(names)


MODULES = _modules()
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _examples(mod) -> int:
    finder = doctest.DocTestFinder()
    return sum(len(t.examples) for t in finder.find(mod))


@pytest.mark.parametrize("name", MODULES)
def test_module_examples_run(name):
    mod = importlib.import_module(name)
    dps = mpmath.mp.dps
    try:
        result = doctest.testmod(mod, optionflags=FLAGS, verbose=False, report=True)
    finally:
        mpmath.mp.dps = dps
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples of {name} failed (output above)"


def test_examples_do_not_vanish():
    with_examples = [name for name in MODULES if _examples(importlib.import_module(name))]
    assert len(with_examples) >= MIN_MODULES_WITH_EXAMPLES, (
        f"only {len(with_examples)} modules have examples: {', '.join(with_examples)}")


def test_every_module_is_collected():
    assert "attnlimits.theory.sphere" in MODULES and "attnlimits.numerics.precision" in MODULES
    assert any(name.startswith("attnlimits.numerics.laws.") for name in MODULES)
