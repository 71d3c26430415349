"""The semantic model one extraction pass builds from a file, and every rule reads.

Plain data with spans. The few libcst nodes a fix needs to regenerate code are held through
:class:`NodeRef`, which pickles to nothing: a cached or cross-process copy of a model has every
fact and span, only not the syntax tree.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, overload

from schemacheck.diagnostics import Span
from schemacheck.pickling import EMPTY, EMPTY_DICT, by_fields

if TYPE_CHECKING:
    import libcst as cst


class NodeRef:
    """A statement's CST node, held while the file's tree is; pickled, only whether there was one.

    Without the node (a model from the cache, or a tree let go), the statement is parsed again
    on its own where a fix needs it (:meth:`FileContext.statement`). Every column has one, so
    those without a node are one of two shared objects, :data:`BOUND` and :data:`UNBOUND`.
    """

    __slots__ = ("bound", "node")

    def __init__(self, node: cst.CSTNode | None = None, bound: bool | None = None) -> None:
        self.node = node
        self.bound = node is not None if bound is None else bound

    def __reduce__(self) -> str | tuple[Any, tuple[bool]]:
        if self is BOUND or self is UNBOUND:
            return "BOUND" if self.bound else "UNBOUND"
        return _shared_ref, (self.bound,)  # loaded as one of the two

    def __repr__(self) -> str:
        return "NodeRef()"


BOUND = NodeRef(None, True)  # the statement of a tree let go: parsed alone where needed
UNBOUND = NodeRef(None, False)  # no statement (a column of a migration's operation)


def _shared_ref(bound: bool) -> NodeRef:
    return BOUND if bound else UNBOUND


_PAIR_BITS = 24  # the low bits of an insertion: which (before, after) pair surrounds it
_PAIR_MASK = (1 << _PAIR_BITS) - 1
# The pairs of every insertion made in this process, the commonest first: a model holds two
# insertion points per call, and nearly all of them use one of these.
_PAIRS: list[tuple[str, str]] = [("", ""), ("", ", "), (", ", ""), (" ", ","), (" ", "")]
_COMMON_PAIRS = len(_PAIRS)
_PAIR_CODES: dict[tuple[str, str], int] = {pair: code for code, pair in enumerate(_PAIRS)}


class Insertion(int):
    """Where new text can be inserted, with what must surround it.

    One int, the offset above the number of its (before, after) pair in a table of the pairs
    this process has met (a few: separators and line breaks with indentation). Every call of a
    model has two; a tuple of three with its offset as an int of its own cost about four times
    as much, and was rebuilt by a call when unpickled. The common pairs pickle as the bare
    number; the others as their text, numbered again where they are loaded.
    """

    __slots__ = ()

    def __new__(cls, offset: int, before: str, after: str) -> Insertion:
        pair = (before, after)
        code = _PAIR_CODES.get(pair)
        if code is None:
            code = len(_PAIRS)
            if code > _PAIR_MASK:
                raise ValueError("too many kinds of insertion point")
            _PAIR_CODES[pair] = code
            _PAIRS.append(pair)
        return int.__new__(cls, offset << _PAIR_BITS | code)

    @property
    def offset(self) -> int:
        return self >> _PAIR_BITS

    @property
    def before(self) -> str:
        return _PAIRS[self & _PAIR_MASK][0]

    @property
    def after(self) -> str:
        return _PAIRS[self & _PAIR_MASK][1]

    def text(self, content: str) -> str:
        before, after = _PAIRS[self & _PAIR_MASK]
        return f"{before}{content}{after}"

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        if self & _PAIR_MASK < _COMMON_PAIRS:
            return int.__new__, (Insertion, int(self))
        return Insertion, (self.offset, self.before, self.after)

    def __repr__(self) -> str:
        return f"Insertion(offset={self.offset}, before={self.before!r}, after={self.after!r})"


class _NoLiteral:
    """The value of an expression that is not a literal; one object, also after unpickling."""

    def __reduce__(self) -> str:
        return "_NO_LITERAL"

    def __repr__(self) -> str:
        return "<no literal>"


_NO_LITERAL: Any = _NoLiteral()


@by_fields
@dataclass(slots=True)
class Expr:
    """An argument or value expression."""

    span: Span
    source: str
    qualname: str | None = None  # canonical name of a Name/Attribute, or of a call's callee
    # The value of a str/int/float/bool/None literal, or the :class:`Call` the expression is:
    # no call is a literal, and one slot for both keeps each of a project's hundreds of
    # thousands of expressions at 64 bytes instead of 80.
    held: Any = _NO_LITERAL

    @property
    def literal(self) -> Any:
        held = self.held
        return _NO_LITERAL if type(held) is Call else held

    @property
    def call(self) -> Call | None:
        held = self.held
        return held if type(held) is Call else None

    @property
    def has_literal(self) -> bool:
        held = self.held
        return held is not _NO_LITERAL and type(held) is not Call


_PLACE_BITS = 64  # the wide layout: an insertion point (offset below 2**40, pair) in 64 bits
_PLACE_MASK = (1 << _PLACE_BITS) - 1
_CODE_BITS = 4  # the narrow layout's pair numbers, each below 16
_CODE_MASK = (1 << _CODE_BITS) - 1
_WIDTH_BITS = 6  # the narrow layout's width of the prepend offset
_NARROW_HEAD = 1 + 2 * _CODE_BITS + _WIDTH_BITS  # the flag bit, both pair numbers, the width


def call_places(append: Insertion, prepend: Insertion) -> int:
    """A call's two insertion points as one plain int: two objects fewer for each of the
    hundreds of thousands of calls a project's models hold.

    Nearly always both pair numbers are below 16, and the two offsets, with the width of one,
    fit in 60 bits: two of CPython's 30-bit digits, 32 bytes, where the wide layout (lowest
    bit set) takes three, 48 bytes.
    """
    if prepend >> _PLACE_BITS or append < 0 or prepend < 0:
        raise ValueError(f"insertion points out of range: {append!r}, {prepend!r}")
    append_code, prepend_code = append & _PAIR_MASK, prepend & _PAIR_MASK
    if append_code > _CODE_MASK or prepend_code > _CODE_MASK:
        return (int(append) << _PLACE_BITS | prepend) << 1 | 1
    width = (prepend >> _PAIR_BITS).bit_length()
    offsets = (append >> _PAIR_BITS) << width | prepend >> _PAIR_BITS
    head = (width << _CODE_BITS | prepend_code) << _CODE_BITS | append_code
    return (offsets << _NARROW_HEAD - 1 | head) << 1


def _insertions(places: int) -> tuple[int, int]:
    """``call_places``'s two insertion points, ``(append, prepend)``, as plain ints."""
    if places & 1:
        return places >> (_PLACE_BITS + 1), places >> 1 & _PLACE_MASK
    append_code = places >> 1 & _CODE_MASK
    prepend_code = places >> (1 + _CODE_BITS) & _CODE_MASK
    width = places >> (1 + 2 * _CODE_BITS) & ((1 << _WIDTH_BITS) - 1)
    offsets = places >> _NARROW_HEAD
    return (
        (offsets >> width) << _PAIR_BITS | append_code,
        (offsets & ((1 << width) - 1)) << _PAIR_BITS | prepend_code,
    )


