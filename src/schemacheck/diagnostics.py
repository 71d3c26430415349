"""Findings as plain, picklable data.

Everything a rule reports travels through these types: the runner filters them (noqa, per-file
ignores), the fixer applies their edits and the reporters print them. Keeping them free of libcst
nodes is what lets per-file results cross process boundaries and live in a cache.
"""

from __future__ import annotations

import enum
import sys
from dataclasses import dataclass, field
from typing import Any

from schemacheck.pickling import by_fields

_FIELD_BITS = 32  # each field but ``start``, the highest, which is unbounded
_FIELD_MASK = (1 << _FIELD_BITS) - 1
_SPAN_FIELDS = ("start", "end", "line", "column", "end_line", "end_column")


class Span(int):
    """A range of source text: character offsets into the decoded text, plus 1-based positions.

    ``end_column`` is exclusive-end expressed 1-based, as ruff and SARIF use it: a span covering
    the three characters at columns 5-7 has ``column=5, end_column=8``.

    The six numbers are packed in one int, ``start`` highest: a project's models hold hundreds
    of thousands of spans, and one int (64 bytes, pickled as one number) costs less than half
    of a tuple of six with its offsets. Spans order as the tuples of their fields would.
    """

    __slots__ = ()

    def __new__(
        cls, start: int, end: int, line: int, column: int, end_line: int, end_column: int
    ) -> Span:
        if (end | line | column | end_line | end_column) >> _FIELD_BITS or start < 0:
            raise ValueError(
                f"span out of range: {(start, end, line, column, end_line, end_column)}"
            )
        return int.__new__(
            cls,
            ((((start << 32 | end) << 32 | line) << 32 | column) << 32 | end_line) << 32
            | end_column,
        )

    @property
    def start(self) -> int:
        return self >> 160

    @property
    def end(self) -> int:
        return self >> 128 & _FIELD_MASK

    @property
    def line(self) -> int:
        return self >> 96 & _FIELD_MASK

    @property
    def column(self) -> int:
        return self >> 64 & _FIELD_MASK

    @property
    def end_line(self) -> int:
        return self >> 32 & _FIELD_MASK

    @property
    def end_column(self) -> int:
        return self & _FIELD_MASK

    def fields(self) -> tuple[int, int, int, int, int, int]:
        """``(start, end, line, column, end_line, end_column)``, read at once."""
        mask = _FIELD_MASK
        return (
            self >> 160,
            self >> 128 & mask,
            self >> 96 & mask,
            self >> 64 & mask,
            self >> 32 & mask,
            self & mask,
        )

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={value}" for name, value in zip(_SPAN_FIELDS, self.fields()))
        return f"Span({values})"

    __str__ = __repr__

    def __reduce__(self) -> tuple[Any, tuple[type[Span], int]]:
        return int.__new__, (Span, int(self))


class Applicability(str, enum.Enum):
    """How sure a fix is to keep the user's intent (ruff's terms)."""

    SAFE = "safe"
    UNSAFE = "unsafe"


_LENGTH_BITS = 32  # an edit's length, below its start in ``Edit``'s one int


class Edit:
    """Replace ``text[start:end]`` with ``content`` (character offsets into the decoded text).

    ``start`` and the length are one int: a run's fixes hold a hundred thousand edits, and one
    int of two 30-bit digits costs half as much as two ints, with a slot fewer.
    """

    __slots__ = ("_range", "content")
    _range: int
    content: str

    def __init__(self, start: int, end: int, content: str) -> None:
        if start < 0 or not 0 <= end - start < 1 << _LENGTH_BITS:
            raise ValueError(f"edit range out of bounds: {start}-{end}")
        object.__setattr__(self, "_range", start << _LENGTH_BITS | end - start)
        # A run's fixes write the same few texts thousands of times (``nullable=False``, an
        # import line, a timestamp column), as do their titles and many messages: one object
        # for each text. Made anew, unpickled from a worker or the cache, all the same.
        object.__setattr__(self, "content", sys.intern(content))

    @property
    def start(self) -> int:
        return self._range >> _LENGTH_BITS

    @property
    def end(self) -> int:
        packed = self._range
        return (packed >> _LENGTH_BITS) + (packed & ((1 << _LENGTH_BITS) - 1))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: an edit is frozen")

    def __eq__(self, other: object) -> bool:
        if type(other) is not Edit:
            return NotImplemented
        return self._range == other._range and self.content == other.content

    def __hash__(self) -> int:
        return hash((self._range, self.content))

    def __repr__(self) -> str:
        return f"Edit(start={self.start}, end={self.end}, content={self.content!r})"

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return Edit, (self.start, self.end, self.content)


@by_fields
@dataclass(frozen=True, slots=True)
class Fix:
    message: str
    applicability: Applicability
    edits: tuple[Edit, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", sys.intern(self.message))  # see ``Edit``


class Level(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@by_fields
@dataclass(frozen=True, slots=True)
class Related:
    """Another place a finding involves (the other side of a relationship, a target table)."""

    path: str
    span: Span
    message: str


@by_fields
@dataclass(frozen=True, slots=True)
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

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", sys.intern(self.message))  # see ``Edit``

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.span.line, self.span.column, self.code)
