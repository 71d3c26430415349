"""Multi-file projects: one schema spread over modules, checked whole and file by file.

``fixtures/projects/<name>/`` is a small application (a ``db.py``, a mixin module, one model per
module, relationships and foreign keys across files) with ``expected.txt``, its findings. Checking
any single file (as pre-commit does with the changed ones) must report exactly what checking the
whole project reports for that file: the rest of the package is read as context.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemacheck.config import Config, Selection, load_config
from schemacheck.diagnostics import Diagnostic
from schemacheck.results import RunResult, make_settings
from schemacheck.session import run
from tests.helpers import FIXTURES, compare_or_update

PROJECTS = sorted(p for p in (FIXTURES / "projects").iterdir() if p.is_dir())


@contextmanager
def _cwd(path: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def _run(root: Path, paths: list[Path], config: Config | None = None) -> RunResult:
    with _cwd(root):
        config = config or Config(root=root)
        settings = make_settings(config, Selection())
        return run([p.relative_to(root) for p in paths], settings, write=False)


def _lines(diagnostics: list[Diagnostic]) -> list[str]:
    lines = []
    for d in diagnostics:
        line = f"{d.path}:{d.span.line}:{d.span.column}: {d.code} {d.message}"
        lines.extend(
            [line, *(f"    related {r.path}:{r.span.line}: {r.message}" for r in d.related)]
        )
    return lines


def _sources(project: Path) -> list[Path]:
    return sorted(p for p in project.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_whole_project(project: Path) -> None:
    result = _run(project, [project])
    assert not result.errors
    compare_or_update(
        project / "expected.txt", "".join(x + "\n" for x in _lines(result.diagnostics))
    )


@pytest.mark.parametrize(
    "source",
    [s for p in PROJECTS for s in _sources(p)],
    ids=lambda s: f"{s.relative_to(FIXTURES / 'projects')}",
)
def test_single_changed_file(source: Path) -> None:
    """One file passed alone gets the findings the whole run gives it, and no others."""
    project = next(p for p in PROJECTS if p in source.parents)
    whole = _run(project, [project])
    display = source.relative_to(project).as_posix()
    expected = [d for d in whole.diagnostics if d.path == display]
    alone = _run(project, [source])
    assert not alone.errors
    assert _lines(alone.diagnostics) == _lines(expected)


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


_MIXIN = """\
from datetime import datetime
from sqlalchemy import func
from sqlalchemy.orm import Mapped, mapped_column

class Timestamps:
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
"""
_MODELS = """\
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from shop.mixins import Timestamps

class Base(DeclarativeBase):
    pass

