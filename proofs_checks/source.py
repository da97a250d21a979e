"""Where a claim comes from: a paper's section or theorem, or an extension derived by the package.

The two papers are named by short keys (:data:`PAPERS`):

``P1``  *Scaling Limits of Long-Context Transformers* (arXiv 2605.08505): §2 setup, §3 attention-weight
        regimes, §4 outputs, §5 numerical experiments;
``P2``  *Critical attention scaling in long-context transformers* (arXiv 2510.05554): Theorems 2.1, 2.3, 2.4.

A claim's ``source`` is a :class:`Source`; ``str(source)`` is its short text (``attnlimits check --list``),
``source.describe()`` adds the derivation (the report and the README's claims table):

>>> str(Source("P1", "§2"))
'P1 §2'
>>> str(Source("P2", item="Thm 2.1", note="window"))
'P2 Thm 2.1 (window)'
>>> str(Source.extension("P1 §2 cap law"))
'extension (P1 §2 cap law)'
>>> src = Source.extension("P1 §2 model", derivation="docs/mathematics.md §11.6")
>>> str(src), src.describe()
('extension (P1 §2 model)', 'extension (P1 §2 model; docs/mathematics.md §11.6)')
>>> Source("P3", "§1")
Traceback (most recent call last):
  ...
ValueError: source paper must be one of P1, P2 (or use Source.extension), got 'P3'
"""
from __future__ import annotations

import dataclasses
import re

__all__ = ["PAPERS", "Source"]

#: The papers a claim may cite, by key.
PAPERS = {
    "P1": "Scaling Limits of Long-Context Transformers (arXiv 2605.08505)",
    "P2": "Critical attention scaling in long-context transformers (arXiv 2510.05554)",
}

_SECTION = re.compile(r"§\d+(\.\d+)?(-\d+(\.\d+)?)?")
_DERIVATION = re.compile(r"docs/[a-z_]+\.md §\d+[a-z]?(\.\d+)?")


@dataclasses.dataclass(frozen=True)
class Source:
    """The source of a claim.

    ``paper``       ``"P1"`` or ``"P2"`` (see :data:`PAPERS`); ``None`` for an extension (use :meth:`extension`);
    ``section``     a section of the paper, ``"§2"`` or a range ``"§1-2"``, or ``None``;
    ``item``        a numbered item of the paper: ``"Thm 2.1"``, ``"eq. (4)"``, ``"Fig. 2"``, or ``None``;
    ``note``        a qualifier printed in parentheses (``"residual"``, ``"extension: law of W_(1)"``); for an
                    extension, what it extends (``"P1 §2 cap law"``);
    ``derivation``  where the package derives the statement, ``"docs/mathematics.md §N"`` (the reference test
                    checks that the section exists), or ``None``.

    A paper source names a section or an item; an extension names neither.
    """

    paper: str | None
    section: str | None = None
    item: str | None = None
    note: str | None = None
    derivation: str | None = None

    def __post_init__(self):
        if self.paper is None:
            if self.section is not None or self.item is not None:
                raise ValueError("an extension names no paper section or item: put what it extends in the note")
        else:
            if self.paper not in PAPERS:
                raise ValueError(f"source paper must be one of {', '.join(PAPERS)} (or use Source.extension), "
                                 f"got {self.paper!r}")
            if self.section is None and self.item is None:
                raise ValueError(f"a {self.paper} source names a section or an item")
        if self.section is not None and not _SECTION.fullmatch(self.section):
            raise ValueError(f"source section must look like '§2' or '§1-2', got {self.section!r}")
        if self.derivation is not None and not _DERIVATION.fullmatch(self.derivation):
            raise ValueError(f"source derivation must look like 'docs/mathematics.md §4', got {self.derivation!r}")
        for name in ("item", "note"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise ValueError(f"source {name} must be a non-empty string or None, got {value!r}")

    @classmethod
    def extension(cls, extends: str | None = None, *, derivation: str | None = None) -> "Source":
        """A statement the package proves beyond the papers: ``extends`` says what it extends."""
        return cls(None, note=extends, derivation=derivation)

    @property
    def is_extension(self) -> bool:
        return self.paper is None

    def __str__(self) -> str:
        """The short text: ``P1 §2``, ``P2 Thm 2.1 (window)``, ``extension (P1 §2 cap law)``."""
        head = "extension" if self.paper is None else " ".join(p for p in (self.paper, self.section, self.item) if p)
        return f"{head} ({self.note})" if self.note else head

    def describe(self) -> str:
        """The short text and, when there is one, the derivation: the form of the report and the README table."""
        if self.derivation is None:
            return str(self)
        head = "extension" if self.paper is None else " ".join(p for p in (self.paper, self.section, self.item) if p)
        return f"{head} ({'; '.join(p for p in (self.note, self.derivation) if p)})"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def as_dict(self) -> dict:
        """The fields, for report.json."""
        return dataclasses.asdict(self)
