"""Every fixture under ``fixtures/rules/<CODE>/``: exact findings, exact fixes, stable fixes.

``<name>.py`` is the input, ``<name>.expected`` its findings for that rule alone, and
``<name>.fixed.py`` the file after ``--fix --unsafe-fixes`` with that rule alone. Set
``SCHEMACHECK_UPDATE_FIXTURES=1`` to rewrite them, then review the diff.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
from pathlib import Path

import libcst
import pytest

from schemacheck import check_source
from tests.helpers import (
    FIXTURES,
    UPDATE,
    check,
    compare_or_update,
    fix_copy,
    import_models,
    render,
)

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
    and not p.name.startswith(("unknown_base", "not_sqlalchemy", "external", "refused"))
    and p.parent.name != "SC310"  # SQLAlchemy refuses these models: see below
    and p.parent.name != "SC103"  # some cannot create their tables: that is the claim, below
    and not p.parent.name.startswith("SC4")  # sessions and engines, not models
]


@pytest.mark.parametrize(
    "source",
    [p for p in RULE_FIXTURES if p.parent.name == "SC103" and not p.name.startswith("external")],
    ids=_id,
)
def test_unknown_targets_are_refused_by_sqlalchemy(source: Path) -> None:
    """SC103's claim: a file has findings exactly when SQLAlchemy cannot create its tables."""
    findings = check(source, ["SC103"]).diagnostics
    completed = import_models(source)
    if findings:
        assert completed.returncode != 0
        assert re.search(r"NoReferenced(Table|Column)Error", completed.stderr), completed.stderr
    else:
        assert completed.returncode == 0, completed.stderr[-3000:]


# A library's base that names each table after its class, as ``external_base.py`` imports it.
_OUTSIDE_BASE = """
from sqlalchemy.orm import DeclarativeBase, declared_attr


class Model(DeclarativeBase):
    @declared_attr.directive
    def __tablename__(cls) -> str:
        return cls.__name__.lower()
"""


