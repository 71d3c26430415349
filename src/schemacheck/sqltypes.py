"""The SQL type a column gets, in terms precise enough to compare two columns.

Only the common key types are named; anything else (custom ``TypeDecorator``s, ``Enum``,
variants) is unknown, and rules that compare types say nothing about it.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemacheck.schema import ColumnDef, SqlType

_FAMILIES = {
    **dict.fromkeys(["Integer", "INTEGER", "INT"], "INTEGER"),
    **dict.fromkeys(["BigInteger", "BIGINT"], "BIGINT"),
    **dict.fromkeys(["SmallInteger", "SMALLINT"], "SMALLINT"),
    **dict.fromkeys(["String", "VARCHAR", "Unicode", "NVARCHAR", "AutoString"], "VARCHAR"),
    **dict.fromkeys(["CHAR", "NCHAR"], "CHAR"),
    **dict.fromkeys(["Text", "TEXT", "UnicodeText"], "TEXT"),
    **dict.fromkeys(["Uuid", "UUID"], "UUID"),
}
# What a plain annotation maps to without a ``type_annotation_map``.
_ANNOTATIONS = {
    "int": "INTEGER",
    "builtins.int": "INTEGER",
    "str": "VARCHAR",
    "builtins.str": "VARCHAR",
    "uuid.UUID": "UUID",
}
# How a fix writes each family.
CONSTRUCTORS = {
    "INTEGER": "sqlalchemy.Integer",
    "BIGINT": "sqlalchemy.BigInteger",
    "SMALLINT": "sqlalchemy.SmallInteger",
    "VARCHAR": "sqlalchemy.String",
    "CHAR": "sqlalchemy.CHAR",
    "TEXT": "sqlalchemy.Text",
    "UUID": "sqlalchemy.Uuid",
}


@dataclass(frozen=True)
class KeyType:
    family: str
    length: int | None = None  # VARCHAR/CHAR length, when stated
    explicit: SqlType | None = None  # the type expression, when written out

    def __str__(self) -> str:
        return f"{self.family}({self.length})" if self.length is not None else self.family

    def differs(self, other: KeyType) -> bool:
        if self.family != other.family:
            return True
        return self.length is not None and other.length is not None and self.length != other.length


def explicit_type(sql_type: SqlType) -> KeyType | None:
    if not sql_type.is_sqlalchemy or sql_type.name not in _FAMILIES:
        return None
    source = sql_type.expr.source
    if ".with_variant" in source or ".evaluates_none" in source:
        return None
    family = _FAMILIES[sql_type.name]
    length: int | None = None
    call = sql_type.call
    if call is not None and family in ("VARCHAR", "CHAR"):
        value = call.kwargs.get("length") or (call.args[0] if call.args else None)
        length = value.literal if value is not None and isinstance(value.literal, int) else None
    return KeyType(family, length, sql_type)


def column_type(column: ColumnDef, *, annotation_types: bool = True) -> KeyType | None:
    """The column's type, or None when unknown or taken from a referenced column."""
    if column.sql_type is not None:
        return explicit_type(column.sql_type)
    if column.kind == "Column" or column.sa_column is not None:
        return None  # no type: SQLAlchemy copies the referenced column's
    if column.call is not None and "sa_column" in column.call.kwargs:
        return None
    if column.kind == "mapped_column" and column.foreign_keys:
        return None  # likewise, whatever the annotation says
    annotation = column.annotation
    if not annotation_types or annotation is None or annotation.collection:
        return None
    family = _ANNOTATIONS.get(annotation.inner_qualname or "")
    return KeyType(family) if family is not None else None
