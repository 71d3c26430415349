"""The full text report, byte for byte: excerpts of tab-indented and CRLF files, line numbers
that change width, spans over more lines than an excerpt shows, a file without a last newline,
with colour and without."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from schemacheck import check_source
from schemacheck import cli as cli_module
from schemacheck import command as command_module
from schemacheck.cli import cli
from schemacheck.report.base import Report
from schemacheck.report.text import render_full
from tests.helpers import FIXTURES, compare_or_update

sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
from corpus import generate

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


@pytest.mark.parametrize("output_format", ["full", "concise", "json-lines", "json"])
def test_a_long_report_is_written_as_it_is_rendered(
    output_format: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report longer than one write goes out in several writes, and reads as one would: the
    whole text of tens of thousands of findings is never held."""
    generate(tmp_path / "project", models=120, migrations=0, seed=3)
    command = ["--no-cache", "-j1", "--output-format", output_format, str(tmp_path / "project")]
    whole = CliRunner().invoke(cli, command)
    writes: list[str] = []
    monkeypatch.setattr(command_module, "echo", lambda text, err=False: writes.append(text))
    with pytest.raises(SystemExit) as done:
        cli_module.main(command)
    assert done.value.code == whole.exit_code == 1
    assert "".join(writes) == whole.output
    if output_format == "json":  # one document
        assert len(writes) == 1
    else:
        assert len(whole.output) > 2 * 2**16 and len(writes) > 2
        assert all(len(text) >= 2**16 for text in writes[:-1])
    written = tmp_path / "report.txt"
    CliRunner().invoke(cli, [*command, "--output-file", str(written)])
    assert written.read_text(encoding="utf-8") == whole.output
