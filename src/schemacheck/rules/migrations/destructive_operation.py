from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Diagnostic
from schemacheck.migration_ops import upgrade_ops
from schemacheck.rules.base import Rule

_WHAT = {
    "drop_table": "drops table {table}: its data is lost",
    "drop_column": "drops column {column} of {table}: its data is lost",
    "rename_table": "renames table {table}: code still using the old name breaks",
}


class DestructiveOperation(Rule):
    """
    ## What it does
    Checks for operations in `upgrade()` that destroy data or break running code: `drop_table`,
    `drop_column`, `rename_table`, and `alter_column(new_column_name=...)`.

    ## Why is this bad?
    During a deploy, the old version of the application keeps running while the migration runs
    (and after it, until every instance is replaced). A dropped or renamed column makes its queries
    fail at once, and dropped data cannot be recovered by a downgrade. Destructive changes are done
    in steps: stop using the column in code, deploy, then drop it in a later migration, with a
    backup. Add `# noqa: SC505` on the operation once that is the plan.

    ## Example
    ```python
    def upgrade() -> None:
        op.drop_column("users", "legacy_flags")
    ```

    ## Use instead
    ```python
    def upgrade() -> None:
        # The code stopped reading legacy_flags in release 42; backup taken.
        op.drop_column("users", "legacy_flags")  # noqa: SC505
    ```

    ## Fix safety
    There is no fix: whether the data may go is the team's decision.
    """

    code = "SC505"
    name = "destructive-operation"
    family = "migrations"

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for op in upgrade_ops(ctx.schema):
            template = _WHAT.get(op.name)
            if op.name == "alter_column" and "new_column_name" in op.args:
                template = "renames column {column} of {table}: code using the old name breaks"
            if template is None:
                continue
            column = op.text("column_name") or "?"
            message = "`{}` {}".format(
                op.name, template.format(table=f'"{op.table or "?"}"', column=f'"{column}"')
            )
            yield self.report(ctx, op.call.span, message)
