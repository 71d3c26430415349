from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Diagnostic
from schemacheck.migration_ops import all_ops
from schemacheck.rules.base import Rule

_NEEDS_BATCH = ("alter_column", "drop_column", "create_foreign_key", "drop_constraint")


class SqliteNeedsBatch(Rule):
    """
    ## What it does
    Checks for `alter_column`, `drop_column`, `create_foreign_key` and `drop_constraint` outside
    a `with op.batch_alter_table(...)` block, in projects whose `dialect` includes `sqlite`.

    ## Why is this bad?
    SQLite's `ALTER TABLE` cannot change a column, add or drop a constraint, or (before 3.35)
    drop a column. Alembic's batch mode does these by copying the table ("move and copy"); outside
    it, the migration fails on SQLite with `NotImplementedError` or a syntax error, often only on a
    developer's machine or in tests.

    ## Example
    ```python
    def upgrade() -> None:
        op.alter_column("users", "email", existing_type=sa.String(100), nullable=False)
    ```

    ## Use instead
    ```python
    def upgrade() -> None:
        with op.batch_alter_table("users") as batch_op:
            batch_op.alter_column("email", existing_type=sa.String(100), nullable=False)
    ```

    Configure `render_as_batch=True` in `env.py` so that autogenerate writes batch blocks.

    ## Fix safety
    There is no fix.
    """

    code = "SC509"
    name = "sqlite-needs-batch"
    family = "migrations"
    default_enabled = False
    dialects = ("sqlite",)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for op in all_ops(ctx.schema):
            if op.name in _NEEDS_BATCH and not op.batch:
                yield self.report(
                    ctx,
                    op.call.span,
                    f"`op.{op.name}` outside `batch_alter_table`: SQLite cannot do it in place",
                )
