"""Layouts read from the text (column statements, import lines) must be what the tree gives."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from schemacheck.config import Config, Selection
from schemacheck.context import FileContext
from schemacheck.edits import _extended_in_tree, extended_plain_import
from schemacheck.layout import (
    FieldLayout,
    StatementLayout,
    annotation_range_in_text,
    annotation_range_in_tree,
    call_keyword_removal,
    field_layout_in_text,
    field_layout_in_tree,
    statement_layout_in_text,
    statement_layout_in_tree,
)
from schemacheck.results import make_settings
from schemacheck.runner import Parsed, parse_text
from tests.helpers import fixture_texts

_SETTINGS = make_settings(Config(root=Path.cwd()), Selection(select=["ALL"]))


def _context(text: str) -> FileContext | None:
    """The file's context with its tree, as the rules see it; None for a syntax error."""
    parsed = parse_text(text, "m.py", _SETTINGS)
    if not isinstance(parsed, Parsed):
        return None
    return FileContext(
        "m.py", "m.py", text, parsed.lines, parsed.module, parsed.schema, parsed.names,
        parsed.offsets,
    )  # fmt: skip


def _layouts(text: str) -> list[tuple[StatementLayout | None, StatementLayout | None]]:
    """For every ``Column()`` statement of a class: (from the text, from the tree)."""
    ctx = _context(text)
    if ctx is None:
        return []
    found = []
    for cls in ctx.schema.classes:
        for column in cls.columns:
            call = column.call
            if column.kind != "Column" or call is None or call.has_star:
                continue
            found.append(
                (
                    statement_layout_in_text(text, column, call),
                    statement_layout_in_tree(ctx, column),
                )
            )
    return found


def _agreement(pairs: Callable[[str], Sequence[tuple[object, object]]]) -> tuple[int, int]:
    """Over every fixture, requires each reading from the text to equal the tree's; returns how
    many the text answered for, and how many the tree did."""
    read = total = 0
    for path, text in fixture_texts():
        for from_text, from_tree in pairs(text):
            total += from_tree is not None
            if from_text is not None:
                read += 1
                assert from_text == from_tree, f"{path}: {from_text} != {from_tree}"
    return read, total


def test_every_fixture_column_gets_the_tree_layout_from_its_text() -> None:
    read, total = _agreement(_layouts)
    # The text answers for nearly every statement; the tree only for unusual layouts.
    assert total > 100 and read >= 0.9 * total, (read, total)


def test_unusual_layouts_are_left_to_the_tree() -> None:
    text = (
        "import sqlalchemy as sa\nfrom sqlalchemy import Column, Integer\n\n"
        "class A(Base):\n"
        "    a = (Column(Integer))\n"
        "    b = sa . Column(Integer)\n"
        "    c = Column((Integer), nullable=False)\n"
        "    d = Column(Integer,  # the id\n"
        "               nullable=False)\n"
        "    g = Column(Integer, nullable=True, nullable=False)\n"
        "    h = \\\n"
        "        Column(Integer)\n"
    )
    layouts = _layouts(text)
    assert len(layouts) == 6
    assert all(from_text is None and from_tree is not None for from_text, from_tree in layouts)


_KEYWORDS = ["nullable", "index", "unique", "default", "comment", "primary_key"]
_VALUES = ["True", "False", "None", "1", '"x"', "func.now()", "(False)"]
_BLANKS = st.sampled_from(["", " ", "  ", "\n        ", "\n", "\t", "\r\n    "])


