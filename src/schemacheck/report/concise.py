from __future__ import annotations

from collections.abc import Sequence

from schemacheck.diagnostics import Diagnostic
from schemacheck.report.style import paint


def header(diagnostic: Diagnostic, color: bool) -> str:
    span = diagnostic.span
    location = f"{diagnostic.path}:{span.line}:{span.column}:"
    code = paint(diagnostic.code, "bold", "red", color=color)
    fix = diagnostic.fix
    marker = " [*]" if fix is not None and fix.applicability.value == "safe" else ""
    return f"{paint(location, 'bold', color=color)} {code}{marker} {diagnostic.message}"


def render_concise(diagnostics: Sequence[Diagnostic], sources: dict[str, str], color: bool) -> str:
    return "".join(header(d, color) + "\n" for d in diagnostics)
