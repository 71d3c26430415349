"""Column types PostgreSQL has better versions of: timestamptz, JSONB, bigint keys."""

from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Applicability, Diagnostic, Edit, Fix
from schemacheck.edits import spell
from schemacheck.mapping import schema_columns
from schemacheck.rules.base import Rule
from schemacheck.schema import ColumnDef, SqlType


def _typed_columns(ctx: FileContext, names: frozenset[str]) -> Iterator[tuple[ColumnDef, SqlType]]:
    for column in schema_columns(ctx.mapping):
        sql_type = column.sql_type
        if sql_type is not None and sql_type.is_sqlalchemy and sql_type.name in names:
            yield column, sql_type


class DatetimeWithoutTimezone(Rule):
    """
    ## What it does
    Checks for `DateTime` columns without `timezone=True`, in projects whose `dialect` includes
    `postgresql`.

    ## Why is this bad?
    `DateTime` becomes PostgreSQL's `timestamp without time zone`: the value carries no zone, so
    the same instant reads differently depending on the session's time zone and the writer's
    habits, and aware datetimes lose their offset on the way in. `timestamp with time zone`
    (`timestamptz`) stores an instant and converts on output.

    ## Example
    ```python
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    ```

    ## Use instead
    ```python
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    ```

    ## Fix safety
    The fix is unsafe: it adds `timezone=True`, which changes the column type (a migration that
    reinterprets existing values in the server's time zone).
    """

    code = "SC208"
    name = "datetime-without-timezone"
    family = "columns"
    default_enabled = False
    dialects = ("postgresql",)
    fix_applicability = Applicability.UNSAFE

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for column, sql_type in _typed_columns(ctx, frozenset({"DateTime"})):
            call = sql_type.call
            if call is not None and (call.args or "timezone" in call.kwargs or call.has_star):
                continue
            span = sql_type.expr.span
            at = span.end if call is None else span.end - 1
            text = "(timezone=True)" if call is None else "timezone=True"
            yield self.report(
                ctx,
                span,
                f'"{column.name}" is a `timestamp without time zone`',
                Fix("Add `timezone=True`", Applicability.UNSAFE, (Edit(at, at, text),)),
                statement_line=column.span.line,
            )


class JsonNotJsonb(Rule):
    """
    ## What it does
    Checks for `JSON` columns in projects whose `dialect` includes `postgresql`.

    ## Why is this bad?
    PostgreSQL's `json` stores the text as given and re-parses it on every access; it cannot be
    indexed with GIN, compared for equality, or used with the containment operators (`@>`).
    `JSONB` stores a parsed binary form that supports all of these.

    ## Example
    ```python
    payload: Mapped[dict] = mapped_column(JSON)
    ```

    ## Use instead
    ```python
    from sqlalchemy.dialects.postgresql import JSONB

    payload: Mapped[dict] = mapped_column(JSONB)
    ```

    ## Fix safety
    The fix is unsafe: it changes the column type (a migration), and JSONB does not keep key
    order, duplicate keys or whitespace.
    """

    code = "SC209"
    name = "json-not-jsonb"
    family = "columns"
    default_enabled = False
    dialects = ("postgresql",)
    fix_applicability = Applicability.UNSAFE

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for column, sql_type in _typed_columns(ctx, frozenset({"JSON"})):
            call = sql_type.call
            fix = None
            if call is None or not (call.args or call.kwargs):
                spelled = spell(ctx, ["sqlalchemy.dialects.postgresql.JSONB"])
                jsonb = spelled.names["sqlalchemy.dialects.postgresql.JSONB"]
                span = sql_type.expr.span
                fix = Fix(
                    f"Use `{jsonb}`",
                    Applicability.UNSAFE,
                    (Edit(span.start, span.end, jsonb + ("()" if call else "")), *spelled.edits),
                )
            yield self.report(
                ctx,
                sql_type.expr.span,
                f'"{column.name}" is `json`: `JSONB` can be indexed',
                fix,
                statement_line=column.span.line,
            )


class ShortPrimaryKey(Rule):
    """
    ## What it does
    Checks for `Integer` and `SmallInteger` surrogate primary keys in projects whose `dialect`
    includes `postgresql`.

    ## Why is this bad?
    A 32-bit key runs out at 2,147,483,647 rows (or ids handed out, counting rollbacks and
    deletes). Changing the type of a primary key later rewrites the table and every foreign key
    that points at it, under a lock. `BigInteger` costs four bytes more per row.

    ## Example
    ```python
    id = Column(Integer, primary_key=True)
    ```

    ## Use instead
    ```python
    id = Column(BigInteger, primary_key=True)
    ```

    ## Fix safety
    The fix is unsafe: it changes the column type to `BigInteger` (a migration, and the columns
    that reference it should follow).
    """

    code = "SC311"
    name = "short-primary-key"
    family = "tables"
    default_enabled = False
    dialects = ("postgresql",)
    fix_applicability = Applicability.UNSAFE

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        short = frozenset({"Integer", "SmallInteger", "INTEGER", "SMALLINT", "INT"})
        for column, sql_type in _typed_columns(ctx, short):
            if not column.primary_key or column.foreign_keys:
                continue
            spelled = spell(ctx, ["sqlalchemy.BigInteger"])
            big = spelled.names["sqlalchemy.BigInteger"]
            span = sql_type.expr.span
            text = big + ("()" if sql_type.call is not None else "")
            yield self.report(
                ctx,
                span,
                f'Primary key "{column.name}" is a 32-bit integer',
                Fix(
                    f"Use `{big}`",
                    Applicability.UNSAFE,
                    (Edit(span.start, span.end, text), *spelled.edits),
                ),
                statement_line=column.span.line,
            )
