"""The engine's promises: encodings and line endings survive fixes, noqa, names, the API."""

from __future__ import annotations

from pathlib import Path

import hypothesis.strategies as st
from hypothesis import given, settings

from schemacheck import check_source
from schemacheck.runner import write_atomically
from tests.helpers import check, fix_copy

MODEL = (
    "# comment kept\n"
    "import sqlalchemy as sa\n"
    "from sqlalchemy.orm import declarative_base\n"
    "Base = declarative_base()\n"
    "class User(Base):\n"
    "    __tablename__ = 'users'  # café\n"
    "    id = sa.Column(sa.Integer, primary_key=True)\n"
    "    name = sa.Column(sa.String(20), nullable=False)\n"
)


def test_crlf_bom_and_latin1_survive_fixes(tmp_path: Path) -> None:
    crlf = tmp_path / "crlf.py"
    crlf.write_bytes(b"\xef\xbb\xbf" + MODEL.replace("\n", "\r\n").encode())
    (tmp_path / "out").mkdir()
    target, _ = fix_copy(crlf, tmp_path / "out", ["SC201"])
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf# comment kept\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"name: Mapped[str] = mapped_column(sa.String(20))\r\n" in data
    latin = tmp_path / "latin.py"
    latin.write_bytes(("# -*- coding: latin-1 -*-\n" + MODEL).encode("latin-1"))
    target, _ = fix_copy(latin, tmp_path / "out", ["SC201"])
    assert "café".encode("latin-1") in target.read_bytes()


def test_noqa_forms() -> None:
    text = (
        "from sqlalchemy import Column, ForeignKey, Integer\n"
        "class A:\n"
        "    a = Column(Integer, ForeignKey('x.id'))  # noqa: SC101\n"
        "    b = Column(Integer, ForeignKey('x.id'))  # noqa\n"
        "    c = Column(  # noqa: SC101, SC102\n"
        "        Integer,\n"
        "        ForeignKey('x.id'),\n"
        "    )\n"
        "    d = Column(Integer, ForeignKey('x.id'))  # noqa: SC102\n"
        "    e = Column(Integer, ForeignKey('x.id'))  # 'noqa' in a comment is not a code list\n"
    )
    found = [(d.code, d.span.line) for d in check_source(text, select=["SC101", "SC102"])]
    assert found == [("SC102", 3), ("SC101", 9), ("SC102", 10), ("SC101", 10)]


def test_file_level_noqa() -> None:
    text = "# schemacheck: noqa: SC101\n" + (
        "from sqlalchemy import Column, ForeignKey, Integer\n"
        "class A:\n"
        "    a = Column(Integer, ForeignKey('x.id'), index=True)\n"
    )
    assert check_source(text, select=["SC101"]) == []


def test_names_resolved_through_imports_only() -> None:
    aliased = (
        "import sqlalchemy\nfrom sqlalchemy import ForeignKey as FK\n"
        "class A:\n"
        "    a = sqlalchemy.Column(sqlalchemy.Integer, FK('x.id'), index=True)\n"
    )
    assert [d.code for d in check_source(aliased, select=["SC101"])] == ["SC101"]
    local = (
        "import sqlalchemy\n"
        "def ForeignKey(x):\n    return x\n"
        "class A:\n"
        "    a = sqlalchemy.Column(sqlalchemy.Integer, ForeignKey('x.id'), index=True)\n"
    )
    assert check_source(local, select=["SC101"]) == []


