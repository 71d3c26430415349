"""A deterministic, realistic corpus of SQLAlchemy models and Alembic migrations.

The files look like a large application's: packages in each style schemacheck reads (2.0
declarative, legacy ``Column``, Flask-SQLAlchemy, SQLModel), a base module with mixins, models
that point at tables of other modules, relationships declared on both sides, ``__table_args__``
indexes, and a linear chain of Alembic revisions creating and altering those tables. Some
columns break rules on purpose, as real code does, so that the rules and the reports are in the
measured path.

    python bench/corpus.py OUT [--models N] [--migrations N] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from pathlib import Path

STYLES = ("modern", "legacy", "flask", "sqlmodel")
NOUNS = (
    "account",
    "order",
    "invoice",
    "product",
    "customer",
    "shipment",
    "payment",
    "refund",
    "coupon",
    "review",
    "address",
    "warehouse",
    "supplier",
    "category",
    "tag",
    "comment",
    "article",
    "author",
    "session",
    "device",
    "token",
    "report",
    "ticket",
    "project",
    "task",
    "team",
    "member",
    "role",
    "permission",
    "event",
    "booking",
    "room",
    "vehicle",
    "route",
)
SCALARS = (
    ("name", "String(120)", "str"),
    ("title", "String(200)", "str"),
    ("code", "String(32)", "str"),
    ("description", "Text", "str"),
    ("notes", "String", "str"),  # no length: SC202
    ("quantity", "Integer", "int"),
    ("position", "Integer", "int"),
    ("price", "Numeric(12, 2)", "Decimal"),
    ("amount", "Float", "float"),  # money in a float: SC210
    ("is_active", "Boolean", "bool"),
    ("published_at", "DateTime(timezone=True)", "datetime"),
    ("payload", "JSON", "dict"),
    ("external_id", "String(64)", "str"),
)


def _table(noun: str, index: int) -> str:
    return f"{noun}_{index}s"


def _class(noun: str, index: int) -> str:
    return "".join(part.capitalize() for part in noun.split("_")) + str(index)


class Generator:
    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.tables: dict[str, list[str]] = {style: [] for style in STYLES}

    def columns(self, count: int) -> list[tuple[str, str, str, bool]]:
        chosen = self.random.sample(SCALARS, k=min(count, len(SCALARS)))
        return [(name, sql, py, self.random.random() < 0.4) for name, sql, py in chosen]

    # ---- one module per style ----------------------------------------------------------------

    def model_module(self, style: str, number: int) -> str:
        rnd = self.random
        known = self.tables[style]
        noun = NOUNS[number % len(NOUNS)]
        parent, child = (noun, number), (NOUNS[(number + 7) % len(NOUNS)] + "_item", number)
        parent_table, child_table = _table(*parent), _table(*child)
        parent_class, child_class = _class(*parent), _class(*child)
        foreign = rnd.sample(known, k=min(len(known), rnd.randint(0, 2)))
        lines = [f'"""Models of the {noun} area ({number})."""', ""]
        lines += HEADERS[style]
        lines.append("")
        parent_body = self.body(style, parent_class, parent_table, foreign, None)
        parent_body += self.relationship(style, "items", child_class, "parent", many=True)
        lines += parent_body
        child_body = self.body(style, child_class, child_table, [], parent_table)
        child_body += self.relationship(style, "parent", parent_class, "items", many=False)
        lines += child_body
        known += [parent_table, child_table]
        return "\n".join(lines) + "\n"

    def body(
        self, style: str, cls: str, table: str, foreign: list[str], owner: str | None
    ) -> list[str]:
        rnd = self.random
        base = {
            "modern": "TimestampMixin, Base",
            "legacy": "TimestampMixin, Base",
            "flask": "TimestampMixin, db.Model",
            "sqlmodel": "SQLModel, table=True",
        }[style]
        out = ["", "", f"class {cls}({base}):", f'    """A {table[:-1]}."""', ""]
        out.append(f'    __tablename__ = "{table}"')
        indexed = None
        scalars = self.columns(rnd.randint(4, 9))
        if style != "sqlmodel" and rnd.random() < 0.5:
            indexed = scalars[0][0]
            out.append("    __table_args__ = (")
            out.append(f'        Index("ix_{table}_{indexed}", "{indexed}"),')
            if rnd.random() < 0.5:
                out.append(f'        {{"comment": "{table} of the application"}},')
            out.append("    )")
        out.append("")
        out += self.primary_key(style)
        for name, sql, py, nullable in scalars:
            out += self.scalar(style, name, sql, py, nullable)
        targets = [(t, rnd.random() < 0.6) for t in foreign]
        if owner is not None:
            targets.insert(0, (owner, True))
        for target, cascade in targets:
            out += self.foreign_key(style, f"{target[:-1]}_id", target, cascade)
        return out

    def primary_key(self, style: str) -> list[str]:
        return {
            "modern": ["    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)"],
            "legacy": ["    id = Column(BigInteger, primary_key=True)"],
            "flask": ["    id = db.Column(db.BigInteger, primary_key=True)"],
            "sqlmodel": ["    id: Optional[int] = Field(default=None, primary_key=True)"],
        }[style]

    def scalar(self, style: str, name: str, sql: str, py: str, nullable: bool) -> list[str]:
        if style == "modern":
            annotation = f"Optional[{py}]" if nullable else py
            return [f"    {name}: Mapped[{annotation}] = mapped_column({sql})"]
        if style == "legacy":
            return [f"    {name} = Column({sql}, nullable={nullable})"]
        if style == "flask":
            comment = "  # shown on the dashboard" if self.random.random() < 0.2 else ""
            return [f"    {name} = db.Column(db.{sql}, nullable={nullable}){comment}"]
        sa_types = {"dict": "JSON", "Decimal": "Numeric"}
        if py in sa_types:
            annotation = f"Optional[{py}]" if nullable else py
            return [f"    {name}: {annotation} = Field(sa_column=Column({sa_types[py]}))"]
        if py == "str" and "(" in sql:
            length = sql[sql.index("(") + 1 : -1]
            return [f"    {name}: str = Field(max_length={length})"]
        annotation = f"Optional[{py}] = None" if nullable else py
        return [f"    {name}: {annotation}"]

    def foreign_key(self, style: str, column: str, target: str, cascade: bool) -> list[str]:
        ondelete = ', ondelete="CASCADE"' if cascade else ""
        index = ", index=True" if self.random.random() < 0.7 else ""
        if style == "modern":
            return [
                f"    {column}: Mapped[int] = mapped_column(",
                f'        ForeignKey("{target}.id"{ondelete}){index}',
                "    )",
            ]
        if style == "legacy":
            return [
                f'    {column} = Column(ForeignKey("{target}.id"{ondelete}), nullable=False{index})'
            ]
        if style == "flask":
            return [
                f"    {column} = db.Column(",
                f'        db.BigInteger, db.ForeignKey("{target}.id"{ondelete}),',
                f"        nullable=False{index}",
                "    )",
            ]
        return [f'    {column}: int = Field(foreign_key="{target}.id"{index})']

    def relationship(self, style: str, name: str, target: str, back: str, many: bool) -> list[str]:
        if style == "modern":
            annotation = f'list["{target}"]' if many else f'"{target}"'
            return [
                f"    {name}: Mapped[{annotation}] = relationship(",
                f'        back_populates="{back}"'
                + (', cascade="all, delete-orphan", passive_deletes=True' if many else ""),
                "    )",
            ]
        if style == "legacy":
            return [f'    {name} = relationship("{target}", back_populates="{back}")']
        if style == "flask":
            return [f'    {name} = db.relationship("{target}", back_populates="{back}")']
        annotation = f'list["{target}"]' if many else f'Optional["{target}"]'
        return [f'    {name}: {annotation} = Relationship(back_populates="{back}")']

    # ---- migrations --------------------------------------------------------------------------

    def migration(self, number: int, previous: str | None, table: str) -> tuple[str, str]:
        rnd = self.random
        revision = f"{rnd.getrandbits(48):012x}"
        down = f'"{previous}"' if previous else "None"
        lines = [
            f'"""{["create", "extend", "index"][number % 3]} {table}',
            "",
            f"Revision ID: {revision}",
            f"Revises: {previous or ''}",
            "Create Date: 2026-01-01 00:00:00",
            '"""',
            "",
            "import sqlalchemy as sa",
            "from alembic import op",
            "",
            f'revision = "{revision}"',
            f"down_revision = {down}",
            "branch_labels = None",
            "depends_on = None",
            "",
            "",
            "def upgrade() -> None:",
        ]
        down_lines: list[str] = []
        kind = number % 3
        if kind == 0 or previous is None:
            lines.append(f'    op.create_table(\n        "{table}",')
            lines.append('        sa.Column("id", sa.BigInteger(), nullable=False),')
            for name, sql, _, nullable in self.columns(rnd.randint(3, 8)):
                lines.append(f'        sa.Column("{name}", sa.{sql}, nullable={nullable}),')
            lines.append(
                '        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),'
            )
            lines.append('        sa.PrimaryKeyConstraint("id"),')
            lines.append("    )")
            down_lines.append(f'    op.drop_table("{table}")')
        elif kind == 1:
            column = f"extra_{number}"
            nullable = rnd.random() < 0.7  # a NOT NULL column without a default: SC5xx
            column_call = f'sa.Column("{column}", sa.String(50), nullable={nullable})'
            lines.append(f'    op.add_column("{table}", {column_call})')
            down_lines.append(f'    op.drop_column("{table}", "{column}")')
        else:
            index = f"ix_{table}_created_at_{number}"
            lines.append(f'    op.create_index("{index}", "{table}", ["created_at"])')
            down_lines.append(f'    op.drop_index("{index}", table_name="{table}")')
        lines += ["", "", "def downgrade() -> None:", *down_lines]
        return revision, "\n".join(lines) + "\n"


