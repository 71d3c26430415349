"""One libcst pass from a module to its :class:`~schemacheck.schema.FileSchema`.

Every model style ends up in the same few shapes: classes with columns (2.0 ``mapped_column``,
legacy ``Column``, Flask-SQLAlchemy ``db.Column``, SQLModel ``Field`` and bare annotations),
imperative ``Table()`` objects, and the indexes and constraints around them. Rules never look at
syntax; whatever a rule needs to know about the source is decided here, once.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from schemacheck.diagnostics import Span
from schemacheck.extract.migrations import MigrationExtractor
from schemacheck.extract.names import Names, dotted_name, evaluated, first_from_imports
from schemacheck.extract.queries import read_calls
from schemacheck.extract.relationships import RELATIONSHIP_CALLS, read_relationship
from schemacheck.parsing import parse_expression
from schemacheck.positions import node_offsets, offsets_and_calls
from schemacheck.prefilter import may_be_migration
from schemacheck.schema import (
    _NO_LITERAL,
    STRING_TYPES,
    Annotation,
    BaseRef,
    Call,
    ClassDef,
    ColumnDef,
    ColumnKind,
    DeclarativeCall,
    Expr,
    FileSchema,
    ForeignKeyRef,
    IndexDef,
    IndexKind,
    Insertion,
    Keywords,
    MetadataSite,
    ModuleIndex,
    NodeRef,
    SqlType,
    TableArgs,
    TableDef,
    call_places,
    settle,
)
from schemacheck.source import LineIndex, unpack_range

if TYPE_CHECKING:
    from typing import TypeAlias

    import libcst as cst

    from schemacheck.source import NodeRanges

    # Every node's range (fixes reuse it, never recompute) and every call, as one pass found them.
    Measured: TypeAlias = tuple[NodeRanges, list[cst.Call]]
else:
    from schemacheck.lazy import libcst as cst

_COLUMN_CALLS: dict[str, ColumnKind] = {
    "sqlalchemy.Column": "Column",
    "sqlalchemy.mapped_column": "mapped_column",
    "sqlmodel.Field": "Field",
}
# Positional arguments of Column()/mapped_column() that are not the column's type.
_SCHEMA_ITEMS = frozenset(
    {
        "ForeignKey",
        "Sequence",
        "Identity",
        "Computed",
        "CheckConstraint",
        "FetchedValue",
        "DefaultClause",
        "UniqueConstraint",
        "Index",
        "DDL",
    }
)
_INDEX_KINDS: dict[str, IndexKind] = {
    "sqlalchemy.Index": "Index",
    "sqlalchemy.UniqueConstraint": "UniqueConstraint",
    "sqlalchemy.PrimaryKeyConstraint": "PrimaryKeyConstraint",
}
_DECLARATIVE_FACTORIES = frozenset({"sqlalchemy.declarative_base", "sqlalchemy.registry"})
_DECLARED_ATTR = frozenset({"sqlalchemy.declared_attr"})
_FLAGS = frozenset({"primary_key", "index", "unique"})  # column flags read from a literal
_COLLECTIONS = frozenset(
    {
        "list",
        "List",
        "set",
        "Set",
        "dict",
        "Dict",
        "tuple",
        "Tuple",
        "Sequence",
        "Collection",
        "Iterable",
        "FrozenSet",
        "frozenset",
        "DynamicMapped",
        "WriteOnlyMapped",
    }
)


class ModelExtractor:
    def __init__(
        self,
        module: cst.Module,
        text: str,
        path: str,
        lines: LineIndex,
        names: Names | None = None,
        measured: Measured | None = None,
    ) -> None:
        self.module = module
        self.text = text
        self.lines = lines
        self.names = names or Names.from_module(module, text)
        self.offsets, self.calls = measured or offsets_and_calls(module)
        self.refs: list[ColumnDef] = []  # those holding a node (see ``runner.release``)
        self._spans: dict[tuple[int, int], Span] = {}
        self.schema = FileSchema(path=path)
        self._metadata_vars: dict[str, bool] = {}
        self._function_depth = 0  # inside a function: tables there are built at run time
        self._imperative: set[str] = set()  # classes given to ``map_imperatively()``
        self.newline = module.default_newline
        self._length = len(text)

    # ---- positions and small values -------------------------------------------------------

    def offsets_of(self, node: cst.CSTNode) -> tuple[int, int]:
        packed = self.offsets.get(id(node))
        if packed is None:  # a kind of node the pass leaves out (see ``positions``)
            packed = self.offsets[id(node)] = node_offsets(self.module, [node])[id(node)]
        start, end = unpack_range(packed)
        return start, end if end < self._length else self._length

    def span(self, node: cst.CSTNode) -> Span:
        # One object per range: a model names most ranges several times (a column's statement,
        # its report span, its call), and shared spans are built, kept and cached once.
        key = self.offsets_of(node)
        span = self._spans.get(key)
        if span is None:
            span = self._spans[key] = self.lines.span(*key)
        return span

    def code(self, node: cst.CSTNode) -> str:
        # Interned: models repeat the same few texts (``Integer``, ``nullable=False``'s
        # ``False``) thousands of times; one object each is less memory and smaller pickles.
        start, end = self.offsets_of(node)
        return sys.intern(self.text[start:end])

    def expr(self, node: cst.BaseExpression) -> Expr:
        call = self.call(node) if type(node) is cst.Call else None
        qualname = call.qualname if call is not None else self.names.resolve(node)
        return Expr(
            span=self.span(node),
            source=self.code(node),
            qualname=qualname,
            held=call if call is not None else _literal(node),
        )

    def call(self, node: cst.Call) -> Call:
        args: list[Expr] = []
        kwargs: dict[str, Expr] = {}
        has_star = False
        for arg in node.args:
            if arg.star:
                has_star = True
            elif arg.keyword is not None:
                kwargs[sys.intern(arg.keyword.value)] = self.expr(arg.value)
            else:
                args.append(self.expr(arg.value))
        return Call(
            qualname=self.names.resolve(node.func),
            span=self.span(node),
            args=tuple(args),
            kwargs=Keywords.of(kwargs),
            has_star=has_star,
            places=call_places(self._append_insertion(node), self._prepend_insertion(node)),
        )

    def _append_insertion(self, node: cst.Call) -> Insertion:
        _, call_end = self.offsets_of(node)
        if not node.args:
            return Insertion(call_end - 1, "", "")
        return self._after_argument(node, node.args[-1])

    def _whitespace_before(self, offset: int) -> str:
        """The blank run (newline and indentation included) right before ``offset``."""
        start = offset
        while start > 0 and self.text[start - 1] in " \t\r\n":
            start -= 1
        return self.text[start:offset]

    def _prepend_insertion(self, node: cst.Call) -> Insertion:
        if not node.args:
            _, call_end = self.offsets_of(node)
            return Insertion(call_end - 1, "", "")
        first_start, _ = self.offsets_of(node.args[0])
        return Insertion(first_start, "", ", ")

    # ---- module walk -----------------------------------------------------------------------

    def extract(self) -> FileSchema:
        schema = self.schema
        schema.future_annotations = any(
            isinstance(small, cst.ImportFrom)
            and small.module is not None
            and dotted_name(small.module) == "__future__"
            and not isinstance(small.names, cst.ImportStar)
            and any(dotted_name(a.name) == "annotations" for a in small.names)
            for statement in self.module.body
            if isinstance(statement, cst.SimpleStatementLine)
            for small in statement.body
        )
        schema.uses_optional = "Optional[" in self.text
        schema.uses_pipe_none = "| None" in self.text
        schema.import_insertion = self._import_insertion()
        schema.from_imports = self._from_imports()
        schema.newline = sys.intern(self.module.default_newline)
        schema.indent = sys.intern(self.module.default_indent)
        self._walk(self.module.body, nested=False)
        for cls in schema.classes:
            cls.mapped_imperatively = not cls.nested and cls.name in self._imperative
        schema.calls = read_calls(self)
        schema.bindings = self.names.bindings  # neither changes once read
        schema.handles = self.names.handles
        if may_be_migration(self.text):
            schema.migration = MigrationExtractor(self).extract(self.module)
        settle(schema)  # nothing adds to it from here
        return schema

    def _import_insertion(self) -> int:
        offset = 0
        for index, statement in enumerate(self.module.body):
            if not isinstance(statement, cst.SimpleStatementLine):
                break
            smalls = statement.body
            is_import = all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in smalls)
            is_docstring = (
                index == 0
                and len(smalls) == 1
                and isinstance(smalls[0], cst.Expr)
                and isinstance(smalls[0].value, (cst.SimpleString, cst.ConcatenatedString))
            )
            if not (is_import or is_docstring):
                break
            _, offset = self.offsets_of(statement)
        return offset

    def _from_imports(self) -> dict[str, tuple[int, int]]:
        found = first_from_imports(self.module)
        return {home: self.offsets_of(node) for home, node in found.items()}

    def _walk(self, body: Sequence[cst.CSTNode], *, nested: bool) -> None:
        for statement in body:
            if isinstance(statement, cst.ClassDef):
                self._class(statement, nested=nested)
            elif isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    self._module_small(small)
            elif isinstance(statement, cst.FunctionDef):
                self._function_depth += 1
                self._walk(_block(statement.body), nested=True)
                self._function_depth -= 1
            elif isinstance(
                statement, (cst.If, cst.Try, cst.TryStar, cst.With, cst.For, cst.While)
            ):
                for block in _blocks(statement):
                    self._walk(block, nested=nested)

    def _module_small(self, small: cst.BaseSmallStatement) -> None:
        value: cst.BaseExpression | None = None
        target_name: str | None = None
        if isinstance(small, cst.Assign):
            value = small.value
            first = small.targets[0].target
            target_name = first.value if isinstance(first, cst.Name) else None
        elif isinstance(small, cst.AnnAssign):
            value = small.value
            target_name = small.target.value if isinstance(small.target, cst.Name) else None
        elif isinstance(small, cst.Expr):
            value = small.value
        if not isinstance(value, cst.Call):
            return
        qualname = self.names.resolve(value.func)
        if _maps_imperatively(value, qualname):
            mapped = value.args[0].value if value.args else None
            if isinstance(mapped, cst.Name):
                self._imperative.add(mapped.value)
        if self._function_depth and qualname in ("sqlalchemy.MetaData", "sqlalchemy.Table"):
            return  # a run-time helper (reflection, a data migration), not the schema
        self._metadata_site(value, qualname, target_name)
        if qualname == "sqlalchemy.Table":
            if (
                _keyword_value(value, "autoload_with") is None
                and _keyword_value(value, "autoload") is None
            ):
                self.schema.tables.append(self._table(value, target_name))
        elif qualname in _INDEX_KINDS:
            index = self._index(value, _INDEX_KINDS[qualname])
            owner = _index_owner(value)
            if index is not None and owner is not None:
                self.schema.module_indexes.append(ModuleIndex(owner=owner, index=index))
        elif target_name is not None and _is_declarative_factory(value, self.names):
            self.schema.declarative_bases |= {target_name}
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                factory = "declarative_base" if qualname else "generate_base"
                self.schema.declarative_calls.append(
                    DeclarativeCall(target_name, self.span(small), self.call(value), factory)
                )

    # ---- metadata --------------------------------------------------------------------------

    _METADATA_OWNERS = {  # noqa: RUF012 - a constant table
        "sqlalchemy.declarative_base": "declarative_base()",
        "flask_sqlalchemy.SQLAlchemy": "SQLAlchemy()",
    }

    def _metadata_site(self, node: cst.Call, qualname: str | None, target: str | None) -> None:
        """Record MetaData() calls and the bases that create a MetaData of their own."""
        if qualname == "sqlalchemy.MetaData":
            has = _keyword_value(node, "naming_convention") is not None or any(
                a.star for a in node.args
            )
            self.schema.metadata_sites.append(MetadataSite("MetaData()", self.span(node), has))
            if target is not None:
                self._metadata_vars[target] = has
        elif qualname in self._METADATA_OWNERS:
            given = _keyword_value(node, "metadata")
            convention = self._convention_of(given)
            model_class = _keyword_value(node, "model_class")
            if given is None and model_class is not None and not self._plain_class(model_class):
                convention = None  # the metadata of a declarative base, judged where it is made
            self.schema.metadata_sites.append(
                MetadataSite(self._METADATA_OWNERS[qualname], self.span(node), convention)
            )

    def _convention_of(self, given: cst.BaseExpression | None) -> bool | None:
        if given is None:
            return False  # a MetaData() of its own, without a convention
        if isinstance(given, cst.Call) and self.names.resolve(given.func) == "sqlalchemy.MetaData":
            return None  # reported at that MetaData() call
        if isinstance(given, cst.Name) and given.value in self._metadata_vars:
            return None  # reported where it was created
        return None  # built elsewhere: not this file's to judge

    def _plain_class(self, node: cst.BaseExpression) -> bool:
        """Whether ``SQLAlchemy(model_class=node)`` makes a MetaData of its own: Flask-SQLAlchemy
        does for a plain class (a custom ``Model``), and takes the metadata of a declarative base
        (a ``DeclarativeBase`` subclass, a ``declarative_base()``). Only a class this module
        defines before the call, from plain bases, is known to be plain."""
        return isinstance(node, cst.Name) and self._plain(node.value, set())

    def _plain(self, name: str, seen: set[str]) -> bool:
        if name in seen or name in self.schema.declarative_bases:
            return False
        seen.add(name)
        cls = next((c for c in reversed(self.schema.classes) if c.name == name), None)
        if cls is None or cls.nested:
            return False
        return all(
            base.source == "object"
            or base.qualname == "flask_sqlalchemy.Model"
            or (base.qualname is None and base.local is not None and self._plain(base.local, seen))
            for base in cls.bases
        )

    # ---- classes ---------------------------------------------------------------------------

    def _class(self, node: cst.ClassDef, *, nested: bool) -> None:
        bases = []
        for arg in node.bases:
            source = self.code(arg.value)
            local = sys.intern(arg.value.value) if isinstance(arg.value, cst.Name) else None
            bases.append(
                BaseRef(source=source, qualname=self.names.resolve(arg.value), local=local)
            )
        sqlmodel_table = any(
            kw.keyword is not None
            and kw.keyword.value == "table"
            and isinstance(kw.value, cst.Name)
            and kw.value.value == "True"
            for kw in node.keywords
        )
        body = _block(node.body)
        decorators = {  # ``@registry.mapped`` and ``@registry.mapped_as_dataclass``
            d.decorator.attr.value
            for d in node.decorators
            if isinstance(d.decorator, cst.Attribute)
        }
        cls = ClassDef(
            name=node.name.value,
            span=self.span(node.name),
            statement_span=self.span(node),
            bases=bases,
            body_end=self._body_end(node),
            body_indent=sys.intern(self._body_indent(node)),
            sqlmodel_table=sqlmodel_table,
            nested=nested,
            decorated_mapped=bool(decorators & {"mapped", "mapped_as_dataclass"}),
            decorated_dataclass="mapped_as_dataclass" in decorators,
        )
        declares_metadata = False
        for statement in body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    self._class_small(cls, small, statement)
                    declares_metadata = declares_metadata or _assigns(small, "metadata")
            elif isinstance(statement, cst.FunctionDef):
                self._class_function(cls, statement)
            elif isinstance(statement, cst.ClassDef):
                self._class(statement, nested=True)
        if not declares_metadata and any(b.qualname == "sqlalchemy.DeclarativeBase" for b in bases):
            self.schema.metadata_sites.append(MetadataSite("DeclarativeBase", cls.span, False))
        self.schema.classes.append(cls)

    def _body_end(self, node: cst.ClassDef) -> Insertion:
        body = _block(node.body)
        _, end = self.offsets_of(body[-1]) if body else self.offsets_of(node)
        before = "" if end > 0 and self.text[end - 1] in "\r\n" else self.newline
        return Insertion(end, before, self.newline)

    def _body_indent(self, node: cst.ClassDef) -> str:
        body = _block(node.body)
        if not body or not isinstance(node.body, cst.IndentedBlock):
            return "    "
        start, _ = self.offsets_of(body[0])
        line = self.lines.line_text(self.lines.position(start)[0])
        # The statement line's range starts at its leading lines: find its first code line.
        first = body[0]
        if isinstance(first, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            skip = len(first.leading_lines)
            line = self.lines.line_text(self.lines.position(start)[0] + skip)
        return line[: len(line) - len(line.lstrip())] or "    "

    def _class_small(
        self, cls: ClassDef, small: cst.BaseSmallStatement, line: cst.SimpleStatementLine
    ) -> None:
        if isinstance(small, cst.Assign):
            if len(small.targets) != 1 or not isinstance(small.targets[0].target, cst.Name):
                return
            name = small.targets[0].target.value
            self._class_assignment(cls, name, None, small.value, small)
        elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
            self._class_assignment(
                cls, small.target.value, small.annotation.annotation, small.value, small
            )

    def _class_assignment(
        self,
        cls: ClassDef,
        name: str,
        annotation: cst.BaseExpression | None,
        value: cst.BaseExpression | None,
        statement: cst.BaseSmallStatement,
    ) -> None:
        if name == "metadata" and isinstance(value, cst.Call):
            self._metadata_site(value, self.names.resolve(value.func), None)
            return
        if name == "__tablename__":
            literal = _literal(value) if value is not None else _NO_LITERAL
            if isinstance(literal, str) and value is not None:
                cls.tablename = literal
                cls.tablename_span = self.span(value)
            else:
                cls.tablename_computed = True
            return
        if name == "__abstract__":
            cls.abstract = value is not None and _literal(value) is True
            return
        if name == "__table__":
            if value is None:
                return  # ``__table__: ClassVar[Table]`` tells type checkers what mapping sets
            cls.has_table = True
            if isinstance(value, cst.Call) and self.names.resolve(value.func) == "sqlalchemy.Table":
                self.schema.tables.append(self._table(value, None, owner=cls.name))
            return
        if name == "__table_args__":
            cls.table_args = self._table_args(value)
            return
        if name == "__mapper_args__":
            cls.mapper_args_opaque = not isinstance(value, cst.Dict) or any(
                isinstance(e, cst.DictElement) and _literal(e.key) == "primary_key"
                for e in value.elements
            )
            return
        if name == "type_annotation_map":
            cls.type_map = True
            cls.str_type_mapped = self._maps_str_to_sized(value)
            return
        if name.startswith("__"):
            return
        if isinstance(value, cst.Call) and self.names.resolve(value.func) in RELATIONSHIP_CALLS:
            cls.relationships.append(
                read_relationship(self, name, annotation, value, statement, cls.name)
            )
            return
        column = self._column(name, annotation, value, statement, owner=cls.name)
        if column is not None:
            cls.columns.append(column)
        elif isinstance(value, cst.Call) and _may_make_column(
            self.names.resolve(value.func), dotted_name(value.func)
        ):
            cls.opaque_attributes.append(name)

    def _class_function(self, cls: ClassDef, node: cst.FunctionDef) -> None:
        if not any(
            self.names.resolve(_decorator_target(d.decorator)) in _DECLARED_ATTR
            or dotted_name(_decorator_target(d.decorator)) in ("declared_attr",)
            for d in node.decorators
        ):
            return
        name = node.name.value
        returned = _returned_value(node)
        if name == "__tablename__":
            cls.tablename_computed = True
        elif name == "__table_args__":
            cls.table_args = self._table_args(returned)
        elif returned is not None and isinstance(returned, cst.Call):
            annotation = node.returns.annotation if node.returns is not None else None
            if self.names.resolve(returned.func) in RELATIONSHIP_CALLS:
                cls.relationships.append(
                    read_relationship(self, name, annotation, returned, node, cls.name)
                )
                return
            column = self._column(name, annotation, returned, node, owner=cls.name)
            if column is not None:
                column.declared_attr = True
                cls.columns.append(column)

    def _maps_str_to_sized(self, value: cst.BaseExpression | None) -> bool:
        if not isinstance(value, cst.Dict):
            return False
        for element in value.elements:
            if (
                isinstance(element, cst.DictElement)
                and isinstance(element.key, cst.Name)
                and element.key.value == "str"
            ):
                sql_type = self._sql_type(element.value)
                if sql_type is None:
                    return True
                return sql_type.name not in STRING_TYPES or sql_type.has_length
        return False

    # ---- columns ---------------------------------------------------------------------------

    def _column(
        self,
        attr: str | None,
        annotation_node: cst.BaseExpression | None,
        value: cst.BaseExpression | None,
        statement: cst.CSTNode,
        *,
        owner: str | None,
    ) -> ColumnDef | None:
        annotation = self._annotation(annotation_node) if annotation_node is not None else None
        call: Call | None = None
        kind: ColumnKind
        if isinstance(value, cst.Call):
            qualname = self.names.resolve(value.func)
            if qualname not in _COLUMN_CALLS:
                if annotation is None or annotation.mapped or _is_construct(qualname):
                    return None
                # A SQLModel field with a plain default value: ``count: int = 0``.
                kind = "annotation"
            else:
                kind = _COLUMN_CALLS[qualname]
                call = self.call(value)
        elif annotation is not None and not annotation.collection:
            if annotation.source.startswith("ClassVar") or annotation.inner_qualname in (
                "typing.ClassVar",
            ):
                return None
            kind = "annotation"
        else:
            return None
        if annotation is not None and annotation.collection and call is None:
            return None  # ``Mapped[list["Child"]]`` without a column call: a relationship
        attr = None if attr is None else sys.intern(attr)
        column = ColumnDef(
            kind=kind,
            attr=attr,
            name=attr,
            span=self.span(statement),
            report_span=self.span(value)
            if call is not None and value is not None
            else (self.span(statement)),
            call=call,
            annotation=annotation,
            sql_type=None,
            foreign_keys=(),
            owner=owner,
            statement=NodeRef(statement),
        )
        self.refs.append(column)
        if call is not None and isinstance(value, cst.Call):
            self._read_column_call(column, call, value)
        return column

    def _read_column_call(self, column: ColumnDef, call: Call, node: cst.Call) -> None:
        if call.has_star:
            column.dynamic = True
        if column.kind == "Field":
            self._read_field(column, call, node)
        else:
            self._read_sqlalchemy_call(column, call, node)

    def _read_sqlalchemy_call(self, column: ColumnDef, call: Call, node: cst.Call) -> None:
        """``Column(...)`` / ``mapped_column(...)``: name, type, foreign keys and flags."""
        positional = [arg for arg in node.args if arg.keyword is None and not arg.star]
        for index, arg in enumerate(positional):
            literal = _literal(arg.value)
            if index == 0 and isinstance(literal, str):
                column.name = literal
                continue
            if isinstance(arg.value, cst.Call):
                callee = self.names.resolve(arg.value.func) or ""
                short = callee.rpartition(".")[2]
                if callee == "sqlalchemy.ForeignKey":
                    column.foreign_keys += (self._foreign_key(arg.value, column),)
                    continue
                if callee.startswith("sqlalchemy.") and short in _SCHEMA_ITEMS:
                    continue
            if column.sql_type is None:
                column.sql_type = self._sql_type(arg.value)
        type_kw = call.kwargs.get("type_")
        if type_kw is not None:
            type_node = _keyword_value(node, "type_")
            if type_node is not None:
                column.sql_type = self._sql_type(type_node)
        name_kw = call.kwargs.get("name")
        if name_kw is not None and isinstance(name_kw.literal, str):
            column.name = name_kw.literal
        self._read_flags(column, call)

    def _read_flags(self, column: ColumnDef, call: Call) -> None:
        for name, value in call.kwargs.pairs():  # one or two, against four lookups
            if name in _FLAGS:
                if value.has_literal:
                    setattr(column, name, bool(value.literal))
                else:
                    column.dynamic = True
            elif name == "nullable":
                if value.has_literal and isinstance(value.literal, bool):
                    column.nullable = value.literal
                else:
                    column.dynamic = True

    def _read_field(self, column: ColumnDef, call: Call, node: cst.Call) -> None:
        sa_column = _keyword_value(node, "sa_column")
        if isinstance(sa_column, cst.Call) and self.names.resolve(sa_column.func) == (
            "sqlalchemy.Column"
        ):
            column.sa_column = self.call(sa_column)
            self._read_sqlalchemy_call(column, column.sa_column, sa_column)
            return
        self._read_flags(column, call)
        sa_type = _keyword_value(node, "sa_type")
        if sa_type is not None:
            column.sql_type = self._sql_type(sa_type)
        target = call.kwargs.get("foreign_key")
        if target is not None:
            literal = target.literal if isinstance(target.literal, str) else None
            column.foreign_keys += (
                _foreign_key_ref("Field", call, [literal], [column.name], target.span),
            )

    def _annotation(self, node: cst.BaseExpression) -> Annotation:
        source = self.code(node)
        mapped = False
        inner = node
        if isinstance(inner, cst.SimpleString):
            parsed = _parse_string_annotation(inner)
            if parsed is None:
                return Annotation(source, source, None, False, False, False)
            inner = parsed
        if isinstance(inner, cst.Subscript):
            outer = self.names.resolve(inner.value) or dotted_name(inner.value) or ""
            short = outer.rpartition(".")[2]
            if short in ("Mapped", "DynamicMapped", "WriteOnlyMapped") and (
                outer.startswith("sqlalchemy") or outer == short
            ):
                mapped = short == "Mapped"
                if short != "Mapped":
                    return Annotation(source, source, None, False, True, True)
                element = _single_subscript(inner)
                if element is None:
                    return Annotation(source, source, None, False, mapped, False)
                inner = element
                if isinstance(inner, cst.SimpleString):
                    parsed = _parse_string_annotation(inner)
                    if parsed is None:
                        return Annotation(source, source, None, False, mapped, False)
                    inner = parsed
        optional, inner = _strip_optional(inner, self.names)
        collection = False
        if isinstance(inner, cst.Subscript):
            head = dotted_name(inner.value) or ""
            collection = head.rpartition(".")[2] in _COLLECTIONS
        elif isinstance(inner, cst.Name) and inner.value in ("list", "set", "dict"):
            collection = True
        inner_source = sys.intern(cst.Module(body=[]).code_for_node(inner))
        inner_qualname = (
            self.names.resolve(inner) or dotted_name(inner)
            if isinstance(inner, (cst.Name, cst.Attribute))
            else None
        )
        if inner_qualname is not None:
            inner_qualname = sys.intern(inner_qualname)
        return Annotation(source, inner_source, inner_qualname, optional, mapped, collection)

    def _sql_type(self, node: cst.BaseExpression) -> SqlType | None:
        expr = self.expr(node)
        qualname = expr.qualname
        name = sys.intern(qualname.rpartition(".")[2]) if qualname else None
        return SqlType(expr=expr, name=name)

    def _foreign_key(self, node: cst.Call, column: ColumnDef | None) -> ForeignKeyRef:
        call = self.call(node)
        target = call.args[0] if call.args else call.kwargs.get("column")
        literal = target.literal if target is not None and isinstance(target.literal, str) else None
        columns = [column.name if column is not None else None]
        reference = _foreign_key_ref("ForeignKey", call, [literal], columns, call.span)
        reference.target_source = target.source if target is not None else None
        return reference

    def _foreign_key_constraint(self, node: cst.Call) -> ForeignKeyRef:
        call = self.call(node)
        has_columns = bool(call.args) or "columns" in call.kwargs
        has_targets = len(call.args) > 1 or "refcolumns" in call.kwargs
        return _foreign_key_ref(
            "ForeignKeyConstraint",
            call,
            _string_list(node, 1, "refcolumns", raw=True) if has_targets else [],
            _string_list(node, 0, "columns") if has_columns else [],
            call.span,
        )

    # ---- tables, indexes, constraints -------------------------------------------------------

    def _table(self, node: cst.Call, variable: str | None, owner: str | None = None) -> TableDef:
        call = self.call(node)
        name = call.args[0].literal if call.args and isinstance(call.args[0].literal, str) else None
        columns: list[ColumnDef] = []
        args = TableArgs()
        first_keyword: cst.Arg | None = None
        for arg in node.args:
            if arg.keyword is not None or arg.star:
                if first_keyword is None and arg.keyword is not None:
                    first_keyword = arg
                continue
            value = arg.value
            if not isinstance(value, cst.Call):
                continue
            qualname = self.names.resolve(value.func)
            if qualname == "sqlalchemy.Column":
                column = self._column(None, None, value, value, owner=variable or owner)
                if column is not None:
                    column.attr = None
                    columns.append(column)
            else:
                self._table_item(value, args)
        if first_keyword is not None:
            start, _ = self.offsets_of(first_keyword)
            insertion = Insertion(start, "", ", ")
            if columns:
                # Keep the layout of the column list: insert after the last column argument.
                last_column = [a for a in node.args if a.keyword is None and not a.star][-1]
                insertion = self._after_argument(node, last_column)
        else:
            insertion = call.append
        return TableDef(
            name=name,
            variable=variable,
            span=call.span,
            call=call,
            columns=columns,
            indexes=args.indexes,
            foreign_keys=args.foreign_keys,
            column_insertion=insertion,
        )

    def _after_argument(self, node: cst.Call, arg: cst.Arg) -> Insertion:
        """Where an argument goes after ``arg``, laid out like the arguments before it."""
        comma = arg.comma
        arg_start, arg_end = self.offsets_of(arg)
        if isinstance(comma, cst.Comma):
            comma_start, _ = self.offsets_of(comma)
            after = comma_start + len(self.module.code_for_node(comma.whitespace_before)) + 1
            separator = self._whitespace_before(arg_start)
            if "\n" not in separator and "\r" not in separator:
                separator = " "
            return Insertion(after, separator, ",")
        return Insertion(arg_end, ", ", "")

    def _table_item(self, node: cst.Call, args: TableArgs) -> None:
        qualname = self.names.resolve(node.func)
        if qualname in _INDEX_KINDS:
            index = self._index(node, _INDEX_KINDS[qualname])
            if index is not None:
                args.indexes.append(index)
        elif qualname == "sqlalchemy.ForeignKeyConstraint":
            args.foreign_keys.append(self._foreign_key_constraint(node))

    def _table_args(self, value: cst.BaseExpression | None) -> TableArgs:
        args = TableArgs()
        if isinstance(value, (cst.Tuple, cst.List)):
            for element in value.elements:
                item = element.value
                if isinstance(item, cst.Call):
                    self._table_item(item, args)
                elif not isinstance(item, cst.Dict):
                    args.opaque = True
        elif not isinstance(value, cst.Dict):
            args.opaque = True
        return args

    def _index(self, node: cst.Call, kind: IndexKind) -> IndexDef | None:
        columns: list[str | None] = []
        positional = [a for a in node.args if a.keyword is None and not a.star]
        name: str | None = None
        if kind == "Index" and positional:
            literal = _literal(positional[0].value)
            name = literal if isinstance(literal, str) else None
            positional = positional[1:]
        for arg in positional:
            columns.append(_column_reference(arg.value))
        if kind != "Index":
            name_kw = _keyword_value(node, "name")
            literal = _literal(name_kw) if name_kw is not None else None
            name = literal if isinstance(literal, str) else None
        unique_node = _keyword_value(node, "unique")
        unique = kind != "Index" or (unique_node is not None and _literal(unique_node) is True)
        return IndexDef(
            kind=kind,
            columns=columns,
            span=self.span(node),
            name=name,
            unique=unique,
            special=_special_index(node),
        )


# ---- small syntax helpers ------------------------------------------------------------------


def _maps_imperatively(node: cst.Call, qualname: str | None) -> bool:
    """``registry.map_imperatively(cls, table)``, or the legacy ``mapper(cls, table)``."""
    func = node.func
    if isinstance(func, cst.Attribute) and func.attr.value == "map_imperatively":
        return True
    return qualname == "sqlalchemy.mapper"


def _special_index(node: cst.Call) -> bool:
    """Whether an index's dialect options make it other than a plain B-tree over its columns."""
    for arg in node.args:
        if arg.star == "**":
            return True
        keyword = arg.keyword.value if arg.keyword is not None else ""
        if keyword.endswith(("_where", "_ops", "_length")):
            return True
        if keyword.endswith("_using"):
            method = _literal(arg.value)
            if not (isinstance(method, str) and method.lower() == "btree"):
                return True
    return False