def _common_places(places: int) -> bool:
    """Whether both insertion points use a pair every process numbers the same."""
    return (
        not places & 1
        and places >> 1 & _CODE_MASK < _COMMON_PAIRS
        and places >> (1 + _CODE_BITS) & _CODE_MASK < _COMMON_PAIRS
    )


_KEY_SETS: dict[tuple[str, ...], tuple[str, ...]] = {}  # each set of keyword names, once


class Keywords(tuple[Any, ...], Mapping[str, "Expr"]):
    """A call's keyword arguments by name, as one tuple: the names (a tuple shared by every
    call that passes the same ones), then their values.

    Calls are most of a model, and most pass one or two keywords. A dict of those takes about
    240 bytes (the object and its table of eight slots); this takes 64. Lookups compare the
    few names in C.
    """

    __slots__ = ()

    @staticmethod
    def of(items: dict[str, Expr]) -> Keywords:
        return _loaded_keywords(tuple(items), *items.values()) if items else NO_KEYWORDS

    def __getitem__(self, name: str) -> Expr:  # type: ignore[override]
        names: tuple[str, ...] = _item(self, 0)
        if name in names:
            value: Expr = _item(self, names.index(name) + 1)
            return value
        raise KeyError(name)

    def get(self, name: str, default: Any = None) -> Any:
        names: tuple[str, ...] = _item(self, 0)
        if name in names:
            return _item(self, names.index(name) + 1)
        return default

    def pairs(self) -> Iterator[tuple[str, Expr]]:
        """``items()`` made in C: for reading every keyword a call passes at once."""
        return zip(_item(self, 0), _slice(self, 1, _size(self)))

    def __contains__(self, name: object) -> bool:
        return name in _item(self, 0)

    def __iter__(self) -> Iterator[str]:
        return iter(_item(self, 0))

    def __len__(self) -> int:
        return len(_item(self, 0))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Keywords):
            return tuple.__eq__(self, other)
        return isinstance(other, Mapping) and dict(self.items()) == dict(other.items())

    __hash__ = None  # type: ignore[assignment]  # a mapping, as a dict is

    def __repr__(self) -> str:
        return f"Keywords({dict(self.items())!r})"

    def __reduce__(self) -> str | tuple[Any, tuple[Any, ...]]:
        if self is NO_KEYWORDS:
            return "NO_KEYWORDS"
        return _loaded_keywords, _slice(self, 0, _size(self))


