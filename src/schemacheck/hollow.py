"""Code hollowed out before the concrete parse, where no rule reads it.

libcst's parse and the positions pass cost about ten times what CPython's own parser does, and
they are paid for every byte of a file, although the rules read only a part of most files. Two
kinds of code are read hollow: replaced by spaces (line breaks kept), so that every offset,
line and column of the rest of the file stays what it is.

- Large constant literals in big files. Generated files carry data: tables of rows, serialized
  descriptors, fixtures. libcst needs about 7 s and 600 MB per megabyte of such code, and the
  positions pass as much again, although no rule reads a list of ten thousand tuples. Each
  bracketed literal made only of constants and larger than :data:`MIN_LITERAL` is emptied.
  Fixes that would touch such a span are never applied: the tree does not hold the code there.
- Function bodies that extraction cannot read anything from: no class, and no call of a name
  that could be a construct it reads (``Column``, ``Table``, ``text``, ``execute``...,
  whatever a file imports or assigns under another name included). Extraction reads function
  bodies only for those: nested models, tables and metadata, ``declared_attr`` methods (kept
  with their decorators), the calls of the SC4xx rules. Services, views and library code are
  mostly such bodies. The body becomes ``0`` and blanks. Migrations keep theirs. A name that
  the project later reveals as a construct's alias (``from app.db import sql_text``, where
  ``sql_text = text``) is met by parsing the file again whole when it is linked.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Iterator
from typing import NamedTuple

from schemacheck.prefilter import may_be_migration
from schemacheck.source import LineIndex

MIN_FILE = 128 * 1024  # smaller files are parsed as they are
MIN_LITERAL = 16 * 1024

_CONTAINERS = (ast.List, ast.Tuple, ast.Set, ast.Dict)
_CLOSERS = {"[": "]", "(": ")", "{": "}"}
_LINE = re.compile(r"[^\r\n]+")

Span = tuple[int, int]

# The last part of every name whose call extraction may read inside a function body: schema
# constructs, metadata and declarative factories, the engines, sessions and SQL of the SC4xx
# rules. A test holds every construct named in ``schemacheck.extract`` to be here or a type.
BODY_WORDS = frozenset(
    {
        "AsyncSession",
        "CheckConstraint",
        "Column",
        "Field",
        "ForeignKey",
        "ForeignKeyConstraint",
        "Index",
        "MetaData",
        "PrimaryKeyConstraint",
        "Relationship",
        "SQLAlchemy",
        "Session",
        "Table",
        "UniqueConstraint",
        "backref",
        "column_property",
        "create_async_engine",
        "create_engine",
        "declarative_base",
        "declared_attr",
        "engine_from_config",
        "exec_driver_sql",
        "execute",
        "generate_base",
        "map_imperatively",
        "mapped_column",
        "mapper",
        "query",
        "registry",
        "relation",
        "relationship",
        "scoped_session",
        "sessionmaker",
        "text",
    }
)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_DEFINITIONS = (*_FUNCTIONS, ast.ClassDef)


def _mention(words: frozenset[str]) -> re.Pattern[str]:
    """``class``, or one of ``words`` written as called (blanks, line continuations, comments and
    closing parentheses may come before the ``(``), anywhere in the text, strings included: a
    body without one has no such call, and only one with one needs a closer look."""
    called = "|".join(sorted(words))
    return re.compile(rf"(?<!\w)(?:class(?!\w)|(?:{called})(?:[\s\\)]|#[^\r\n]*)*\()")


_MENTION = _mention(BODY_WORDS)


class Hollowed(NamedTuple):
    """A text as the concrete parser reads it."""

    text: str
    literals: tuple[Span, ...]  # emptied constant literals (inside their brackets)
    bodies: tuple[Span, ...]  # emptied function bodies (from the first statement to the last)


def for_parser(text: str, lines: LineIndex | None = None, *, bodies: bool = True) -> Hollowed:
    """The text with large constant literals and idle function bodies emptied (see above)."""
    big = len(text) >= MIN_FILE
    functions = bodies and ("def " in text or "def\t" in text) and not may_be_migration(text)
    if not (big or functions):
        return Hollowed(text, (), ())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return Hollowed(text, (), ())  # the concrete parse reports what is wrong
    if lines is None:
        lines = LineIndex(text)
    literals = tuple(_literal_spans(text, tree, lines)) if big else ()
    idle = tuple(_idle_bodies(text, tree, lines)) if functions else ()
    if not literals and not idle:
        return Hollowed(text, (), ())
    pieces = []
    position = 0
    bodies_at = {start for start, _ in idle}
    for start, end in _outermost([*literals, *idle]):
        pieces.append(text[position:start])
        if start in bodies_at:  # the body keeps one statement where its first one started
            pieces.append("0" + _blank(text[start + 1 : end]))
        else:
            pieces.append(_blank(text[start:end]))
        position = end
    pieces.append(text[position:])
    return Hollowed("".join(pieces), literals, idle)


def _outermost(spans: list[Span]) -> list[Span]:
    """The spans in order, less those inside another (a literal in an emptied body)."""
    kept: list[Span] = []
    for start, end in sorted(spans, key=lambda span: (span[0], -span[1])):
        if kept and start < kept[-1][1]:
            continue
        kept.append((start, end))
    return kept


def _literal_spans(text: str, tree: ast.AST, lines: LineIndex) -> Iterator[Span]:
    for node in _large_literals(tree, lines):
        start = _offset(lines, node.lineno, node.col_offset)
        end = _offset(lines, node.end_lineno or node.lineno, node.end_col_offset or 0)
        if end - start < MIN_LITERAL or _CLOSERS.get(text[start]) != text[end - 1]:
            continue
        yield start + 1, end - 1


def _idle_bodies(text: str, tree: ast.Module, lines: LineIndex) -> Iterator[Span]:
    """The bodies of functions from which extraction reads nothing, outermost first."""
    aliases = _aliases(tree)
    words = BODY_WORDS | aliases if aliases else BODY_WORDS
    mention = _mention(words) if aliases else _MENTION
    stack: list[ast.stmt] = list(reversed(tree.body))
    while stack:
        node = stack.pop()
        if isinstance(node, _FUNCTIONS):
            first, last = node.body[0], node.body[-1]
            start = _offset(lines, first.lineno, first.col_offset)
            decorators = getattr(first, "decorator_list", None)
            if decorators:  # a decorated definition starts at its first ``@``
                mark = decorators[0]
                start = text.rindex("@", 0, _offset(lines, mark.lineno, mark.col_offset))
            end = _offset(lines, last.end_lineno or last.lineno, last.end_col_offset or 0)
            end = _after_semicolon(text, end)
            if not _names_any(node.decorator_list, words) and (
                mention.search(text, start, end) is None or not _reads(node.body, words)
            ):
                yield start, end
                continue
        stack.extend(reversed(_statements(node)))


def _after_semicolon(text: str, end: int) -> int:
    """Past a ``;`` that ends the statement ending at ``end`` (``return x;``): left alone on
    an emptied line, it would not parse."""
    after = end
    while after < len(text) and text[after] in " \t\f":
        after += 1
    return after + 1 if text.startswith(";", after) else end


def _statements(node: ast.stmt) -> list[ast.stmt]:
    """The statements directly inside a compound statement."""
    found: list[ast.stmt] = []
    for name in ("body", "orelse", "finalbody"):
        block = getattr(node, name, None)
        if isinstance(block, list):
            found.extend(block)
    for part in getattr(node, "handlers", ()) or getattr(node, "cases", ()):
        found.extend(part.body)
    return found


def _aliases(tree: ast.Module) -> set[str]:
    """Names the module gives constructs of its own (``import text as sql``, ``Col = db.Column``)
    where :class:`schemacheck.extract.names.Names` reads them: module-level statements, and
    those inside ``if``, ``try`` and ``with`` there."""
    found: set[str] = set()
    stack: list[ast.stmt] = list(reversed(tree.body))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.asname and alias.name.rpartition(".")[2] in BODY_WORDS:
                    found.add(alias.asname)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            if node.value is not None and _names_any([node.value], BODY_WORDS | found):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                found.update(t.id for t in targets if isinstance(t, ast.Name))
        elif not isinstance(node, (*_FUNCTIONS, ast.ClassDef)):
            stack.extend(reversed(_statements(node)))
    return found


def _named(node: ast.AST, words: frozenset[str] | set[str]) -> bool:
    """Whether ``node`` is a name or an attribute that is one of ``words``."""
    return (isinstance(node, ast.Name) and node.id in words) or (
        isinstance(node, ast.Attribute) and node.attr in words
    )


def _names_any(nodes: list[ast.expr], words: frozenset[str] | set[str]) -> bool:
    """Whether a name or attribute among ``nodes`` (and inside them) is one of ``words``."""
    return any(_named(node, words) for root in nodes for node in ast.walk(root))


def _reads(body: list[ast.stmt], words: frozenset[str] | set[str]) -> bool:
    """Whether extraction may read something in ``body``: a class, or a call of one of
    ``words`` (``Column(...)``, ``sa.Table(...)``, ``session.execute(...)``)."""
    return any(
        isinstance(node, ast.ClassDef) or (isinstance(node, ast.Call) and _named(node.func, words))
        for statement in body
        for node in ast.walk(statement)
    )


def touches(spans: tuple[Span, ...], start: int, end: int) -> bool:
    """Whether the range ``start:end`` reaches into a span or its ends: an insertion just inside
    the brackets was computed from the hollow tree (an empty list has no comma to follow)."""
    return any(start <= high and low <= end for low, high in spans)


def _blank(inside: str) -> str:
    """Spaces for every character but line breaks (a line at a time: a character at a time was
    a tenth of emptying a library's bodies)."""
    return _LINE.sub(lambda line: " " * (line.end() - line.start()), inside)


def _large_literals(tree: ast.AST, lines: LineIndex) -> Iterator[ast.expr]:
    """Outermost constant-only containers of at least ``MIN_LITERAL`` characters (or nearly),
    outside f-strings, in source order."""
    stack: list[ast.AST] = [tree]
    found: list[ast.expr] = []
    start_of = lines.line_start
    while stack:
        node = stack.pop()
        if isinstance(node, ast.JoinedStr):
            continue
        if isinstance(node, _CONTAINERS) and _constant(node):
            found.append(node)
            continue
        for child in ast.iter_child_nodes(node):
            # A node shorter than a large literal holds none: most of a file is skipped whole.
            # Its length is at most the characters from its first line's start to its last
            # line's, plus its end column in bytes. Definitions are entered anyway, as their
            # decorators lie before their own range.
            if (
                isinstance(child, (ast.stmt, ast.expr))
                and not isinstance(child, _DEFINITIONS)
                and child.end_lineno is not None
                and child.end_col_offset is not None
                and start_of(child.end_lineno) - start_of(child.lineno) + child.end_col_offset
                < MIN_LITERAL
            ):
                continue
            stack.append(child)
    yield from sorted(found, key=lambda n: (n.lineno, n.col_offset))


def _constant(node: ast.expr) -> bool:
    stack: list[ast.expr] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.Constant):
            continue
        if isinstance(item, (ast.List, ast.Tuple, ast.Set)):
            stack.extend(item.elts)
        elif isinstance(item, ast.Dict):
            keys = [key for key in item.keys if key is not None]
            if len(keys) != len(item.keys):
                return False  # ``{**other}``
            stack.extend(keys)
            stack.extend(item.values)
        elif isinstance(item, ast.UnaryOp) and isinstance(item.operand, ast.Constant):
            continue
        else:
            return False
    return True


def _offset(lines: LineIndex, line: int, byte_column: int) -> int:
    """An ``ast`` position (1-based line, UTF-8 byte column) as a character offset."""
    text = lines.line_text(line)
    if not text.isascii():
        byte_column = len(text.encode("utf-8")[:byte_column].decode("utf-8", "replace"))
    return lines.line_start(line) + byte_column