HEADERS = {
    "modern": [
        "from decimal import Decimal",
        "from datetime import datetime",
        "from typing import Optional",
        "",
        "from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Float, ForeignKey, Index",
        "from sqlalchemy import Integer, Numeric, String, Text",
        "from sqlalchemy.orm import Mapped, mapped_column, relationship",
        "",
        "from .base import Base, TimestampMixin",
    ],
    "legacy": [
        "from sqlalchemy import JSON, BigInteger, Boolean, Column, DateTime, Float, ForeignKey",
        "from sqlalchemy import Index, Integer, Numeric, String, Text",
        "from sqlalchemy.orm import relationship",
        "",
        "from .base import Base, TimestampMixin",
    ],
    "flask": ["from sqlalchemy import Index", "", "from .base import TimestampMixin, db"],
    "sqlmodel": [
        "from decimal import Decimal",
        "from datetime import datetime",
        "from typing import Optional",
        "",
        "from sqlalchemy import JSON, Column, Numeric",
        "from sqlmodel import Field, Relationship, SQLModel",
    ],
}

BASES = {
    "modern": '''"""The declarative base and the columns every table has."""

from datetime import datetime

from sqlalchemy import DateTime, MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=CONVENTION)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
''',
    "legacy": '''"""The declarative base and the columns every table has."""

from sqlalchemy import Column, DateTime, func
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class TimestampMixin:
    created_at = Column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    updated_at = Column(DateTime(timezone=True), server_default=func.now(), nullable=False)
''',
    "flask": '''"""The Flask-SQLAlchemy handle and the columns every table has."""

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData

db = SQLAlchemy(metadata=MetaData(naming_convention={"pk": "pk_%(table_name)s"}))


class TimestampMixin:
    created_at = db.Column(db.DateTime(timezone=True), server_default=db.func.now())
    updated_at = db.Column(
        db.DateTime(timezone=True), server_default=db.func.now(), onupdate=db.func.now()
    )
''',
}


