from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Applicability, Diagnostic, Fix
from schemacheck.edits import add_keyword
from schemacheck.migration_ops import tables_created_before
from schemacheck.rules.base import Rule
from schemacheck.rules.migrations.concurrent_index_in_transaction import wrap_in_autocommit


class IndexNotConcurrent(Rule):
    """
    ## What it does
    Checks for `op.create_index` and `op.drop_index` on an existing table without
    `postgresql_concurrently=True`, in projects whose `dialect` includes `postgresql`.

    ## Why is this bad?
    A plain `CREATE INDEX` blocks every write to the table until the index is built, which on a
    large table means minutes of failed or queued requests. `CREATE INDEX CONCURRENTLY` builds it
    without blocking writes (slower, and outside a transaction). An index on a table created
    earlier in the same migration is not reported: that table is empty.

    ## Example
    ```python
    def upgrade() -> None:
        op.create_index("ix_orders_user_id", "orders", ["user_id"])
    ```

    ## Use instead
    ```python
    def upgrade() -> None:
        with op.get_context().autocommit_block():
            op.create_index(
                "ix_orders_user_id", "orders", ["user_id"], postgresql_concurrently=True
            )
    ```

    ## Fix safety
    The fix is unsafe: it adds `postgresql_concurrently=True` and wraps the operation in
    `autocommit_block()`, so the migration is no longer one transaction (a failure leaves an
    invalid index to drop by hand).
    """

    code = "SC504"
    name = "index-not-concurrent"
    family = "migrations"
    default_enabled = False
    dialects = ("postgresql",)
    fix_applicability = Applicability.UNSAFE

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        migration = ctx.schema.migration
        if migration is None:
            return
        ops = migration.upgrade.ops
        new_tables = tables_created_before(ops)
        for op in ops:
            if op.name not in ("create_index", "drop_index") or op.batch:
                continue
            if op.table in new_tables[id(op)] or "postgresql_concurrently" in op.args:
                continue
            fix = None
            if not op.call.has_star:
                keyword = add_keyword(op.call, "postgresql_concurrently", "True")
                edit = keyword if op.autocommit else wrap_in_autocommit(ctx, op, keyword)
                fix = Fix(
                    "Use `postgresql_concurrently=True` in an autocommit block",
                    Applicability.UNSAFE,
                    (edit,),
                )
            what = "Creating" if op.name == "create_index" else "Dropping"
            yield self.report(
                ctx,
                op.call.span,
                f'{what} an index on "{op.table or "?"}" without `postgresql_concurrently=True` '
                "blocks writes to the table",
                fix,
            )