def _foreign_key_ref(
    kind: Literal["ForeignKey", "ForeignKeyConstraint", "Field"],
    call: Call,
    targets: list[str | None],
    columns: list[str | None],
    span: Span,
) -> ForeignKeyRef:
    ondelete = call.kwargs.get("ondelete")
    return ForeignKeyRef(
        kind=kind,
        targets=targets,
        columns=columns,
        call=call,
        span=span,
        # ``**kwargs`` may carry it: do not claim it is missing.
        has_ondelete=ondelete is not None or call.has_star,
        ondelete=ondelete.literal
        if ondelete is not None and isinstance(ondelete.literal, str)
        else None,
    )


def _parse_string_annotation(node: cst.SimpleString) -> cst.BaseExpression | None:
    """``"Optional[str]"``: parsed the way SQLAlchemy evaluates string annotations."""
    value = evaluated(node)
    if not isinstance(value, str):
        return None
    try:
        return parse_expression(value)
    except cst.ParserSyntaxError:
        return None


def _assigns(small: cst.BaseSmallStatement, name: str) -> bool:
    if isinstance(small, cst.Assign):
        return any(isinstance(t.target, cst.Name) and t.target.value == name for t in small.targets)
    return (
        isinstance(small, cst.AnnAssign)
        and isinstance(small.target, cst.Name)
        and (small.target.value == name)
    )