_item = tuple.__getitem__
_size = tuple.__len__


def _slice(items: tuple[Any, ...], start: int, stop: int) -> tuple[Any, ...]:
    return tuple.__getitem__(items, slice(start, stop))


def _loaded_keywords(names: tuple[str, ...], *values: Expr) -> Keywords:
    """Made or unpickled: the names are the tuple every call passing them shares."""
    names = _KEY_SETS.setdefault(names, names)
    return tuple.__new__(Keywords, (names, *values))


# Of the calls a model holds, two in five pass no keyword: they share this one.
NO_KEYWORDS: Keywords = tuple.__new__(Keywords, ((),))


@dataclass(slots=True)
class Call:
    qualname: str | None
    span: Span
    args: tuple[Expr, ...]
    kwargs: Keywords
    has_star: bool  # ``*args`` or ``**kwargs``: the call's full meaning is unknown
    places: int  # ``append`` and ``prepend`` in one int (see ``call_places``)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # By its fields, as the other model classes (``by_fields``); but the pair numbers in
        # ``places`` are this process's: unless both are common, the two points go as
        # insertion points, which pickle by their text, and are packed again where loaded.
        if type(self) is not Call:
            raise TypeError(f"{type(self).__name__} must say how it pickles")
        packed = self.places
        head = (self.qualname, self.span, self.args, self.kwargs, self.has_star)
        if _common_places(packed):
            return Call, (*head, packed)  # nearly every call: rebuilt as the others are
        return _loaded_call, (*head, (self.append, self.prepend))

    @property
    def append(self) -> Insertion:
        """Where a new keyword argument goes."""
        return int.__new__(Insertion, _insertions(self.places)[0])

    @property
    def prepend(self) -> Insertion:
        """Where a new first positional argument goes."""
        return int.__new__(Insertion, _insertions(self.places)[1])

    def kw_literal(self, name: str) -> Any:
        value = self.kwargs.get(name)
        return value.literal if value is not None and value.has_literal else None


def _loaded_call(
    qualname: str | None,
    span: Span,
    args: tuple[Expr, ...],
    kwargs: Keywords,
    has_star: bool,
    places: tuple[Insertion, Insertion],
) -> Call:
    return Call(qualname, span, args, kwargs, has_star, call_places(*places))


STRING_TYPES = frozenset(
    {"String", "VARCHAR", "Unicode", "NVARCHAR", "CHAR", "NCHAR", "AutoString"}
)


