"""Fixed models on a real PostgreSQL server, and a claim only a real database can confirm.

Every fixture whose fixes change it must, once fixed, create its tables on PostgreSQL (the
SQLite run is in ``test_rule_fixtures``), except ``sqlite_*`` fixtures, written for SQLite.
SC111 says that ``ondelete="SET NULL"`` on a NOT NULL column makes deleting the parent fail:
PostgreSQL is asked to do exactly that, before and after the fix.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import sqlalchemy as sa

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