_PLAIN_CALLS = frozenset(
    {"property", "staticmethod", "classmethod", "frozenset", "set", "dict", "list", "tuple"}
)


def _may_make_column(qualname: str | None, written: str | None) -> bool:
    """A call whose result is unknown: it may build a column (``reference_col("users")``)."""
    if qualname is None:
        return written not in _PLAIN_CALLS
    if qualname.startswith(("sqlalchemy.", "sqlmodel.", "flask_sqlalchemy.")):
        return False
    return qualname.split(".")[0] not in ("builtins", "typing", "dataclasses", "enum")


def _is_construct(qualname: str | None) -> bool:
    """A SQLAlchemy/SQLModel call that is not a column (``Relationship()``, ``relationship()``)."""
    return qualname is not None and qualname.startswith(("sqlalchemy.", "sqlmodel."))


_NAMED_CONSTANTS = {"True": True, "False": False, "None": None}


def _literal(node: cst.BaseExpression | None) -> Any:
    # Exact types, not ``isinstance``: libcst's node classes derive from abstract bases, whose
    # checks cost several times as much, and this runs for every expression a model holds.
    kind = type(node)
    found: Any = node
    if kind is cst.SimpleString:
        try:
            value = evaluated(found)
        except Exception:
            return _NO_LITERAL
        return sys.intern(value) if type(value) is str else value
    if kind is cst.Name:
        return _NAMED_CONSTANTS.get(found.value, _NO_LITERAL)
    if kind is cst.Integer or kind is cst.Float:
        return evaluated(found)
    if kind is cst.ConcatenatedString:
        value = found.evaluated_value
        return value if isinstance(value, str) else _NO_LITERAL
    return _NO_LITERAL


