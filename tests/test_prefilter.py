"""The prefilter skips only files whose code has no sign of a schema.

Its two promises are checked separately: no fixture that holds a schema is skipped, and its
reading of strings and comments is Python's own (the tokenizer is the oracle).
"""

from __future__ import annotations

import io
import re
import tokenize

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from schemacheck.prefilter import _SIGNS, may_be_migration, may_hold_schema
from schemacheck.session import is_model_context_text
from tests.helpers import FIXTURES, fixture_models


def test_every_fixture_holding_a_schema_is_admitted() -> None:
    admitted = 0
    for path, text, parsed in fixture_models():
        schema = parsed.schema
        if schema.classes or schema.tables or schema.migration or schema.declarative_bases:
            assert may_hold_schema(text), f"{path} holds a schema the prefilter skips"
            admitted += 1
    assert admitted > 150


def test_plain_python_is_skipped() -> None:
    assert not may_hold_schema("import os\n\ndef main():\n    return os.getcwd()\n")


def test_signs_only_in_docstrings_and_comments_are_skipped() -> None:
    library = (
        '"""Declare a model::\n\n    class User(Base):\n        __tablename__ = "user"\n'
        '        id = mapped_column(Integer, primary_key=True)\n"""\n'
        "# from sqlalchemy import Column\n"
        "def table_name(cls):\n"
        "    return cls.__dict__.get('__tablename__')  # Column( here too\n"
    )
    assert not may_hold_schema(library)


def test_a_sign_after_a_string_that_looks_like_it_opens_another_is_admitted() -> None:
    text = "x = '\"\"\"'  # a quote in a string, a quote in a comment: '\ny = sa.Column(Integer)\n"
    assert may_hold_schema(text)
    assert may_hold_schema('s = r"\\\\"\nclass A(Base):\n    __tablename__ = "a"\n')


def _code_by_tokenizer(text: str) -> str:
    """The text with every string and comment token blanked, as Python's tokenizer splits it."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    blank = list(text)
    depth = 0
    opened = 0
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        (start_row, start_col), (end_row, end_col) = token.start, token.end
        start = starts[start_row - 1] + start_col
        end = starts[end_row - 1] + end_col
        name = tokenize.tok_name[token.type]
        if name == "FSTRING_START":  # Python 3.12+: an f-string is several tokens
            depth += 1
            opened = start if depth == 1 else opened
        elif name == "FSTRING_END":
            depth -= 1
            if depth == 0:
                blank[opened:end] = " " * (end - opened)
        elif depth == 0 and name in ("STRING", "COMMENT"):
            blank[start:end] = " " * (end - start)
    return "".join(blank)


_WORDS = [
    "Column(",
    "sa.Column",
    "MyColumn(",
    "mapped_column(",
    "__tablename__",
    "sqlalchemy",
    "alembic",
    "def upgrade(",
    "x",
    "é",
    "9",
    " ",
    "#",
]


@st.composite
def _string_literal(draw: st.DrawFn) -> str:
    prefix = draw(st.sampled_from(["", "r", "b", "rb", "u", "f", "R"]))
    quote = draw(st.sampled_from(['"', "'", '"""', "'''"]))
    other = "'" if quote[0] == '"' else '"'
    pieces = [*_WORDS, other, "\\" + quote[0], "\\\\", "{{"]
    if len(quote) == 3:
        pieces += ["\n", quote[0], quote[0] * 2 + "x"]
    else:
        pieces += ["\\\n"]
    content = "".join(draw(st.lists(st.sampled_from(pieces), max_size=6)))
    if "f" in prefix:
        content = content.replace("{{", "")
    return prefix + quote + content + quote


_CODE = [
    "x = Column(1)",
    "y = sa.Column",
    "z = MyColumn(2)",
    "import sqlalchemy",
    "from alembic import op",
    "def upgrade():\n    pass",
    "__tablename__ = 1",
    "w = mapped_column()",
    "v = 1",
    "u = (1,\n     2)",
]


@st.composite
def _source(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["code", "string", "both", "comment"]))
        line = ""
        if kind in ("code", "both"):
            line = draw(st.sampled_from(_CODE))
        if kind in ("string", "both"):
            literal = draw(_string_literal())
            line = f"{line}; s = {literal}" if line else f"s = {literal}"
        if kind == "comment" or draw(st.booleans()):
            words = draw(st.lists(st.sampled_from([*_WORDS, "'", '"', '"""']), max_size=4))
            line += "  # " + "".join(words).replace("\n", " ")
        lines.append(line)
    return "\n".join(lines) + "\n"


def _tokenizes(text: str) -> bool:
    try:
        compile(text, "<generated>", "exec")
        list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (SyntaxError, tokenize.TokenError, ValueError):
        return False
    return True


@settings(max_examples=400, suppress_health_check=[HealthCheck.filter_too_much])
@given(_source(), st.sampled_from(["\n", "\r\n", "\r"]))
def test_strings_and_comments_are_read_as_the_tokenizer_reads_them(text: str, newline: str) -> None:
    assume(_tokenizes(text))
    expected = _SIGNS.search(_code_by_tokenizer(text)) is not None
    assert may_hold_schema(text.replace("\n", newline)) == expected


_CONTEXT_PIECES = [
    "__tablename__",
    "__table__",
    "__table_args__",
    "Table(",
    "mapped_column",
    "Column",
    "declarative_base",
    "DeclarativeBase",
    "table=True",
    "relationship",
    "Relationship(",
    "SQLAlchemy(",
    ".Model",
    "declared_attr",
    "def upgrade(",
    "revision",
    "_",
    "x",
    "é",
    "9",
    "(",
    ".",
    " ",
    "\n",
    "=",
    "True",
]


# What a module that adds to the schema contains, as one pattern: the reading the faster checks
# must keep.
_MODEL_CONTEXT = re.compile(
    r"__tablename__|__table__|__table_args__|\bTable\(|mapped_column|\bColumn\b"
    r"|declarative_base|DeclarativeBase|table=True|\brelationship\b|\bRelationship\("
    r"|SQLAlchemy\(|\.Model\b|declared_attr"
)


def _context_by_pattern(text: str) -> bool:
    return not may_be_migration(text) and _MODEL_CONTEXT.search(text) is not None


@settings(max_examples=400)
@given(st.lists(st.sampled_from(_CONTEXT_PIECES), max_size=12).map("".join))
def test_model_context_is_decided_as_the_pattern_alone_decides(text: str) -> None:
    """Words found with ``in`` and patterns that look back for a boundary read as one pattern."""
    assert is_model_context_text(text) == _context_by_pattern(text)


def test_model_context_words_stand_alone_as_the_pattern_requires() -> None:
    neighbours = ["", "x", "é", "9", "_", ".", " ", "(", "\n"]
    for piece in _CONTEXT_PIECES:
        for before in neighbours:
            for after in neighbours:
                text = f"{before}{piece}{after}"
                assert is_model_context_text(text) == _context_by_pattern(text), text


def test_model_context_of_every_fixture_is_the_patterns() -> None:
    decided = [
        is_model_context_text(path.read_text(encoding="utf-8", errors="replace"))
        for path in sorted(FIXTURES.rglob("*.py"))
    ]
    expected = [
        _context_by_pattern(path.read_text(encoding="utf-8", errors="replace"))
        for path in sorted(FIXTURES.rglob("*.py"))
    ]
    assert decided == expected
    assert sum(decided) > 100
