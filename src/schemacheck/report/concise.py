from __future__ import annotations

from schemacheck.diagnostics import Diagnostic
from schemacheck.report.base import Report
from schemacheck.report.style import paint


def header(diagnostic: Diagnostic, color: bool) -> str:
    span = diagnostic.span
    location = f"{diagnostic.path}:{span.line}:{span.column}:"
    code = paint(diagnostic.code, "bold", "red", color=color)
    fix = diagnostic.fix
    marker = " [*]" if fix is not None and fix.applicability.value == "safe" else ""
    return f"{paint(location, 'bold', color=color)} {code}{marker} {diagnostic.message}"


def render_concise(report: Report) -> str:
    return "".join(header(d, report.color) + "\n" for d in report.diagnostics)
