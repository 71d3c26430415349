"""Output formats: pure functions from diagnostics to text."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from schemacheck.diagnostics import Diagnostic
from schemacheck.report.concise import render_concise
from schemacheck.report.json import render_json
from schemacheck.report.text import render_full

Reporter = Callable[[Sequence[Diagnostic], dict[str, str], bool], str]

FORMATS: dict[str, Reporter] = {
    "full": render_full,
    "text": render_full,
    "concise": render_concise,
    "json": render_json,
}
