"""Where the parts of a statement a fix rewrites are: read from the text when it is plain.

A fix that rewrites ``name = Column(...)`` needs a few ranges: the target, the callee, the
keyword arguments it drops; one that gives ``name: str`` a ``Field()`` needs the default value.
The file's syntax tree has them, but a file checked from its cached model (or one whose tree
went after extraction) has none, and parsing each such statement on its own took seven tenths
of checking a file that way. Nearly every such statement is written plainly (one name, ``=`` or
the annotation the model read, a call whose arguments are not parenthesized and carry no
comments), and for those the model's spans and the text between them give the very ranges the
tree would. Anything else is read from the tree, or from the statement parsed alone.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from schemacheck.context import FileContext
from schemacheck.diagnostics import Edit
from schemacheck.edits import keyword_removal, spell, writes_pipe_none
from schemacheck.schema import Call, ColumnDef

if TYPE_CHECKING:
    import libcst as cst
else:
    from schemacheck.lazy import libcst as cst

_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
_FIRST = re.compile(r"\s*(?:([A-Za-z_]\w*)\s*=\s*)?")  # up to the first argument's value
_NEXT = re.compile(r"\s*(),\s*(?:([A-Za-z_]\w*)\s*=\s*)?")  # a value's end to the next value
_CLOSE = re.compile(r"\s*(,?)\s*\)")  # the last value's end to the closing parenthesis
_COLON = re.compile(r"[ \t]*:[ \t]*")
_EQUALS = re.compile(r"[ \t]*=[ \t]*")
_STRING = re.compile(r"[rRbBuUfF]{0,2}['\"]")  # where a string literal may start


class StatementLayout(NamedTuple):
    """Ranges of a column statement (character offsets), as the tree gives them."""

    start: int  # where a rewrite starts: the target, or the call when already annotated
    end: int  # the call's end
    callee: tuple[int, int]
    annotate_at: int | None  # the target's end, where an annotation goes; None if annotated
    nullable: tuple[int, int] | None  # what removing ``nullable=`` deletes; None if unknown


def statement_layout(ctx: FileContext, column: ColumnDef, call: Call) -> StatementLayout | None:
    """The layout of ``column``'s ``name = Call(...)`` statement; None for another shape."""
    return statement_layout_in_text(ctx.text, column, call) or statement_layout_in_tree(ctx, column)


def statement_layout_in_text(text: str, column: ColumnDef, call: Call) -> StatementLayout | None:
    """The layout of ``column``'s statement when it is written plainly, else None."""
    start, end = column.span.start, column.span.end
    after_name = _after_name(text, column)
    if after_name is None or call.span.end != end:
        return None
    annotate_at: int | None = after_name
    if _EQUALS.fullmatch(text, after_name, call.span.start) is None:
        after_annotation = _after_annotation(text, column, after_name)
        if after_annotation is None or not _EQUALS.fullmatch(
            text, after_annotation, call.span.start
        ):
            return None
        start, annotate_at = call.span.start, None
    read = _call_arguments(text, call)
    if read is None:
        return None
    paren, arguments = read
    return StatementLayout(
        start, end, (call.span.start, paren), annotate_at, _removal(arguments, "nullable")
    )


def _call_arguments(text: str, call: Call) -> tuple[int, list[_Argument]] | None:
    """Where a call with a dotted callee opens, and its arguments when written plainly."""
    paren = text.find("(", call.span.start, call.span.end)
    if paren < 0 or _DOTTED.fullmatch(text, call.span.start, paren) is None:
        return None
    arguments = _arguments(text, call, paren)
    return None if arguments is None else (paren, arguments)


def statement_layout_in_tree(ctx: FileContext, column: ColumnDef) -> StatementLayout | None:
    """The layout of a column statement of any shape, read from its nodes (the file's tree, or
    the statement parsed alone)."""
    statement = ctx.statement(column)
    if not isinstance(statement, (cst.Assign, cst.AnnAssign)) or not isinstance(
        statement.value, cst.Call
    ):
        return None
    value = statement.value
    callee = ctx.node_range(value.func)[0]
    removal = keyword_removal(ctx, value.args, "nullable")
    if isinstance(statement, cst.AnnAssign):
        start, end = ctx.node_range(value)[0]
        return StatementLayout(start, end, callee, None, removal)
    if len(statement.targets) != 1:
        return None
    (start, target_end), (_, end) = ctx.node_range(statement.targets[0].target, value)
    return StatementLayout(start, end, callee, target_end, removal)


def _after_name(text: str, column: ColumnDef) -> int | None:
    """Where the attribute's name ends, when its statement (one the extraction bound to a
    node) starts with it."""
    attr, start = column.attr, column.span.start
    if attr is None or not column.statement.bound or not text.startswith(attr, start):
        return None
    return start + len(attr)


def _after_annotation(text: str, column: ColumnDef, after_name: int) -> int | None:
    """Where ``name: T`` ends, when ``T`` is written as the model read it."""
    annotation = column.annotation
    colon = _COLON.match(text, after_name, column.span.end)
    if annotation is None or colon is None or not text.startswith(annotation.source, colon.end()):
        return None
    return colon.end() + len(annotation.source)


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


