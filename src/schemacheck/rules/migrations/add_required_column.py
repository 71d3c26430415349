from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Diagnostic
from schemacheck.migration_ops import tables_created_before
from schemacheck.rules.base import Rule
from schemacheck.schema import ColumnDef


class AddRequiredColumnWithoutDefault(Rule):
    """
    ## What it does
    Checks for `op.add_column` of a `nullable=False` column without a `server_default`, and for
    `alter_column(..., nullable=False)` with no data update before it in the same upgrade. Any
    code before it that may write rows counts as one: `op.execute()`, `session.execute()`, a
    helper function that fills the column. A table created earlier in the same migration is
    empty, so neither is reported there. Nor is a primary key the database numbers itself: an
    integer key that SQLAlchemy makes `SERIAL`/`BIGSERIAL`, or one with `Identity()`.

    ## Why is this bad?
    Existing rows have no value for the new column, so the database refuses the `ALTER TABLE`
    (`column contains null values`) as soon as the table is not empty: the migration passes in
    development and fails in production. A Python-side `default=` does not help: it only applies
    to rows the application inserts later.

    ## Example
    ```python
    def upgrade() -> None:
        op.add_column("users", sa.Column("plan", sa.String(20), nullable=False))
    ```

    ## Use instead
    ```python
    def upgrade() -> None:
        op.add_column(
            "users",
            sa.Column("plan", sa.String(20), nullable=False, server_default="free"),
        )
    ```

    Or add the column as nullable, backfill it, then `alter_column(nullable=False)`.

    ## Fix safety
    There is no fix: the default value is the team's choice.
    """

    code = "SC503"
    name = "add-required-column-without-default"
    family = "migrations"

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        migration = ctx.schema.migration
        if migration is None:
            return
        ops = migration.upgrade.ops
        new_tables = tables_created_before(ops)
        updated = False
        for op in ops:
            if op.name == "execute" or op.after_writes:
                updated = True
            if op.table in new_tables[id(op)]:
                continue
            if op.name == "add_column" and op.columns:
                column = op.columns[0]
                required = column.nullable is False or (
                    column.primary_key and column.nullable is None
                )
                call = column.call
                if (
                    required
                    and call is not None
                    and "server_default" not in call.kwargs
                    and (not call.has_star)
                    and not _numbered_by_the_database(column)
                ):
                    yield self.report(
                        ctx,
                        column.report_span,
                        f'New required column "{op.table or "?"}.{column.name}" has no '
                        "`server_default`: adding it fails on a table with rows",
                    )
            elif op.name == "alter_column" and op.literal("nullable") is False and not updated:
                column_name = op.text("column_name") or "?"
                yield self.report(
                    ctx,
                    op.args["nullable"].span,
                    f'"{op.table}.{column_name}" becomes NOT NULL with no data update before it: '
                    "existing NULLs make it fail",
                )


_INTEGERS = frozenset({"Integer", "BigInteger", "SmallInteger", "INTEGER", "BIGINT", "SMALLINT"})


def _numbered_by_the_database(column: ColumnDef) -> bool:
    """A primary key the database fills in itself, existing rows included: ``Identity()``, or
    an integer key that SQLAlchemy makes ``SERIAL``/``BIGSERIAL`` (autoincrement, no foreign
    key, no ``Sequence``, which adds no default): PostgreSQL numbers the existing rows. (SQLite
    cannot add a primary key column at all, with or without a default.)"""
    call = column.call
    if call is None or not column.primary_key:
        return False
    positional = {arg.call.qualname for arg in call.args if arg.call is not None}
    if "sqlalchemy.Identity" in positional:
        return True
    autoincrement = call.kwargs.get("autoincrement")
    return (
        column.sql_type is not None
        and column.sql_type.name in _INTEGERS
        and not column.foreign_keys
        and "sqlalchemy.Sequence" not in positional
        and (autoincrement is None or autoincrement.literal is not False)
    )
