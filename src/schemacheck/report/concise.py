from __future__ import annotations

from collections.abc import Iterator

from schemacheck.diagnostics import Applicability, Diagnostic
from schemacheck.report.base import Report
from schemacheck.report.style import paint

_LINES_PER_PIECE = 1000


def header(diagnostic: Diagnostic, color: bool) -> str:
    span = diagnostic.span
    location = f"{diagnostic.path}:{span.line}:{span.column}:"
    code = paint(diagnostic.code, "bold", "red", color=color)
    fix = diagnostic.fix
    marker = " [*]" if fix is not None and fix.applicability is Applicability.SAFE else ""
    return f"{paint(location, 'bold', color=color)} {code}{marker} {diagnostic.message}"


def concise_pieces(report: Report) -> Iterator[str]:
    """The report a thousand lines at a time, for the caller to write as it comes."""
    diagnostics, color = report.diagnostics, report.color
    for start in range(0, len(diagnostics), _LINES_PER_PIECE):
        chunk = diagnostics[start : start + _LINES_PER_PIECE]
        yield "".join(header(d, color) + "\n" for d in chunk)


def render_concise(report: Report) -> str:
    return "".join(concise_pieces(report))
