"""Which classes become which tables, and with which columns.

SQLAlchemy decides this from inheritance: a class with ``__tablename__`` gets a table, a subclass
of a mapped class without one shares its parent's table (single-table inheritance), mixins and
abstract bases copy their columns into every table below them, and a SQLModel class is a table only
with ``table=True``. Rules ask these questions here rather than each guessing from syntax.

Classes are looked up through a :class:`ClassLookup`, so that the same logic serves one file now
and the whole project when other files are known.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from schemacheck.extract.names import DB_MODEL
from schemacheck.schema import (
    BaseRef,
    ClassDef,
    ColumnDef,
    FileSchema,
    ForeignKeyRef,
    IndexDef,
    TableArgs,
)

_FRAMEWORK_BASES = frozenset(
    {
        "sqlalchemy.DeclarativeBase",
        "sqlalchemy.DeclarativeBaseNoMeta",
        "sqlalchemy.MappedAsDataclass",
        "sqlalchemy.AsyncAttrs",
        "sqlmodel.SQLModel",
        DB_MODEL,
        "flask_sqlalchemy.Model",
        "builtins.object",
    }
)
_NEUTRAL_BASES = frozenset({"object", "typing.Generic", "abc.ABC", "enum.Enum"})


class Role(enum.Enum):
    BASE = "declarative base"
    TABLE = "mapped class with its own table"
    SINGLE_TABLE = "subclass sharing its parent's table"
    MIXIN = "mixin or abstract base"
    SQLMODEL_DATA = "SQLModel model without a table"
    OTHER = "not a model"


class ClassLookup(Protocol):
    def find(self, name: str) -> ClassDef | None: ...


@dataclass
class FileClasses:
    schema: FileSchema

    def find(self, name: str) -> ClassDef | None:
        return self.schema.class_named(name)


@dataclass
class MappedTable:
    """A table as the database gets it, with the columns every class contributes."""

    name: str | None
    cls: ClassDef
    columns: list[ColumnDef]
    indexes: list[IndexDef]
    foreign_keys: list[ForeignKeyRef]  # table-level ForeignKeyConstraint
    complete: bool  # every base class is known: nothing unseen can add columns
    inherited_from_table: list[ColumnDef] = field(default_factory=list)  # joined inheritance


def _camel_to_snake(name: str) -> str:
    return re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", name).lower()


class Mapping:
    def __init__(self, schema: FileSchema, lookup: ClassLookup | None = None) -> None:
        self.schema = schema
        self.lookup = lookup or FileClasses(schema)
        self._roles: dict[int, Role] = {}

    # ---- inheritance ----------------------------------------------------------------------

    def base_class(self, base: BaseRef) -> ClassDef | None:
        if base.local is not None and base.qualname is None:
            return self.lookup.find(base.local)
        return None

    def is_known_base(self, base: BaseRef) -> bool:
        if self.base_class(base) is not None:
            return True
        if base.qualname in _FRAMEWORK_BASES or base.source in _NEUTRAL_BASES:
            return True
        return base.local is not None and base.local in self.schema.declarative_bases

    def ancestors(self, cls: ClassDef) -> Iterator[ClassDef]:
        """Known base classes, nearest first (a depth-first approximation of the MRO)."""
        seen: set[int] = {id(cls)}
        stack = [cls]
        while stack:
            current = stack.pop(0)
            for base in current.bases:
                parent = self.base_class(base)
                if parent is not None and id(parent) not in seen:
                    seen.add(id(parent))
                    yield parent
                    stack.append(parent)

    def complete(self, cls: ClassDef) -> bool:
        return all(self.is_known_base(b) for c in [cls, *self.ancestors(cls)] for b in c.bases)

    def _inherits(self, cls: ClassDef, qualnames: frozenset[str]) -> bool:
        for c in [cls, *self.ancestors(cls)]:
            for base in c.bases:
                if base.qualname in qualnames:
                    return True
                if base.local in self.schema.declarative_bases and "declarative" in qualnames:
                    return True
        return False

    def is_sqlmodel(self, cls: ClassDef) -> bool:
        return self._inherits(cls, frozenset({"sqlmodel.SQLModel"}))

    def is_dataclass_column(self, column: ColumnDef) -> bool:
        """A column of a ``MappedAsDataclass`` class: defaults follow dataclass rules."""
        cls = self.schema.class_named(column.owner) if column.owner else None
        return cls is not None and self._inherits(cls, frozenset({"sqlalchemy.MappedAsDataclass"}))

    def is_flask_model(self, cls: ClassDef) -> bool:
        return self._inherits(cls, frozenset({DB_MODEL}))

    def role(self, cls: ClassDef) -> Role:
        key = id(cls)
        if key not in self._roles:
            self._roles[key] = self._compute_role(cls)
        return self._roles[key]

    def _compute_role(self, cls: ClassDef) -> Role:
        if cls.abstract:
            return Role.MIXIN
        if self.is_sqlmodel(cls):
            return Role.TABLE if cls.sqlmodel_table else Role.SQLMODEL_DATA
        if cls.tablename is not None or cls.tablename_computed or cls.has_table:
            return Role.TABLE
        mapped_parent = any(
            self.role(p) in (Role.TABLE, Role.SINGLE_TABLE) for p in self.ancestors(cls)
        )
        if mapped_parent:
            if self.is_flask_model(cls) and any(c.primary_key for c in cls.columns):
                return Role.TABLE
            return Role.SINGLE_TABLE
        if self.is_flask_model(cls):
            return Role.TABLE
        if any(
            b.qualname in ("sqlalchemy.DeclarativeBase", "sqlalchemy.DeclarativeBaseNoMeta")
            for b in cls.bases
        ):
            return Role.BASE
        if cls.decorated_mapped:
            return Role.TABLE
        if cls.columns and any(
            c.kind != "annotation" or (c.annotation is not None and c.annotation.mapped)
            for c in cls.columns
        ):
            return Role.MIXIN
        return Role.OTHER

    # ---- columns --------------------------------------------------------------------------

    def own_columns(self, cls: ClassDef) -> list[ColumnDef]:
        """Columns the class really maps: SQLModel fields only count in SQLModel classes."""
        if self.is_sqlmodel(cls):
            return list(cls.columns)
        return [
            c
            for c in cls.columns
            if c.kind != "annotation" or (c.annotation is not None and c.annotation.mapped)
        ]

    def contributed_columns(self, cls: ClassDef) -> list[ColumnDef]:
        """Columns of ``cls`` plus those copied in from mixins, abstract and non-table bases."""
        columns = list(self.own_columns(cls))
        for ancestor in self.ancestors(cls):
            if self.role(ancestor) in (Role.MIXIN, Role.SQLMODEL_DATA, Role.OTHER, Role.BASE):
                columns.extend(self.own_columns(ancestor))
        return _dedupe(columns)

    def table_name(self, cls: ClassDef) -> str | None:
        if cls.tablename is not None:
            return cls.tablename
        if self.is_sqlmodel(cls) and cls.sqlmodel_table and not cls.tablename_computed:
            return cls.name.lower()
        if self.is_flask_model(cls) and not cls.tablename_computed:
            return _camel_to_snake(cls.name)
        return None

    def tables(self) -> list[MappedTable]:
        tables = []
        for cls in self.schema.classes:
            if self.role(cls) is not Role.TABLE or cls.has_table:
                continue
            columns = self.contributed_columns(cls)
            # Single-table subclasses add their columns to this table.
            for other in self.schema.classes:
                if self.role(other) is Role.SINGLE_TABLE and self._table_owner(other) is cls:
                    columns.extend(self.own_columns(other))
            table_args = self._table_args(cls)
            indexes = list(table_args.indexes) if table_args else []
            fks = list(table_args.foreign_keys) if table_args else []
            for module_index in self.schema.module_indexes:
                if module_index.owner == cls.name:
                    indexes.append(module_index.index)
            parent_columns: list[ColumnDef] = []
            for ancestor in self.ancestors(cls):
                if self.role(ancestor) in (Role.TABLE, Role.SINGLE_TABLE):
                    parent_columns.extend(self.contributed_columns(ancestor))
            tables.append(
                MappedTable(
                    name=self.table_name(cls),
                    cls=cls,
                    columns=_dedupe(columns),
                    indexes=indexes,
                    foreign_keys=fks,
                    complete=self.complete(cls),
                    inherited_from_table=parent_columns,
                )
            )
        return tables

    def _table_owner(self, cls: ClassDef) -> ClassDef | None:
        for ancestor in self.ancestors(cls):
            if self.role(ancestor) is Role.TABLE:
                return ancestor
        return None

    def _table_args(self, cls: ClassDef) -> TableArgs | None:
        for c in [cls, *self.ancestors(cls)]:
            if c.table_args is not None:
                return c.table_args
        return None


def _dedupe(columns: list[ColumnDef]) -> list[ColumnDef]:
    """Later definitions of the same attribute are overridden by nearer ones."""
    seen: set[str] = set()
    result = []
    for column in columns:
        key = column.attr or column.name or str(id(column))
        if key in seen:
            continue
        seen.add(key)
        result.append(column)
    return result


def primary_key_columns(columns: list[ColumnDef], indexes: list[IndexDef]) -> list[str]:
    for index in indexes:
        if index.kind == "PrimaryKeyConstraint":
            return [c for c in index.columns if c is not None]
    return [c.name for c in columns if c.primary_key and c.name is not None]


@dataclass
class TableView:
    """A table of either kind (mapped class or ``Table()``) as index rules need it."""

    name: str | None
    columns: list[ColumnDef]
    indexes: list[IndexDef]
    foreign_keys: list[ForeignKeyRef]
    cls: ClassDef | None


def table_views(mapping: Mapping) -> list[TableView]:
    views = [
        TableView(t.name, t.columns, t.indexes, t.foreign_keys, t.cls) for t in mapping.tables()
    ]
    schema = mapping.schema
    for table in schema.tables:
        indexes = list(table.indexes)
        for module_index in schema.module_indexes:
            if table.variable is not None and module_index.owner == table.variable:
                indexes.append(module_index.index)
        views.append(TableView(table.name, table.columns, indexes, table.foreign_keys, None))
    return views


def schema_columns(mapping: Mapping) -> list[ColumnDef]:
    """Every column definition of the file that reaches a table, each once."""
    seen: set[int] = set()
    result: list[ColumnDef] = []

    def add(columns: list[ColumnDef]) -> None:
        for column in columns:
            if id(column) not in seen:
                seen.add(id(column))
                result.append(column)

    for cls in mapping.schema.classes:
        role = mapping.role(cls)
        if role in (Role.TABLE, Role.SINGLE_TABLE, Role.MIXIN, Role.BASE):
            if role is Role.TABLE:
                add(mapping.contributed_columns(cls))
            elif not mapping.is_sqlmodel(cls):
                add(mapping.own_columns(cls))
    for table in mapping.schema.tables:
        add(table.columns)
    return sorted(result, key=lambda c: c.span.start)


def all_foreign_keys(mapping: Mapping) -> list[ForeignKeyRef]:
    fks = [fk for column in schema_columns(mapping) for fk in column.foreign_keys]
    seen: set[int] = set()
    for cls in mapping.schema.classes:
        if cls.table_args is not None and mapping.role(cls) is not Role.SQLMODEL_DATA:
            fks.extend(cls.table_args.foreign_keys)
    for table in mapping.schema.tables:
        fks.extend(table.foreign_keys)
    unique = []
    for fk in fks:
        if id(fk) not in seen:
            seen.add(id(fk))
            unique.append(fk)
    return sorted(unique, key=lambda fk: fk.span.start)


def find_column(mapping: Mapping, target: str) -> ColumnDef | None:
    """The column a ``"table.column"`` reference names, when this file defines it."""
    table_name, _, column_name = target.rpartition(".")
    for view in table_views(mapping):
        if view.name == table_name or (view.name and table_name.endswith("." + view.name)):
            for column in view.columns:
                if column.name == column_name:
                    return column
    return None
