"""ruff's ``full`` format: a header line, the source lines with the span underlined, the fix."""

from __future__ import annotations

import re
from collections.abc import Iterator

from schemacheck.diagnostics import Applicability, Diagnostic
from schemacheck.report.base import Report
from schemacheck.report.concise import header
from schemacheck.report.style import paint

_CONTEXT = 2
_MAX_LINES = 8
_NEWLINE = re.compile(r"\r\n|\r|\n")  # as ``LineIndex`` reads lines


class _Lines:
    """A file's lines as excerpts show them (tabs as one space, numbered in the gutter), each
    made once: a report of thousands of findings shows the same lines many times."""

    def __init__(self, source: str, color: bool) -> None:
        self.raw = _NEWLINE.split(source)
        self.color = color
        self.shown: dict[int, str] = {}
        self.numbered: dict[int, str] = {}  # by number and gutter width (``number << 4 | width``)

    def __getitem__(self, number: int) -> str:
        text = self.shown.get(number)
        if text is None:
            text = self.shown[number] = self.raw[number - 1].expandtabs(1)
        return text

    def numbered_line(self, number: int, width: int) -> str:
        key = number << 4 | width
        row = self.numbered.get(key)
        if row is None:
            prefix = paint(f"{number:>{width}} |", "blue", color=self.color)
            row = self.numbered[key] = f"{prefix} {self[number]}".rstrip()
        return row


_GUTTERS: dict[tuple[int, bool], str] = {}


def _gutter(width: int, color: bool) -> str:
    gutter = _GUTTERS.get((width, color))
    if gutter is None:
        gutter = _GUTTERS[width, color] = paint(" " * width + " |", "blue", color=color)
    return gutter


def _excerpt(diagnostic: Diagnostic, lines: _Lines) -> list[str]:
    _, _, line, column, end_line, end_column = diagnostic.span.fields()
    first = max(1, line - _CONTEXT)
    last_span_line = min(end_line, line + _MAX_LINES - 1)
    last = min(len(lines.raw), last_span_line + _CONTEXT)
    width = len(str(last))
    gutter = _gutter(width, lines.color)
    numbered_line = lines.numbered_line
    out = [gutter]
    for number in range(first, last + 1):
        out.append(numbered_line(number, width))
        if line <= number <= last_span_line:
            text = lines[number]
            start = column - 1 if number == line else len(text) - len(text.lstrip())
            end = end_column - 1 if number == end_line else len(text)
            end = max(end, start + 1)
            marks = " " * start + "^" * (end - start)
            if number == last_span_line:
                marks += " " + diagnostic.code
            out.append(f"{gutter} {paint(marks, 'red', color=lines.color)}")
    out.append(gutter)
    return out


def full_pieces(report: Report) -> Iterator[str]:
    """The report file by file: only the current file's lines are held (findings come sorted
    by file), and the caller writes each piece as it comes."""
    color = report.color
    shown_path: str | None = None
    shown: _Lines | None = None
    blocks: list[str] = []
    for diagnostic in report.diagnostics:
        if diagnostic.path != shown_path:
            if blocks:
                yield "\n".join(blocks) + "\n"
                blocks = []
            source = report.sources.get(diagnostic.path)
            shown_path, shown = diagnostic.path, None if source is None else _Lines(source, color)
        lines = [header(diagnostic, color)]
        if shown is not None:
            lines.extend(_excerpt(diagnostic, shown))
        for related in diagnostic.related:
            where = f"{related.path}:{related.span.line}:{related.span.column}"
            lines.append(f"  = {paint('note:', 'bold', color=color)} {where}: {related.message}")
        if diagnostic.fix is not None:
            help_text = f"{paint('help:', 'bold', 'cyan', color=color)} {diagnostic.fix.message}"
            if diagnostic.fix.applicability is Applicability.UNSAFE:
                help_text += " (unsafe)"
            lines.append(f"  = {help_text}")
        blocks.append("\n".join(lines) + "\n")
    if blocks:
        yield "\n".join(blocks)


def render_full(report: Report) -> str:
    return "".join(full_pieces(report))
