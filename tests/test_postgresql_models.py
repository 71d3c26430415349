"""Fixed models on a real PostgreSQL server, and claims only a real database can confirm.

Every fixture whose fixes change it must, once fixed, create its tables on PostgreSQL (the
SQLite run is in ``test_rule_fixtures``), except ``sqlite_*`` fixtures, written for SQLite.
SC111 says that ``ondelete="SET NULL"`` on a NOT NULL column makes deleting the parent fail:
PostgreSQL is asked to do exactly that, before and after the fix. SC506 leaves out, for
PostgreSQL, the type changes it calls widenings: PostgreSQL runs each change of its fixture, and
any that rewrites the table must be reported.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

from schemacheck import check_source
from schemacheck.config import Config
from tests.helpers import FIXTURES, fix_copy, import_models, postgres_database
from tests.test_rule_fixtures import IMPORTABLE

FIXED = [p.with_name(p.stem + ".fixed.py") for p in IMPORTABLE]
FIXED = [p for p in FIXED if p.exists() and not p.name.startswith("sqlite_")]


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    yield from postgres_database()


@pytest.mark.parametrize("fixed", FIXED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixed_models_create_tables_on_postgresql(fixed: Path, postgres_url: str) -> None:
    completed = import_models(fixed, postgres_url, "--drop")
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "tables: [" in completed.stdout


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"models_{path.stem.replace('.', '_')}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _delete_parent(module: ModuleType, url: str) -> None:
    """Create the tables, link a post to a user, delete the user."""
    engine = sa.create_engine(url)
    metadata = module.Base.metadata
    metadata.drop_all(engine)
    metadata.create_all(engine)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("INSERT INTO users (id) VALUES (1)"))
            connection.execute(
                sa.text("INSERT INTO posts (id, author_id, editor_id) VALUES (1, 1, 1)")
            )
        with engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM users WHERE id = 1"))
            left = connection.execute(sa.text("SELECT author_id FROM posts")).scalar_one()
            assert left is None
    finally:
        metadata.drop_all(engine)
        engine.dispose()


def test_set_null_on_not_null_blocks_deletes_on_postgresql(
    postgres_url: str, tmp_path: Path
) -> None:
    source = FIXTURES / "rules" / "SC111" / "legacy.py"
    with pytest.raises(sa.exc.IntegrityError, match="not-null constraint"):
        _delete_parent(_load(source), postgres_url)
    fixed, _ = fix_copy(source, tmp_path, ["SC111"])
    _delete_parent(_load(fixed), postgres_url)


def _type_changes(text: str) -> list[tuple[str, str, str, int]]:
    """Each ``op.alter_column`` of ``upgrade()`` that says what the column was: its column,
    the source of its ``existing_type`` and of the call, and the line of its ``type_``."""
    tree = ast.parse(text)
    upgrade = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "upgrade")
    found = []
    for statement in upgrade.body:
        assert isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)
        call = statement.value
        keywords = {k.arg: k.value for k in call.keywords}
        if "existing_type" not in keywords:
            continue
        column = call.args[1]
        assert isinstance(column, ast.Constant) and isinstance(column.value, str)
        existing = ast.get_source_segment(text, keywords["existing_type"])
        source = ast.get_source_segment(text, call)
        assert existing is not None and source is not None
        found.append((column.value, existing, source, keywords["type_"].lineno))
    return found


def _rewrites(url: str, column: str, existing: str, source: str) -> bool:
    """Whether PostgreSQL writes the table anew for this change (its file node changes)."""
    engine = sa.create_engine(url)
    names = {"sa": sa, "SIZE": 16}
    table = sa.Table(
        "certificates",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(column, eval(existing, names)),
    )
    node = sa.text("SELECT pg_relation_filenode('certificates')")
    try:
        with engine.begin() as connection:
            table.create(connection)
            connection.execute(table.insert().values({column: "1"}))
            before = connection.execute(node).scalar_one()
            eval(source, {**names, "op": Operations(MigrationContext.configure(connection))})
            after = connection.execute(node).scalar_one()
            kept = connection.execute(sa.select(table.c[column])).scalar_one()
            assert str(kept).strip() == "1"  # (CHAR pads)
        return bool(before != after)
    finally:
        with engine.begin() as connection:
            table.drop(connection, checkfirst=True)
        engine.dispose()


def test_type_changes_left_out_for_postgresql_do_not_rewrite_the_table(postgres_url: str) -> None:
    source = FIXTURES / "rules" / "SC506" / "widening.py"
    text = source.read_text(encoding="utf-8")
    changes = _type_changes(text)
    for_postgresql = Config(dialects=["postgresql"])
    reported = {d.span.line for d in check_source(text, config=for_postgresql, select=["SC506"])}
    anywhere = {d.span.line for d in check_source(text, select=["SC506"])}
    left_out = set()
    for column, existing, call, line in changes:
        assert line in anywhere
        if _rewrites(postgres_url, column, existing, call):
            assert line in reported, f"{column}: PostgreSQL rewrote the table"
        if line not in reported:
            left_out.add(column)
    assert len(changes) == 11
    assert left_out == {"name", "owner", "body", "notes"}


def _objects(connection: sa.Connection) -> set[str]:
    """The names of the indexes and constraints of table "folders"."""
    inspector = sa.inspect(connection)
    names = {c["name"] for c in inspector.get_check_constraints("folders")}
    names |= {i["name"] for i in inspector.get_indexes("folders")}
    return {name for name in names if name}


def test_downgrades_sc502_passes_leave_nothing_behind(postgres_url: str) -> None:
    """SC502 on ``conventions.py``: with a naming convention in the target metadata, PostgreSQL
    runs the upgrade and the downgrade, and what is left over or missing afterwards is exactly
    what SC502 reports."""
    source = FIXTURES / "rules" / "SC502" / "conventions.py"
    reported = {
        re.findall(r'"([^"]+)"', d.message)[0]
        for d in check_source(source.read_text(encoding="utf-8"), select=["SC502"])
    }
    migration = _load(source)
    convention = {"ck": "ck_%(table_name)s_%(constraint_name)s"}
    engine = sa.create_engine(postgres_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "CREATE TABLE folders (id serial PRIMARY KEY, title varchar(50), "
                    "is_hidden boolean, is_visible boolean, "
                    "CONSTRAINT ck_folders_legacy CHECK (title != ''))"
                )
            )
            before = _objects(connection)
            context = MigrationContext.configure(
                connection, opts={"target_metadata": sa.MetaData(naming_convention=convention)}
            )
            with Operations.context(context):
                migration.upgrade()
                migration.downgrade()
            after = _objects(connection)
        assert (after - before) | (before - after) == reported == {"ix_folders_title"}
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS folders"))
        engine.dispose()
