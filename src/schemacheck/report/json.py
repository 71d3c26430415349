from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from schemacheck.diagnostics import Diagnostic
from schemacheck.report.base import Report


def diagnostic_dict(diagnostic: Diagnostic, fingerprint: str | None = None) -> dict[str, Any]:
    span = diagnostic.span
    fix = diagnostic.fix
    return {
        "code": diagnostic.code,
        "name": diagnostic.name,
        "message": diagnostic.message,
        "level": diagnostic.level.value,
        "path": diagnostic.path,
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
        "fingerprint": fingerprint,
        "related": [
            {
                "path": r.path,
                "line": r.span.line,
                "column": r.span.column,
                "end_line": r.span.end_line,
                "end_column": r.span.end_column,
                "message": r.message,
            }
            for r in diagnostic.related
        ],
        "fix": None
        if fix is None
        else {
            "applicability": fix.applicability.value,
            "message": fix.message,
            "edits": [{"start": e.start, "end": e.end, "content": e.content} for e in fix.edits],
        },
    }


def render_json(report: Report) -> str:
    prints = report.fingerprints()
    items = [diagnostic_dict(d, f) for d, f in zip(report.diagnostics, prints)]
    return json.dumps(items, indent=2) + "\n"


def json_lines_pieces(report: Report) -> Iterator[str]:
    """One line per finding, for the caller to write as it comes."""
    for diagnostic, fingerprint in zip(report.diagnostics, report.fingerprints()):
        yield json.dumps(diagnostic_dict(diagnostic, fingerprint)) + "\n"


def render_json_lines(report: Report) -> str:
    return "".join(json_lines_pieces(report))
