"""The project view: every checked file's model together, for what one file cannot answer.

Real projects spread one schema over many modules: ``Base`` in ``db.py``, mixins in
``models/base.py``, one model per module, foreign keys naming tables defined elsewhere. The
project indexes each file's model by its dotted module name and follows imports between them, so
that a class's bases, a relationship's target and a foreign key's table are found wherever they
are defined.

Files passed explicitly may be only part of the project (pre-commit passes the changed files), so
the project also holds context files, read for their facts but never reported on: the other model
files of the enclosing package, and the other files of each migration ``versions/`` directory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

from schemacheck.extract.names import DB_MODEL, canonical
from schemacheck.files import package_chain
from schemacheck.files import resolved as resolved_path
from schemacheck.schema import ClassDef, FileSchema, Migration, TableDef

_LIBRARIES = ("sqlalchemy", "sqlmodel", "flask_sqlalchemy")
_MAX_HOPS = 8  # re-exports followed before giving up (import cycles end here too)


@dataclass
class ProjectFile:
    path: str  # as reported
    schema: FileSchema
    reported: bool  # False for context files
    module: str | None = None  # dotted module name, when the file is importable
    package: bool = False  # an ``__init__.py``: relative imports start at the module itself


@dataclass(frozen=True)
class Declarative:
    """A declarative base created by a call (``Base = declarative_base()``)."""

    file: ProjectFile


@dataclass(frozen=True)
class LibraryName:
    """A module-level alias of a library construct (``Column = db.Column``)."""

    qualname: str


@dataclass(frozen=True)
class Handle:
    """A Flask-SQLAlchemy ``db = SQLAlchemy()`` object."""


Resolved = Union[ClassDef, TableDef, Declarative, LibraryName, Handle]


def module_name(path: Path, src: list[Path]) -> tuple[str | None, bool]:
    """The dotted name a file is imported by, and whether it is a package's ``__init__``.

    Packages are followed up through their ``__init__.py`` files; below a configured ``src``
    directory the path itself is the name, so namespace packages resolve too.
    """
    resolved = resolved_path(path)
    package = resolved.name == "__init__.py"
    roots = frozenset(resolved_path(root) for root in src)
    packages, directory = package_chain(resolved.parent, roots)
    parts = [*packages] if package else [*packages, resolved.stem]
    if directory not in roots:
        for root in roots:
            if root in resolved.parents:
                parts = list(resolved.relative_to(root).with_suffix("").parts)
                if package:
                    parts = parts[:-1]
                break
    if not parts or not all(part.isidentifier() for part in parts):
        return None, package
    return ".".join(parts), package


@dataclass
class Project:
    files: list[ProjectFile] = field(default_factory=list)
    _modules: dict[str, ProjectFile] = field(default_factory=dict, repr=False)
    _suffixes: dict[str, list[ProjectFile]] = field(default_factory=dict, repr=False)
    _owner: dict[int, ProjectFile] = field(default_factory=dict, repr=False)
    cache: dict[Any, Any] = field(default_factory=dict, repr=False)  # derived views, by key
    trace: set[str] | None = field(default=None, repr=False)  # files read while resolving

    def add(self, file: ProjectFile) -> None:
        self.files.append(file)
        self._index(file)

    def replace(self, old: FileSchema, new: FileSchema) -> None:
        """Swap in a file's newer model (after fixes) and reindex it."""
        for file in self.files:
            if file.schema is old:
                file.schema = new
                self._index(file)
                self.cache.clear()
                return

    def _index(self, file: ProjectFile) -> None:
        for cls in file.schema.classes:
            self._owner[id(cls)] = file
        for table in file.schema.tables:
            self._owner[id(table)] = file
        if file.module is None:
            return
        self._modules[file.module] = file
        parts = file.module.split(".")
        for start in range(1, len(parts)):
            self._suffixes.setdefault(".".join(parts[start:]), []).append(file)

    def migrations(self) -> Iterator[tuple[ProjectFile, Migration]]:
        for file in self.files:
            if file.schema.migration is not None:
                yield file, file.schema.migration

    def file_of(self, node: ClassDef | TableDef) -> ProjectFile | None:
        return self._owner.get(id(node))

    def classes(self) -> Iterator[tuple[ProjectFile, ClassDef]]:
        for file in self.files:
            for cls in file.schema.classes:
                if not cls.nested:
                    yield file, cls

    # ---- following imports ------------------------------------------------------------------

    def _module(self, name: str) -> ProjectFile | None:
        found = self._modules.get(name)
        if found is not None:
            return found
        candidates = self._suffixes.get(name, [])
        return candidates[0] if len(candidates) == 1 else None

    def absolute(self, file: ProjectFile, dotted: str) -> str:
        """``.base.Mixin`` as written in ``file``, made absolute."""
        if not dotted.startswith("."):
            return dotted
        level = len(dotted) - len(dotted.lstrip("."))
        rest = dotted[level:]
        if file.module is None:
            return rest
        parts = file.module.split(".")
        if not file.package:
            parts = parts[:-1]
        if level > 1:
            parts = parts[: len(parts) - (level - 1)]
        return ".".join([*parts, rest] if rest else parts)

    def resolve(self, file: ProjectFile, dotted: str) -> Resolved | None:
        """What a dotted name bound in ``file`` (an import target) refers to in the project."""
        return self.resolve_absolute(self.absolute(file, dotted))

    def resolve_absolute(self, dotted: str) -> Resolved | None:
        """What an absolute dotted name refers to in the project: the same from every file."""
        return self._resolve(dotted, 0, set())

    def _resolve(self, dotted: str, hops: int, seen: set[tuple[int, str]]) -> Resolved | None:
        if hops > _MAX_HOPS:
            return None
        if dotted == DB_MODEL:
            return LibraryName(DB_MODEL)
        if dotted.split(".")[0] in _LIBRARIES:
            return LibraryName(canonical(dotted))
        parts = dotted.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = self._module(".".join(parts[:cut]))
            if module is not None:
                return self._member(module, parts[cut:], hops, seen)
        return None

    def _member(
        self, file: ProjectFile, names: list[str], hops: int, seen: set[tuple[int, str]]
    ) -> Resolved | None:
        # What follows depends on nothing but the file and the names (and the hops left): a
        # lookup met again is a cycle, which would go round until the hops ran out and find
        # nothing. ``from app import models`` in ``app/__init__.py`` is one.
        state = (id(file), ".".join(names))
        if state in seen:
            return None
        seen.add(state)
        name, rest = names[0], names[1:]
        schema = file.schema
        if self.trace is not None:
            self.trace.add(file.path)
        if not rest:
            cls = schema.class_named(name)
            if cls is not None:
                return cls
            for table in schema.tables:
                if table.variable == name:
                    return table
            if name in schema.declarative_bases:
                return Declarative(file)
            if name in schema.handles:
                return Handle()
        elif name in schema.handles and name not in schema.bindings:
            return LibraryName(
                DB_MODEL if rest[0] == "Model" else canonical("sqlalchemy." + rest[0])
            )
        target = schema.bindings.get(name)
        if target is None:
            if file.package and file.module is not None:
                # ``import app.models`` then ``app.models.user.User``: a submodule.
                return self._resolve(".".join([file.module, *names]), hops + 1, seen)
            return None
        if name in schema.handles:
            if not rest:
                return Handle()
            return LibraryName(
                DB_MODEL if rest[0] == "Model" else canonical("sqlalchemy." + rest[0])
            )
        absolute = self.absolute(file, target)
        return self._resolve(".".join([absolute, *rest]), hops + 1, seen)