@by_fields
@dataclass(slots=True)
class SqlType:
    """The SQL type expression of a column (``String(50)``, ``sa.Text``, ``Enum(Color)``)."""

    expr: Expr
    name: str | None  # last component of the canonical SQLAlchemy name, e.g. "String"

    @property
    def call(self) -> Call | None:
        return self.expr.call

    @property
    def is_sqlalchemy(self) -> bool:
        qualname = self.expr.qualname
        return qualname is not None and qualname.startswith("sqlalchemy.")

    @property
    def has_length(self) -> bool:
        call = self.call
        if call is None:
            return False
        length = call.kwargs.get("length")
        if length is not None:
            return not (length.has_literal and length.literal is None)
        return bool(call.args) and not (call.args[0].has_literal and call.args[0].literal is None)


@by_fields
@dataclass(slots=True)
class ForeignKeyRef:
    """``ForeignKey(...)``, ``ForeignKeyConstraint(...)`` or SQLModel ``Field(foreign_key=)``."""

    kind: Literal["ForeignKey", "ForeignKeyConstraint", "Field"]
    targets: list[str | None]  # "table.column" per referenced column, None when not a literal
    columns: list[str | None]  # the local column names
    call: Call
    span: Span  # where a finding about it points
    has_ondelete: bool
    ondelete: str | None
    target_source: str | None = None  # ``User.id`` when the target is not a string


@by_fields
@dataclass(slots=True)
class Annotation:
    """A column's Python annotation: ``Mapped[Optional[str]]`` or SQLModel's ``Optional[str]``."""

    source: str
    inner: str  # the type inside Mapped[...] (or the whole annotation), Optional removed
    inner_qualname: str | None
    optional: bool
    mapped: bool
    collection: bool  # list[...] / Set[...]: a relationship, not a column


ColumnKind = Literal["Column", "mapped_column", "Field", "annotation"]


_NULLABLE_STATED = 32
_NULLABLE = 64


class _Flag:
    """One bit of :attr:`ColumnDef.flags`, read and written as a bool attribute."""

    __slots__ = ("bit",)

    def __init__(self, bit: int) -> None:
        self.bit = bit

    @overload
    def __get__(self, item: None, owner: type[Any]) -> _Flag: ...
    @overload
    def __get__(self, item: ColumnDef, owner: type[Any]) -> bool: ...
    def __get__(self, item: ColumnDef | None, owner: type[Any]) -> bool | _Flag:
        if item is None:
            return self
        return bool(item.flags & self.bit)

    def __set__(self, item: ColumnDef, value: bool) -> None:
        item.flags = item.flags | self.bit if value else item.flags & ~self.bit


@by_fields
@dataclass(slots=True)
class ColumnDef:
    kind: ColumnKind
    attr: str | None  # Python attribute name (None inside ``Table()``)
    name: str | None  # database column name
    span: Span  # the whole definition statement
    report_span: Span  # where findings about it point: the call, or the attribute
    call: Call | None
    annotation: Annotation | None
    sql_type: SqlType | None
    foreign_keys: tuple[ForeignKeyRef, ...]  # most columns have none: the empty tuple
    # The flags below in one int: six slots fewer make each of a project's columns 32 bytes
    # smaller (3 MB for 10,000 files).
    flags: int = 0
    owner: str | None = None  # class name, or the variable of a Table()
    sa_column: Call | None = None  # SQLModel ``Field(sa_column=Column(...))``
    statement: NodeRef = field(default=UNBOUND, repr=False, compare=False)

    primary_key = _Flag(1)
    index = _Flag(2)
    unique = _Flag(4)
    dynamic = _Flag(8)  # flags given as non-literals or through **kwargs
    declared_attr = _Flag(16)

    @property
    def nullable(self) -> bool | None:
        """The explicit literal ``nullable=``; None when not stated."""
        flags = self.flags
        return None if not flags & _NULLABLE_STATED else bool(flags & _NULLABLE)

    @nullable.setter
    def nullable(self, value: bool | None) -> None:
        flags = self.flags & ~(_NULLABLE_STATED | _NULLABLE)
        if value is not None:
            flags |= _NULLABLE_STATED | (_NULLABLE if value else 0)
        self.flags = flags

    @property
    def covered_by_own_index(self) -> bool:
        return self.index or self.unique


IndexKind = Literal["Index", "UniqueConstraint", "PrimaryKeyConstraint"]


