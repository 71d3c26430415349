"""The Python type SQLAlchemy gives a column of a SQL type, for writing ``Mapped[...]``."""

from __future__ import annotations

from schemacheck.schema import SqlType

_BY_TYPE = {
    **dict.fromkeys(
        [
            "String",
            "Text",
            "Unicode",
            "UnicodeText",
            "VARCHAR",
            "CHAR",
            "NVARCHAR",
            "NCHAR",
            "TEXT",
            "CLOB",
            "CITEXT",
            "AutoString",
        ],
        "str",
    ),
    **dict.fromkeys(
        ["Integer", "BigInteger", "SmallInteger", "INTEGER", "BIGINT", "SMALLINT", "INT"], "int"
    ),
    **dict.fromkeys(["Boolean", "BOOLEAN"], "bool"),
    **dict.fromkeys(["Float", "Double", "REAL", "FLOAT", "DOUBLE", "DOUBLE_PRECISION"], "float"),
    **dict.fromkeys(["Numeric", "DECIMAL", "NUMERIC"], "decimal.Decimal"),
    **dict.fromkeys(["DateTime", "TIMESTAMP", "DATETIME"], "datetime.datetime"),
    **dict.fromkeys(["Date", "DATE"], "datetime.date"),
    **dict.fromkeys(["Time", "TIME"], "datetime.time"),
    "Interval": "datetime.timedelta",
    **dict.fromkeys(["LargeBinary", "BLOB", "BYTEA", "BINARY", "VARBINARY"], "bytes"),
    **dict.fromkeys(["Uuid", "UUID"], "uuid.UUID"),
    **dict.fromkeys(["JSON", "JSONB"], "typing.Any"),
}


def python_type(sql_type: SqlType) -> str | None:
    """A canonical dotted Python type (``str``, ``datetime.datetime``) or None when unknown."""
    if not sql_type.is_sqlalchemy or sql_type.name is None:
        return None
    call = sql_type.call
    if sql_type.name == "Enum":
        if call is None or not call.args:
            return None
        first = call.args[0]
        if first.has_literal:
            return "str" if isinstance(first.literal, str) else None
        return first.source if first.qualname is not None or first.source.isidentifier() else None
    result = _BY_TYPE.get(sql_type.name)
    if call is not None:
        asdecimal = call.kwargs.get("asdecimal")
        if (
            asdecimal is not None
            and asdecimal.has_literal
            and result in ("float", "decimal.Decimal")
        ):
            result = "decimal.Decimal" if asdecimal.literal else "float"
        as_uuid = call.kwargs.get("as_uuid")
        if result == "uuid.UUID" and as_uuid is not None and as_uuid.has_literal:
            result = "uuid.UUID" if as_uuid.literal else "str"
    return result
