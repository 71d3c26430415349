"""Baselines: adopt schemacheck in an existing codebase by recording what is there today.

A baseline file lists findings by fingerprint (see :mod:`schemacheck.fingerprint`), so entries
keep matching when lines move. Findings in the baseline are not reported; entries that no longer
occur are counted, so the file can be rewritten smaller.

``json`` is imported by the functions that use it: most runs have no baseline, and a run
answered from the cache is mostly start-up.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schemacheck import __version__
from schemacheck.diagnostics import Diagnostic

FORMAT_VERSION = 1


class BaselineError(Exception):
    """An unreadable or malformed baseline file."""


def write_baseline(path: Path, diagnostics: Sequence[Diagnostic], prints: Sequence[str]) -> None:
    entries = [
        {
            "fingerprint": f,
            "code": d.code,
            "path": d.path,
            "line": d.span.line,
            "message": d.message,
        }
        for d, f in zip(diagnostics, prints)
    ]
    data = {"schemacheck": __version__, "version": FORMAT_VERSION, "findings": entries}
    import json

    try:
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    except OSError as error:
        raise BaselineError(f"{path}: cannot write baseline: {error.strerror or error}") from None


def load_baseline(path: Path) -> Counter[str]:
    import json

    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BaselineError(f"{path}: cannot read baseline: {error.strerror or error}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BaselineError(f"{path}: not a schemacheck baseline: {error}") from None
    if (
        not isinstance(data, dict)
        or data.get("version") != FORMAT_VERSION
        or not isinstance(data.get("findings"), list)
    ):
        raise BaselineError(f"{path}: not a schemacheck baseline (version {FORMAT_VERSION})")
    fingerprints: Counter[str] = Counter()
    for entry in data["findings"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str):
            raise BaselineError(f"{path}: a finding without a fingerprint: {entry!r}")
        fingerprints[entry["fingerprint"]] += 1
    return fingerprints


@dataclass
class BaselineMatch:
    kept: list[int]  # indexes of diagnostics not in the baseline
    stale: int  # baseline entries that matched nothing


def match_baseline(prints: Sequence[str], baseline: Counter[str]) -> BaselineMatch:
    remaining = Counter(baseline)
    kept = []
    for index, fingerprint in enumerate(prints):
        if remaining[fingerprint] > 0:
            remaining[fingerprint] -= 1
        else:
            kept.append(index)
    return BaselineMatch(kept=kept, stale=sum(remaining.values()))