@by_fields
@dataclass(slots=True)
class IndexDef:
    kind: IndexKind
    columns: list[str | None]  # None for an expression (func.lower(x), text(...))
    span: Span
    name: str | None = None
    unique: bool = False
    # Partial (``postgresql_where=``), another method than a B-tree (``postgresql_using="gin"``),
    # operator classes or prefix lengths, or options unknown (``**kwargs``): it does not serve
    # the lookups a plain index on the same columns serves, nor is it served by one.
    special: bool = False


@by_fields
@dataclass(slots=True)
class BaseRef:
    source: str
    qualname: str | None  # canonical name when imported
    local: str | None  # a class name when it may be a class of this file


@by_fields
@dataclass(slots=True)
class TableArgs:
    indexes: list[IndexDef] = field(default_factory=list)
    foreign_keys: list[ForeignKeyRef] = field(default_factory=list)
    opaque: bool = False  # built in a way not read statically


@by_fields
@dataclass(slots=True)
class RelationshipDef:
    """``relationship()`` / ``db.relationship()`` / SQLModel ``Relationship()`` on a class."""

    attr: str
    owner: str  # the class it is declared on
    call: Call
    span: Span  # the whole statement
    report_span: Span  # the call
    target: str | None  # the related class's name (last component), when readable
    collection: bool | None  # a list on this side; None when neither annotation nor uselist says
    back_populates: str | None = None
    backref: str | None = None  # the reverse attribute ``backref=`` creates
    backref_literal: bool = False  # ``backref="x"`` (not ``backref("x", ...)``)
    secondary: str | None = None  # table name or variable of ``secondary=`` / ``link_model=``
    cascade: str | None = None
    passive_deletes: bool = False
    lazy: Any = _NO_LITERAL  # the literal ``lazy=`` (also inside ``sa_relationship_kwargs``)
    has_lazy: bool = False
    viewonly: bool = False
    explicit_join: bool = False  # join conditions, ``foreign_keys=`` or ``remote_side=`` given
    foreign_keys: list[str] = field(default_factory=list)  # column names of ``foreign_keys=``
    sa_kwargs: Call | None = None  # SQLModel's ``sa_relationship_kwargs=dict(...)``/{...} holder


@by_fields
@dataclass(slots=True)
class ClassDef:
    name: str
    span: Span  # the class name
    statement_span: Span
    bases: list[BaseRef]
    body_end: Insertion  # where a new class-level statement goes
    body_indent: str
    tablename: str | None = None
    tablename_span: Span | None = None
    tablename_computed: bool = False  # declared_attr or non-literal
    has_table: bool = False  # ``__table__ = Table(...)``
    abstract: bool = False
    sqlmodel_table: bool = False
    columns: list[ColumnDef] = field(default_factory=list)
    relationships: list[RelationshipDef] = field(default_factory=list)
    table_args: TableArgs | None = None
    type_map: bool = False  # ``type_annotation_map``: annotation-derived types are the user's
    str_type_mapped: bool = False  # type_annotation_map maps ``str`` to a sized type
    decorated_mapped: bool = False  # ``@registry.mapped`` or ``@registry.mapped_as_dataclass``
    decorated_dataclass: bool = False  # ``@registry.mapped_as_dataclass``
    # Attributes made by calls not read (``author_id = reference_col("users")``): each may be
    # a column of that name.
    opaque_attributes: list[str] = field(default_factory=list)
    mapper_args_opaque: bool = False  # ``__mapper_args__`` we cannot read (or names a primary key)
    nested: bool = False  # defined inside a function or another class
    # ``registry.map_imperatively(cls, table)`` in the file: its columns are the table's, and
    # its ``Mapped[...]`` annotations only tell type checkers.
    mapped_imperatively: bool = False


@by_fields
@dataclass(slots=True)
class TableDef:
    """An imperative ``Table("name", metadata, Column(...), ...)``."""

    name: str | None
    variable: str | None
    span: Span  # the Table call
    call: Call
    columns: list[ColumnDef]
    indexes: list[IndexDef]
    foreign_keys: list[ForeignKeyRef]
    column_insertion: Insertion  # where a new Column(...) argument goes


@by_fields
@dataclass(slots=True)
class ModuleIndex:
    """``Index("ix", User.email)`` outside any class: attached to the class or table it names."""

    owner: str  # class name or Table variable
    index: IndexDef


