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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from schemacheck.diagnostics import Span
from schemacheck.extract.names import DB_MODEL
from schemacheck.pickling import EMPTY
from schemacheck.project import Declarative, LibraryName, Project
from schemacheck.schema import (
    NO_NAMES,
    BaseRef,
    ClassDef,
    ColumnDef,
    FileSchema,
    ForeignKeyRef,
    IndexDef,
    TableArgs,
    TableDef,
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
DECLARATIVE_NAME = "declarative"  # a base made by ``declarative_base()``


_DECLARATIVE_BASES = frozenset(
    {"sqlalchemy.DeclarativeBase", "sqlalchemy.DeclarativeBaseNoMeta", DECLARATIVE_NAME}
)


class Role(enum.Enum):
    BASE = "declarative base"
    TABLE = "mapped class with its own table"
    SINGLE_TABLE = "subclass sharing its parent's table"
    MIXIN = "mixin or abstract base"
    SQLMODEL_DATA = "SQLModel model without a table"
    OTHER = "not a model"


DECLARATIVE = DECLARATIVE_NAME
_LIBRARY_PREFIXES = ("sqlalchemy", "sqlmodel", "flask_sqlalchemy", "builtins", "typing", "abc")


class ClassResolver(Protocol):
    """Where a class's bases are defined: this file only, or the whole project."""

    def base_of(self, cls: ClassDef, base: BaseRef) -> ClassDef | str | None:
        """The base's class, ``DECLARATIVE``, a library qualname, or None when unknown."""

    def all_classes(self) -> Iterable[ClassDef]: ...

    def schema_of(self, cls: ClassDef) -> FileSchema | None: ...

    @property
    def memo(self) -> dict[Any, Any]:
        """Facts about classes that do not depend on which file asks (roles, ancestors)."""


@dataclass
class FileClasses:
    schema: FileSchema
    memo: dict[Any, Any] = field(default_factory=dict, repr=False)

    def base_of(self, cls: ClassDef, base: BaseRef) -> ClassDef | str | None:
        if base.qualname is not None:
            return base.qualname
        return _local_base(self.schema, base)

    def all_classes(self) -> Iterable[ClassDef]:
        return self.schema.classes

    def schema_of(self, cls: ClassDef) -> FileSchema | None:
        return self.schema if any(c is cls for c in self.schema.classes) else None


def _local_base(schema: FileSchema, base: BaseRef) -> ClassDef | str | None:
    if base.local is None:
        return None
    found = schema.class_named(base.local)
    if found is not None:
        return found
    return DECLARATIVE if base.local in schema.declarative_bases else None


@dataclass
class ProjectClasses:
    project: Project
    home: FileSchema

    def base_of(self, cls: ClassDef, base: BaseRef) -> ClassDef | str | None:
        file = self.project.file_of(cls)
        schema = file.schema if file is not None else self.home
        if base.qualname is None:
            return _local_base(schema, base)
        if file is None or base.qualname.startswith(_LIBRARY_PREFIXES):
            return base.qualname
        key = ("base", id(file), base.qualname)
        if key not in self.project.cache:
            found = self.project.resolve(file, base.qualname)
            result: ClassDef | str | None = None
            if isinstance(found, ClassDef):
                result = found
            elif isinstance(found, Declarative):
                result = DECLARATIVE
            elif isinstance(found, LibraryName):
                result = found.qualname
            self.project.cache[key] = result
        cached: ClassDef | str | None = self.project.cache[key]
        return cached

    def all_classes(self) -> Iterable[ClassDef]:
        return [cls for _, cls in self.project.classes()]

    @property
    def memo(self) -> dict[Any, Any]:
        shared: dict[Any, Any] = self.project.cache.setdefault("class facts", {})
        return shared

    def schema_of(self, cls: ClassDef) -> FileSchema | None:
        file = self.project.file_of(cls)
        return file.schema if file is not None else None


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
    opaque: frozenset[str] = NO_NAMES  # attributes that may be columns too (most: none)
    args_opaque: bool = False  # ``__table_args__`` built in a way not read statically

    def may_have(self, name: str) -> bool:
        """Whether a column of that name may exist though no definition of it was read."""
        return not self.complete or name in self.opaque


def table_label(name: str | None, owner: str | None = None) -> str:
    """How a finding names a table: by name, else by the class or variable that defines it."""
    if name is not None:
        return f'Table "{name}"'
    return f'The table of "{owner}"' if owner else "A table with a computed name"


def camel_to_snake(name: str) -> str:
    return re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", name).lower()


class Mapping:
    def __init__(self, schema: FileSchema, resolver: ClassResolver | None = None) -> None:
        self.schema = schema
        self.resolver = resolver or FileClasses(schema)
        self._memo = self.resolver.memo
        self._own_ids: set[int] | None = None
        self._tables: list[MappedTable] | None = None
        self.views: dict[str, list[Any]] = {}  # the file's views below, built once for all rules

    @classmethod
    def for_project(cls, project: Project, schema: FileSchema) -> Mapping:
        """The mapping of one file of ``project``, shared by every rule that asks."""
        key = ("mapping", id(schema))
        if key not in project.cache:
            project.cache[key] = cls(schema, ProjectClasses(project, schema))
        mapping: Mapping = project.cache[key]
        return mapping

    def is_own(self, item: ColumnDef | IndexDef | ForeignKeyRef) -> bool:
        """Whether this file defines a column, index or constraint (not another module)."""
        if self._own_ids is None:
            schema = self.schema
            items: list[object] = []
            for cls in schema.classes:
                items.extend(cls.columns)
                if cls.table_args is not None:
                    items.extend(cls.table_args.indexes)
                    items.extend(cls.table_args.foreign_keys)
            for table in schema.tables:
                items.extend(table.columns)
                items.extend(table.indexes)
                items.extend(table.foreign_keys)
            items.extend(m.index for m in schema.module_indexes)
            self._own_ids = {id(item) for item in items}
        return id(item) in self._own_ids

    def settle(self) -> None:
        """Let go of what the file's own rules ask: which items it defines itself, and its
        views. The mapping stays in the project for other files' rules, which seldom ask for
        those (on polar's server 51 views were built again, of 1,503); for a project of 10,000
        files the sets were 9 MB of the peak and the views 3 MB. Asked again, they are built
        again."""
        self._own_ids = None
        self.views = {}

    def path_of(self, column: ColumnDef) -> str:
        """The file that defines a column of one of this file's tables."""
        for cls in self.resolver.all_classes():
            if any(c is column for c in cls.columns):
                schema = self.resolver.schema_of(cls)
                if schema is not None:
                    return schema.path
        return self.schema.path

    def tables_everywhere(self) -> list[MappedTable]:
        """Every mapped table the resolver knows, for mixins used across modules."""
        seen: set[int] = set()
        result: list[MappedTable] = []
        for cls in self.resolver.all_classes():
            schema = self.resolver.schema_of(cls)
            if schema is None or id(schema) in seen:
                continue
            seen.add(id(schema))
            other = self if schema is self.schema else self._sibling(schema)
            result.extend(other.tables())
        return result

    def _sibling(self, schema: FileSchema) -> Mapping:
        if isinstance(self.resolver, ProjectClasses):
            return Mapping.for_project(self.resolver.project, schema)
        return Mapping(schema)

    # ---- inheritance ----------------------------------------------------------------------

    def base_class(self, cls: ClassDef, base: BaseRef) -> ClassDef | None:
        found = self.resolver.base_of(cls, base)
        return found if isinstance(found, ClassDef) else None

    def _base_name(self, cls: ClassDef, base: BaseRef) -> str | None:
        found = self.resolver.base_of(cls, base)
        return found if isinstance(found, str) else None

    def is_known_base(self, cls: ClassDef, base: BaseRef) -> bool:
        found = self.resolver.base_of(cls, base)
        if isinstance(found, ClassDef) or found == DECLARATIVE:
            return True
        return found in _FRAMEWORK_BASES or base.source in _NEUTRAL_BASES

    def ancestors(self, cls: ClassDef) -> tuple[ClassDef, ...]:
        """Known base classes, nearest first (a depth-first approximation of the MRO)."""
        key = ("ancestors", id(cls))
        found: tuple[ClassDef, ...] | None = self._memo.get(key)
        if found is None:
            found = self._memo[key] = tuple(self._ancestors(cls))  # kept: a tuple is smaller
        return found

    def _ancestors(self, cls: ClassDef) -> Iterator[ClassDef]:
        seen: set[int] = {id(cls)}
        stack = [cls]
        while stack:
            current = stack.pop(0)
            for base in current.bases:
                parent = self.base_class(current, base)
                if parent is not None and id(parent) not in seen:
                    seen.add(id(parent))
                    yield parent
                    stack.append(parent)

    def complete(self, cls: ClassDef) -> bool:
        """Every base class is known: nothing unseen adds columns."""
        return all(self.is_known_base(c, b) for c in [cls, *self.ancestors(cls)] for b in c.bases)

    def opaque(self, cls: ClassDef) -> frozenset[str]:
        """Attributes of the class and its bases that a call we cannot read may make columns
        (a frozen set: the empty one, which nearly every table has, is shared)."""
        names = [name for c in [cls, *self.ancestors(cls)] for name in c.opaque_attributes]
        return frozenset(names) if names else NO_NAMES

    def _inherits(self, cls: ClassDef, qualnames: frozenset[str]) -> bool:
        for c in [cls, *self.ancestors(cls)]:
            for base in c.bases:
                name = self._base_name(c, base)
                if name in qualnames:
                    return True
        return False

    def is_sqlmodel(self, cls: ClassDef) -> bool:
        return self._inherits(cls, frozenset({"sqlmodel.SQLModel"}))

    def is_dataclass(self, cls: ClassDef) -> bool:
        """A ``MappedAsDataclass`` or ``@registry.mapped_as_dataclass`` class: its attributes are
        dataclass fields too, and a new one without a default breaks the class."""
        return cls.decorated_dataclass or self._inherits(
            cls, frozenset({"sqlalchemy.MappedAsDataclass"})
        )

    def is_dataclass_column(self, column: ColumnDef) -> bool:
        """A column of a ``MappedAsDataclass`` class: defaults follow dataclass rules."""
        cls = self.schema.class_named(column.owner) if column.owner else None
        return cls is not None and self.is_dataclass(cls)

    def is_flask_model(self, cls: ClassDef) -> bool:
        return self._inherits(cls, frozenset({DB_MODEL}))

    def role(self, cls: ClassDef) -> Role:
        key = ("role", id(cls))
        role: Role | None = self._memo.get(key)
        if role is None:
            role = self._memo[key] = self._compute_role(cls)
        return role

    def _compute_role(self, cls: ClassDef) -> Role:
        if cls.abstract:
            return Role.MIXIN
        if any(
            self._base_name(cls, b)
            in ("sqlalchemy.DeclarativeBase", "sqlalchemy.DeclarativeBaseNoMeta")
            for b in cls.bases
        ):
            # The base itself, even when it computes ``__tablename__`` for its subclasses.
            return Role.BASE
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
        if any(a.tablename_computed for a in self.ancestors(cls)) and self._inherits(
            cls, _DECLARATIVE_BASES
        ):
            return Role.TABLE  # a base's declared_attr ``__tablename__`` names its table
        if self.inherited_tablename(cls) is not None and self._inherits(cls, _DECLARATIVE_BASES):
            return Role.TABLE  # an abstract base's or a mixin's ``__tablename__`` names it
        if cls.decorated_mapped:
            return Role.TABLE
        if cls.mapped_imperatively:
            return Role.OTHER  # its table is a ``Table()``, checked as one
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
        inherited = self.inherited_tablename(cls)
        if inherited is not None:
            return inherited
        if self.is_sqlmodel(cls) and cls.sqlmodel_table and not cls.tablename_computed:
            return cls.name.lower()
        if self.is_flask_model(cls) and not cls.tablename_computed:
            return camel_to_snake(cls.name)
        return None

    def inherited_tablename(self, cls: ClassDef) -> str | None:
        """The ``__tablename__`` a class takes from a base that maps no table itself (an
        abstract base, a mixin), as SQLAlchemy and Flask-SQLAlchemy read it; None when the
        nearest base that names a table maps it (the class then shares or joins that table)."""
        for ancestor in self.ancestors(cls):
            if ancestor.tablename_computed:
                return None
            if ancestor.tablename is not None:
                return ancestor.tablename if self.role(ancestor) is Role.MIXIN else None
        return None

    def tables(self) -> list[MappedTable]:
        """The file's mapped tables, computed once: every table rule asks."""
        if self._tables is None:
            self._tables = self._compute_tables()
        return list(self._tables)

    def _compute_tables(self) -> list[MappedTable]:
        tables = []
        for cls in self.schema.classes:
            if self.role(cls) is not Role.TABLE or cls.has_table:
                continue
            columns = self.contributed_columns(cls)
            # Single-table subclasses add their columns to this table.
            for other in self._single_table_children().get(id(cls), ()):
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
                    # Empty ones are the shared EMPTY: most tables have no table-level
                    # constraint and no parent table, and every table's view is kept.
                    indexes=indexes or EMPTY,
                    foreign_keys=fks or EMPTY,
                    complete=self.complete(cls),
                    inherited_from_table=parent_columns or EMPTY,
                    opaque=self.opaque(cls),
                    args_opaque=table_args is not None and table_args.opaque,
                )
            )
        return tables

    def _single_table_children(self) -> dict[int, list[ClassDef]]:
        """Single-table subclasses by the id of the class that owns their table."""
        children: dict[int, list[ClassDef]] | None = self._memo.get("children")
        if children is None:
            children = self._memo["children"] = {}
            for other in self.resolver.all_classes():
                if self.role(other) is Role.SINGLE_TABLE:
                    owner = self._table_owner(other)
                    if owner is not None:
                        children.setdefault(id(owner), []).append(other)
        return children

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
    complete: bool = True  # no unseen base class can add columns
    inherited: list[ColumnDef] = field(default_factory=list)  # the parent's, in joined inheritance
    opaque: frozenset[str] = NO_NAMES  # attributes that may be columns too (most: none)
    table: TableDef | None = None  # the ``Table()`` of an imperative table
    # Indexes and constraints may exist that were not read: ``__table_args__ = make_args()``,
    # ``Table("t", metadata, *columns)``.
    args_opaque: bool = False

    @property
    def report_span(self) -> Span:
        """Where a finding about the whole table points: its name."""
        if self.table is not None:
            call = self.table.call
            return call.args[0].span if call.args else call.span
        assert self.cls is not None
        return self.cls.span

    def may_have(self, name: str) -> bool:
        """Whether a column of that name may exist though no definition of it was read."""
        return not self.complete or name in self.opaque

    def column(self, name: str) -> ColumnDef | None:
        for column in [*self.columns, *self.inherited]:
            if column.name == name:
                return column
        return None


