"""CI formats: GitHub workflow commands, GitLab Code Quality, JUnit XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import defaultdict

from schemacheck.diagnostics import Diagnostic, Level
from schemacheck.report.base import Report


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report) -> str:
    """``::error file=...,line=...,title=CODE::message`` workflow commands, as ruff writes them:
    GitHub shows each as an annotation on the changed line."""
    lines = []
    for d in report.diagnostics:
        span = d.span
        properties = (
            f"file={_escape_property(d.path)},line={span.line},col={span.column},"
            f"endLine={span.end_line},endColumn={span.end_column},"
            f"title={_escape_property(d.code)}"
        )
        lines.append(f"::error {properties}::{_escape_data(f'{d.message} ({d.name})')}")
    return "".join(line + "\n" for line in lines)


_GITLAB_SEVERITY = {Level.ERROR: "major", Level.WARNING: "minor"}


def render_gitlab(report: Report) -> str:
    """GitLab's Code Quality report (a subset of Code Climate's format)."""
    items = [
        {
            "description": f"{d.code} {d.message}",
            "check_name": d.code,
            "fingerprint": fingerprint,
            "severity": _GITLAB_SEVERITY[d.level],
            "location": {
                "path": d.path,
                "lines": {"begin": d.span.line, "end": d.span.end_line},
            },
        }
        for d, fingerprint in zip(report.diagnostics, report.fingerprints())
    ]
    return json.dumps(items, indent=2) + "\n"


def render_junit(report: Report) -> str:
    """One test suite per file, one failed test case per finding."""
    by_file: dict[str, list[Diagnostic]] = defaultdict(list)
    for d in report.diagnostics:
        by_file[d.path].append(d)
    total = len(report.diagnostics)
    suites = ET.Element(
        "testsuites", name="schemacheck", tests=str(max(total, 1)), failures=str(total), errors="0"
    )
    if not by_file:
        suite = ET.SubElement(suites, "testsuite", name="schemacheck", tests="1", failures="0")
        ET.SubElement(suite, "testcase", name="schemacheck", classname="schemacheck")
    for path, diagnostics in by_file.items():
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=path,
            tests=str(len(diagnostics)),
            failures=str(len(diagnostics)),
            errors="0",
        )
        for d in diagnostics:
            case = ET.SubElement(
                suite,
                "testcase",
                name=f"{d.code} {d.name}",
                classname=path,
                file=path,
                line=str(d.span.line),
            )
            failure = ET.SubElement(case, "failure", message=d.message, type=d.code)
            failure.text = f"{path}:{d.span.line}:{d.span.column}: {d.code} {d.message}"
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )
