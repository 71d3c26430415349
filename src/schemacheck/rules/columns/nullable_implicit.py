from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Applicability, Diagnostic, Fix
from schemacheck.edits import add_keyword
from schemacheck.mapping import schema_columns
from schemacheck.rules.base import Rule


class NullableImplicit(Rule):
    """
    ## What it does
    Checks for a legacy `Column` (also `db.Column`, and columns of `Table()`) with neither
    `nullable=` nor `primary_key=True`. `Mapped[...]` columns and SQLModel fields are not
    reported: their annotation states the nullability.

    ## Why is this bad?
    A `Column` is nullable unless told otherwise, so every column written without `nullable=`
    accepts NULL, which is rarely what a reviewer assumed when reading it. Writing it out makes
    the choice visible, and the usual outcome of looking at it is `nullable=False`.

    ## Example
    ```python
    users = Table(
        "users",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("email", String(320)),
    )
    ```

    ## Use instead
    ```python
    users = Table(
        "users",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("email", String(320), nullable=False),
    )
    ```

    ## Fix safety
    The fix is safe: it adds `nullable=True`, the value the column has today, so the schema is
    unchanged; review the ones that should be `False`. A column with `Identity()` (implicitly
    NOT NULL) is not reported.
    """

    code = "SC203"
    name = "nullable-implicit"
    family = "columns"
    fix_applicability = Applicability.SAFE

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for column in schema_columns(ctx.mapping):
            call = column.call
            if column.kind != "Column" or call is None or column.dynamic or call.has_star:
                continue
            if "nullable" in call.kwargs or column.primary_key:
                continue
            if any(a.qualname == "sqlalchemy.Identity" for a in call.args):
                continue
            yield self.report(
                ctx,
                column.report_span,
                f'Column "{column.name}" is nullable by default: say `nullable=` explicitly',
                Fix(
                    "Add `nullable=True` (the current behaviour)",
                    Applicability.SAFE,
                    (add_keyword(call, "nullable", "True"),),
                ),
                statement_line=column.span.line,
            )
