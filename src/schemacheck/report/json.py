from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from schemacheck.diagnostics import Diagnostic


def diagnostic_dict(diagnostic: Diagnostic) -> dict[str, Any]:
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
        "fix": None
        if fix is None
        else {
            "applicability": fix.applicability.value,
            "message": fix.message,
            "edits": [{"start": e.start, "end": e.end, "content": e.content} for e in fix.edits],
        },
    }


def render_json(diagnostics: Sequence[Diagnostic], sources: dict[str, str], color: bool) -> str:
    return json.dumps([diagnostic_dict(d) for d in diagnostics], indent=2) + "\n"
