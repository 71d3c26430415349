"""Output formats: functions from a :class:`Report` to text.

Each is imported when chosen: SARIF documents every rule it cites, so it imports the rules, which
a plain report of cached findings never needs.

The formats read line by line (full, concise, JSON lines) come in pieces that the caller writes
as they are made, so that a report of tens of thousands of findings is never held whole; the
others are one document.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable

from schemacheck.report.base import Report

Reporter = Callable[[Report], Iterable[str]]  # the text in pieces, to write in order

# Format name: the module under ``schemacheck.report``, the function in it, and whether that
# function yields pieces (else it returns the whole text).
FORMATS: dict[str, tuple[str, str, bool]] = {
    "full": ("text", "full_pieces", True),
    "text": ("text", "full_pieces", True),
    "concise": ("concise", "concise_pieces", True),
    "json": ("json", "render_json", False),
    "json-lines": ("json", "json_lines_pieces", True),
    "sarif": ("sarif", "render_sarif", False),
    "github": ("ci", "render_github", False),
    "gitlab": ("ci", "render_gitlab", False),
    "junit": ("ci", "render_junit", False),
}


def renderer(name: str) -> Reporter:
    """The function that renders format ``name`` (one of :data:`FORMATS`), in pieces."""
    module, function, pieces = FORMATS[name]
    render = getattr(importlib.import_module(f"schemacheck.report.{module}"), function)
    if pieces:
        streamed: Reporter = render
        return streamed
    whole: Callable[[Report], str] = render
    return lambda report: (whole(report),)


__all__ = ["FORMATS", "Report", "Reporter", "renderer"]
