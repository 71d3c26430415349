"""Every fixture under ``fixtures/rules/<CODE>/``: exact findings, exact fixes, stable fixes.

``<name>.py`` is the input, ``<name>.expected`` its findings for that rule alone, and
``<name>.fixed.py`` the file after ``--fix --unsafe-fixes`` with that rule alone. Set
``SCHEMACHECK_UPDATE_FIXTURES=1`` to rewrite them, then review the diff.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import libcst
import pytest

from schemacheck import check_source
from tests.helpers import FIXTURES, UPDATE, check, compare_or_update, fix_copy, render

RULE_FIXTURES = sorted(
    p for p in (FIXTURES / "rules").glob("SC*/*.py") if not p.name.endswith(".fixed.py")
)


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


@pytest.mark.parametrize("source", RULE_FIXTURES, ids=_id)
def test_findings(source: Path) -> None:
    code = source.parent.name
    # SC002 judges the noqa comments of the rules that run: run them all, compare its findings.
    result = check(source, ["ALL"] if code == "SC002" else [code])
    assert not result.errors
    found = [d for d in result.diagnostics if d.code == code]
    compare_or_update(source.with_suffix(".expected"), render(found))


@pytest.mark.parametrize("source", RULE_FIXTURES, ids=_id)
def test_fix(source: Path, tmp_path: Path) -> None:
    code = source.parent.name
    fixed_path = source.with_name(source.stem + ".fixed.py")
    before = check(source, [code])
    if not any(d.fix for d in before.diagnostics):
        assert not fixed_path.exists(), "a .fixed.py for a file without fixes"
        return
    target, result = fix_copy(source, tmp_path, [code])
    assert not result.errors
    fixed = target.read_bytes()
    libcst.parse_module(fixed)  # the fixed file parses
    compare_or_update(fixed_path, fixed)
    # A second --fix changes nothing.
    again = check(target, [code], fix=True, unsafe=True)
    assert not again.changed
    assert not [d for d in again.diagnostics if d.fix]


@pytest.mark.parametrize("source", RULE_FIXTURES, ids=_id)
def test_all_rules_fix_converges(source: Path, tmp_path: Path) -> None:
    """All rules' fixes together: parse, and a second run has nothing left to fix."""
    target, result = fix_copy(source, tmp_path, None)
    assert not result.errors
    if not any(d.code == "SC001" for d in result.diagnostics):
        libcst.parse_module(target.read_bytes())
    again = check(target, None, fix=True, unsafe=True)
    assert not again.changed


IMPORTABLE = [
    p
    for p in RULE_FIXTURES
    if p.parent.name != "SC001"
    and not p.parent.name.startswith("SC5")  # migrations: proven by the Alembic round trip
    and not p.name.startswith(("unknown_base", "not_sqlalchemy", "external"))
    and p.parent.name != "SC310"  # SQLAlchemy refuses these models: see below
]


def test_duplicate_columns_are_refused_by_sqlalchemy() -> None:
    """SC310's claim: SQLAlchemy itself rejects the fixture's duplicate column."""
    completed = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).parent / "import_models.py"),
            str(FIXTURES / "rules" / "SC310" / "duplicates.py"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode != 0
    assert (
        "DuplicateColumnError: A column with name 'title' is already present in table "
        "'posts'" in completed.stderr
    )


@pytest.mark.parametrize("source", IMPORTABLE, ids=_id)
def test_models_create_tables(source: Path, tmp_path: Path) -> None:
    """Inputs and fixed outputs are real models: SQLAlchemy creates their tables on SQLite."""
    if UPDATE:
        pytest.skip("updating fixtures")
    target, _ = fix_copy(source, tmp_path, None)
    for path in (source, target):
        completed = subprocess.run(
            [sys.executable, str(Path(__file__).parent / "import_models.py"), str(path)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert completed.returncode == 0, completed.stderr[-3000:]
        assert "tables: [" in completed.stdout


def _facts(path: Path) -> dict[str, list[str]]:
    completed = subprocess.run(
        [sys.executable, str(Path(__file__).parent / "import_models.py"), str(path), "--facts"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    line = next(x for x in completed.stdout.splitlines() if x.startswith("facts: "))
    return json.loads(line[len("facts: ") :])  # type: ignore[no-any-return]


def _column_names(text: str, code: str, path: Path) -> set[str]:
    # Suppressions are the fixtures' business, not SQLAlchemy's: compare without them.
    unsuppressed = text.replace("# noqa", "# (noqa)").replace("# schemacheck: noqa", "# (sc)")
    found = check_source(unsuppressed, path=str(path), select=[code])
    return {name for d in found for name in re.findall(r'"([^"]+)"', d.message)}


@pytest.mark.parametrize("source", IMPORTABLE, ids=_id)
def test_claims_match_sqlalchemy(source: Path) -> None:
    """SC102 and SC202 report exactly the columns real SQLAlchemy leaves unindexed or unsized.

    Findings on mixin columns that no table of the file uses are outside the comparison: those
    columns are in no table yet.
    """
    facts = _facts(source)
    text = source.read_text(encoding="utf-8")
    columns = set(facts["columns"])
    assert _column_names(text, "SC102", source) & columns == set(facts["uncovered_fk_columns"])
    assert _column_names(text, "SC202", source) & columns == set(facts["unsized_strings"])