def field_layout(ctx: FileContext, column: ColumnDef) -> FieldLayout | None:
    """The layout of ``column``'s ``name: T [= value]`` statement; None for another shape."""
    return field_layout_in_text(ctx.text, column) or field_layout_in_tree(ctx, column)


def field_layout_in_text(text: str, column: ColumnDef) -> FieldLayout | None:
    """The layout when the text is exactly the name, the annotation as the model read it, and a
    value that is not parenthesized; else None."""
    end = column.span.end
    after_name = _after_name(text, column)
    at = None if after_name is None else _after_annotation(text, column, after_name)
    if at is None:
        return None
    if at == end:
        return FieldLayout(None)
    equals = _EQUALS.match(text, at, end)
    if equals is None or equals.end() >= end or text[equals.end()] == "(":
        return None
    return FieldLayout((equals.end(), end))


def field_layout_in_tree(ctx: FileContext, column: ColumnDef) -> FieldLayout | None:
    """The layout of an annotated field of any shape, read from its statement's nodes."""
    statement = ctx.statement(column)
    if not isinstance(statement, cst.AnnAssign):
        return None
    return FieldLayout(None if statement.value is None else ctx.node_range(statement.value)[0])


def call_keyword_removal(
    ctx: FileContext, column: ColumnDef, keyword: str
) -> tuple[int, int] | None:
    """What removing ``keyword=`` from the column's own call deletes (as
    :func:`schemacheck.edits.keyword_removal` decides it); None when the argument is not there,
    or the call holds a ``#`` (removing the argument could take a comment with it)."""
    call = column.call
    if call is not None and _is_own_statement(ctx.text, column, call):
        if "#" in ctx.text[call.span.start : call.span.end]:
            return None
        read = _call_arguments(ctx.text, call)
        if read is not None:
            return _removal(read[1], keyword)
    node = ctx.statement(column)
    value = node if isinstance(node, cst.Call) else getattr(node, "value", None)
    if not isinstance(value, cst.Call):
        return None
    start, end = ctx.node_range(value)[0]
    if "#" in ctx.text[start:end]:
        return None
    return keyword_removal(ctx, value.args, keyword)


def _is_own_statement(text: str, column: ColumnDef, call: Call) -> bool:
    """Whether ``call`` is what the column's statement holds: the column of a ``Table()``, or
    the value of a plain ``name [: T] = call``."""
    if not column.statement.bound:
        return False
    if column.attr is None:
        return column.span.start == call.span.start and column.span.end == call.span.end
    return statement_layout_in_text(text, column, call) is not None


def annotation_range(ctx: FileContext, column: ColumnDef) -> tuple[int, int] | None:
    """The range of the annotation of ``name: T ...``; None when the statement is not annotated
    or ``T`` is one string literal."""
    return annotation_range_in_text(ctx.text, column) or annotation_range_in_tree(ctx, column)


def annotation_range_in_text(text: str, column: ColumnDef) -> tuple[int, int] | None:
    """The range when the statement starts with the name and the annotation as the model read
    it, and that is not a string literal; else None."""
    after_name = _after_name(text, column)
    end = None if after_name is None else _after_annotation(text, column, after_name)
    if end is None or column.annotation is None:
        return None
    start = end - len(column.annotation.source)
    return None if _STRING.match(text, start) else (start, end)


def annotation_range_in_tree(ctx: FileContext, column: ColumnDef) -> tuple[int, int] | None:
    statement = ctx.statement(column)
    if not isinstance(statement, cst.AnnAssign):
        return None
    node = statement.annotation.annotation
    if isinstance(node, cst.SimpleString):
        return None  # a string annotation: leave it to the author
    return ctx.node_range(node)[0]


def annotate_nullable(
    ctx: FileContext, column: ColumnDef, nullable: bool
) -> tuple[str, list[Edit]] | None:
    """The column's annotation rewritten to say whether it holds None, with its edits.

    ``Mapped[str]`` becomes ``Mapped[Optional[str]]`` (or ``Mapped[str | None]``, in the file's
    own style or for Python 3.10+), and back; SQLModel's plain annotations likewise.
    """
    annotation = column.annotation
    where = None if annotation is None else annotation_range(ctx, column)
    if annotation is None or where is None:
        return None
    pipe = writes_pipe_none(ctx)
    wanted = (["sqlalchemy.Mapped"] if annotation.mapped else []) + (
        [] if pipe or not nullable else ["typing.Optional"]
    )
    spelled = spell(ctx, wanted)
    inner = annotation.inner
    if nullable:
        inner = f"{inner} | None" if pipe else f"{spelled.names['typing.Optional']}[{inner}]"
    text = f"{annotation.source.split('[', 1)[0]}[{inner}]" if annotation.mapped else inner
    return text, [Edit(*where, text), *spelled.edits]
