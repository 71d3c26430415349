"""Output formats: pure functions from a :class:`Report` to text.

Each is imported when chosen: SARIF documents every rule it cites, so it imports the rules, which
a plain report of cached findings never needs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from schemacheck.report.base import Report

Reporter = Callable[[Report], str]

# Format name: the module under ``schemacheck.report`` and the function in it.
FORMATS: dict[str, tuple[str, str]] = {
    "full": ("text", "render_full"),
    "text": ("text", "render_full"),
    "concise": ("concise", "render_concise"),
    "json": ("json", "render_json"),
    "json-lines": ("json", "render_json_lines"),
    "sarif": ("sarif", "render_sarif"),
    "github": ("ci", "render_github"),
    "gitlab": ("ci", "render_gitlab"),
    "junit": ("ci", "render_junit"),
}


def renderer(name: str) -> Reporter:
    """The function that renders format ``name`` (one of :data:`FORMATS`)."""
    module, function = FORMATS[name]
    render: Reporter = getattr(importlib.import_module(f"schemacheck.report.{module}"), function)
    return render


__all__ = ["FORMATS", "Report", "Reporter", "renderer"]
