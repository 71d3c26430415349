from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Applicability, Diagnostic, Edit, Fix
from schemacheck.migration_ops import all_ops
from schemacheck.rules.base import Rule
from schemacheck.schema import MigrationOp


def wrap_in_autocommit(ctx: FileContext, op: MigrationOp, inner: Edit | None = None) -> Edit:
    """Indent the operation's statement into ``with op.get_context().autocommit_block():``,
    applying ``inner`` (an edit inside the statement) on the way."""
    span = op.statement_span
    text = ctx.text[span.start : span.end]
    if inner is not None:
        start, end = inner.start - span.start, inner.end - span.start
        text = text[:start] + inner.content + text[end:]
    nl = ctx.newline
    lines = text.splitlines(keepends=True)
    step = ctx.indent
    indented = "".join(step + line if line.strip() else line for line in lines)
    header = f"{op.indent}with op.get_context().autocommit_block():{nl}"
    return Edit(span.start, span.end, header + indented)


class ConcurrentIndexInTransaction(Rule):
    """
    ## What it does
    Checks for `postgresql_concurrently=True` on an index operation that is not inside
    `with op.get_context().autocommit_block():`.

    ## Why is this bad?
    Alembic runs each migration in a transaction, and PostgreSQL refuses `CREATE INDEX
    CONCURRENTLY` (and `DROP INDEX CONCURRENTLY`) inside one: the migration fails with
    `cannot run inside a transaction block`. The autocommit block commits the transaction around
    the statement.

    ## Example
    ```python
    def upgrade() -> None:
        op.create_index("ix_orders_user_id", "orders", ["user_id"], postgresql_concurrently=True)
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
    The fix is safe: it wraps the operation in `autocommit_block()`, which is what the option
    requires to run at all.
    """

    code = "SC511"
    name = "concurrent-index-in-transaction"
    family = "migrations"
    fix_applicability = Applicability.SAFE

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for op in all_ops(ctx.schema):
            if op.literal("postgresql_concurrently") is not True or op.autocommit:
                continue
            fix = None
            if not op.batch:
                fix = Fix(
                    "Wrap in `op.get_context().autocommit_block()`",
                    Applicability.SAFE,
                    (wrap_in_autocommit(ctx, op),),
                )
            yield self.report(
                ctx,
                op.args["postgresql_concurrently"].span,
                "`postgresql_concurrently=True` inside the migration's transaction: "
                "PostgreSQL refuses it",
                fix,
            )
