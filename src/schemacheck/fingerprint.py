"""Stable identities of findings, for SARIF ``partialFingerprints`` and baselines.

A fingerprint is built from what the finding is about, not from where it is: the rule, the file
and the source text of the span (whitespace folded), plus a counter that tells apart identical
findings in one file. Lines moving up or down leave it unchanged; editing the flagged code or
renaming the file changes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from schemacheck.diagnostics import Diagnostic
from schemacheck.source import LineIndex


def _span_text(
    diagnostic: Diagnostic, sources: Mapping[str, str], indexes: dict[str, LineIndex]
) -> str:
    text = sources.get(diagnostic.path)
    if text is None:
        return diagnostic.message
    span = diagnostic.span
    snippet = text[span.start : span.end]
    if not snippet.strip() and span.line:
        index = indexes.get(diagnostic.path)
        if index is None:
            index = indexes[diagnostic.path] = LineIndex(text)
        snippet = index.line_text(span.line)
    return " ".join(snippet.split())


def fingerprints(diagnostics: Sequence[Diagnostic], sources: Mapping[str, str]) -> list[str]:
    """One fingerprint per diagnostic, in the same order."""
    import hashlib  # SARIF and baselines only: loading OpenSSL is not a plain run's cost

    seen: dict[tuple[str, str, str], int] = {}
    indexes: dict[str, LineIndex] = {}
    result = []
    for diagnostic in diagnostics:
        key = (diagnostic.code, diagnostic.path, _span_text(diagnostic, sources, indexes))
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        digest = hashlib.sha256("\0".join([*key, str(occurrence)]).encode()).hexdigest()
        result.append(digest[:32])
    return result
