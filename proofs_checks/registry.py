"""The registry of claims: the table of contents of the verification.

A claim is a named statement of one of the two papers (or an extension the package proves), tied to
a check that could fail. Claims are declared with the :func:`claim` decorator in the modules of
``attnlimits.proofs_checks.claims``; every module there is imported by :func:`all_claims`, so a new
area of the theory adds a module and nothing else.

Evidence kinds
--------------
``symbolic``     an identity or expansion proved by exact (sympy) computation;
``certified``    a rigorous enclosure (Arb ball arithmetic, python-flint) that contains the claimed value;
``numerical``    two independent high-precision routes agree to a stated number of digits;
``statistical``  a Monte Carlo test, with fixed seeds, against an exact or high-precision value at a
                 tolerance derived from the estimated standard error.
"""
from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from typing import Callable

__all__ = ["Claim", "Outcome", "CheckContext", "claim", "all_claims", "get_claim", "EVIDENCE_KINDS"]

EVIDENCE_KINDS = ("symbolic", "certified", "numerical", "statistical")


@dataclasses.dataclass
class Outcome:
    """What a check found.

    ``holds``     True when the evidence supports the claim;
    ``evidence``  one or two sentences: what was compared with what, by which route;
    ``figures``   measured numbers: digits agreed, max |z|, p-value, radius of a ball, ...
                  (values are str, int, float or bool so that they serialize to JSON).
    """

    holds: bool
    evidence: str
    figures: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class CheckContext:
    """Run settings handed to every check: ``full`` asks for the larger sample sizes."""

    full: bool = False


@dataclasses.dataclass(frozen=True)
class Claim:
    id: str
    statement: str
    source: str
    evidence: str
    check: Callable[[CheckContext], Outcome]
    quick: bool = True

    def run(self, ctx: CheckContext | None = None) -> Outcome:
        out = self.check(ctx or CheckContext())
        if not isinstance(out, Outcome):
            raise TypeError(f"check of {self.id} returned {type(out).__name__}, not Outcome")
        return out


_REGISTRY: dict[str, Claim] = {}


def claim(id: str, *, statement: str, source: str, evidence: str, quick: bool = True):
    """Register the decorated function ``f(ctx) -> Outcome`` as the check of claim ``id``.

    ``source`` names the paper and section ("P1 §2", "P2 Thm 2.1") or says "extension";
    ``quick=False`` keeps a long check out of ``attnlimits check --quick``.
    """
    if evidence not in EVIDENCE_KINDS:
        raise ValueError(f"evidence must be one of {EVIDENCE_KINDS}, got {evidence!r}")

    def deco(f):
        if id in _REGISTRY and _REGISTRY[id].check.__qualname__ != f.__qualname__:
            raise ValueError(f"claim id {id!r} registered twice")
        _REGISTRY[id] = Claim(id, " ".join(statement.split()), source, evidence, f, quick)
        return f

    return deco


def _load():
    from attnlimits.proofs_checks import claims as pkg

    for mod in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if not mod.name.startswith("_"):
            importlib.import_module(f"{pkg.__name__}.{mod.name}")


def all_claims() -> list[Claim]:
    """Every registered claim, sorted by id."""
    _load()
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


def get_claim(id: str) -> Claim:
    from attnlimits.theory.validation import InputError

    _load()
    if id not in _REGISTRY:
        raise InputError(f"unknown claim {id!r}; `attnlimits check --list` shows the ids")
    return _REGISTRY[id]
