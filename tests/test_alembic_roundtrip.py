"""Generated downgrades work on real databases: upgrade, downgrade to base, upgrade again.

Each fixture chain under ``fixtures/alembic/`` has migrations whose downgrade is missing or
empty. ``schemacheck --fix`` writes them; then real Alembic runs the round trip on SQLite and on
the PostgreSQL server that ``.ci/run`` starts (``SCHEMACHECK_TEST_POSTGRES_URL``), and the schema
after the second upgrade must equal the schema after the first.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig

from schemacheck.config import Config, Selection
from schemacheck.results import make_settings
from schemacheck.session import run
from tests.helpers import import_models, postgres_database

CHAINS = Path(__file__).parent / "fixtures" / "alembic"

ENV_PY = """
from alembic import context
from sqlalchemy import create_engine, pool

url = context.config.get_main_option("sqlalchemy.url")
engine = create_engine(url, poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
"""


def _postgres_database() -> Iterator[str]:
    yield from postgres_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'round_trip.db'}"
    else:
        yield from _postgres_database()


def snapshot(url: str) -> dict[str, Any]:
    """The schema as the database reports it, in a comparable form."""
    engine = sa.create_engine(url)
    try:
        inspector = sa.inspect(engine)
        tables: dict[str, Any] = {}
        for table in sorted(inspector.get_table_names()):
            if table == "alembic_version":
                continue
            tables[table] = {
                "columns": [
                    (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)
                ],
                "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
                "indexes": sorted(
                    (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                    for i in inspector.get_indexes(table)
                ),
                "foreign_keys": sorted(
                    (
                        tuple(f["constrained_columns"]),
                        f["referred_table"],
                        tuple(f["referred_columns"]),
                        (f.get("options") or {}).get("ondelete"),
                    )
                    for f in inspector.get_foreign_keys(table)
                ),
                "unique": sorted(
                    tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)
                ),
            }
        return tables
    finally:
        engine.dispose()


def _alembic_project(chain: Path, root: Path, url: str) -> AlembicConfig:
    shutil.copytree(chain / "versions", root / "versions")
    (root / "env.py").write_text(ENV_PY)
    ini = root / "alembic.ini"
    ini.write_text(f"[alembic]\nscript_location = {root}\nsqlalchemy.url = {url}\n")
    return AlembicConfig(str(ini))


@pytest.mark.parametrize(
    "chain", sorted(p for p in CHAINS.iterdir() if p.is_dir()), ids=lambda p: p.name
)
def test_generated_downgrades_round_trip(chain: Path, tmp_path: Path, database_url: str) -> None:
    project = tmp_path / "migrations"
    project.mkdir()
    alembic_config = _alembic_project(chain, project, database_url)

    settings = make_settings(Config(root=project), Selection(select=["SC501"]), fix=True)
    result = run([project / "versions"], settings)
    assert not result.errors
    assert result.fixed == len(list(chain.glob("versions/*.py")))
    assert not result.diagnostics  # every downgrade was generated

    command.upgrade(alembic_config, "head")
    first = snapshot(database_url)
    assert first, "the chain creates tables"
    command.downgrade(alembic_config, "base")
    assert snapshot(database_url) == {}
    command.upgrade(alembic_config, "head")
    assert snapshot(database_url) == first


@pytest.fixture
def postgres_url() -> Iterator[str]:
    yield from _postgres_database()


@pytest.mark.parametrize("code", ["SC208", "SC209", "SC311"])
def test_postgresql_fixes_create_tables(code: str, postgres_url: str) -> None:
    """The fixes of the PostgreSQL rules produce models PostgreSQL accepts."""

    fixed = sorted((Path(__file__).parent / "fixtures" / "rules" / code).glob("*.fixed.py"))
    assert fixed
    for path in fixed:
        completed = import_models(path, postgres_url)
        assert completed.returncode == 0, completed.stderr[-3000:]
        assert "tables: [" in completed.stdout
