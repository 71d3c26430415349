"""What a name in a module refers to, read from the module's own imports.

``sa.Column``, ``sqlalchemy.schema.Column``, ``from sqlalchemy import Column as C`` and
``db.Column`` (a Flask-SQLAlchemy handle) all become ``sqlalchemy.Column``, so that no rule compares
raw spellings. A name defined in the module itself (``def Column(...)``) is the module's own and
resolves to nothing. The reverse direction, :meth:`Names.spell`, tells a fix how to write a
construct in this file's own words, or that an import has to be added.
"""

from __future__ import annotations

import contextlib
import functools
import re
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from schemacheck.pickling import EMPTY, by_fields
from schemacheck.schema import NO_NAMES

if TYPE_CHECKING:
    import libcst as cst
else:
    from schemacheck.lazy import libcst as cst


# Sub-modules dropped when canonicalising, so that every public path of a construct is one name.
_SQLALCHEMY_SUBMODULES = frozenset(
    {
        "orm",
        "sql",
        "schema",
        "types",
        "sqltypes",
        "type_api",
        "elements",
        "dialects",
        "postgresql",
        "mysql",
        "sqlite",
        "mssql",
        "oracle",
        "ext",
        "declarative",
        "asyncio",
        "engine",
        "decl_api",
        "_orm_constructors",
        "properties",
        "base",
        "relationships",
        "json",
        "expression",
        "functions",
        "ddl",
    }
)
_SQLMODEL_OWN = frozenset({"Field", "Relationship", "SQLModel"})

# Where a canonical SQLAlchemy name is imported from when a fix must add an import.
ORM_NAMES = frozenset(
    {
        "Mapped",
        "mapped_column",
        "relationship",
        "DeclarativeBase",
        "declared_attr",
        "declarative_base",
        "registry",
        "backref",
        "column_property",
        "DeclarativeBaseNoMeta",
        "MappedAsDataclass",
    }
)


# ``db.Model`` of a Flask-SQLAlchemy handle: the declarative base. Not ``flask_sqlalchemy.Model``,
# the plain class users subclass to pass as ``SQLAlchemy(model_class=...)``.
DB_MODEL = "flask_sqlalchemy.SQLAlchemy().Model"


@functools.lru_cache(maxsize=8192)
def canonical(full: str) -> str:
    """The one name of a construct reachable under several module paths."""
    if full == DB_MODEL:
        return full  # a handle's ``Model``, told apart from ``flask_sqlalchemy.Model`` itself
    parts = full.split(".")
    if parts[0] == "sqlalchemy":
        rest = parts[1:]
        while len(rest) > 1 and rest[0] in _SQLALCHEMY_SUBMODULES:
            rest = rest[1:]
        return ".".join(["sqlalchemy", *rest]) if rest else "sqlalchemy"
    if parts[0] == "sqlmodel" and len(parts) >= 2:
        last = parts[-1]
        return f"sqlmodel.{last}" if last in _SQLMODEL_OWN else f"sqlalchemy.{last}"
    if parts[0] == "flask_sqlalchemy" and len(parts) >= 2:
        return f"flask_sqlalchemy.{parts[-1]}"
    return full


def evaluated(node: cst.SimpleString | cst.Integer | cst.Float) -> Any:
    """``node.evaluated_value``, read directly where the literal is plain.

    libcst evaluates literals with ``ast.literal_eval``, which compiles the text, and whose
    nested functions refer to each other: every call leaves a cycle that only the garbage
    collector frees, and a run keeps the collector paused. Escapes, prefixes, triple quotes and
    the rarer number forms still go through it.
    """
    value = node.value
    kind = type(node)
    if kind is cst.SimpleString:
        if value[0] in "\"'" and value[1:2] != value[0] and "\\" not in value:
            return value[1:-1]  # one line, no prefix, no escape
    elif kind is cst.Integer:
        with contextlib.suppress(ValueError):
            return int(value, 0)  # refuses only "00"-style zeros, left to the library
    elif kind is cst.Float and "_" not in value:
        return float(value)
    return node.evaluated_value


