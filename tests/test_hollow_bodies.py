"""Function bodies that extraction reads nothing from are parsed hollow, changing no model.

Each test compares a file's model extracted from the text as it is with the model extracted from
the text with its idle bodies emptied: they must be equal, spans included, and the emptied text
must keep every offset and line break.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import libcst
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from schemacheck import runner
from schemacheck.diagnostics import Diagnostic
from schemacheck.hollow import BODY_WORDS, Hollowed, for_parser
from schemacheck.schema import FileSchema
from schemacheck.source import LineIndex
from tests.helpers import fixture_texts
from tests.test_cli import run

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
EXTRACT = Path(runner.__file__).parent / "extract"


def _extracted(text: str, *, bodies: bool) -> tuple[FileSchema | Diagnostic | str, Hollowed]:
    lines = LineIndex(text)
    hollowed = for_parser(text, lines, bodies=bodies)
    parsed = runner._parse_and_extract(text, "models.py", None, lines, hollowed)  # type: ignore[arg-type]
    return (parsed.schema if isinstance(parsed, runner.Parsed) else parsed), hollowed


def _same_model(text: str) -> Hollowed:
    """The model read with idle bodies emptied equals the model read whole; returns the first."""
    whole, _ = _extracted(text, bodies=False)
    hollow, hollowed = _extracted(text, bodies=True)
    assert len(hollowed.text) == len(text)
    breaks = [m.span() for m in _LINE_BREAK.finditer(text)]
    assert [m.span() for m in _LINE_BREAK.finditer(hollowed.text)] == breaks
    assert hollow == whole
    return hollowed


def _emptied(text: str, hollowed: Hollowed) -> list[str]:
    """The names of the functions whose bodies were emptied."""
    names = []
    for start, _ in hollowed.bodies:
        head = text[:start].rstrip()
        names.append(re.findall(r"def\s+(\w+)", head)[-1])
    return names


@pytest.mark.parametrize(
    "path_text", list(fixture_texts()), ids=lambda pt: str(pt[0].relative_to(pt[0].parents[2]))
)
def test_every_fixture_extracts_the_same_with_idle_bodies_emptied(
    path_text: tuple[Path, str],
) -> None:
    _, text = path_text
    hollowed = _same_model(text)
    if hollowed.bodies:
        libcst.parse_module(hollowed.text)


def test_fixtures_have_bodies_to_empty() -> None:
    """The comparison above meets emptied bodies (it would pass vacuously without them)."""
    emptied = [path for path, text in fixture_texts() if _same_model(text).bodies]
    assert len(emptied) >= 5


_MODEL_HEAD = """\
import sqlalchemy as sa
from sqlalchemy import text as sql, Index
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

T = sa.Table


class Base(DeclarativeBase):
    pass


