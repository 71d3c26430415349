from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Diagnostic
from schemacheck.mapping import schema_columns
from schemacheck.naming import SNAKE_CASE
from schemacheck.rules.base import Rule


class ColumnNameConvention(Rule):
    """
    ## What it does
    Checks that column names (the attribute name, or the explicit name given to
    `Column("name", ...)` / `mapped_column("name", ...)`) are snake_case.

    ## Why is this bad?
    `createdAt` becomes `"createdAt"` in PostgreSQL, which must be quoted in every hand-written
    query, and mixing styles across tables makes the schema harder to query and review.

    ## Example
    ```python
    class Comment(Base):
        __tablename__ = "comments"
        id: Mapped[int] = mapped_column(primary_key=True)
        createdAt: Mapped[datetime] = mapped_column(server_default=func.now())
    ```

    ## Use instead
    ```python
    class Comment(Base):
        __tablename__ = "comments"
        id: Mapped[int] = mapped_column(primary_key=True)
        created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    ```

    To keep a camelCase attribute in Python, name the column explicitly:
    `createdAt: Mapped[datetime] = mapped_column("created_at", ...)`.

    ## Fix safety
    There is no fix: renaming a column needs a migration.
    """

    code = "SC305"
    name = "column-name-convention"
    family = "columns"

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for column in schema_columns(ctx.mapping):
            if column.name is not None and not SNAKE_CASE.match(column.name):
                yield self.report(
                    ctx,
                    column.report_span,
                    f'Column name "{column.name}" is not snake_case',
                    statement_line=column.span.line,
                )
