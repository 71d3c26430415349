"""Which line of a TOML file defines a key.

``tomllib`` returns plain dictionaries, so a configuration error found after parsing has lost its
position. This scanner finds it again: it follows tables, dotted keys, quoted keys, strings
(multi-line too), arrays and inline tables well enough to say on which line a key is written, so
that an error can point at the line to edit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_SPACE = re.compile(r"[ \t]*")


def key_line(text: str, key: Sequence[str]) -> int | None:
    """The 1-based line where ``key`` (a path of keys) is defined, or where the nearest table or
    key containing it is, or None when no part of it is written in ``text``."""
    wanted = tuple(key)
    best: tuple[int, int] | None = None  # (matched length, line)
    for path, line in _definitions(text):
        if wanted[: len(path)] == path and (best is None or len(path) > best[0]):
            best = (len(path), line)
            if len(path) == len(wanted):
                break
    return None if best is None else best[1]


def _definitions(text: str) -> list[tuple[tuple[str, ...], int]]:
    """Every table header and key assignment at the top level of a line, with its line."""
    found: list[tuple[tuple[str, ...], int]] = []
    table: tuple[str, ...] = ()
    position, line, depth = 0, 1, 0
    size = len(text)
    at_line_start = True
    while position < size:
        if at_line_start and depth == 0:
            position = _SPACE.match(text, position).end()  # type: ignore[union-attr]
            at_line_start = False
            if position >= size:
                break
            header = text.startswith("[", position)
            start = position + (2 if text.startswith("[[", position) else 1) if header else position
            keys, after = _read_key(text, start)
            if keys is not None:
                if header:
                    table = keys
                    found.append((table, line))
                    position = after
                    continue
                if text.startswith("=", after):
                    found.append((table + keys, line))
                    position = after + 1
                    continue
        char = text[position]
        if char == "\n":
            line += 1
            at_line_start = True
            position += 1
        elif char == "#":
            end = text.find("\n", position)
            position = size if end < 0 else end
        elif char in "\"'":
            position, line = _skip_string(text, position, line)
        elif char in "[{":
            depth += 1
            position += 1
        elif char in "]}":
            depth = max(0, depth - 1)
            position += 1
        else:
            position += 1
    return found


def _read_key(text: str, position: int) -> tuple[tuple[str, ...] | None, int]:
    """A dotted key starting at ``position`` and the offset after it (and trailing space)."""
    keys: list[str] = []
    while True:
        position = _SPACE.match(text, position).end()  # type: ignore[union-attr]
        bare = _BARE.match(text, position)
        if bare:
            keys.append(bare.group())
            position = bare.end()
        elif text.startswith(('"', "'"), position) and not text.startswith(
            ('"""', "'''"), position
        ):
            quote = text[position]
            end = position + 1
            value: list[str] = []
            while end < len(text) and text[end] not in (quote, "\n"):
                if quote == '"' and text[end] == "\\" and end + 1 < len(text):
                    value.append(_ESCAPES.get(text[end + 1], text[end + 1]))
                    end += 2
                    continue
                value.append(text[end])
                end += 1
            if end >= len(text) or text[end] != quote:
                return None, position
            keys.append("".join(value))
            position = end + 1
        else:
            return None, position
        position = _SPACE.match(text, position).end()  # type: ignore[union-attr]
        if text.startswith(".", position):
            position += 1
            continue
        if text.startswith("]", position):
            position += 2 if text.startswith("]]", position) else 1
        return tuple(keys), position


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r", "b": "\b", "f": "\f"}


def _skip_string(text: str, position: int, line: int) -> tuple[int, int]:
    """The offset after the string starting at ``position``, and the line it ends on."""
    quote = text[position]
    triple = text.startswith(quote * 3, position)
    closing = quote * 3 if triple else quote
    position += len(closing)
    while position < len(text):
        char = text[position]
        if char == "\n":
            if not triple:
                return position, line  # unterminated: let the newline end it
            line += 1
        elif char == "\\" and quote == '"':
            if text.startswith("\n", position + 1):
                line += 1
            position += 2
            continue
        elif text.startswith(closing, position):
            end = position + len(closing)
            while triple and text.startswith(quote, end) and end - position < 5:
                end += 1  # up to two quotes may end a multi-line string's content
            return end, line
        position += 1
    return position, line
