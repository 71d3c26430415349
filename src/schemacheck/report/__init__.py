"""Output formats: pure functions from a :class:`Report` to text."""

from __future__ import annotations

from collections.abc import Callable

from schemacheck.report.base import Report
from schemacheck.report.ci import render_github, render_gitlab, render_junit
from schemacheck.report.concise import render_concise
from schemacheck.report.json import render_json, render_json_lines
from schemacheck.report.sarif import render_sarif
from schemacheck.report.text import render_full

Reporter = Callable[[Report], str]

FORMATS: dict[str, Reporter] = {
    "full": render_full,
    "text": render_full,
    "concise": render_concise,
    "json": render_json,
    "json-lines": render_json_lines,
    "sarif": render_sarif,
    "github": render_github,
    "gitlab": render_gitlab,
    "junit": render_junit,
}

__all__ = ["FORMATS", "Report", "Reporter"]