def generate(out: Path, models: int = 1000, migrations: int = 1000, seed: int = 1) -> list[Path]:
    """Write the corpus under ``out`` (replacing it) and return the files written."""
    if out.exists():
        shutil.rmtree(out)
    generator = Generator(seed)
    written: list[Path] = []

    def write(path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)

    for style in STYLES:
        package = out / f"app_{style}"
        write(package / "__init__.py", "")
        write(package / "models" / "__init__.py", "")
        if style in BASES:
            write(package / "models" / "base.py", BASES[style])
    for number in range(models):
        style = STYLES[number % len(STYLES)]
        text = generator.model_module(style, number)
        write(out / f"app_{style}" / "models" / f"{NOUNS[number % len(NOUNS)]}_{number}.py", text)
    tables = [t for style in STYLES for t in generator.tables[style]] or ["things"]
    previous: str | None = None
    for number in range(migrations):
        table = tables[number % len(tables)]
        previous_revision = previous
        previous, text = generator.migration(number, previous_revision, table)
        write(out / "migrations" / "versions" / f"{number:04d}_{previous}.py", text)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--migrations", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    files = generate(args.out, args.models, args.migrations, args.seed)
    lines = sum(path.read_text(encoding="utf-8").count("\n") for path in files)
    print(f"{len(files)} files, {lines} lines in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
