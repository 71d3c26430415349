"""``# noqa`` comments: which findings a line's comment suppresses.

Comments are read as Python's tokenizer reads them, so ``"# noqa"`` inside a string is not a
directive. A finding is suppressed by a comment on the line where it starts, or on the first
line of the statement it belongs to (so a multi-line call is suppressed from its first line).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from schemacheck.prefilter import strings_and_comments
from schemacheck.source import LineIndex

_NEWLINES = re.compile(r"\r\n|\r|\n")


@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A line's and a file's directive, compiled once a file mentions ``noqa``: a run answered
    from the cache never needs them (0.65 ms to compile)."""
    codes = r"(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?"
    return (
        re.compile(r"#\s*noqa" + codes, re.IGNORECASE),
        re.compile(r"#\s*schemacheck:\s*noqa" + codes, re.IGNORECASE),
    )


@dataclass
class Directives:
    lines: dict[int, frozenset[str] | None]  # line -> codes, None meaning every code
    file: frozenset[str] | bool | None  # False: no file-level directive
    statement_starts: dict[int, int]  # a continuation line -> the first line of its statement
    columns: dict[int, tuple[int, int]] = field(default_factory=dict)  # line -> comment columns

    def suppressor(self, code: str, lines: tuple[int, ...]) -> int | None:
        """The line whose ``# noqa`` suppresses ``code`` on ``lines`` (0 for the file's)."""
        if self.file is None or (isinstance(self.file, frozenset) and code in self.file):
            return 0
        lines = (*lines, *(self.statement_starts[n] for n in lines if n in self.statement_starts))
        for line in lines:
            if line in self.lines:
                codes = self.lines[line]
                if codes is None or code in codes:
                    return line
        return None

    def suppresses(self, code: str, lines: tuple[int, ...]) -> bool:
        if self.file is None or (isinstance(self.file, frozenset) and code in self.file):
            return True
        lines = (*lines, *(self.statement_starts[n] for n in lines if n in self.statement_starts))
        for line in lines:
            if line in self.lines:
                codes = self.lines[line]
                if codes is None or code in codes:
                    return True
        return False


def _codes(match: re.Match[str]) -> frozenset[str] | None:
    codes = match.group("codes")
    if not codes:
        return None
    return frozenset(c.upper() for c in re.split(r"[\s,]+", codes) if c)


def read_directives(text: str) -> Directives:
    lines: dict[int, frozenset[str] | None] = {}
    file: frozenset[str] | bool | None = False
    starts: dict[int, int] = {}
    columns: dict[int, tuple[int, int]] = {}
    if "noqa" not in text.lower():
        return Directives(lines, file, starts, columns)
    scanned = _scan(text)
    if scanned is None:  # not Python the tokenizer reads: no directives, as before
        return Directives(lines, file, starts, columns)
    code, comments = scanned
    line_noqa, file_noqa = _patterns()
    for line, column, comment in comments:
        file_match = file_noqa.match(comment)
        if file_match:
            codes = _codes(file_match)
            if codes is None:
                file = None
            elif file is not None:
                file = (file if isinstance(file, frozenset) else frozenset()) | codes
            continue
        match = line_noqa.search(comment)
        if match:
            lines[line] = _codes(match)
            columns[line] = (column + match.start(), column + match.end())
    _statement_starts(code, starts)
    return Directives(lines, file, starts, columns)


def _scan(text: str) -> tuple[list[str], list[tuple[int, int, str]]] | None:
    """The text's lines with strings and comments blanked, and its comments that mention
    ``noqa`` (line, column, text); None when a string is left open.

    Strings and comments are found as the prefilter finds them (a property test holds that
    reading to the tokenizer's). A string becomes ``S``, its line breaks kept behind a ``\\``
    so that its statement goes on; a comment goes. Tokenizing the whole file with ``tokenize``
    (pure Python) took 60-160 ms of a cold run on real projects whose files say ``noqa``.
    """
    found: list[tuple[int, str]] = []
    position = 0
    pieces: list[str] = []
    for match in strings_and_comments(text):
        start = match.start()
        pieces.append(text[position:start])
        piece = match.group()
        if piece.startswith("#"):
            if "noqa" in piece.lower():
                found.append((start, piece))
        elif "\n" in piece or "\r" in piece:
            pieces.append("S" + "".join("\\" + b for b in _NEWLINES.findall(piece)))
        else:
            pieces.append("S")
        position = match.end()
    pieces.append(text[position:])
    blanked = "".join(pieces)
    if "'" in blanked or '"' in blanked:
        return None
    comments = []
    if found:
        lines = LineIndex(text)
        for start, comment in found:
            line, column = lines.position(start)
            comments.append((line, column - 1, comment))
    return _NEWLINES.split(blanked), comments


def _statement_starts(code: list[str], starts: dict[int, int]) -> None:
    """For each continuation line of a statement, its first line (as the tokenizer's NEWLINE
    tokens end statements): brackets open and ``\\`` at a line's end carry a statement on."""
    current: int | None = None
    depth = 0
    for number, line in enumerate(code, 1):
        stripped = line.strip(" \t\f")
        if current is None:
            if not stripped or stripped == "\\":
                continue
            current = number
        depth += (
            line.count("(")
            + line.count("[")
            + line.count("{")
            - line.count(")")
            - line.count("]")
            - line.count("}")
        )
        if depth <= 0 and not stripped.endswith("\\"):
            for following in range(current + 1, number + 1):
                starts[following] = current
            current, depth = None, 0
    if current is not None:  # the last line ends the file, and its statement
        for following in range(current + 1, len(code) + 1):
            starts[following] = current
