"""Applying fixes to text: non-overlapping edits, in one pass per round.

Edits of fixes that overlap (or touch) an edit already taken this round wait for the next round,
when the file has been parsed and checked again; the runner loops until no fix applies.
"""

from __future__ import annotations

import bisect
import itertools
import sys
from collections.abc import Iterable

from schemacheck.diagnostics import Diagnostic, Edit, Fix


class _TakenSpans:
    """The spans edited so far this round, sorted, for conflict checks in logarithmic time.

    Taken spans never overlap (they may touch only within one fix), so sorted by start their ends
    never decrease: the span that starts last at or before a point reaches furthest to the right.
    """

    def __init__(self) -> None:
        self.keys: list[tuple[int, int]] = []

    def conflicts(self, edit: Edit) -> bool:
        index = bisect.bisect_right(self.keys, (edit.end, sys.maxsize))
        return index > 0 and self.keys[index - 1][1] >= edit.start

    def add(self, edit: Edit) -> None:
        bisect.insort(self.keys, (edit.start, edit.end))


def apply_fixes(text: str, diagnostics: Iterable[Diagnostic]) -> tuple[str, list[Diagnostic]]:
    """Apply every fix that does not conflict with one applied before it; the fixed findings."""
    spans = _TakenSpans()
    taken: list[Edit] = []
    fixes: set[Fix] = set()
    applied: list[Diagnostic] = []
    for diagnostic in sorted(diagnostics, key=lambda d: (d.span.start, d.code)):
        fix = diagnostic.fix
        if fix is None or fix in fixes:
            continue
        # Stable: edits at the same place keep the order the fix gave them.
        edits = sorted(dict.fromkeys(fix.edits), key=lambda e: (e.start, e.end))
        if any(spans.conflicts(edit) for edit in edits) or _self_overlap(edits):
            continue
        for edit in edits:
            spans.add(edit)
        taken.extend(edits)
        fixes.add(fix)
        applied.append(diagnostic)
    order = {id(edit): index for index, edit in enumerate(taken)}
    pieces: list[str] = []
    position = 0
    for edit in sorted(taken, key=lambda e: (e.start, e.end, order[id(e)])):
        pieces.append(text[position : edit.start])
        pieces.append(edit.content)
        position = max(position, edit.end)
    pieces.append(text[position:])
    return "".join(pieces), applied


def _self_overlap(edits: list[Edit]) -> bool:
    return any(a.end > b.start for a, b in itertools.pairwise(edits))
