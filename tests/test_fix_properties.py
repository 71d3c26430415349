"""``--fix --unsafe-fixes`` on generated model files never loses code or schema.

Models are generated in the styles of RULES.md (SQLAlchemy 2.0 ``mapped_column``, legacy
``declarative_base`` with ``Column``, Flask-SQLAlchemy), with random columns, foreign keys,
relationships, indexes, mixins, comments and odd formatting. For every file:

- each round's edits stay inside the statement a finding is about, the import lines, or new
  whole lines: everything else is byte-identical, comments included, in their order;
- the result parses, and a second ``--fix`` changes nothing;
- the models import before and after, and ``create_all`` works on SQLite;
- no table, column, primary key, foreign key or unique constraint goes, and every index's
  columns stay covered by an index, a unique constraint or the primary key.
"""

from __future__ import annotations

import ast
import itertools
import re
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

import libcst
import pytest
import sqlalchemy as sa
import sqlalchemy.orm
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlmodel import SQLModel

from schemacheck.diagnostics import Diagnostic, Edit
from schemacheck.fixes import apply_fixes
from schemacheck.runner import check_text
from schemacheck.source import LineIndex
from tests.helpers import all_rules_fixing, check, fix_copy

STYLES = ("mapped", "legacy", "flask", "sqlmodel")
KINDS = ("string", "string_no_length", "text", "integer", "boolean", "datetime", "price", "json")
_COUNTER = itertools.count()


@dataclass
class Column:
    name: str
    kind: str  # one of KINDS, or "fk"
    nullable: bool | None = None
    index: bool = False
    unique: bool = False
    default: str | None = None  # "list", "utcnow", "now_call"
    target: int | None = None  # the table a foreign key points to
    ondelete: str | None = None
    relationship: str | None = None  # "plain" or "backref"
    comment: str = ""  # a trailing comment
    multiline: bool = False


@dataclass
class Table:
    columns: list[Column]
    big_id: bool = False
    id_index: bool = False  # a redundant index on the primary key
    index_on: str | None = None  # a column of an Index in __table_args__
    mixin: bool = False
    comment_above: bool = False


@dataclass
class Model:
    style: str
    tables: list[Table]
    crlf: bool
    mixin_columns: tuple[str, ...] = ()
    suffix: str = field(default_factory=lambda: str(next(_COUNTER)))


@st.composite
def columns(draw: st.DrawFn, position: int) -> list[Column]:
    found: list[Column] = []
    for number in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from((*KINDS, "fk", "fk")))
        column = Column(
            name=f"{kind}_{number}" if kind != "price" else f"price_{number}",
            kind=kind,
            nullable=draw(st.sampled_from((None, True, False))),
            index=draw(st.booleans()),
            unique=draw(st.booleans()) and kind not in ("json", "text"),
            comment=draw(st.sampled_from(("", "  # why"))),
            multiline=draw(st.booleans()),
        )
        if kind == "json":
            column.default = draw(st.sampled_from((None, "list")))
        elif kind == "datetime":
            column.default = draw(st.sampled_from((None, "utcnow", "now_call")))
        if kind == "fk":
            column.name = f"ref_{number}_id"
            column.target = draw(st.integers(0, position))
            column.ondelete = draw(st.sampled_from((None, "CASCADE", "SET NULL")))
            column.relationship = draw(st.sampled_from((None, "plain", "backref")))
        found.append(column)
    return found


@st.composite
def models(draw: st.DrawFn) -> Model:
    tables = []
    for position in range(draw(st.integers(1, 3))):
        cols = draw(columns(position))
        names = [c.name for c in cols if c.kind not in ("json", "text")]
        tables.append(
            Table(
                columns=cols,
                big_id=draw(st.booleans()),
                id_index=draw(st.booleans()),
                index_on=draw(st.sampled_from([None, *names])) if names else None,
                mixin=draw(st.booleans()),
                comment_above=draw(st.booleans()),
            )
        )
    mixin = draw(st.sampled_from(((), ("created_at",), ("created_at", "updated_at"))))
    return Model(draw(st.sampled_from(STYLES)), tables, draw(st.booleans()), mixin)


_TYPES = {
    "string": "String(40)",
    "string_no_length": "String",
    "text": "Text",
    "integer": "Integer",
    "boolean": "Boolean",
    "datetime": "DateTime",
    "price": "Float",
    "json": "JSON",
}
_PYTHON = {
    "string": "str",
    "string_no_length": "str",
    "text": "str",
    "integer": "int",
    "boolean": "bool",
    "datetime": "datetime.datetime",
    "price": "float",
    "json": "dict",
}