@st.composite
def column_statements(draw: st.DrawFn) -> str:
    blank = lambda: draw(_BLANKS)  # noqa: E731
    positional = draw(st.lists(st.sampled_from(["Integer", "String(20)", 'ForeignKey("b.id")']),
                               max_size=2))  # fmt: skip
    keywords = draw(st.lists(st.sampled_from(_KEYWORDS), max_size=4, unique=True))
    parts = [*positional]
    for keyword in keywords:
        parts.append(f"{keyword}{draw(st.sampled_from(['', ' ']))}={blank()}"
                     f"{draw(st.sampled_from(_VALUES))}")  # fmt: skip
    arguments = ""
    for index, part in enumerate(parts):
        arguments += (f"{blank()},{blank()}" if index else blank()) + part
    if parts and draw(st.booleans()):
        arguments += f"{blank()},"
    arguments += blank()
    head = draw(st.sampled_from(["col = ", "col=", "col: Mapped[int] = ", "col :int= "]))
    callee = draw(st.sampled_from(["Column", "sa.Column", "db.Column"]))
    return (
        "import sqlalchemy as sa\nfrom sqlalchemy import *\n\n"
        f'class A(Base):\n    __tablename__ = "as"\n    {head}{callee}({arguments})\n'
    )


@settings(max_examples=300, deadline=None)
@given(column_statements())
def test_generated_column_statements_get_the_tree_layout(text: str) -> None:
    for from_text, from_tree in _layouts(text):
        assert from_tree is not None
        if from_text is not None:
            assert from_text == from_tree
        else:  # only a parenthesized value sends a plain statement to the tree
            assert "(False)" in text


def _extensions(text: str) -> list[tuple[str | None, str | None]]:
    """For every first ``from M import`` line: the line with two names added (from the text,
    from the tree)."""
    ctx = _context(text)
    if ctx is None:
        return []
    attrs = ["Mapped", "mapped_column"]
    found = []
    for home, (start, end) in ctx.schema.from_imports.items():
        edit = _extended_in_tree(ctx, home, attrs)
        found.append((extended_plain_import(text, start, end, attrs), edit and edit.content))
    return found


def test_every_fixture_import_line_is_extended_as_the_tree_extends_it() -> None:
    read, total = _agreement(_extensions)
    assert total > 100 and read >= 0.9 * total, (read, total)


_IMPORT_BLANKS = st.sampled_from(["", " ", "  ", "\t"])


@st.composite
def import_lines(draw: st.DrawFn) -> str:
    blank = lambda: draw(_IMPORT_BLANKS)  # noqa: E731
    names = draw(st.lists(st.sampled_from(["Column", "String", "orm", "Integer"]), min_size=1,
                          max_size=3, unique=True))  # fmt: skip
    aliases = [f"{n}{' as ' + n.lower() + '_' if draw(st.booleans()) else ''}" for n in names]
    parenthesized = draw(st.booleans())
    # Inside parentheses names may stand on lines of their own.
    lines = st.sampled_from(["", " ", "\n", "\n    ", "\n\t"])
    inside = (lambda: draw(lines)) if parenthesized else blank
    joined = aliases[0] + "".join(f"{blank()},{inside() or ' '}{a}" for a in aliases[1:])
    if parenthesized:
        ending = draw(st.sampled_from(["", ",", ", ", ",\n", "\n", ",\n    "]))
        joined = f"({inside()}{joined}{ending})"
    return f"from sqlalchemy import {joined}"


@settings(max_examples=300, deadline=None)
@given(import_lines(), st.lists(st.sampled_from(["Mapped", "mapped_column"]), min_size=1))
def test_generated_import_lines_are_extended_as_the_tree_extends_them(
    line: str, attrs: list[str]
) -> None:
    text = line + "\n"
    ctx = _context(text)
    assert ctx is not None
    plain = extended_plain_import(text, 0, len(line), attrs)
    tree = _extended_in_tree(ctx, "sqlalchemy", attrs)
    assert tree is not None and (tree.start, tree.end) == (0, len(line))
    assert plain == tree.content


def _field_layouts(text: str) -> list[tuple[FieldLayout | None, FieldLayout | None]]:
    """For every annotated attribute without a call: (from the text, from the tree)."""
    ctx = _context(text)
    if ctx is None:
        return []
    return [
        (field_layout_in_text(text, column), field_layout_in_tree(ctx, column))
        for cls in ctx.schema.classes
        for column in cls.columns
        if column.call is None and column.annotation is not None
    ]


