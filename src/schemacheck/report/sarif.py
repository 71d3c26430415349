"""SARIF 2.1.0, as editors and GitHub code scanning read it.

Paths are URIs relative to the project root under ``%SRCROOT%``; regions are 1-based and counted
in Unicode code points (``columnKind``); every result carries a ``partialFingerprints`` entry
that survives lines moving, and fixable results carry their fix as artifact changes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from schemacheck import __version__
from schemacheck.diagnostics import Diagnostic, Edit, Level
from schemacheck.files import resolved
from schemacheck.report.base import Report
from schemacheck.ruledocs import fix_sentence
from schemacheck.rules import BY_CODE, Rule
from schemacheck.source import LineIndex

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/schemacheck/schemacheck"
DOCS_URI = INFORMATION_URI + "/blob/main/docs/rules/{code}.md"
FINGERPRINT_KEY = "schemacheck/v1"
_LEVELS = {Level.ERROR: "error", Level.WARNING: "warning"}


def _uri(path: str, root: Path) -> tuple[str, str | None]:
    """A relative URI under ``%SRCROOT%`` when the file is inside the root, else an absolute one."""
    absolute = resolved(Path(path))
    try:
        return quote(absolute.relative_to(resolved(root)).as_posix()), "%SRCROOT%"
    except ValueError:
        return absolute.as_uri(), None


def _location(path: str, root: Path) -> dict[str, Any]:
    uri, base = _uri(path, root)
    location: dict[str, Any] = {"uri": uri}
    if base:
        location["uriBaseId"] = base
    return location


def _region(lines: LineIndex | None, start: int, end: int, fallback: Diagnostic) -> dict[str, int]:
    if lines is None:
        span = fallback.span
        line, column, end_line, end_column = span.line, span.column, span.end_line, span.end_column
    else:
        line, column = lines.position(start)
        end_line, end_column = lines.position(end)
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}


def _rule(rule: type[Rule]) -> dict[str, Any]:
    doc = rule.documentation()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary()},
        "fullDescription": {"text": rule.summary() + " " + fix_sentence(rule)},
        "help": {"text": doc, "markdown": doc},
        "helpUri": DOCS_URI.format(code=rule.code),
        "defaultConfiguration": {"level": _LEVELS[rule.level]},
        "properties": {"tags": [rule.family], "precision": "high"},
    }


def _fix(diagnostic: Diagnostic, lines: LineIndex | None, root: Path) -> dict[str, Any] | None:
    fix = diagnostic.fix
    if fix is None or lines is None:
        return None

    def replacement(edit: Edit) -> dict[str, Any]:
        return {
            "deletedRegion": _region(lines, edit.start, edit.end, diagnostic),
            "insertedContent": {"text": edit.content},
        }

    return {
        "description": {"text": f"{fix.message} ({fix.applicability.value} fix)"},
        "artifactChanges": [
            {
                "artifactLocation": _location(diagnostic.path, root),
                "replacements": [replacement(e) for e in sorted(fix.edits, key=lambda e: e.start)],
            }
        ],
    }


def sarif_log(report: Report) -> dict[str, Any]:
    codes = sorted({d.code for d in report.diagnostics})
    rule_index = {code: index for index, code in enumerate(codes)}
    indexes = {path: LineIndex(text) for path, text in report.sources.items()}
    results = []
    for diagnostic, fingerprint in zip(report.diagnostics, report.fingerprints()):
        lines = indexes.get(diagnostic.path)
        span = diagnostic.span
        result: dict[str, Any] = {
            "ruleId": diagnostic.code,
            "ruleIndex": rule_index[diagnostic.code],
            "level": _LEVELS[diagnostic.level],
            "message": {"text": diagnostic.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": _location(diagnostic.path, report.root),
                        "region": _region(lines, span.start, span.end, diagnostic),
                    }
                }
            ],
            "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        }
        if diagnostic.related:
            result["relatedLocations"] = [
                {
                    "id": number,
                    "message": {"text": related.message},
                    "physicalLocation": {
                        "artifactLocation": _location(related.path, report.root),
                        "region": {
                            "startLine": related.span.line,
                            "startColumn": related.span.column,
                            "endLine": related.span.end_line,
                            "endColumn": related.span.end_column,
                        },
                    },
                }
                for number, related in enumerate(diagnostic.related, start=1)
            ]
        fix = _fix(diagnostic, lines, report.root)
        if fix is not None:
            result["fixes"] = [fix]
        results.append(result)
    root_uri = resolved(report.root).as_uri().rstrip("/") + "/"
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "schemacheck",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(BY_CODE[code]) for code in codes],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root_uri}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def render_sarif(report: Report) -> str:
    return json.dumps(sarif_log(report), indent=2) + "\n"
