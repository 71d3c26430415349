"""Shared test helpers: run schemacheck on a file like the CLI does, render findings compactly."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
import sqlalchemy as sa

from schemacheck.config import Config, Selection, load_config
from schemacheck.diagnostics import Diagnostic
from schemacheck.results import FileResult, Settings, make_settings
from schemacheck.runner import Parsed, check_file, parse_text, write_fixes

FIXTURES = Path(__file__).parent / "fixtures"
UPDATE = os.environ.get("SCHEMACHECK_UPDATE_FIXTURES") == "1"


def fixture_texts() -> Iterator[tuple[Path, str]]:
    """Every fixture module that is UTF-8 text, with its text (syntax errors included)."""
    for path in sorted(FIXTURES.rglob("*.py")):
        try:
            yield path, path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue


def fixture_models() -> Iterator[tuple[Path, str, Parsed]]:
    """Every fixture module that parses, with its text and its model (every rule selected)."""
    settings = make_settings(Config(root=FIXTURES), Selection(select=["ALL"]))
    for path in sorted(FIXTURES.rglob("*.py")):
        text = path.read_text(encoding="utf-8", errors="replace")
        parsed = parse_text(text, str(path), settings)
        if isinstance(parsed, Parsed):
            yield path, text, parsed


def render(diagnostics: Sequence[Diagnostic]) -> str:
    lines = []
    for d in diagnostics:
        s = d.span
        fix = "" if d.fix is None else f" [fix: {d.fix.applicability.value}]"
        lines.append(f"{s.line}:{s.column}-{s.end_line}:{s.end_column} {d.code} {d.message}{fix}")
    return "".join(line + "\n" for line in lines)


def check(
    path: Path,
    select: Sequence[str] | None,
    *,
    fix: bool = False,
    unsafe: bool = False,
    config: Config | None = None,
) -> FileResult:
    if config is None:
        own = path.parent / "schemacheck.toml"
        config = load_config(own) if own.is_file() else Config(root=path.parent)
    settings = make_settings(
        config,
        Selection(select=list(select) if select is not None else None),
        fix=fix,
        unsafe_fixes=unsafe,
    )
    return check_file(path, settings)


def all_rules_fixing(path: Path) -> Settings:
    """The settings of ``--select ALL --fix --unsafe-fixes`` for a file without configuration."""
    config = Config(root=path.parent)
    return make_settings(config, Selection(select=["ALL"]), fix=True, unsafe_fixes=True)


def fix_copy(source: Path, workdir: Path, select: Sequence[str] | None) -> tuple[Path, FileResult]:
    """Fix a copy of ``source`` in ``workdir``, every fix allowed."""
    target = workdir / source.name
    shutil.copyfile(source, target)
    if (source.parent / "schemacheck.toml").is_file():
        shutil.copyfile(source.parent / "schemacheck.toml", workdir / "schemacheck.toml")
    result = check(target, select, fix=True, unsafe=True)
    problem = write_fixes(target, result)
    assert problem is None, problem
    return target, result


def import_models(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``import_models.py`` on ``path`` in a fresh process (a database URL and flags may follow):
    SQLModel's and Flask-SQLAlchemy's global registries start empty for each file."""
    return subprocess.run(
        [sys.executable, str(Path(__file__).parent / "import_models.py"), str(path), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def compare_or_update(expected_path: Path, actual: str | bytes) -> None:
    if UPDATE:
        if isinstance(actual, bytes):
            expected_path.write_bytes(actual)
        else:
            expected_path.write_text(actual, encoding="utf-8")
        return
    assert expected_path.exists(), (
        f"missing {expected_path.name}; run with SCHEMACHECK_UPDATE_FIXTURES=1"
    )
    if isinstance(actual, bytes):
        assert actual == expected_path.read_bytes()
    else:
        assert actual == expected_path.read_text(encoding="utf-8")


def postgres_database() -> Iterator[str]:
    """A fresh database on the PostgreSQL server ``.ci/run`` starts, dropped afterwards.

    Under CI a missing server is a failure; elsewhere the test is skipped.
    """
    url = os.environ.get("SCHEMACHECK_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("SCHEMACHECK_TEST_POSTGRES_URL is not set: .ci/run starts PostgreSQL")
        pytest.skip("no PostgreSQL server (set SCHEMACHECK_TEST_POSTGRES_URL)")
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"schemacheck_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
