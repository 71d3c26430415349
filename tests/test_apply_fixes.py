"""Applying many fixes at once gives exactly what applying them one conflict check at a time gives.

The reference below is the plain definition (an edit conflicts with every taken edit it overlaps or
touches; edits applied right to left); ``apply_fixes`` does the same in n log n so that files with
thousands of fixes stay fast.
"""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from schemacheck.diagnostics import Applicability, Diagnostic, Edit, Fix, Level, Span
from schemacheck.fixes import apply_fixes

TEXT = "abcdefghijklmnopqrstuvwxyz0123456789"


def reference(text: str, diagnostics: list[Diagnostic]) -> tuple[str, list[Diagnostic]]:
    taken: list[Edit] = []
    fixes: list[Fix] = []
    applied = []
    for diagnostic in sorted(diagnostics, key=lambda d: (d.span.start, d.code)):
        fix = diagnostic.fix
        if fix is None or fix in fixes:
            continue
        edits = sorted(dict.fromkeys(fix.edits), key=lambda e: (e.start, e.end))
        clash = any(
            edit.start <= other.end and other.start <= edit.end for edit in edits for other in taken
        )
        if clash or any(a.end > b.start for a, b in itertools.pairwise(edits)):
            continue
        taken.extend(edits)
        fixes.append(fix)
        applied.append(diagnostic)
    order = {id(edit): index for index, edit in enumerate(taken)}
    for edit in sorted(taken, key=lambda e: (e.start, e.end, order[id(e)]), reverse=True):
        text = text[: edit.start] + edit.content + text[edit.end :]
    return text, applied


@st.composite
def edits(draw: st.DrawFn) -> Edit:
    start = draw(st.integers(0, len(TEXT)))
    end = draw(st.integers(start, min(len(TEXT), start + 6)))
    return Edit(start, end, draw(st.sampled_from(["", "X", "YY", "\n"])))


@st.composite
def diagnostics(draw: st.DrawFn) -> Diagnostic:
    fix_edits = tuple(draw(st.lists(edits(), min_size=1, max_size=3)))
    start = min(edit.start for edit in fix_edits)
    return Diagnostic(
        code=draw(st.sampled_from(["SC101", "SC102", "SC201"])),
        name="rule",
        message="message",
        level=Level.ERROR,
        path="m.py",
        span=Span(start, start + 1, 1, start + 1, 1, start + 2),
        fix=Fix("fix", Applicability.SAFE, fix_edits),
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(diagnostics(), max_size=12))
def test_apply_fixes_matches_the_definition(found: list[Diagnostic]) -> None:
    assert apply_fixes(TEXT, found) == reference(TEXT, found)


def test_thousands_of_fixes_apply_in_one_round() -> None:
    text = "x = 1\n" * 20_000
    found = [
        Diagnostic(
            "SC203",
            "rule",
            "message",
            Level.ERROR,
            "m.py",
            Span(line * 6, line * 6 + 5, line + 1, 1, line + 1, 6),
            Fix("fix", Applicability.SAFE, (Edit(line * 6 + 4, line * 6 + 5, "2"),)),
        )
        for line in range(20_000)
    ]
    fixed, applied = apply_fixes(text, found)
    assert fixed == "x = 2\n" * 20_000
    assert len(applied) == 20_000