@by_fields
@dataclass(slots=True)
class MetadataSite:
    """Where a ``MetaData`` comes into being: explicitly, or inside a declarative base."""

    kind: str  # "MetaData()", "declarative_base()", "SQLAlchemy()", "DeclarativeBase"
    span: Span
    naming_convention: bool | None  # None: decided elsewhere (a metadata object passed in)


@by_fields
@dataclass(slots=True)
class DeclarativeCall:
    """``Base = declarative_base(...)`` (or ``registry().generate_base()``)."""

    target: str
    statement_span: Span  # the assignment
    call: Call
    factory: str  # "declarative_base" or "generate_base"


class _NoNames(frozenset[str]):
    """The empty set of names; one object, also after unpickling (an empty ``frozenset`` is
    made anew by each load, 216 bytes for each of two fields of each file)."""

    __slots__ = ()

    def __reduce__(self) -> str:
        return "NO_NAMES"


NO_NAMES: frozenset[str] = _NoNames()  # one empty set for every model that has none


_SCANNED_CLASSES = 8  # up to this many, a lookup by name scans the list


@by_fields
@dataclass(slots=True)
class FileSchema:
    path: str
    classes: list[ClassDef] = field(default_factory=list)
    tables: list[TableDef] = field(default_factory=list)
    module_indexes: list[ModuleIndex] = field(default_factory=list)
    # Module-level ``Base = ...()``. Frozen sets: most files have none, and share the empty one.
    declarative_bases: frozenset[str] = NO_NAMES
    future_annotations: bool = False
    uses_optional: bool = False
    uses_pipe_none: bool = False
    import_insertion: int = 0  # offset where a new import line goes
    # The first top-level ``from M import a, b`` of each module M: its range, for fixes that
    # add a name to it.
    from_imports: dict[str, tuple[int, int]] = field(default_factory=dict)
    newline: str = "\n"  # the file's own line ending and indentation, for generated code
    indent: str = "    "
    migration: Migration | None = None
    metadata_sites: list[MetadataSite] = field(default_factory=list)
    bindings: dict[str, str] = field(default_factory=dict)  # module-level imports and aliases
    handles: frozenset[str] = NO_NAMES  # Flask-SQLAlchemy ``db`` objects
    calls: list[QueryCall] = field(default_factory=list)  # sessions, engines, raw SQL
    declarative_calls: list[DeclarativeCall] = field(default_factory=list)

    # Lookups by name are made for every column. A file of a few classes is scanned (an index
    # for each such file was 3 MB of the peak for 10,000 files); a scan per lookup made files
    # with thousands of models quadratic, so larger ones keep an index. ``classes`` only grows
    # (by appends during extraction), so the index takes in what was appended since the last
    # lookup.
    _by_name: dict[str, ClassDef] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _by_name_size: int = field(default=0, init=False, repr=False, compare=False)

    def class_named(self, name: str) -> ClassDef | None:
        classes = self.classes
        if len(classes) <= _SCANNED_CLASSES:
            for cls in classes:
                if cls.name == name and not cls.nested:
                    return cls
            return None
        index = self._by_name
        if index is None or self._by_name_size > len(classes):
            index, self._by_name_size = {}, 0
            self._by_name = index
        if self._by_name_size != len(classes):
            for cls in classes[self._by_name_size :]:
                if not cls.nested:
                    index.setdefault(cls.name, cls)
            self._by_name_size = len(classes)
        return index.get(name)


QueryCallKind = Literal["text", "execute", "query", "engine", "session"]


@by_fields
@dataclass(slots=True)
class QueryCall:
    """A call that runs SQL or sets up a session or engine, for the SC4xx rules."""

    kind: QueryCallKind
    name: str  # canonical name of the callee, or ``receiver.method`` as written
    span: Span
    sql: Expr | None = None  # the SQL argument, for ``text()`` and ``execute()``
    sql_formatting: str | None = None  # how the SQL is built from values, when it is
    urls: list[Expr] = field(default_factory=list)  # database URL literals passed in
    async_class: bool = False  # ``sessionmaker(class_=AsyncSession)``