def test_a_table_named_by_a_base_from_outside_the_project_is_not_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SC103's silence on ``external_base.py``: with such a base, "company" is Company's table,
    and SQLAlchemy creates every table."""
    library = tmp_path / "corelib"
    library.mkdir()
    (library / "__init__.py").write_text("", encoding="utf-8")
    (library / "db.py").write_text(_OUTSIDE_BASE, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    source = FIXTURES / "rules" / "SC103" / "external_base.py"
    assert not check(source, ["SC103"]).diagnostics
    completed = import_models(source)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "tables: ['company', 'employees']" in completed.stdout


def test_flask_handles_have_the_metadata_sc308_says() -> None:
    """SC308's claim on ``SQLAlchemy(model_class=...)``: a handle is reported exactly when the
    metadata Flask-SQLAlchemy gives it has no naming convention."""
    from flask_sqlalchemy import SQLAlchemy
    from sqlalchemy import MetaData

    source = FIXTURES / "rules" / "SC308" / "flask_model_class.py"
    reported = {d.span.line for d in check(source, ["SC308"]).diagnostics}
    spec = importlib.util.spec_from_file_location("sc308_flask_model_class", source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    handles = {
        node.targets[0].id: node.lineno
        for node in ast.parse(source.read_text(encoding="utf-8")).body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id == "SQLAlchemy"
    }
    assert len(handles) == 5
    default = MetaData().naming_convention
    for name, line in handles.items():
        db = getattr(module, name)
        assert isinstance(db, SQLAlchemy)
        assert (line in reported) == (db.metadata.naming_convention == default), name


def test_a_listener_keeps_the_column_sc303_leaves_alone_current() -> None:
    """SC303's silence on ``listener.py``: an update changes ``updated_at``, through the
    file's ``before_update`` listener."""
    import time

    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    source = FIXTURES / "rules" / "SC303" / "listener.py"
    assert not check(source, ["SC303"]).diagnostics
    spec = importlib.util.spec_from_file_location("sc303_listener", source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    engine = sa.create_engine("sqlite://")
    module.Base.metadata.create_all(engine)
    with Session(engine) as session:
        incident = module.Incident(title="a")
        session.add(incident)
        session.commit()
        inserted = incident.updated_at
        time.sleep(0.01)
        incident.title = "b"
        session.commit()
        assert incident.updated_at > inserted
    engine.dispose()


def test_duplicate_columns_are_refused_by_sqlalchemy() -> None:
    """SC310's claim: SQLAlchemy itself rejects the fixture's duplicate column."""
    completed = import_models(FIXTURES / "rules" / "SC310" / "duplicates.py")
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
        completed = import_models(path)
        assert completed.returncode == 0, completed.stderr[-3000:]
        assert "tables: [" in completed.stdout


def _facts(path: Path) -> dict[str, list[str]]:
    completed = import_models(path, "--facts")
    assert completed.returncode == 0, completed.stderr[-3000:]
    line = next(x for x in completed.stdout.splitlines() if x.startswith("facts: "))
    return json.loads(line[len("facts: ") :])  # type: ignore[no-any-return]


def _column_names(text: str, code: str, path: Path) -> set[str]:
    # Suppressions are the fixtures' business, not SQLAlchemy's: compare without them.
    unsuppressed = text.replace("# noqa", "# (noqa)").replace("# schemacheck: noqa", "# (sc)")
    found = check_source(unsuppressed, path=str(path), select=[code])
    return {name for d in found for name in re.findall(r'"([^"]+)"', d.message)}


# Model rules do not look at a migration's snapshot tables: nothing to compare there.
MODEL_FILES = [p for p in IMPORTABLE if "def upgrade(" not in p.read_text(encoding="utf-8")]


@pytest.mark.parametrize("source", MODEL_FILES, ids=_id)
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
    assert _column_names(text, "SC104", source) & columns == set(facts["fk_type_mismatches"])


@pytest.mark.parametrize(
    "source", [p for p in RULE_FIXTURES if p.name.startswith("refused")], ids=_id
)
def test_refused_models_import_once_fixed(source: Path, tmp_path: Path) -> None:
    """Models the library itself refuses (SQLModel checks SC111's claim): fixed, they import."""
    assert check(source, [source.parent.name]).diagnostics
    assert import_models(source).returncode != 0
    target, _ = fix_copy(source, tmp_path, [source.parent.name])
    completed = import_models(target)
    assert completed.returncode == 0, completed.stderr[-3000:]


def _mappers(path: Path) -> tuple[list[str], list[str], str]:
    """Relationships after ``configure_mappers()``, its warnings, and its error (or "")."""
    completed = import_models(path, "--mappers")
    if completed.returncode != 0:
        return [], [], completed.stderr.strip().splitlines()[-1]
    lines = completed.stdout.splitlines()
    found = next(x for x in lines if x.startswith("relationships: "))
    warnings = [x for x in lines if x.startswith("warning: ")]
    return json.loads(found[len("relationships: ") :]), warnings, ""


RELATIONSHIP_FIXTURES = [
    p for p in IMPORTABLE if p.parent.name in ("SC105", "SC106", "SC107", "SC108", "SC109")
]


@pytest.mark.parametrize("source", RELATIONSHIP_FIXTURES, ids=_id)
def test_relationship_claims_match_sqlalchemy(source: Path, tmp_path: Path) -> None:
    """What SQLAlchemy's mapper configuration says about the fixture, before and after fixes.

    SC107: findings exactly when configuring the mappers fails. SC105: findings exactly when
    SQLAlchemy warns that two relationships write the same columns. Every fix keeps the
    configured relationships (class, attribute, direction, target, list or scalar) the same.
    """
    code = source.parent.name
    findings = check(source, [code]).diagnostics
    relationships, warnings, error = _mappers(source)
    if code == "SC107":
        assert bool(findings) == bool(error), error
    else:
        assert not error, error
    if code == "SC105":
        conflicts = [w for w in warnings if "conflicts with relationship" in w]
        assert bool(findings) == bool(conflicts), warnings
    if any(d.fix for d in findings):
        target, _ = fix_copy(source, tmp_path, [code])
        fixed_relationships, _, fixed_error = _mappers(target)
        assert not fixed_error, fixed_error
        assert fixed_relationships == relationships
