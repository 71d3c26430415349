"""Large constant literals hollowed out before the concrete parse.

Generated files carry data: tables of rows, serialized descriptors, fixtures. libcst needs about
7 s and 600 MB per megabyte of such code, and the positions pass as much again, although no rule
reads a list of ten thousand tuples. In big files, each bracketed literal made only of constants
and larger than :data:`MIN_LITERAL` has its inside replaced by spaces (line breaks kept), so that
every offset, line and column of the rest of the file stays what it is. Fixes that would touch a
hollowed span are never applied: the tree does not hold the code there.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Iterator

from schemacheck.source import LineIndex

MIN_FILE = 128 * 1024  # smaller files are parsed as they are
MIN_LITERAL = 16 * 1024

_CONTAINERS = (ast.List, ast.Tuple, ast.Set, ast.Dict)
_CLOSERS = {"[": "]", "(": ")", "{": "}"}
_NOT_LINE_BREAK = re.compile(r"[^\r\n]")

Span = tuple[int, int]


def hollow_literals(text: str) -> tuple[str, tuple[Span, ...]]:
    """The text with large constant literals emptied, and the emptied spans (inside brackets)."""
    if len(text) < MIN_FILE:
        return text, ()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return text, ()  # the concrete parse reports what is wrong
    lines = LineIndex(text)
    spans = []
    for node in _large_literals(tree):
        start = _offset(lines, node.lineno, node.col_offset)
        end = _offset(lines, node.end_lineno or node.lineno, node.end_col_offset or 0)
        if end - start < MIN_LITERAL or _CLOSERS.get(text[start]) != text[end - 1]:
            continue
        spans.append((start + 1, end - 1))
    if not spans:
        return text, ()
    pieces = []
    position = 0
    for start, end in spans:
        pieces.append(text[position:start])
        pieces.append(_blank(text[start:end]))
        position = end
    pieces.append(text[position:])
    return "".join(pieces), tuple(spans)


def touches(spans: tuple[Span, ...], start: int, end: int) -> bool:
    """Whether the range ``start:end`` reaches into a span or its ends: an insertion just inside
    the brackets was computed from the hollow tree (an empty list has no comma to follow)."""
    return any(start <= high and low <= end for low, high in spans)


def _blank(inside: str) -> str:
    return _NOT_LINE_BREAK.sub(" ", inside)


def _large_literals(tree: ast.AST) -> Iterator[ast.expr]:
    """Outermost constant-only containers, outside f-strings, in source order."""
    stack: list[ast.AST] = [tree]
    found: list[ast.expr] = []
    while stack:
        node = stack.pop()
        if isinstance(node, ast.JoinedStr):
            continue
        if isinstance(node, _CONTAINERS) and _constant(node):
            found.append(node)
            continue
        stack.extend(ast.iter_child_nodes(node))
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
