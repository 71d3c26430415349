"""Large constant literals are read hollow: positions unchanged, findings unchanged, never written.

The thresholds are lowered in most tests so that every literal of every fixture is hollowed: the
mechanism then meets every rule and fix on small files.
"""

from __future__ import annotations

import ast
import contextlib
import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import libcst
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemacheck import hollow, pipeline, session
from schemacheck.cache import Cache
from schemacheck.config import Config, Selection
from schemacheck.hollow import for_parser
from schemacheck.results import Settings, make_settings
from schemacheck.runner import PendingFile
from schemacheck.session import settings_fingerprint
from schemacheck.source import SourceDecodeError, SourceFile
from tests.helpers import FIXTURES, check, fix_copy, render
from tests.test_cli import run

RULE_FIXTURES = sorted(
    p for p in (FIXTURES / "rules").glob("SC*/*.py") if not p.name.endswith(".fixed.py")
)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@pytest.fixture
def hollow_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hollow, "MIN_FILE", 0)
    monkeypatch.setattr(hollow, "MIN_LITERAL", 0)


def _same_shape(original: str, hollowed: str) -> None:
    assert len(hollowed) == len(original)
    breaks = [m.span() for m in _LINE_BREAK.finditer(original)]
    assert [m.span() for m in _LINE_BREAK.finditer(hollowed)] == breaks


