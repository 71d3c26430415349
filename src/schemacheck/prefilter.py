"""Which files are worth parsing: those whose code could hold a model, a table or a migration.

Parsing is most of a run's cost, and in a tree where few files are models (a vendored library,
a checked-in virtual environment) nearly all of it would be spent on files that cannot hold one.
The decision is taken from the text in two steps, each much cheaper than the next:

1. Plain substring searches (memchr-fast, unlike a regular expression with word boundaries) for
   words that every such file contains somewhere. Most files stop here.
2. For the rest, the same signs must appear in code: strings and comments are blanked first, so
   that a library whose docstrings show ``__tablename__`` examples is not parsed for them.

A file is skipped only when no sign is left in its code, so no real model file is missed: a model
needs ``__tablename__``, a ``Column``/``mapped_column`` call, or an import of one of the libraries,
all of which are code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Substrings every sign below contains: a file without any of them cannot match.
_ANCHORS = ("sqlalchemy", "sqlmodel", "alembic", "__table", "Column", "mapped_column", "upgrade(")

# The signs themselves, searched in code only.
_SIGNS = re.compile(
    r"sqlalchemy|sqlmodel|alembic|__tablename__|__table_args__|mapped_column"
    r"|(?<!\w)Column\(|\.Column\b|(?<!\w)def upgrade\("
)

# Strings (any prefix, triple-quoted or not, escapes honoured) and comments. Scanning left to right
# takes whichever starts first, so a ``#`` inside a string and a quote inside a comment are both
# read as Python's tokenizer reads them. Lines may end in LF, CRLF or CR.
_STRINGS_AND_COMMENTS = re.compile(
    r'"""(?:[^"\\]|\\[\s\S]|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\[\s\S]|'(?!''))*'''"
    r'|"(?:[^"\\\r\n]|\\(?:\r\n|[\s\S]))*"'
    r"|'(?:[^'\\\r\n]|\\(?:\r\n|[\s\S]))*'"
    r"|#[^\r\n]*"
)


def may_hold_schema(text: str) -> bool:
    """Whether the file's code has a sign of a model, a table or a migration."""
    if not any(anchor in text for anchor in _ANCHORS):
        return False
    return _SIGNS.search(code_only(text)) is not None


def code_only(text: str) -> str:
    """The text with every string and comment blanked to a space (line breaks inside them go)."""
    return _STRINGS_AND_COMMENTS.sub(" ", text)


def strings_and_comments(text: str) -> Iterator[re.Match[str]]:
    """Every string literal and comment of ``text``, in order, read as :func:`code_only` reads
    them."""
    return _STRINGS_AND_COMMENTS.finditer(text)


def string_literals(text: str, start: int = 0, end: int | None = None) -> Iterator[re.Match[str]]:
    """The string literals of ``text[start:end]`` (comments skipped), read as :func:`code_only`
    reads them."""
    for match in _STRINGS_AND_COMMENTS.finditer(text, start, len(text) if end is None else end):
        if not match.group().startswith("#"):
            yield match


def may_be_migration(text: str) -> bool:
    """Whether a module's text can be a migration: it names ``revision`` and ``upgrade()``."""
    return "def upgrade(" in text and "revision" in text