def render_model(model: Model) -> str:
    """The model file's text; every comment carries a unique marker (``c<n>``)."""
    markers = itertools.count()
    style = model.style
    prefix = "db." if style == "flask" else "sa."
    lines = [f"# c{next(markers)}: generated models", "import datetime", ""]
    lines.append("import sqlalchemy as sa")
    if style == "mapped":
        lines.append(
            "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship"
        )
        lines += ["", "", "class Base(DeclarativeBase):", "    pass"]
        base = "Base"
    elif style == "legacy":
        lines.append("from sqlalchemy.orm import declarative_base, relationship")
        lines += ["", f"Base = declarative_base()  # c{next(markers)}"]
        base = "Base"
    elif style == "flask":
        lines.append("from flask_sqlalchemy import SQLAlchemy")
        lines += ["", "db = SQLAlchemy()"]
        base = "db.Model"
    else:
        lines.append("from sqlmodel import Field, Relationship, SQLModel")
        base = "SQLModel, table=True"
    if model.mixin_columns and style != "sqlmodel":
        lines += ["", "", "class Stamped:", f"    # c{next(markers)}"]
        for name in model.mixin_columns:
            when = f"{prefix}DateTime(timezone=True)"
            call = f"{prefix}Column({when}, server_default={prefix}func.now())"
            lines.append(f"    {name} = {call}")
    for number, table in enumerate(model.tables):
        mixed = table.mixin and model.mixin_columns and style != "sqlmodel"
        bases = (["Stamped"] if mixed else []) + [base]
        lines += ["", ""]
        if table.comment_above:
            lines.append(f"# c{next(markers)}")
        lines.append(f"class {_class(model, number)}({', '.join(bases)}):")
        lines.append(f'    __tablename__ = "t{number}_{model.suffix}s"')
        if table.index_on:
            index = f'{prefix}Index("ix_extra_{number}_{model.suffix}", "{table.index_on}")'
            lines.append(f"    __table_args__ = ({index},)")
        id_type = "BigInteger" if table.big_id else "Integer"
        id_index = ", index=True" if table.id_index else ""
        if style == "mapped":
            lines.append(
                f"    id: Mapped[int] = mapped_column(sa.{id_type}, primary_key=True{id_index})"
            )
        elif style == "sqlmodel":
            lines.append(
                f"    id: int | None = Field(default=None, primary_key=True, "
                f"sa_type=sa.{id_type}{id_index})"
            )
        else:
            lines.append(f"    id = {prefix}Column({prefix}{id_type}, primary_key=True{id_index})")
        for column in table.columns:
            targets = [c.target for c in table.columns if c.kind == "fk"]
            ambiguous = targets.count(column.target) > 1 or column.target == number
            if style == "sqlmodel":
                lines += _field_lines(model, number, column, markers, ambiguous)
            else:
                lines += _column_lines(model, number, column, prefix, markers, ambiguous)
    return (("\r\n" if model.crlf else "\n").join(lines)) + ("\r\n" if model.crlf else "\n")


def _class(model: Model, number: int) -> str:
    # SQLModel's registry is shared by every example: its class names must differ.
    return f"T{number}_{model.suffix}" if model.style == "sqlmodel" else f"T{number}"


_FIELD_TYPES = {"text": "sa.Text", "json": "sa.JSON", "datetime": "sa.DateTime"}


def _field_lines(
    model: Model, number: int, column: Column, markers: itertools.count[int], ambiguous: bool
) -> list[str]:
    """A SQLModel field: the annotation says the type and nullability, ``Field`` the rest."""
    python = "int" if column.kind == "fk" else _PYTHON[column.kind]
    args: list[str] = []
    if column.nullable:
        python += " | None"
        args.append("default=None")
    if column.kind == "fk":
        args.append(f'foreign_key="t{column.target}_{model.suffix}s.id"')
        if column.ondelete:
            args.append(f'ondelete="{column.ondelete}"')
    elif column.kind == "string":
        args.append("max_length=40")
    elif column.kind in _FIELD_TYPES:
        args.append(f"sa_type={_FIELD_TYPES[column.kind]}")
    if column.index:
        args.append("index=True")
    if column.unique:
        args.append("unique=True")
    comment = f"  # c{next(markers)}" if column.comment else ""
    lines = [f"    {column.name}: {python} = Field({', '.join(args)}){comment}"]
    if column.relationship and not ambiguous:
        target = _class(model, column.target or 0)
        lines.append(f"    {column.name[:-3]}: {target} | None = Relationship()")
    return lines