def _block(body: cst.BaseSuite) -> Sequence[cst.BaseStatement]:
    if isinstance(body, cst.IndentedBlock):
        return body.body
    return []


def _blocks(statement: cst.BaseCompoundStatement) -> list[Sequence[cst.BaseStatement]]:
    blocks: list[Sequence[cst.BaseStatement]] = [_block(statement.body)]
    if isinstance(statement, (cst.Try, cst.TryStar)):
        blocks.extend(_block(handler.body) for handler in statement.handlers)
        if statement.orelse is not None:
            blocks.append(_block(statement.orelse.body))
        if statement.finalbody is not None:
            blocks.append(_block(statement.finalbody.body))
    elif isinstance(statement, (cst.If, cst.For, cst.While)):
        orelse = statement.orelse
        while orelse is not None:
            blocks.append(_block(orelse.body))
            orelse = orelse.orelse if isinstance(orelse, cst.If) else None
    return blocks


def _keyword_value(node: cst.Call, keyword: str) -> cst.BaseExpression | None:
    for arg in node.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    return None


def _string_list(
    node: cst.Call, position: int, keyword: str, *, raw: bool = False
) -> list[str | None]:
    positional = [a for a in node.args if a.keyword is None and not a.star]
    value = (
        positional[position].value if len(positional) > position else _keyword_value(node, keyword)
    )
    if isinstance(value, (cst.List, cst.Tuple)):
        if raw:
            return [
                v if isinstance(v := _literal(element.value), str) else None
                for element in value.elements
            ]
        return [_column_reference(element.value) for element in value.elements]
    return [None]


