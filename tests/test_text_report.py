"""The full text report, byte for byte: excerpts of tab-indented and CRLF files, line numbers
that change width, spans over more lines than an excerpt shows, a file without a last newline,
with colour and without."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemacheck import check_source
from schemacheck.report.base import Report
from schemacheck.report.text import render_full
from tests.helpers import FIXTURES, compare_or_update

REPORT = FIXTURES / "report"


@pytest.mark.parametrize("color", [False, True], ids=["plain", "color"])
def test_full_report_is_unchanged(color: bool) -> None:
    diagnostics = []
    sources = {}
    for path in sorted(REPORT.glob("*.py")):
        text = path.read_bytes().decode("utf-8")
        sources[path.name] = text
        diagnostics += check_source(text, path=path.name, select=["ALL"])
    assert len(diagnostics) > 20
    rendered = render_full(Report(diagnostics, sources, color, Path(".")))
    compare_or_update(REPORT / f"full.{'color' if color else 'plain'}.txt", rendered.encode())