def _column_lines(
    model: Model,
    number: int,
    column: Column,
    prefix: str,
    markers: itertools.count[int],
    ambiguous: bool,
) -> list[str]:
    args: list[str] = []
    if column.kind == "fk":
        assert column.target is not None
        target = f'"t{column.target}_{model.suffix}s.id"'
        ondelete = f', ondelete="{column.ondelete}"' if column.ondelete else ""
        args.append(f"{prefix}ForeignKey({target}{ondelete})")
        if model.style != "mapped":
            args.insert(0, f"{prefix}Integer")
    else:
        args.append(prefix + _TYPES[column.kind])
    if column.nullable is not None:
        args.append(f"nullable={column.nullable}")
    if column.index:
        args.append("index=True")
    if column.unique:
        args.append("unique=True")
    if column.default == "list":
        args.append("default=[]")
    elif column.default == "utcnow":
        args.append("default=datetime.datetime.utcnow")
    elif column.default == "now_call":
        args.append("default=datetime.datetime.now()")
    comment = f"  # c{next(markers)}" if column.comment else ""
    if column.multiline:
        inner = "".join(f"        {a},\n" for a in args)
        call_text = "(\n" + inner + "    )"
    else:
        call_text = "(" + ", ".join(args) + ")"
    if model.style == "mapped":
        python = "int" if column.kind == "fk" else _PYTHON[column.kind]
        annotation = f"Mapped[{python} | None]" if column.nullable else f"Mapped[{python}]"
        line = f"    {column.name}: {annotation} = mapped_column{call_text}{comment}"
    else:
        line = f"    {column.name} = {prefix}Column{call_text}{comment}"
    lines = line.split("\n")
    if column.relationship:
        function = "db.relationship" if model.style == "flask" else "relationship"
        reverse = f"t{number}_{column.name}_children"
        backref = f', backref="{reverse}"' if column.relationship == "backref" else ""
        keys = f", foreign_keys=[{column.name}]" if ambiguous else ""
        remote = ", remote_side=[id]" if number == column.target else ""
        lines.append(
            f'    {column.name[:-3]} = {function}("T{column.target}"{backref}{keys}{remote})'
        )
    return lines


def load(text: str, name: str) -> list[sa.MetaData]:
    """Import the model text as a fresh module; its metadata objects."""
    sa.orm.clear_mappers()  # a model refused before must not fail this one's configuration
    SQLModel.metadata.clear()
    module = types.ModuleType(name)
    module.__file__ = f"<{name}>"
    sys.modules[name] = module
    try:
        exec(compile(text, module.__file__, "exec"), module.__dict__)
        sa.orm.configure_mappers()
    finally:
        del sys.modules[name]
    found = {}
    for value in vars(module).values():
        for candidate in (value, getattr(value, "metadata", None)):
            if isinstance(candidate, sa.MetaData):
                found[id(candidate)] = candidate
    return list(found.values())


def schema_facts(metadatas: list[sa.MetaData]) -> dict[str, object]:
    tables = [t for m in metadatas for t in m.sorted_tables]
    engine = sa.create_engine("sqlite://")
    for metadata in metadatas:
        metadata.create_all(engine)
    engine.dispose()
    covering: dict[str, list[tuple[str, ...]]] = {}
    for table in tables:
        orders = [tuple(c.name for c in table.primary_key.columns)]
        orders += [tuple(c.name for c in i.columns) for i in table.indexes]
        orders += [
            tuple(c.name for c in u.columns)
            for u in table.constraints
            if isinstance(u, sa.UniqueConstraint)
        ]
        covering[table.name] = orders
    return {
        "tables": {t.name for t in tables},
        "columns": {(t.name, c.name) for t in tables for c in t.columns},
        "primary_keys": {(t.name, tuple(c.name for c in t.primary_key.columns)) for t in tables},
        "foreign_keys": {
            (t.name, fk.parent.name, fk.target_fullname) for t in tables for fk in t.foreign_keys
        },
        "unique": {
            (t.name, tuple(sorted(c.name for c in u.columns)))
            for t in tables
            for u in [
                *(c for c in t.constraints if isinstance(c, sa.UniqueConstraint)),
                *(i for i in t.indexes if i.unique),
            ]
        },
        "indexes": {(t.name, tuple(c.name for c in i.columns)) for t in tables for i in t.indexes},
        "covering": covering,
    }