@by_fields
@dataclass(slots=True)
class MigrationOp:
    """One ``op.*`` (or ``batch_op.*``) call of an Alembic migration, in order."""

    name: str  # "create_table", "add_column", ...
    call: Call
    statement_span: Span  # the whole statement line, for edits around it
    indent: str
    args: dict[str, Expr]  # arguments by Alembic's parameter name, positional ones included
    table: str | None  # the table operated on, from the call or the batch block
    receiver: str = "op"  # ``op`` or the batch block's alias
    batch_header: str | None = None  # ``op.batch_alter_table("t") as batch_op`` of the block
    batch: bool = False
    autocommit: bool = False  # inside ``op.get_context().autocommit_block()``
    columns: list[ColumnDef] = field(default_factory=list)  # sa.Column(...) arguments
    table_items: TableArgs = field(default_factory=TableArgs)  # constraints in create_table
    lists: dict[str, list[str | None]] = field(default_factory=dict)  # literal name lists
    # Code besides op.* operations ran before it in the function and may have written rows
    # (``session.execute(...)``, a helper that fills a column).
    after_writes: bool = False

    def literal(self, name: str) -> Any:
        value = self.args.get(name)
        return value.literal if value is not None and value.has_literal else None

    def text(self, name: str) -> str | None:
        """A string argument; ``op.f("ix_name")`` counts as the name it wraps."""
        value = self.args.get(name)
        if value is None:
            return None
        if value.call is not None and value.source.split("(")[0].endswith(".f"):
            inner = value.call.args[0].literal if value.call.args else None
            return inner if isinstance(inner, str) else None
        return value.literal if isinstance(value.literal, str) else None

    def source(self, name: str) -> str | None:
        value = self.args.get(name)
        return value.source if value is not None else None


MigrationBody = Literal["missing", "pass", "ellipsis", "docstring", "raise", "code"]


@by_fields
@dataclass(slots=True)
class MigrationFunction:
    name_span: Span
    ops: list[MigrationOp]
    body: MigrationBody
    body_span: Span  # the statements of the body, for replacing it
    body_indent: str
    other_code: bool = False  # statements besides op calls (queries, loops over data)
    returns_none: bool = False  # declared ``-> None``
    only_guards: bool = False  # the other code is ``if ...: return`` guards, nothing else


@by_fields
@dataclass(slots=True)
class Migration:
    revision: str | None
    revision_span: Span
    down_revisions: list[str]  # empty for a root, several for a merge
    down_revision_span: Span | None
    down_revision_known: bool  # a literal (or None) was read
    upgrade: MigrationFunction
    downgrade: MigrationFunction | None
    branch_labels: list[str] = field(default_factory=list)
    depends_on: list[str] = field(default_factory=list)


def settle(schema: FileSchema) -> None:
    """Swap the lists and dicts of a finished model that stayed empty for the shared
    :data:`EMPTY` and :data:`EMPTY_DICT`."""
    _settle(schema, _FILE_LISTS)
    for cls in schema.classes:
        _settle(cls, _CLASS_LISTS)
        for relationship in cls.relationships:
            _settle(relationship, ("foreign_keys",))
        if cls.table_args is not None:
            _settle(cls.table_args, _TABLE_ARGS_LISTS)
    migration = schema.migration
    if migration is not None:
        _settle(migration, _MIGRATION_LISTS)
        for function in (migration.upgrade, migration.downgrade):
            for op in () if function is None else function.ops:
                _settle(op, ("columns", "lists"))
                _settle(op.table_items, _TABLE_ARGS_LISTS)


_FILE_LISTS = (
    "classes",
    "tables",
    "module_indexes",
    "metadata_sites",
    "calls",
    "declarative_calls",
)
_CLASS_LISTS = ("bases", "columns", "relationships", "opaque_attributes")
_TABLE_ARGS_LISTS = ("indexes", "foreign_keys")
_MIGRATION_LISTS = ("down_revisions", "branch_labels", "depends_on")


def _settle(item: object, names: tuple[str, ...]) -> None:
    for name in names:
        value = getattr(item, name)
        if not value:
            setattr(item, name, EMPTY_DICT if isinstance(value, dict) else EMPTY)
