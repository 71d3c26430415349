from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Diagnostic
from schemacheck.migration_ops import upgrade_ops
from schemacheck.rules.base import Rule


class ColumnTypeChange(Rule):
    """
    ## What it does
    Checks for `alter_column(..., type_=...)` in a migration.

    ## Why is this bad?
    Changing a column's type rewrites the whole table on most databases (PostgreSQL takes an
    `ACCESS EXCLUSIVE` lock for the duration), and a narrowing change (a shorter `String`, an
    integer from a float) fails or truncates data. On a large table this is an outage. The safe
    path is a new column, a backfill in batches, and a switch-over.

    ## Example
    ```python
    def upgrade() -> None:
        op.alter_column("events", "payload", type_=sa.JSON(), existing_type=sa.Text())
    ```

    ## Use instead
    ```python
    def upgrade() -> None:
        op.add_column("events", sa.Column("payload_json", sa.JSON(), nullable=True))
        # backfill payload_json in batches, switch the code over, then drop payload
    ```

    A change known to be cheap (widening a `VARCHAR` on PostgreSQL) can keep a
    `# noqa: SC506`.

    ## Fix safety
    There is no fix.
    """

    code = "SC506"
    name = "column-type-change"
    family = "migrations"

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for op in upgrade_ops(ctx.schema):
            if op.name == "alter_column" and "type_" in op.args:
                column = op.text("column_name") or "?"
                new = op.args["type_"].source
                yield self.report(
                    ctx,
                    op.args["type_"].span,
                    f'Changing the type of "{op.table or "?"}.{column}" to `{new}` rewrites '
                    "the table and may lose data",
                )