def _statement_lines(text: str) -> list[tuple[int, int]]:
    """(first, last) lines of every simple statement and class header."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ClassDef):
            found.append((node.lineno, node.body[0].lineno - 1 if node.body else node.lineno))
        elif isinstance(node, ast.stmt) and not hasattr(node, "body"):
            found.append((node.lineno, node.end_lineno or node.lineno))
    return found


def _allowed(text: str, lines: LineIndex, diagnostic: Diagnostic, edit: Edit) -> bool:
    """Inside the statement the finding is about, inside import lines, or whole new lines."""
    first, last = lines.position(edit.start)[0], lines.position(edit.end)[0]
    if edit.start == edit.end:
        at_line_start = edit.start == 0 or text[edit.start - 1] in "\r\n"
        at_line_end = edit.start == len(text) or text[edit.start] in "\r\n"
        if (at_line_start and edit.content.endswith(("\n", "\r"))) or (
            at_line_end and edit.content.startswith(("\n", "\r"))
        ):
            return True
    touched = [lines.line_text(n) for n in range(first, last + 1)]
    if all(re.match(r"(from \S+ )?import ", line) for line in touched):
        return True
    span = diagnostic.span
    for low, high in _statement_lines(text):
        if low <= span.line <= high and low <= first and last <= high:
            return True
    return span.line <= first and last <= span.end_line


def _markers(text: str) -> list[str]:
    return re.findall(r"# c\d+\b[^\r\n]*", text)


def _fix_rounds(text: str, path: Path) -> str:
    """The fix loop, round by round, checking where each applied edit lands."""
    settings = all_rules_fixing(path)
    for _ in range(100):
        diagnostics, _, errors = check_text(text, str(path), path.name, settings.rules, settings)
        assert not errors
        fixable = [d for d in diagnostics if d.fix]
        new, applied = apply_fixes(text, fixable)
        if not applied or new == text:
            return text
        lines = LineIndex(text)
        for diagnostic in applied:
            assert diagnostic.fix is not None
            for edit in diagnostic.fix.edits:
                assert _allowed(text, lines, diagnostic, edit), (diagnostic.code, edit, text)
        text = new
    raise AssertionError("fixes did not converge")


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(models())
def test_fixes_never_lose_code_or_schema(tmp_path: Path, model: Model) -> None:
    text = render_model(model)
    try:
        before = schema_facts(load(text, f"generated_{model.suffix}"))
    except (sa.exc.SQLAlchemyError, TypeError, ValueError, RuntimeError):
        assume(False)  # a combination SQLAlchemy itself refuses: not a model
        return
    workdir = tmp_path / model.suffix
    (workdir / "out").mkdir(parents=True)
    source = workdir / "models.py"
    source.write_bytes(text.encode())
    target, result = fix_copy(source, workdir / "out", ["ALL"])
    assert not result.errors
    fixed = target.read_bytes().decode()
    assert fixed == _fix_rounds(text, source)
    libcst.parse_module(fixed)
    assert _markers(fixed) == _markers(text)
    if model.crlf:
        assert "\n" not in fixed.replace("\r\n", "")
    assert not check(target, ["ALL"], fix=True, unsafe=True).changed
    after = schema_facts(load(fixed, f"fixed_{model.suffix}"))
    for key in ("tables", "columns", "primary_keys", "foreign_keys", "unique"):
        assert before[key] <= after[key], key  # type: ignore[operator]
    covering = after["covering"]
    for table, columns_ in before["indexes"]:  # type: ignore[attr-defined]
        orders = covering[table]  # type: ignore[index]
        assert any(order[: len(columns_)] == columns_ for order in orders), (table, columns_)


@pytest.mark.parametrize("style", STYLES)
def test_generated_models_have_findings_and_fixes(style: str) -> None:
    """The generator reaches the rules: a rich model of each style has fixable findings."""
    table = Table(
        columns=[
            Column("string_0", "string_no_length"),
            Column("ref_1_id", "fk", target=0, relationship="backref"),
            Column("when_2", "datetime", default="now_call"),
        ],
        index_on="string_0",
    )
    text = render_model(Model(style, [Table([]), table], crlf=False))
    found = check_text_findings(text)
    assert {"SC101", "SC102", "SC302"} <= {d.code for d in found}
    assert any(d.fix for d in found)


def check_text_findings(text: str) -> list[Diagnostic]:
    path = Path("models.py")
    settings = all_rules_fixing(path)
    diagnostics, _, errors = check_text(text, str(path), path.name, settings.rules, settings)
    assert not errors
    return diagnostics
