"""Column statement layouts read from the text must be the ones the tree gives."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from schemacheck.config import Config, Selection
from schemacheck.context import FileContext
from schemacheck.layout import StatementLayout, statement_layout
from schemacheck.results import make_settings
from schemacheck.rules.columns.legacy_column import _layout_from_tree
from schemacheck.runner import Parsed, parse_text
from tests.helpers import fixture_texts

_SETTINGS = make_settings(Config(root=Path.cwd()), Selection(select=["ALL"]))


def _layouts(text: str) -> list[tuple[StatementLayout | None, StatementLayout | None]]:
    """For every ``Column()`` statement of a class: (from the text, from the tree)."""
    parsed = parse_text(text, "m.py", _SETTINGS)
    if not isinstance(parsed, Parsed):
        return []
    ctx = FileContext(
        "m.py", "m.py", text, parsed.lines, parsed.module, parsed.schema, parsed.names,
        parsed.offsets,
    )  # fmt: skip
    found = []
    for cls in parsed.schema.classes:
        for column in cls.columns:
            call = column.call
            if column.kind != "Column" or call is None or call.has_star:
                continue
            found.append((statement_layout(text, column, call), _layout_from_tree(ctx, column)))
    return found


def test_every_fixture_column_gets_the_tree_layout_from_its_text() -> None:
    read = total = 0
    for path, text in fixture_texts():
        for from_text, from_tree in _layouts(text):
            total += from_tree is not None
            if from_text is not None:
                read += 1
                assert from_text == from_tree, f"{path}: {from_text} != {from_tree}"
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