def test_atomic_write_refuses_changed_file(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(b"old")
    assert write_atomically(path, b"different", b"new") is not None
    assert path.read_bytes() == b"old"
    path.chmod(0o640)
    assert write_atomically(path, b"old", b"new") is None
    assert path.read_bytes() == b"new"
    assert oct(path.stat().st_mode & 0o777) == oct(0o640)
    assert [p.name for p in tmp_path.iterdir()] == ["m.py"]


def test_api_check_paths(tmp_path: Path) -> None:
    from schemacheck import Config, check_paths

    (tmp_path / "m.py").write_text(MODEL)
    result = check_paths([tmp_path], Config(root=tmp_path), select=["SC201"])
    assert [d.code for d in result.diagnostics] == ["SC201", "SC201"]


_NAMES = st.sampled_from(["owner_id", "team_id", "parent_id", "tenant_id"])


@settings(max_examples=25, deadline=None)
@given(
    columns=st.lists(
        st.tuples(_NAMES, st.booleans(), st.booleans(), st.sampled_from(["", "  # note"])),
        min_size=1,
        max_size=4,
        unique_by=lambda c: c[0],
    ),
    crlf=st.booleans(),
)
def test_fixes_are_idempotent_and_local(
    tmp_path_factory: object, columns: list[tuple[str, bool, bool, str]], crlf: bool
) -> None:
    """Generated legacy models: every fix parses, a second --fix changes nothing, and every line
    that no fix touched is still in the file."""
    import libcst

    lines = [
        "import sqlalchemy as sa",
        "from sqlalchemy.orm import declarative_base",
        "Base = declarative_base()",
        "class Parent(Base):",
        "    __tablename__ = 'parents'",
        "    id = sa.Column(sa.Integer, primary_key=True)",
        "class Child(Base):",
        "    __tablename__ = 'children'",
        "    id = sa.Column(sa.Integer, primary_key=True)",
    ]
    for name, ondelete, index, comment in columns:
        fk = "sa.ForeignKey('parents.id'" + (", ondelete='CASCADE')" if ondelete else ")")
        lines.append(f"    {name} = sa.Column({fk}{', index=True' if index else ''}){comment}")
    newline = "\r\n" if crlf else "\n"
    text = newline.join(lines) + newline
    workdir = Path(str(tmp_path_factory.mktemp("prop")))  # type: ignore[attr-defined]
    source = workdir / "input.py"
    source.write_bytes(text.encode())
    (workdir / "out").mkdir()
    target, result = fix_copy(source, workdir / "out", None)
    assert not result.errors
    fixed = target.read_bytes().decode()
    libcst.parse_module(fixed)
    for index in (0, 3, 4, 6, 7):  # lines no fix touches (SC309 rewrites the base)
        assert lines[index] + newline in fixed
    for _, _, _, comment in columns:
        if comment:
            assert comment in fixed
    assert not check(target, None, fix=True, unsafe=True).changed


def test_file_results_are_plain_picklable_data(tmp_path: Path) -> None:
    """What a worker process or a cache hands back is the same as what was computed."""
    import pickle

    path = tmp_path / "m.py"
    path.write_text(MODEL)
    result = check(path, None)
    copy = pickle.loads(pickle.dumps(result))
    assert copy.diagnostics == result.diagnostics
    assert copy.schema is not None
    column = copy.schema.classes[0].columns[1]
    assert column.name == "name" and column.nullable is False
    assert column.call.args[0].has_literal is False
    assert column.call.kwargs["nullable"].literal is False
    assert column.statement.node is None  # syntax stays behind


def test_each_run_reads_the_packages_afresh(tmp_path: Path) -> None:
    """Packages are read once per run, for every file under them: a package made between two
    runs in one process is seen by the second."""
    from schemacheck import Config, check_paths

    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "base.py").write_text(
        "from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n"
    )
    (tmp_path / "app" / "models.py").write_text(
        "from sqlalchemy import Column, String\n\nfrom app.base import Base\n\n\n"
        'class User(Base):\n    __tablename__ = "users"\n    name = Column(String(20))\n'
    )

    def found() -> set[tuple[str, str]]:
        result = check_paths([tmp_path], Config(root=tmp_path), select=["SC301"])
        return {(Path(d.path).name, d.code) for file in result.files for d in file.diagnostics}

    assert found() == set()  # ``app`` is no package: ``app.base`` is not this file
    (tmp_path / "app" / "__init__.py").write_text("")
    assert found() == {("models.py", "SC301")}


def test_noqa_with_every_line_ending() -> None:
    """A directive suppresses on its own line whatever ends lines: with CR alone, it used to be
    read on line 1 (the tokenizer was given lines ended at LF)."""
    text = (
        "from sqlalchemy import Column, ForeignKey, Integer\n"
        "class A:\n"
        "    a = Column(Integer, ForeignKey('x.id'))  # noqa: SC101\n"
        "    c = Column(  # noqa: SC101\n"
        "        Integer,\n"
        "        ForeignKey('x.id'),\n"
        "    )\n"
        "    d = Column(Integer, ForeignKey('x.id'))\n"
    )
    for newline in ("\n", "\r\n", "\r"):
        found = check_source(text.replace("\n", newline), select=["SC101"])
        assert [(d.code, d.span.line) for d in found] == [("SC101", 8)], repr(newline)
