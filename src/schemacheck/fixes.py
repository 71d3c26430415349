"""Applying fixes to text: non-overlapping edits, in one pass per round.

Edits of fixes that overlap (or touch) an edit already taken this round wait for the next round,
when the file has been parsed and checked again; the runner loops until no fix applies.
"""

from __future__ import annotations

from collections.abc import Iterable

from schemacheck.diagnostics import Diagnostic, Edit, Fix


def _conflicts(edit: Edit, taken: list[Edit]) -> bool:
    return any(edit.start <= other.end and other.start <= edit.end for other in taken)


def apply_fixes(text: str, diagnostics: Iterable[Diagnostic]) -> tuple[str, list[Diagnostic]]:
    """Apply every fix that does not conflict with one applied before it; the fixed findings."""
    taken: list[Edit] = []
    fixes: list[Fix] = []
    applied: list[Diagnostic] = []
    for diagnostic in sorted(diagnostics, key=lambda d: (d.span.start, d.code)):
        fix = diagnostic.fix
        if fix is None or fix in fixes:
            continue
        # Stable: edits at the same place keep the order the fix gave them.
        edits = sorted(dict.fromkeys(fix.edits), key=lambda e: (e.start, e.end))
        if any(_conflicts(edit, taken) for edit in edits) or _self_overlap(edits):
            continue
        taken.extend(edits)
        fixes.append(fix)
        applied.append(diagnostic)
    order = {id(edit): index for index, edit in enumerate(taken)}
    for edit in sorted(taken, key=lambda e: (e.start, e.end, order[id(e)]), reverse=True):
        text = text[: edit.start] + edit.content + text[edit.end :]
    return text, applied


def _self_overlap(edits: list[Edit]) -> bool:
    return any(a.end > b.start for a, b in zip(edits, edits[1:]))
