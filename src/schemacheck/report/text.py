"""ruff's ``full`` format: a header line, the source lines with the span underlined, the fix."""

from __future__ import annotations

from schemacheck.diagnostics import Diagnostic
from schemacheck.report.base import Report
from schemacheck.report.concise import header
from schemacheck.report.style import paint
from schemacheck.source import LineIndex

_CONTEXT = 2
_MAX_LINES = 8


def _excerpt(diagnostic: Diagnostic, lines: LineIndex, color: bool) -> list[str]:
    span = diagnostic.span
    first = max(1, span.line - _CONTEXT)
    last_span_line = min(span.end_line, span.line + _MAX_LINES - 1)
    last = min(lines.line_count, last_span_line + _CONTEXT)
    width = len(str(last))
    out = []
    gutter = paint(" " * width + " |", "blue", color=color)
    out.append(gutter)
    for number in range(first, last + 1):
        text = lines.line_text(number).expandtabs(1)
        prefix = paint(f"{number:>{width}} |", "blue", color=color)
        out.append(f"{prefix} {text}".rstrip())
        if span.line <= number <= last_span_line:
            start = span.column - 1 if number == span.line else len(text) - len(text.lstrip())
            end = span.end_column - 1 if number == span.end_line else len(text)
            end = max(end, start + 1)
            marks = " " * start + "^" * (end - start)
            label = ""
            if number == last_span_line:
                label = " " + diagnostic.code
            out.append(f"{gutter} {paint(marks + label, 'red', color=color)}")
    out.append(gutter)
    return out


def render_full(report: Report) -> str:
    blocks = []
    indexes: dict[str, LineIndex] = {}
    color = report.color
    for diagnostic in report.diagnostics:
        lines = [header(diagnostic, color)]
        source = report.sources.get(diagnostic.path)
        if source is not None:
            index = indexes.get(diagnostic.path)
            if index is None:
                index = indexes[diagnostic.path] = LineIndex(source)
            lines.extend(_excerpt(diagnostic, index, color))
        for related in diagnostic.related:
            where = f"{related.path}:{related.span.line}:{related.span.column}"
            lines.append(f"  = {paint('note:', 'bold', color=color)} {where}: {related.message}")
        if diagnostic.fix is not None:
            help_text = f"{paint('help:', 'bold', 'cyan', color=color)} {diagnostic.fix.message}"
            if diagnostic.fix.applicability.value == "unsafe":
                help_text += " (unsafe)"
            lines.append(f"  = {help_text}")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)
