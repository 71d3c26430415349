from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from schemacheck.diagnostics import Diagnostic
from schemacheck.fingerprint import fingerprints


@dataclass(frozen=True)
class Report:
    """Everything a reporter may use: the findings and the text they point into."""

    diagnostics: Sequence[Diagnostic]
    sources: Mapping[str, str] = field(default_factory=dict)  # by reported path
    color: bool = False
    root: Path = field(default_factory=Path.cwd)  # where relative URIs start (SARIF)

    def fingerprints(self) -> list[str]:
        return fingerprints(self.diagnostics, self.sources)