def _column_reference(node: cst.BaseExpression) -> str | None:
    """``"email"``, ``email``, ``User.email``, ``users.c.email``: the column's name."""
    literal = _literal(node)
    if isinstance(literal, str):
        return literal.rpartition(".")[2] if "." in literal else literal
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Subscript) and isinstance(node.value, cst.Attribute):
        element = _single_subscript(node)
        inner = _literal(element) if element is not None else None
        return inner if isinstance(inner, str) else None
    return None


def _index_owner(node: cst.Call) -> str | None:
    """The class or Table variable named by a module-level Index's column expressions."""
    for arg in node.args:
        value = arg.value
        if isinstance(value, cst.Attribute):
            head = value.value
            # users.c.email / User.__table__.c.email
            while isinstance(head, cst.Attribute) and head.attr.value in ("c", "__table__"):
                head = head.value
            if isinstance(head, cst.Name):
                return head.value
    return None


def _single_subscript(node: cst.Subscript) -> cst.BaseExpression | None:
    if len(node.slice) != 1:
        return None
    element = node.slice[0].slice
    return element.value if isinstance(element, cst.Index) else None


def _strip_optional(node: cst.BaseExpression, names: Names) -> tuple[bool, cst.BaseExpression]:
    if isinstance(node, cst.Subscript):
        head = names.resolve(node.value) or dotted_name(node.value) or ""
        short = head.rpartition(".")[2]
        if short == "Optional":
            element = _single_subscript(node)
            if element is not None:
                return True, element
        if short == "Union" and len(node.slice) == 2:
            elements = [s.slice for s in node.slice]
            values = [e.value for e in elements if isinstance(e, cst.Index)]
            rest = [v for v in values if not (isinstance(v, cst.Name) and v.value == "None")]
            if len(values) == 2 and len(rest) == 1:
                return True, rest[0]
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        left, right = node.left, node.right
        if isinstance(right, cst.Name) and right.value == "None":
            return True, left
        if isinstance(left, cst.Name) and left.value == "None":
            return True, right
    return False, node


