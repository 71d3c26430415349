from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Diagnostic
from schemacheck.migration_ops import tables_created_before
from schemacheck.rules.base import Rule


class FkValidatedUnderLock(Rule):
    """
    ## What it does
    Checks for `op.create_foreign_key` and `op.create_check_constraint` on an existing table
    without `postgresql_not_valid=True`, in projects whose `dialect` includes `postgresql`.

    ## Why is this bad?
    Adding a foreign key or check constraint makes PostgreSQL validate every existing row while
    holding a lock that blocks writes to the table (and, for a foreign key, to the referenced
    table). On a large table, writes stop for the whole scan. Adding the constraint `NOT VALID`
    is instant; `VALIDATE CONSTRAINT` afterwards checks the rows without blocking writes.

    ## Example
    ```python
    def upgrade() -> None:
        op.create_foreign_key("fk_orders_user_id", "orders", "users", ["user_id"], ["id"])
    ```

    ## Use instead
    ```python
    def upgrade() -> None:
        op.create_foreign_key(
            "fk_orders_user_id", "orders", "users", ["user_id"], ["id"],
            postgresql_not_valid=True,
        )
        op.execute("ALTER TABLE orders VALIDATE CONSTRAINT fk_orders_user_id")
    ```

    A table created earlier in the same migration is empty and not reported.

    ## Fix safety
    There is no fix.
    """

    code = "SC512"
    name = "fk-validated-under-lock"
    family = "migrations"
    default_enabled = False
    dialects = ("postgresql",)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        migration = ctx.schema.migration
        if migration is None:
            return
        ops = migration.upgrade.ops
        new_tables = tables_created_before(ops)
        for op in ops:
            if op.name not in ("create_foreign_key", "create_check_constraint"):
                continue
            if op.table in new_tables[id(op)] or op.literal("postgresql_not_valid") is True:
                continue
            what = "foreign key" if op.name == "create_foreign_key" else "check constraint"
            yield self.report(
                ctx,
                op.call.span,
                f'Adding a {what} to "{op.table or "?"}" validates every row under a write lock '
                "(use `postgresql_not_valid=True`, then VALIDATE CONSTRAINT)",
            )