def dotted_name(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    # Exact types: checks against libcst's abstract-base classes cost several times as much.
    kind = type(node)
    found: Any = node
    if kind is cst.Name:
        name: str = found.value
        return name
    if kind is cst.Attribute:
        head = dotted_name(found.value)
        return None if head is None else f"{head}.{found.attr.value}"
    return None


def first_from_imports(module: cst.Module) -> dict[str, cst.ImportFrom]:
    """The first top-level ``from M import a, b`` (absolute, not ``*``) of each module M: the
    line a fix adds another name from M to."""
    found: dict[str, cst.ImportFrom] = {}
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if (
                isinstance(small, cst.ImportFrom)
                and not small.relative
                and small.module is not None
                and not isinstance(small.names, cst.ImportStar)
            ):
                found.setdefault(dotted_name(small.module) or "", small)
    return found


# ``db.Column(`` / ``db.mapped_column(``, and ``class User(db.Model)``. The patterns start with
# a literal, so that the scan skips ahead; the name before the dot is read back from there.
_COLUMN_CALL = re.compile(r"\.(?:Column|mapped_column)\s*\(")
_CLASS_BASES = re.compile(r"class\s+\w+\s*\(([^)]*)")
_MODEL_ATTRIBUTE = re.compile(r"\.Model\b")


def receivers(text: str, attribute: re.Pattern[str]) -> set[str]:
    """The plain names (``db``, not ``app.db``) right before each match of ``attribute``."""
    found: set[str] = set()
    for match in attribute.finditer(text):
        end = start = match.start()
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
            start -= 1
        if start < end and (start == 0 or text[start - 1] != "."):
            found.add(text[start:end])
    return found


def _module_name(node: cst.Attribute | cst.Name) -> str:
    return dotted_name(node) or ""


@by_fields
@dataclass(slots=True)
class Names:
    """The import bindings of one module."""

    bindings: dict[str, str] = field(default_factory=dict)  # local name -> dotted target
    # Names the module defines itself: a dict's keys, which cost a third of a set's memory for
    # the five to ten names most modules define.
    local: dict[str, None] = field(default_factory=dict)
    # Flask-SQLAlchemy ``db`` objects. Frozen: most modules have none, and share the empty set.
    handles: frozenset[str] = NO_NAMES
    star_modules: list[str] = field(default_factory=list)
    # The module's own subclasses of Flask-SQLAlchemy's ``SQLAlchemy``: calling one makes a
    # handle too (``class SQLAlchemy(_BaseSQLAlchemy): ...`` then ``db = SQLAlchemy()``).
    handle_classes: set[str] | None = None

    def fingerprint(self) -> str:
        """The same text for equal bindings, whatever the order sets iterate in."""
        return repr(
            (
                sorted(self.bindings.items()),
                sorted(self.local),
                sorted(self.handles),
                self.star_modules,
            )
        )

    @classmethod
    def from_module(cls, module: cst.Module, text: str) -> Names:
        names = cls()
        names._scan(module.body)
        # A name imported from the application (``from app import db``) is a Flask-SQLAlchemy
        # handle when the file builds columns with it: ``db.Column(`` has no other meaning.
        # ``class User(db.Model)`` says the same in a file that imports SQLAlchemy at all.
        uses_sqlalchemy = any(
            canonical(t).startswith(("sqlalchemy", "sqlmodel", "flask_sqlalchemy"))
            for t in names.bindings.values()
        )
        builds: set[str] | None = None  # names that ``X.Column(`` is called on, read once
        for local, target in list(names.bindings.items()):
            if canonical(target).startswith(("sqlalchemy", "sqlmodel", "flask_sqlalchemy")):
                continue
            if builds is None:
                builds = receivers(text, _COLUMN_CALL)
                if uses_sqlalchemy:
                    for bases in _CLASS_BASES.findall(text):
                        builds |= receivers(bases, _MODEL_ATTRIBUTE)
            if local in builds:
                names.handles |= {local}
        if not names.star_modules:
            names.star_modules = EMPTY
        return names

    def _scan(self, body: object) -> None:
        if not isinstance(body, (list, tuple)):
            return
        for statement in body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    self._small(small)
            elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
                makes_handles = isinstance(statement, cst.ClassDef) and any(
                    self._makes_handles(base.value) for base in statement.bases
                )  # read before the name is bound: ``class SQLAlchemy(SQLAlchemy)``
                self._define(statement.name.value)
                if makes_handles:
                    if self.handle_classes is None:
                        self.handle_classes = set()
                    self.handle_classes.add(statement.name.value)
            elif isinstance(statement, cst.If):
                self._scan(statement.body.body)
                orelse = statement.orelse
                while orelse is not None:
                    self._scan(orelse.body.body)
                    orelse = orelse.orelse if isinstance(orelse, cst.If) else None
            elif isinstance(statement, (cst.Try, cst.TryStar)):
                # ``try: import x / except ImportError: fallback``: what the try binds is what
                # runs wherever the import works, so it is read last and wins.
                fallbacks = [h for h in statement.handlers if _catches_import_error(h)]
                for handler in fallbacks:
                    self._scan(handler.body.body)
                self._scan(statement.body.body)
                for handler in statement.handlers:
                    if handler not in fallbacks:
                        self._scan(handler.body.body)
                if statement.orelse is not None:
                    self._scan(statement.orelse.body.body)
            elif isinstance(statement, cst.With):
                self._scan(statement.body.body)

    def _makes_handles(self, node: cst.BaseExpression) -> bool:
        """Whether calling ``node`` makes a Flask-SQLAlchemy handle."""
        classes = self.handle_classes
        if classes is not None and isinstance(node, cst.Name) and node.value in classes:
            return True
        return self.resolve(node) == "flask_sqlalchemy.SQLAlchemy"

    def _define(self, name: str) -> None:
        self.local[sys.intern(name)] = None
        self.bindings.pop(name, None)
        if name in self.handles:
            self.handles -= {name}

    def _small(self, small: cst.BaseSmallStatement) -> None:
        if isinstance(small, cst.Import):
            for alias in small.names:
                full = _module_name(alias.name)
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    self._bind(alias.asname.name.value, full)
                else:
                    head = full.split(".")[0]
                    self._bind(head, head)
        elif isinstance(small, cst.ImportFrom):
            if small.relative or small.module is None:
                module = "." * len(small.relative) + (
                    _module_name(small.module) if small.module else ""
                )
            else:
                module = _module_name(small.module)
            if isinstance(small.names, cst.ImportStar):
                self.star_modules.append(module)
                return
            for alias in small.names:
                name = _module_name(alias.name)
                local = name
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    local = alias.asname.name.value
                self._bind(local, f"{module}.{name}")
        elif isinstance(small, (cst.Assign, cst.AnnAssign)):
            targets = (
                [t.target for t in small.targets]
                if isinstance(small, cst.Assign)
                else [small.target]
            )
            value = small.value
            for target in targets:
                if not isinstance(target, cst.Name):
                    continue
                if isinstance(value, cst.Call) and self._makes_handles(value.func):
                    self._define(target.value)
                    self.handles |= {target.value}
                elif isinstance(value, (cst.Name, cst.Attribute)) and (
                    aliased := self.resolve(value)
                ):
                    # ``Column = db.Column``: the module's own short name for a construct.
                    self._define(target.value)
                    self.bindings[sys.intern(target.value)] = sys.intern(aliased)
                    self.local.pop(target.value, None)
                else:
                    self._define(target.value)

    def _bind(self, local: str, target: str) -> None:
        # Interned: every module of a project binds the same few names to the same targets.
        self.bindings[sys.intern(local)] = sys.intern(target)
        self.local.pop(local, None)
        if local in self.handles:
            self.handles -= {local}

    def resolve(self, node: cst.BaseExpression) -> str | None:
        """The canonical dotted name of an expression, or None when it is not imported."""
        dotted = dotted_name(node)
        if dotted is None:
            return None
        return self.resolve_dotted(dotted)

    def resolve_dotted(self, dotted: str) -> str | None:
        resolved = self._resolve_dotted(dotted)
        return None if resolved is None else sys.intern(resolved)

    def _resolve_dotted(self, dotted: str) -> str | None:
        head, _, rest = dotted.partition(".")
        if head in self.handles:
            if not rest:
                return "flask_sqlalchemy.SQLAlchemy()"
            first = rest.split(".")[0]
            if first == "Model":
                return DB_MODEL
            return canonical(f"sqlalchemy.{rest}")
        target = self.bindings.get(head)
        if target is None:
            if head in self.local:
                return None
            for module in reversed(self.star_modules):
                if module.split(".")[0] in ("sqlalchemy", "sqlmodel"):
                    return canonical(f"{module}.{dotted}")
            return None
        return canonical(f"{target}.{rest}" if rest else target)

    def is_handle(self, name: str) -> bool:
        return name in self.handles

    def spell(self, full: str) -> str | None:
        """How this module can write ``full`` (a canonical name) without a new import."""
        module, _, attr = full.rpartition(".")
        best: str | None = None
        for local, target in self.bindings.items():
            if canonical(target) == full and (best is None or len(local) < len(best)):
                best = local
        if best is not None:
            return best
        if module == "sqlalchemy":
            # ``db.String`` and ``db.relationship`` are idiomatic Flask-SQLAlchemy; ``db.Mapped``
            # is not.
            if attr not in ORM_NAMES or attr in ("relationship", "backref"):
                for handle in sorted(self.handles):
                    return f"{handle}.{attr}"
            home = "sqlalchemy.orm" if attr in ORM_NAMES else "sqlalchemy"
            for local, target in sorted(self.bindings.items()):
                if target == home:
                    return f"{local}.{attr}"
        else:
            for local, target in sorted(self.bindings.items()):
                if target == module:
                    return f"{local}.{attr}"
        return None

    def is_bound(self, name: str) -> bool:
        return name in self.bindings or name in self.local or name in self.handles


def _catches_import_error(handler: cst.ExceptHandler | cst.ExceptStarHandler) -> bool:
    caught = handler.type
    names = caught.elements if isinstance(caught, cst.Tuple) else [caught] if caught else []
    for element in names:
        node = element.value if isinstance(element, cst.Element) else element
        if isinstance(node, cst.Name) and node.value in ("ImportError", "ModuleNotFoundError"):
            return True
    return False