class Order(Timestamps, Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
"""


def test_src_setting_resolves_namespace_packages(tmp_path: Path) -> None:
    """Below ``src``, modules without ``__init__.py`` are found by their dotted path."""
    _write(tmp_path, {"src/shop/mixins.py": _MIXIN, "src/shop/models.py": _MODELS})
    models = tmp_path / "src/shop/models.py"
    select = Selection(select=["SC302"])
    # Without ``src`` the mixin's module cannot be found: the table is not judged.
    with _cwd(tmp_path):
        unknown = run([models], make_settings(Config(root=tmp_path), select), write=False)
    assert not unknown.diagnostics
    (tmp_path / "pyproject.toml").write_text('[tool.schemacheck]\nsrc = ["src"]\n')
    config = load_config(tmp_path / "pyproject.toml")
    with _cwd(tmp_path):
        known = run([models], make_settings(config, select), write=False)
    assert [d.message for d in known.diagnostics] == [
        'Table "orders" has no "updated_at" timestamp column'
    ]


def test_fixing_one_file_keeps_the_others(tmp_path: Path) -> None:
    """``--fix`` on a project writes only the files passed, and converges."""
    project = tmp_path / "shop"
    shutil.copytree(FIXTURES / "projects" / "shop", project)
    before = {p: p.read_bytes() for p in _sources(project)}
    target = project / "app/models/order.py"
    with _cwd(project):
        settings = make_settings(Config(root=project), Selection(), fix=True, unsafe_fixes=True)
        first = run([target.relative_to(project)], settings)
        assert not first.errors and first.fixed
        second = run([target.relative_to(project)], settings)
    assert not second.fixed
    for path, data in before.items():
        if path != target:
            assert path.read_bytes() == data, path
    assert target.read_bytes() != before[target]


_NAMES = ["Author", "Book", "Shelf", "Review"]


@st.composite
def _schemas(draw: st.DrawFn) -> list[dict[str, object]]:
    """A few related models: foreign keys between them, a mixin or not, relationships."""
    count = draw(st.integers(min_value=2, max_value=4))
    classes = []
    for position in range(count):
        others = [n for n in _NAMES[:count] if n != _NAMES[position]]
        fks = draw(st.lists(st.sampled_from(others), max_size=2, unique=True))
        classes.append(
            {
                "name": _NAMES[position],
                "mixin": draw(st.booleans()),
                "fks": [
                    (target, draw(st.booleans()), draw(st.booleans()), draw(st.booleans()))
                    for target in fks
                ],
            }
        )
    return classes


def _class_source(spec: dict[str, object]) -> str:
    name = str(spec["name"])
    bases = "TimestampMixin, Base" if spec["mixin"] else "Base"
    lines = [
        f"class {name}({bases}):",
        f'    __tablename__ = "{name.lower()}s"',
        "    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)",
    ]
    for target, ondelete, index, relate in spec["fks"]:  # type: ignore[attr-defined]
        action = ', ondelete="CASCADE"' if ondelete else ""
        indexed = ", index=True" if index else ""
        column = f"{target.lower()}_id"
        lines.append(
            f"    {column}: Mapped[int] = mapped_column("
            f'Integer, ForeignKey("{target.lower()}s.id"{action}){indexed})'
        )
        if relate:
            lines.append(f'    {target.lower()}: Mapped["{target}"] = relationship()')
    return "\n".join(lines) + "\n"


_IMPORTS = (
    "from datetime import datetime\n"
    "from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, func\n"
    "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship\n"
)
_MIXIN_BODY = (
    "class TimestampMixin:\n"
    "    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),"
    " server_default=func.now())\n"
)
_BASE_BODY = "class Base(DeclarativeBase):\n    pass\n"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(schema=_schemas())
def test_splitting_a_schema_into_modules_changes_no_finding(
    tmp_path_factory: pytest.TempPathFactory, schema: list[dict[str, object]]
) -> None:
    """The same models in one file, or spread over a package (Base, mixin and one module per
    model), get the same findings: the project view sees through the module boundaries."""
    root = tmp_path_factory.mktemp("split")
    one = root / "one"
    classes = "\n\n".join(_class_source(spec) for spec in schema)
    _write(one, {"models.py": f"{_IMPORTS}\n\n{_BASE_BODY}\n\n{_MIXIN_BODY}\n\n{classes}"})
    split = root / "split"
    files = {
        "app/__init__.py": "",
        "app/db.py": f"{_IMPORTS}\n\n{_BASE_BODY}",
        "app/mixins.py": f"{_IMPORTS}\n\n{_MIXIN_BODY}",
    }
    for spec in schema:
        imports = f"{_IMPORTS}from app.db import Base\nfrom app.mixins import TimestampMixin\n"
        files[f"app/{str(spec['name']).lower()}.py"] = f"{imports}\n\n{_class_source(spec)}"
    _write(split, files)

    def findings(result: RunResult) -> list[tuple[str, str]]:
        return sorted((d.code, d.message) for d in result.diagnostics)

    whole = _run(one, [one])
    spread = _run(split, [split])
    assert not whole.errors and not spread.errors
    assert findings(spread) == findings(whole)