def _decorator_target(node: cst.BaseExpression) -> cst.BaseExpression:
    """``declared_attr``, ``declared_attr.directive``, ``declared_attr()``: the decorator name."""
    if isinstance(node, cst.Call):
        node = node.func
    if isinstance(node, cst.Attribute) and node.attr.value in ("directive", "cascading"):
        return node.value
    return node


def _returned_value(node: cst.FunctionDef) -> cst.BaseExpression | None:
    for statement in _block(node.body):
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Return):
                    return small.value
    return None


def _is_declarative_factory(node: cst.Call, names: Names) -> bool:
    qualname = names.resolve(node.func)
    if qualname == "sqlalchemy.declarative_base":
        return True
    # registry().generate_base()
    func = node.func
    return (
        isinstance(func, cst.Attribute)
        and func.attr.value == "generate_base"
        and isinstance(func.value, cst.Call)
        and names.resolve(func.value.func) in _DECLARATIVE_FACTORIES
    )


class Extraction(NamedTuple):
    schema: FileSchema
    names: Names
    measured: Measured
    refs: list[ColumnDef]  # the columns holding nodes of the tree


def extract_models(
    module: cst.Module,
    text: str,
    path: str,
    lines: LineIndex,
    names: Names | None = None,
    measured: Measured | None = None,
) -> Extraction:
    """The file's model, and the import bindings fixes spell names with.

    ``names`` replaces the module's own import reading when the project knows more (a name
    imported from another module of the project that is an alias of a SQLAlchemy construct).
    """
    extractor = ModelExtractor(module, text, path, lines, names, measured)
    schema = extractor.extract()
    return Extraction(schema, extractor.names, (extractor.offsets, extractor.calls), extractor.refs)
