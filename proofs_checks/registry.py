"""The registry of claims: the table of contents of the verification.

A claim is a named statement of one of the two papers (or an extension the package proves), tied to
a check that could fail. Claims are declared with the :func:`claim` decorator in the modules of
``attnlimits.proofs_checks.claims``; every module there is imported by :func:`all_claims`, so a new
area of the theory adds a module and nothing else.

Ids and areas
-------------
An id is ``<area>.<name>``: ``P1.<area>.<name>`` for paper 1, ``P2.<name>`` for paper 2, ``EXT.<area>.<name>``
for extensions. Each claims module declares the id prefixes it owns, ``AREA = "P1.cap"`` or a tuple
``AREA = ("EXT.mc", "P1.mc")``, before its first claim; the registry refuses a claim whose id does not start
with one of its module's areas, and an area declared by two modules.

Sources
-------
``source`` is a :class:`~attnlimits.proofs_checks.source.Source`: ``Source("P1", "§2")``,
``Source("P2", item="Thm 2.1")``, ``Source.extension("P1 §2 cap law", derivation="docs/mathematics.md §11")``.

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
import sys
from typing import Callable

from attnlimits.proofs_checks.source import Source

__all__ = ["Claim", "Outcome", "CheckContext", "Source", "claim", "all_claims", "get_claim", "module_areas",
           "EVIDENCE_KINDS"]

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
    """A registered claim: ``id``, one-line ``statement``, ``source`` (a :class:`Source`), ``evidence`` kind
    (one of :data:`EVIDENCE_KINDS`), the ``check`` f(ctx) -> Outcome, and whether it is ``quick``."""

    id: str
    statement: str
    source: Source
    evidence: str
    check: Callable[[CheckContext], Outcome]
    quick: bool = True

    def __post_init__(self):
        if not isinstance(self.source, Source):
            raise TypeError(f"claim {self.id!r}: source must be a Source (Source('P1', '§2'), "
                            f"Source.extension(...)), got {type(self.source).__name__}")
        if self.evidence not in EVIDENCE_KINDS:
            raise ValueError(f"evidence must be one of {EVIDENCE_KINDS}, got {self.evidence!r}")

    def run(self, ctx: CheckContext | None = None) -> Outcome:
        out = self.check(ctx or CheckContext())
        if not isinstance(out, Outcome):
            raise TypeError(f"check of {self.id} returned {type(out).__name__}, not Outcome")
        return out


_REGISTRY: dict[str, Claim] = {}
_AREA_OWNER: dict[str, str] = {}  # id prefix -> the claims module that declared it


def module_areas(module_name: str) -> tuple[str, ...]:
    """The id prefixes declared by a claims module's ``AREA`` (a string or a tuple of strings)."""
    mod = sys.modules.get(module_name)
    area = getattr(mod, "AREA", None)
    areas = (area,) if isinstance(area, str) else tuple(area or ())
    if not areas or not all(isinstance(a, str) and a and not a.endswith(".") for a in areas):
        raise ValueError(f"claims module {module_name} must declare AREA = 'P1.<area>' (or a tuple of them) "
                         f"before its first claim")
    for a in areas:
        for other, owner in _AREA_OWNER.items():
            if owner != module_name and (a == other or a.startswith(other + ".") or other.startswith(a + ".")):
                raise ValueError(f"claim area {a!r} of {module_name} overlaps {other!r} of {owner}")
    for a in areas:
        _AREA_OWNER[a] = module_name
    return areas


def claim(id: str, *, statement: str, source: Source, evidence: str, quick: bool = True):
    """Register the decorated function ``f(ctx) -> Outcome`` as the check of claim ``id``.

    ``id`` must start with an area its module declares (``AREA``); ``source`` is a :class:`Source`
    (a paper's section or theorem, or ``Source.extension(...)``); ``quick=False`` keeps a long check out of
    ``attnlimits check --quick``.
    """
    if not isinstance(source, Source):
        raise TypeError(f"claim {id!r}: source must be a Source, got {type(source).__name__}")
    if evidence not in EVIDENCE_KINDS:
        raise ValueError(f"evidence must be one of {EVIDENCE_KINDS}, got {evidence!r}")

    def deco(f):
        areas = module_areas(f.__module__)
        if not any(id.startswith(a + ".") for a in areas):
            raise ValueError(f"claim id {id!r} is outside the areas {', '.join(areas)} of {f.__module__}")
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
