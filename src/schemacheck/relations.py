"""The schema as one whole: tables by name, classes by name, and the links between them.

Foreign keys name tables (``"users.id"``), relationships name classes (``"User"``); both may be
defined in any module. This index answers, once per run, which table or class a name means,
which foreign keys join two tables, and which way a relationship runs, for every rule that
pairs things across classes and files. Where the answer is not certain (two classes of one name,
a computed table name, a base class from outside the project) it answers "unknown", and rules
say nothing rather than guess.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from schemacheck.context import FileContext
from schemacheck.diagnostics import Related
from schemacheck.mapping import Mapping, Role, TableView, table_views
from schemacheck.project import Project, ProjectFile
from schemacheck.schema import ClassDef, ColumnDef, FileSchema, ForeignKeyRef, RelationshipDef


class Direction(enum.Enum):
    MANY_TO_ONE = "many-to-one"  # this side's table holds the foreign key
    ONE_TO_MANY = "one-to-many"  # the other side's table holds it
    MANY_TO_MANY = "many-to-many"  # through a ``secondary`` table


@dataclass
class SchemaTable:
    view: TableView
    schema: FileSchema  # where the table is defined
    path: str  # as reported

    @property
    def name(self) -> str | None:
        return self.view.name


@dataclass
class Link:
    """Foreign-key columns of one table that reference another table."""

    columns: list[ColumnDef | None]  # the local columns, None where only a name is known
    names: list[str | None]
    fk: ForeignKeyRef
    table: SchemaTable


@dataclass
class SchemaIndex:
    tables: dict[str, list[SchemaTable]] = field(default_factory=dict)
    # No mapped table has a computed name, and no class may be a table named by a base
    # class from outside the project.
    all_names_known: bool = True
    classes: dict[str, list[tuple[ClassDef, FileSchema, str]]] = field(default_factory=dict)
    secondaries: set[str] = field(default_factory=set)  # ``secondary=`` table names/variables
    mappings: dict[int, Mapping] = field(default_factory=dict)  # by id of the FileSchema
    by_class: dict[int, SchemaTable] = field(default_factory=dict)  # a mapped class's table

    # ---- lookups ----------------------------------------------------------------------------

    def table(self, name: str) -> SchemaTable | None:
        """The one table of that name (``schema.table`` also matches ``table``)."""
        found = self.tables.get(name) or self.tables.get(name.rpartition(".")[2]) or []
        return found[0] if len(found) == 1 else None

    def has_table(self, name: str) -> bool:
        return bool(self.tables.get(name) or self.tables.get(name.rpartition(".")[2]))

    def target(self, reference: str) -> tuple[SchemaTable, ColumnDef] | None:
        """The table and column a ``"table.column"`` foreign-key target names."""
        table_name, _, column_name = reference.rpartition(".")
        table = self.table(table_name)
        if table is None:
            return None
        column = table.view.column(column_name)
        return (table, column) if column is not None else None

    def class_named(self, name: str, near: FileSchema | None = None) -> ClassDef | None:
        found = self.classes.get(name, [])
        if near is not None:
            own = [entry for entry in found if entry[1] is near]
            if len(own) == 1:
                return own[0][0]
        return found[0][0] if len(found) == 1 else None

    def location_of(self, cls: ClassDef) -> tuple[FileSchema, str] | None:
        for entry in self.classes.get(cls.name, []):
            if entry[0] is cls:
                return entry[1], entry[2]
        return None

    def mapping_of(self, cls: ClassDef) -> Mapping | None:
        location = self.location_of(cls)
        return self.mappings.get(id(location[0])) if location else None

    def table_of(self, cls: ClassDef) -> SchemaTable | None:
        """The table a mapped class's rows live in (its parent's for single-table subclasses)."""
        mapping = self.mapping_of(cls)
        if mapping is None:
            return None
        role = mapping.role(cls)
        owner: ClassDef | None = cls
        if role is Role.SINGLE_TABLE:
            owner = next((a for a in mapping.ancestors(cls) if mapping.role(a) is Role.TABLE), None)
        elif role is not Role.TABLE:
            return None
        return self.by_class.get(id(owner)) if owner is not None else None

    def relationships(self, cls: ClassDef) -> list[RelationshipDef]:
        """The class's relationships, its mixins' and bases' included (nearest first)."""
        mapping = self.mapping_of(cls)
        found = list(cls.relationships)
        if mapping is not None:
            for ancestor in mapping.ancestors(cls):
                found.extend(ancestor.relationships)
        return found

    def complete(self, cls: ClassDef) -> bool:
        mapping = self.mapping_of(cls)
        return mapping is not None and mapping.complete(cls)

    def links(self, source: SchemaTable, target_name: str) -> list[Link]:
        """Foreign keys of ``source`` that reference table ``target_name``."""
        found: list[Link] = []
        wanted = {target_name, target_name.rpartition(".")[2]}
        for column in [*source.view.columns]:
            for fk in column.foreign_keys:
                if any(t and t.rpartition(".")[0] in wanted for t in fk.targets):
                    found.append(Link([column], [column.name], fk, source))
        for fk in source.view.foreign_keys:
            if any(t and t.rpartition(".")[0] in wanted for t in fk.targets):
                columns = [source.view.column(n) if n else None for n in fk.columns]
                found.append(Link(columns, list(fk.columns), fk, source))
        return found

    def direction(self, relationship: RelationshipDef, owner: ClassDef) -> Direction | None:
        """Which table holds the foreign key of a relationship, when the schema says."""
        if relationship.secondary is not None:
            return Direction.MANY_TO_MANY
        target_cls = self.target_class(relationship, owner)
        if target_cls is None:
            return None
        mine, theirs = self.table_of(owner), self.table_of(target_cls)
        if mine is None or theirs is None or mine.name is None or theirs.name is None:
            return None
        forward = self.followed(self.links(mine, theirs.name), relationship)
        backward = self.followed(self.links(theirs, mine.name), relationship)
        if mine is theirs:
            if relationship.collection is None:
                return None
            return Direction.ONE_TO_MANY if relationship.collection else Direction.MANY_TO_ONE
        if forward and not backward:
            return Direction.MANY_TO_ONE
        if backward and not forward:
            return Direction.ONE_TO_MANY
        return None

    def followed(self, links: list[Link], relationship: RelationshipDef) -> list[Link]:
        """The links a relationship can follow: those its ``foreign_keys=`` names, if any."""
        if not relationship.foreign_keys:
            return links
        wanted = set(relationship.foreign_keys)
        return [link for link in links if wanted & {n for n in link.names if n}]

    def target_class(self, relationship: RelationshipDef, owner: ClassDef) -> ClassDef | None:
        if relationship.target is None:
            return None
        location = self.location_of(owner)
        return self.class_named(relationship.target, location[0] if location else None)

    def related(self, cls: ClassDef, relationship: RelationshipDef, message: str) -> Related:
        location = self.location_of(cls)
        path = location[1] if location else ""
        return Related(path, relationship.report_span, message)