"""

CASES = [
    # (functions, the functions whose bodies are emptied)
    ("def helper(x):\n    y = x + 1\n    return str(y)\n", ["helper"]),
    ("def tables(md):\n    return sa.Table('t', md, sa.Column('id', sa.Integer))\n", []),
    ("def raw(s, n):\n    return s.execute(sql(f'select {n}'))\n", []),
    ("def aliased(md):\n    return T('t', md)\n", []),
    ("def indexes():\n    Index('ix', 'a')\n", []),
    ("def nested():\n    class Local(Base):\n        __tablename__ = 'locals'\n", []),
    (
        "def words_in_strings():\n"
        "    '''Column(), Table(), class'''\n"
        "    return 'text(x)'  # execute(\n",
        ["words_in_strings"],
    ),
    (
        "def outer(session):\n"
        "    def inner():\n        return 1\n"
        "    return session.execute('x')\n",
        ["inner"],
    ),
    (
        "def decorated_first():\n    @property\n    def p(self):\n        return 1\n    return p\n",
        ["decorated_first"],
    ),
    ("def one_line(): return 1\n", ["one_line"]),
    ("def semicolons():\n    a = 1; b = 2;\n", ["semicolons"]),
    ("def last_semicolon():\n    a = 1\n    return a ;  # done\n", ["last_semicolon"]),
    ("def tabs():\n\tif True:\n\t\treturn 'é日本'\n", ["tabs"]),
    ("def crlf():\r\n    return 1\r\n", ["crlf"]),
    ("async def coroutine():\n    await other()\n", ["coroutine"]),
    (
        "class Mixin:\n"
        "    @declared_attr\n"
        "    def owner_id(cls):\n"
        "        return mapped_column(sa.ForeignKey('users.id'))\n"
        "\n"
        "    @declared_attr.directive\n"
        "    def __tablename__(cls):\n"
        "        return cls.__name__.lower()\n"
        "\n"
        "    def __repr__(self):\n"
        "        return f'<{self.id}>'\n",
        ["__repr__"],
    ),
    (
        "class User(Base):\n"
        "    __tablename__ = 'users'\n"
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
        "    posts = relationship('Post')\n"
        "\n"
        "    def rename(self, name):\n"
        "        self.name = name  # a comment\n"
        "\n"
        "    # trailing comment\n",
        ["rename"],
    ),
]


@pytest.mark.parametrize(("functions", "emptied"), CASES)
def test_which_bodies_are_emptied(functions: str, emptied: list[str]) -> None:
    text = _MODEL_HEAD + functions
    hollowed = _same_model(text)
    assert _emptied(text, hollowed) == emptied
    libcst.parse_module(hollowed.text)
    for start, end in hollowed.bodies:
        assert hollowed.text[start] == "0"
        assert hollowed.text[start + 1 : end].strip() == ""


def test_migrations_keep_their_bodies() -> None:
    text = textwrap.dedent(
        """\
        from alembic import op

        revision = "a1"
        down_revision = None


        def helper():
            return 1


        def upgrade():
            op.drop_table("users")


        def downgrade():
            pass
        """
    )
    assert for_parser(text).bodies == ()


def test_every_construct_extraction_resolves_is_looked_for() -> None:
    """A construct that extraction reads from a call must be among the words that keep a body,
    or a body calling it would lose what it says. Class bases and module names are not calls."""
    named = set()
    for module in EXTRACT.glob("*.py"):
        source = module.read_text(encoding="utf-8")
        named |= set(re.findall(r'"(?:sqlalchemy|sqlmodel|flask_sqlalchemy)\.(\w+)"', source))
    assert named - {"DeclarativeBase", "Model", "orm"} <= BODY_WORDS  # bases, a module


_STATEMENTS = st.sampled_from(
    [
        "x = 1",
        "x = 2;",
        "return None",
        "print('Column(', \"Table(\")  # text(",
        "session.execute(sql('select 1'))",
        "sa.Table('t', sa.MetaData())",
        "T('t', md)",
        "Index('ix', 'a')",
        "db.session.query(User).all()",
        "engine = sa.create_engine(url)",
        "items = [i for i in range(3)]",
        "if x:\n    pass\nelse:\n    y = 2",
        "try:\n    import json\nexcept ImportError:\n    json = None",
        "class Local(Base):\n    __tablename__ = 'locals'\n    id = sa.Column(sa.Integer)",
        '"""A docstring naming mapped_column()."""',
        "for i in range(2):\n    yield i",
        "with open(p) as f:\n    data = f.read()",
    ]
)


@st.composite
def _functions(draw: st.DrawFn, depth: int = 0) -> str:
    body = draw(st.lists(_STATEMENTS, min_size=1, max_size=4))
    if depth < 2 and draw(st.booleans()):
        body.insert(draw(st.integers(0, len(body))), draw(_functions(depth + 1)))
    decorator = draw(
        st.sampled_from(["", "@staticmethod\n", "@declared_attr\n", "@functools.cache\n"])
    )
    kind = draw(st.sampled_from(["def", "async def"]))
    name = draw(st.sampled_from(["f", "helper", "__repr__", "owner_id"]))
    inner = textwrap.indent("\n".join(body), "    ")
    return f"{decorator}{kind} {name}(*args):\n{inner}\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(_functions(), min_size=1, max_size=4),
    st.booleans(),
    st.sampled_from(["\n", "\r\n"]),
)
@example(["def f(*args):\n    x = 1\n    x = 2;\n"], True, "\r\n")  # a ``;`` ends the body
def test_random_functions_extract_the_same(functions: list[str], in_class: bool, nl: str) -> None:
    """Module functions or methods of a model, with any mix of statements that extraction reads
    and that it does not, read the same with idle bodies emptied."""
    code = "\n\n".join(functions)
    if in_class:
        code = (
            "class Model(Base):\n    __tablename__ = 'models'\n    id = sa.Column(sa.Integer)\n\n"
            + textwrap.indent(code, "    ")
        )
    text = (_MODEL_HEAD + code).replace("\n", nl)
    try:
        libcst.parse_module(text)
    except libcst.ParserSyntaxError:
        return
    hollowed = _same_model(text)
    if hollowed.bodies:
        libcst.parse_module(hollowed.text)


def test_a_construct_alias_the_project_reveals_is_read_in_an_emptied_body(tmp_path: Path) -> None:
    """``sql_text`` is SQLAlchemy's ``text`` only by ``app/db.py``: the body that calls it was
    emptied, so the file is parsed again whole when linked. With and without the cache, with one
    job and two, and after a change, the finding is there."""
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "db.py").write_text("from sqlalchemy import text\n\nsql_text = text\n")
    reports = app / "reports.py"
    reports.write_text(
        "from sqlalchemy.orm import Session\n\n"
        "from app.db import sql_text\n\n\n"
        "def totals(session: Session, table: str) -> object:\n"
        '    return session.scalars(sql_text(f"SELECT count(*) FROM {table}"))\n'
    )
    finding = "app/reports.py:7:37: SC402 SQL built with an f-string passed to `text()`"
    for args in (["--no-cache", "-j1"], ["--no-cache", "-j2"], [], [], ["-j1"]):
        result = run("--output-format", "concise", *args, "app", cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        assert result.stdout.startswith(finding), (args, result.stdout)
        reports.write_text(reports.read_text() + "# changed\n")