def hollow_literals(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The text with large constant literals emptied, and the emptied spans (inside brackets)."""
    hollowed = for_parser(text, bodies=False)
    return hollowed.text, hollowed.literals


@pytest.mark.usefixtures("hollow_everything")
@pytest.mark.parametrize("source", RULE_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixes_never_write_into_a_hollowed_literal(source: Path, tmp_path: Path) -> None:
    """Every fixture, every constant literal hollowed: the text keeps its shape and parses, the
    run has no internal error, and after every fix each literal is still there, verbatim."""
    try:
        text = SourceFile.from_bytes(source.read_bytes()).text
    except SourceDecodeError:
        return  # SC001's undecodable fixtures: nothing is parsed
    hollowed, spans = hollow_literals(text)
    _same_shape(text, hollowed)
    if spans:
        libcst.parse_module(hollowed)
    target, result = fix_copy(source, tmp_path, None)
    assert not result.errors
    fixed = SourceFile.from_bytes(target.read_bytes()).text
    for start, end in spans:
        assert text[start - 1 : end + 1] in fixed


_FILLER = st.recursive(
    st.one_of(
        st.integers(-(10**6), 10**6).map(str),
        st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6).map(repr),
        st.sampled_from(["None", "True", "-1.5", "b'\\x00'", "...", "'é'", "'日本'"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(inner, max_size=4).map(lambda xs: "(" + ", ".join(xs) + ",)"),
        st.lists(st.tuples(inner, inner), max_size=3).map(
            lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"
        ),
        st.lists(inner, min_size=1, max_size=3).map(
            lambda xs: "[  # note: ü\r\n    " + ",\n\t".join(xs) + "\r]"
        ),
    ),
    max_leaves=12,
)

_MODEL = """\
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DATA = {data}

class Base(DeclarativeBase):
    pass

class Order(Base):
    __tablename__ = "orders"
    CHOICES = {data}
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id = sa.Column(sa.ForeignKey("users.id"), info={data})
    note: Mapped[str] = mapped_column(sa.String)
"""


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_FILLER)
def test_hollowed_literals_keep_every_position_and_finding(data: str) -> None:
    """Whatever constant literal sits before, inside and around a model, the findings and their
    positions are those of the file read whole; only fixes reaching into the literal go."""
    text = _MODEL.format(data=data)
    try:
        libcst.parse_module(text)
    except libcst.ParserSyntaxError:
        return
    whole = _findings(text, hollowed=False)
    hollowed = _findings(text, hollowed=True)
    assert [line.split(" [fix")[0] for line in hollowed] == [
        line.split(" [fix")[0] for line in whole
    ]
    reduced, spans = _hollow_all(text)
    _same_shape(text, reduced)
    assert len(spans) == (3 if data[0] in "[({" else 0)


@contextlib.contextmanager
def _hollowing(everything: bool) -> Iterator[None]:
    """Every constant literal hollowed (or the real thresholds), within a hypothesis example."""
    old = hollow.MIN_FILE, hollow.MIN_LITERAL
    if everything:
        hollow.MIN_FILE = hollow.MIN_LITERAL = 0
    try:
        yield
    finally:
        hollow.MIN_FILE, hollow.MIN_LITERAL = old


def _hollow_all(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    with _hollowing(everything=True):
        return hollow_literals(text)


def _findings(text: str, *, hollowed: bool) -> list[str]:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "models.py"
        path.write_text(text, encoding="utf-8", newline="")
        with _hollowing(everything=hollowed):
            result = check(path, ["ALL"])
        assert not result.errors
        return render(result.diagnostics).splitlines()


def test_only_outermost_constant_literals_in_big_files_are_hollowed() -> None:
    rows = "".join(f"    ({i}, 'row {i}', {i / 3:.3f}),\n" for i in range(2000))
    text = (
        "import sqlalchemy as sa\n"
        f"ROWS = [\n{rows}]\n"
        f"CALLS = [\n{rows}    sa.text('x'),\n]\n"  # not constant: kept
        "SMALL = [1, 2, 3]\n"
        f'S = f"""{{[{rows}]}}"""\n'  # inside an f-string: kept
    )
    assert len(text) > hollow.MIN_FILE
    reduced, spans = hollow_literals(text)
    _same_shape(text, reduced)
    start = text.index("ROWS = [") + len("ROWS = [")
    assert spans == ((start, text.index("]\nCALLS")),)
    assert reduced[start : spans[0][1]].strip() == ""
    assert reduced[spans[0][1] :] == text[spans[0][1] :]
    assert hollow_literals(text[:1000]) == (text[:1000], ())  # small files: as they are


def test_large_literals_are_found_wherever_they_sit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The search skips whatever is shorter than a large literal; it finds the literals that
    looking everywhere finds: after non-ASCII text, in a decorator, a keyword, a method."""
    size = hollow.MIN_LITERAL
    big = "[" + ", ".join(map(str, range(size // 4))) + "]"
    almost = "[" + "1, " * ((size - 4) // 3) + "1]"  # just shorter than a large literal
    assert len(big) > size > len(almost)
    pieces = [
        f"A = {big}\n",
        f"é = 'ü日本' ; B = {big}\n",
        f"class C:\n    @decorate({big})\n    def f(self):\n        return {{'k': {big}}}\n",
        f"@decorate(key={big})\nclass D:\n    pass\n",
        f"call(key={big}, other=({big},))\n",
        f"E = {almost}\n",
        "".join(f"v{i} = [1, 2, 3]\n" for i in range(hollow.MIN_FILE // 16)),
    ]
    text = "".join(pieces)
    assert len(text) > hollow.MIN_FILE
    found = hollow_literals(text)[1]
    monkeypatch.setattr(hollow, "MIN_LITERAL", 0)  # every constant literal: nothing skipped
    everywhere = [(s, e) for s, e in hollow_literals(text)[1] if e - s + 2 >= size]
    assert list(found) == everywhere
    assert len(found) == 7  # the tuple holding a large literal is one


def _generated(tmp_path: Path, megabytes: float) -> tuple[Path, str]:
    """A generated module: a model, then a table of rows until the file has the size asked."""
    head = (
        "# -*- coding: utf-8 -*-\n"
        "import sqlalchemy as sa\n"
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\n"
        "class Base(DeclarativeBase):\n"
        "    pass\n\n\n"
        "class Country(Base):\n"
        '    __tablename__ = "countries"\n'
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
        "    name = sa.Column(sa.String(80), info={'rows': [\n"
        + "".join(f"        ('{i}', 'Ünïcode {i}', {i}.5),\n" for i in range(1500))
        + "    ]})\n\n\n"
        "ROWS = [\n"
    )
    size = int(megabytes * 1024 * 1024)
    rows = []
    total = len(head)
    i = 0
    while total < size:
        row = f"    ({i}, 'name-{i}', {i * 3.5}, None, b'\\x{i % 256:02x}'),  # row {i}\n"
        rows.append(row)
        total += len(row)
        i += 1
    text = head + "".join(rows) + "]\n"
    path = tmp_path / "generated_models.py"
    path.write_text(text, encoding="utf-8")
    return path, text


def test_a_5_mb_generated_file(tmp_path: Path) -> None:
    path, text = _generated(tmp_path, 5)
    assert path.stat().st_size >= 5 * 1024 * 1024
    args = ("--select", "ALL", "--no-cache", path.name)
    result = run("--output-format", "concise", *args, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        "generated_models.py:6:7: SC308 `DeclarativeBase` creates metadata without a "
        "`naming_convention`: constraint names are left to the database",
        'generated_models.py:10:7: SC302 Table "countries" has no "created_at", "updated_at" '
        "timestamp columns",
        'generated_models.py:13:12: SC201 Legacy `Column()` for "name": use `Mapped[...] = '
        "mapped_column()`",
        'generated_models.py:13:12: SC203 [*] Column "name" is nullable by default: say '
        "`nullable=` explicitly",
        "Found 4 problems (1 fixable with --fix, 1 more with --fix --unsafe-fixes).",
    ]
    # SC201's fix would rewrite the column, hollowed literal included: it is withheld. The
    # others apply around the literal, which stays as it was.
    fixed = run("--fix", "--unsafe-fixes", *args, cwd=tmp_path)
    assert fixed.returncode == 1, fixed.stderr
    assert "Found 4 problems (2 fixed, 2 remaining)." in fixed.stdout
    imports = "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n"
    timestamps = (
        "    created_at: Mapped[datetime.datetime] = mapped_column("
        "sa.DateTime(timezone=True), server_default=sa.func.now())\n"
        "    updated_at: Mapped[datetime.datetime] = mapped_column("
        "sa.DateTime(timezone=True), server_default=sa.func.now(), onupdate=sa.func.now())\n"
    )
    expected = text.replace(imports, imports + "import datetime\n", 1).replace(
        "    ]})\n", "    ]}, nullable=True)\n" + timestamps, 1
    )
    assert path.read_text(encoding="utf-8") == expected


def test_files_checked_from_their_models_withhold_the_same_fixes(tmp_path: Path) -> None:
    """A large file prepared by a worker, or checked from its cached model after a change it
    may depend on, is checked from its model and its text: the model carries the literals it
    was read with emptied, and the same fixes are withheld."""
    _generated(tmp_path, 0.3)
    table = "import sqlalchemy as sa\n\n{name} = sa.Table('{name}', sa.MetaData(), {columns})\n"
    for i in range(12):
        # ``row``: the large file's text names it, so a change to this file may reach it.
        name = "row" if i == 0 else f"t{i}"
        (tmp_path / f"small_{i}.py").write_text(
            table.format(name=name, columns="sa.Column('id', sa.Integer)"), encoding="utf-8"
        )
    json_report = ("--select", "ALL", "--output-format", "json", "--exit-zero")
    cache = ("--cache-dir", str(tmp_path / "cache"), "-j1", ".")

    def plain() -> Any:
        result = run(*json_report, "--no-cache", "-j1", ".", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    found = plain()
    withheld = [d for d in found if d["code"] == "SC201" and "generated" in d["path"]]
    assert len(withheld) == 1 and withheld[0]["fix"] is None
    assert json.loads(run(*json_report, "--no-cache", "-j2", ".", cwd=tmp_path).stdout) == found
    assert json.loads(run(*json_report, *cache, cwd=tmp_path).stdout) == found
    columns = "sa.Column('id', sa.Integer), sa.Column('note', sa.Text)"
    (tmp_path / "small_0.py").write_text(table.format(name="row", columns=columns))
    assert json.loads(run(*json_report, *cache, cwd=tmp_path).stdout) == plain()


def test_a_cached_model_brings_its_literals_without_a_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checked again from its cached model, a large file is not read by CPython's parser to find
    its literals again, and still withholds the fix that would write into one."""
    path, text = _generated(tmp_path, 0.3)
    # ``row``: the large file's text names it, so a change to this file may reach it.
    table = "import sqlalchemy as sa\n\nrow = sa.Table('row', sa.MetaData(), {columns})\n"
    other = tmp_path / "other.py"
    other.write_text(table.format(columns="sa.Column('id', sa.Integer)"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # paths as reported: relative to the working directory
    settings = make_settings(Config(root=tmp_path), Selection(select=["ALL"]))

    def checked() -> list[tuple[str, bool]]:
        store = Cache(tmp_path / ".cache", settings_fingerprint(settings))
        result = session.run([Path(".")], settings, write=False, jobs=1, cache=store)
        return [(d.code, d.fix is not None) for d in result.diagnostics if d.path == path.name]

    first = checked()
    assert ("SC201", False) in first  # the withheld fix
    parsed: list[str] = []
    real_parse = ast.parse

    def parse(source: str, *args: Any, **kwargs: Any) -> ast.Module:
        parsed.append(source)
        return real_parse(source, *args, **kwargs)

    from_models: list[str] = []
    real_without_tree = pipeline.without_tree

    def without_tree(pending: PendingFile, settings: Settings) -> PendingFile:
        from_models.append(pending.result.path)
        return real_without_tree(pending, settings)

    monkeypatch.setattr(ast, "parse", parse)
    monkeypatch.setattr(pipeline, "without_tree", without_tree)
    columns = "sa.Column('id', sa.Integer), sa.Column('note', sa.Text)"
    other.write_text(table.format(columns=columns), encoding="utf-8")
    assert checked() == first
    assert from_models == [path.name]  # checked again, from its model
    assert text not in parsed