def schema_index(ctx: FileContext) -> SchemaIndex:
    """The index of the run's project (built once), or of this file alone."""
    project = ctx.project
    key = "schema-index"
    cache = project.cache if project is not None else ctx.derived
    if key not in cache:
        files = (
            _project_files(project)
            if project is not None
            else [(ctx.schema, ctx.display_path, ctx.mapping)]
        )
        cache[key] = _build(files)
    index: SchemaIndex = cache[key]
    return index


def _project_files(project: Project) -> list[tuple[FileSchema, str, Mapping]]:
    files: list[ProjectFile] = [f for f in project.files if f.schema.migration is None]
    return [(f.schema, f.path, Mapping.for_project(project, f.schema)) for f in files]


def _build(files: list[tuple[FileSchema, str, Mapping]]) -> SchemaIndex:
    index = SchemaIndex()
    for schema, path, mapping in files:
        index.mappings[id(schema)] = mapping
        for cls in schema.classes:
            if not cls.nested:
                index.classes.setdefault(cls.name, []).append((cls, schema, path))
            for relationship in cls.relationships:
                if relationship.secondary is not None:
                    index.secondaries.add(relationship.secondary)
    inherited: set[int] = set()  # the classes that mapped tables inherit from
    for schema, path, mapping in files:
        for view in table_views(mapping):
            table = SchemaTable(view, schema, path)
            if view.cls is not None:
                index.by_class[id(view.cls)] = table
                inherited.update(id(c) for c in mapping.ancestors(view.cls))
            if view.name is None:
                index.all_names_known = False
                continue
            index.tables.setdefault(view.name, []).append(table)
    for schema, _, mapping in files:
        if any(_name_unread(cls, mapping, inherited) for cls in schema.classes):
            index.all_names_known = False
    return index


def _name_unread(cls: ClassDef, mapping: Mapping, inherited: set[int]) -> bool:
    """Whether a class may be a mapped table whose name cannot be read: its ``__tablename__``
    is computed, or it reads as a mixin (columns, no name of its own, no table of the project
    inheriting from it) but has a base class from outside the project, which may make it a
    table and name it (``class Company(Model)``, a library's ``Model`` naming every subclass's
    table)."""
    role = mapping.role(cls)
    if cls.tablename_computed:
        return role in (Role.TABLE, Role.MIXIN, Role.BASE)
    return (
        role is Role.MIXIN
        and not cls.abstract
        and cls.tablename is None
        and id(cls) not in inherited
        and not mapping.complete(cls)
    )
