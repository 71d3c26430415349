from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Diagnostic
from schemacheck.rules.base import Rule


class SqlStringFormatting(Rule):
    """
    ## What it does
    Checks for SQL built by formatting values into the string: an f-string with placeholders,
    `%` formatting, `.format()` or `+` concatenation with something that is not a literal,
    passed to `text()`, `session.execute()`, `connection.execute()`, `op.execute()` or
    `exec_driver_sql()`. Formatting with literals only is not reported.

    ## Why is this bad?
    A value formatted into SQL is SQL: a quote in a user name ends the string literal and the
    rest runs as a statement (SQL injection). Even trusted values break on quotes and lose type
    handling (dates, decimals, `None`). Bound parameters (`text("... WHERE id = :id")` with
    `{"id": user_id}`) are sent separately from the statement and cannot change it.

    ## Example
    ```python
    session.execute(text(f"SELECT * FROM users WHERE name = '{name}'"))
    ```

    ## Use instead
    ```python
    session.execute(text("SELECT * FROM users WHERE name = :name"), {"name": name})
    ```
    Identifiers (table and column names) cannot be bound: quote them with the dialect's
    `identifier_preparer` or build the statement with `table()`/`column()`, and add
    `# noqa: SC402` where the formatted part is a trusted constant.

    ## Fix safety
    There is no fix: the parameters have to be named and passed by the author.
    """

    code = "SC402"
    name = "sql-string-formatting"
    family = "queries"

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for call in ctx.schema.calls:
            if call.kind not in ("text", "execute") or call.sql_formatting is None:
                continue
            assert call.sql is not None
            name = "text" if call.kind == "text" else call.name
            yield self.report(
                ctx,
                call.sql.span,
                f"SQL built with {call.sql_formatting} passed to `{name}()`: use bound parameters",
            )