def test_every_fixture_field_gets_the_tree_layout_from_its_text() -> None:
    read, total = _agreement(_field_layouts)
    assert total > 20 and read >= 0.9 * total, (read, total)


@st.composite
def field_statements(draw: st.DrawFn) -> str:
    blank = lambda: draw(st.sampled_from(["", " ", "  ", "\t"]))  # noqa: E731
    annotation = draw(st.sampled_from(["str", "Optional[str]", '"str"', "str | None", "(str)"]))
    value = draw(
        st.sampled_from(["", '"x"', "None", "('x')", "[\n        'a',\n    ]", "'a' + 'b'"])
    )
    tail = f"{blank()}={blank()}{value}" if value else ""
    return (
        "from typing import Optional\nfrom sqlmodel import Field, SQLModel\n\n"
        f"class Hero(SQLModel, table=True):\n    id: int = Field(primary_key=True)\n"
        f"    name{blank()}:{blank()}{annotation}{tail}\n"
    )


@settings(max_examples=200, deadline=None)
@given(field_statements())
def test_generated_fields_get_the_tree_layout(text: str) -> None:
    for from_text, from_tree in _field_layouts(text):
        assert from_tree is not None
        if from_text is not None:
            assert from_text == from_tree
        else:  # only parentheses around the annotation or the value send it to the tree
            assert "(str)" in text or "('x')" in text


def _annotation_ranges(text: str) -> list[tuple[object, object]]:
    """For every annotated column of a class: its annotation's range (text, tree)."""
    ctx = _context(text)
    if ctx is None:
        return []
    return [
        (annotation_range_in_text(text, column), annotation_range_in_tree(ctx, column))
        for cls in ctx.schema.classes
        for column in cls.columns
        if column.annotation is not None
    ]


def test_every_fixture_annotation_is_found_in_the_text_where_the_tree_has_it() -> None:
    read, total = _agreement(_annotation_ranges)
    assert total > 100 and read >= 0.9 * total, (read, total)


def test_string_and_parenthesized_annotations_are_left_to_the_tree() -> None:
    text = (
        "from sqlalchemy.orm import Mapped, mapped_column\n\n"
        "class A(Base):\n"
        '    __tablename__ = "as"\n'
        '    a: "Mapped[int]" = mapped_column(primary_key=True)\n'
        "    b: (Mapped[int]) = mapped_column()\n"
        '    c: Mapped["B"] = mapped_column()\n'
    )
    ranges = _annotation_ranges(text)
    assert ranges[0] == (None, None)  # one string literal: left to the author
    assert ranges[1][0] is None and ranges[1][1] is not None
    assert ranges[2][0] == ranges[2][1] is not None


def _keyword_removals(text: str) -> list[tuple[object, object]]:
    """For every column call and keyword: what removing it deletes (text first, tree)."""
    ctx = _context(text)
    if ctx is None:
        return []
    found = []
    columns = [c for cls in ctx.schema.classes for c in cls.columns]
    columns += [c for table in ctx.schema.tables for c in table.columns]
    for column in columns:
        if column.call is None:
            continue
        for keyword in ("index", "nullable", "unique"):
            plain = column.call  # the tree path alone: as if the text could not be read
            column.call = None
            from_tree = call_keyword_removal(ctx, column, keyword)
            column.call = plain
            found.append((call_keyword_removal(ctx, column, keyword), from_tree))
    return found


def test_every_fixture_keyword_is_removed_as_the_tree_removes_it() -> None:
    for path, text in fixture_texts():
        for from_text, from_tree in _keyword_removals(text):
            assert from_text == from_tree, path


@settings(max_examples=300, deadline=None)
@given(column_statements())
def test_generated_keywords_are_removed_as_the_tree_removes_them(text: str) -> None:
    for from_text, from_tree in _keyword_removals(text):
        assert from_text == from_tree