def allows_null(column: ColumnDef) -> bool:
    """What the database gets: explicit ``nullable=``, else the style's own default."""
    if column.nullable is not None:
        return column.nullable
    if column.primary_key:
        return False
    if column.kind == "Column" or column.sa_column is not None:
        return True
    annotation = column.annotation
    return annotation is not None and annotation.optional


def mapped_view(t: MappedTable) -> TableView:
    return TableView(
        t.name,
        t.columns,
        t.indexes,
        t.foreign_keys,
        t.cls,
        complete=t.complete,
        inherited=t.inherited_from_table,
        opaque=t.opaque,
        args_opaque=t.args_opaque,
    )


_View = TypeVar("_View")


def _built_once(build: Callable[[Mapping], list[_View]]) -> Callable[[Mapping], list[_View]]:
    """A view of one file that every rule asks for: built on the first ask, copied after."""

    def view(mapping: Mapping) -> list[_View]:
        found = mapping.views.get(build.__name__)
        if found is None:
            found = mapping.views[build.__name__] = build(mapping)
        return list(found)

    view.__doc__ = build.__doc__
    return view


@_built_once
def table_views(mapping: Mapping) -> list[TableView]:
    views = [mapped_view(t) for t in mapping.tables()]
    schema = mapping.schema
    for table in schema.tables:
        indexes = list(table.indexes)
        for module_index in schema.module_indexes:
            if table.variable is not None and module_index.owner == table.variable:
                indexes.append(module_index.index)
        views.append(
            TableView(
                table.name,
                table.columns,
                indexes,
                table.foreign_keys,
                None,
                table=table,
                args_opaque=table.call.has_star,
            )
        )
    return views


@_built_once
def schema_columns(mapping: Mapping) -> list[ColumnDef]:
    """Every column definition of the file that reaches a table, each once.

    Only the file's own: a mixin's columns are reported where the mixin is written.
    """
    seen: set[int] = set()
    result: list[ColumnDef] = []

    def add(columns: list[ColumnDef]) -> None:
        for column in columns:
            if id(column) not in seen and mapping.is_own(column):
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


@_built_once
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
