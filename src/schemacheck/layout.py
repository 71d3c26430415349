"""Where the parts of a column statement are, read from the model and the text alone.

A fix that rewrites ``name = Column(...)`` needs a few ranges: the target, the callee, the
keyword arguments it drops. The file's syntax tree has them, but a file checked from its cached
model has no tree, and parsing each such statement on its own took seven tenths of checking a
file that way. Nearly every column statement is written plainly (one name, ``=``, a call whose
arguments are not parenthesized and carry no comments), and for those the model's spans and a
look at the text between them give the very ranges the tree would. Anything else is left to the
tree: :func:`statement_layout` answers only when the text lines up exactly with the model.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from schemacheck.schema import Call, ColumnDef

_TARGET = re.compile(r"([A-Za-z_]\w*)[ \t]*=[ \t]*")
_ANNOTATED_TARGET = re.compile(r"([A-Za-z_]\w*)[ \t]*:[^=#\\\r\n]*=[ \t]*")
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
_FIRST = re.compile(r"\s*(?:([A-Za-z_]\w*)\s*=\s*)?")  # up to the first argument's value
_NEXT = re.compile(r"\s*(),\s*(?:([A-Za-z_]\w*)\s*=\s*)?")  # a value's end to the next value
_CLOSE = re.compile(r"\s*(,?)\s*\)")  # the last value's end to the closing parenthesis
_COLON = re.compile(r"[ \t]*:[ \t]*")
_EQUALS = re.compile(r"[ \t]*=[ \t]*")


class StatementLayout(NamedTuple):
    """Ranges of a column statement (character offsets), as the tree gives them."""

    start: int  # where a rewrite starts: the target, or the call when already annotated
    end: int  # the call's end
    callee: tuple[int, int]
    annotate_at: int | None  # the target's end, where an annotation goes; None if annotated
    nullable: tuple[int, int] | None  # what removing ``nullable=`` deletes; None if unknown


def statement_layout(text: str, column: ColumnDef, call: Call) -> StatementLayout | None:
    """The layout of ``column``'s statement when it is written plainly, else None."""
    start, end = column.span.start, column.span.end
    if not column.statement.bound or column.attr is None or call.span.end != end:
        return None
    head = text[start : call.span.start]
    plain = _TARGET.fullmatch(head)
    annotated = None if plain else _ANNOTATED_TARGET.fullmatch(head)
    target = plain or annotated
    if target is None or target.group(1) != column.attr:
        return None
    annotate_at = start + len(column.attr) if plain else None
    if annotated:
        start = call.span.start
    paren = text.find("(", call.span.start, end)
    if paren < 0 or _DOTTED.fullmatch(text, call.span.start, paren) is None:
        return None
    arguments = _arguments(text, call, paren)
    if arguments is None:
        return None
    return StatementLayout(
        start, end, (call.span.start, paren), annotate_at, _removal(arguments, "nullable")
    )


class _Argument(NamedTuple):
    keyword: str | None
    start: int  # the keyword's start, or the value's
    end: int  # the value's end
    comma: int | None  # the comma that follows it, if any
    comma_before: int | None  # the comma that precedes it (None for the first argument)


def _arguments(text: str, call: Call, paren: int) -> list[_Argument] | None:
    """Every argument of ``call`` (opening at ``paren``), when the text between the model's
    values is only commas, keywords and blanks; None otherwise (a parenthesized value, a
    comment, a keyword given twice)."""
    values = [(None, expr) for expr in call.args] + list(call.kwargs.items())
    found: list[_Argument] = []
    at = paren + 1
    for keyword, expr in values:
        if expr.span.start < at:
            return None
        comma_before = None
        if found:
            gap = _NEXT.fullmatch(text, at, expr.span.start)
            if gap is None or gap.group(2) != keyword:
                return None
            comma_before = gap.start(1)
            found[-1] = found[-1]._replace(comma=comma_before)
            arg_start = gap.start(2) if keyword else expr.span.start
        else:
            gap = _FIRST.fullmatch(text, at, expr.span.start)
            if gap is None or gap.group(1) != keyword:
                return None
            arg_start = gap.start(1) if keyword else expr.span.start
        found.append(_Argument(keyword, arg_start, expr.span.end, None, comma_before))
        at = expr.span.end
    close = _CLOSE.fullmatch(text, at, call.span.end)
    if close is None:
        return None
    if found and close.group(1):
        found[-1] = found[-1]._replace(comma=close.start(1))
    return found


def _removal(arguments: list[_Argument], keyword: str) -> tuple[int, int] | None:
    """What to delete to remove ``keyword=``, as :func:`schemacheck.edits.keyword_removal`
    decides it: the argument before it takes its comma (and what follows that comma)."""
    for index, argument in enumerate(arguments):
        if argument.keyword != keyword:
            continue
        if index == 0:
            if index + 1 < len(arguments):
                return argument.start, arguments[index + 1].start
            return argument.start, argument.end if argument.comma is None else argument.comma + 1
        assert argument.comma_before is not None
        end = argument.end if argument.comma is None else argument.comma
        return argument.comma_before, end
    return None


class FieldLayout(NamedTuple):
    """An annotated attribute without a call (``name: str`` or ``name: str = "x"``)."""

    value: tuple[int, int] | None  # its default value's range; None when it has none


def field_layout(text: str, column: ColumnDef) -> FieldLayout | None:
    """The layout of ``column``'s ``name: T [= value]`` statement when the text is exactly the
    name, the annotation as the model read it, and a value that is not parenthesized; else
    None (the tree decides)."""
    annotation, attr = column.annotation, column.attr
    start, end = column.span.start, column.span.end
    if annotation is None or attr is None or not column.statement.bound:
        return None
    at = start + len(attr)
    colon = _COLON.match(text, at, end) if text.startswith(attr, start) else None
    if colon is None or not text.startswith(annotation.source, colon.end()):
        return None
    at = colon.end() + len(annotation.source)
    if at == end:
        return FieldLayout(None)
    equals = _EQUALS.match(text, at, end)
    if equals is None or equals.end() >= end or text[equals.end()] == "(":
        return None
    return FieldLayout((equals.end(), end))
