"""Findings as plain, picklable data.

Everything a rule reports travels through these types: the runner filters them (noqa, per-file
ignores), the fixer applies their edits and the reporters print them. Keeping them free of libcst
nodes is what lets per-file results cross process boundaries and live in a cache.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import NamedTuple

from schemacheck.pickling import as_tuple


@as_tuple
class Span(NamedTuple):
    """A range of source text: character offsets into the decoded text, plus 1-based positions.

    ``end_column`` is exclusive-end expressed 1-based, as ruff and SARIF use it: a span covering
    the three characters at columns 5-7 has ``column=5, end_column=8``. A tuple: a model holds
    hundreds of spans, and tuples are the cheapest to build, pickle and cache.
    """

    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int


class Applicability(str, enum.Enum):
    """How sure a fix is to keep the user's intent (ruff's terms)."""

    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` with ``content`` (character offsets into the decoded text)."""

    start: int
    end: int
    content: str


@dataclass(frozen=True)
class Fix:
    message: str
    applicability: Applicability
    edits: tuple[Edit, ...]


class Level(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Related:
    """Another place a finding involves (the other side of a relationship, a target table)."""

    path: str
    span: Span
    message: str


@dataclass(frozen=True)
class Diagnostic:
    code: str
    name: str
    message: str
    level: Level
    path: str
    span: Span
    fix: Fix | None = None
    # Further lines whose noqa comment suppresses this finding, besides ``span.line``.
    noqa_lines: tuple[int, ...] = field(default=(), compare=False)
    related: tuple[Related, ...] = ()

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.span.line, self.span.column, self.code)
