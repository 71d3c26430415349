from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Applicability, Diagnostic, Edit, Fix
from schemacheck.edits import insert, spell
from schemacheck.mapping import allows_null, schema_columns
from schemacheck.rules.base import Rule
from schemacheck.schema import ColumnDef


class NullableBoolean(Rule):
    """
    ## What it does
    Checks for `Boolean` columns that allow NULL: a `Column(Boolean)` without `nullable=False`,
    a `Mapped[Optional[bool]]`, a SQLModel `Optional[bool]` field, or `nullable=True`.

    ## Why is this bad?
    A nullable boolean has three states. Queries written as `WHERE NOT is_active` silently skip
    the NULL rows, and every reader has to decide what NULL means. When "unknown" really is a
    third state, an enum says so explicitly.

    ## Example
    ```python
    is_active = Column(Boolean, default=True)
    ```

    ## Use instead
    ```python
    is_active = Column(Boolean, nullable=False, server_default=true())
    ```

    ## Fix safety
    The fix is unsafe: it makes the column `nullable=False` and, when it has no server default,
    adds `server_default=false()` so that existing and future rows without a value get `false`.
    Offered for `Column(...)` only; for annotated columns, change the annotation to `Mapped[bool]`.
    """

    code = "SC211"
    name = "nullable-boolean"
    family = "columns"
    fix_applicability = Applicability.UNSAFE

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for column in schema_columns(ctx.mapping):
            if not _is_boolean(column) or column.dynamic or not allows_null(column):
                continue
            yield self.report(
                ctx,
                column.report_span,
                f'Boolean column "{column.name}" allows NULL: three states where two are meant',
                self._fix(ctx, column),
                statement_line=column.span.line,
            )

    def _fix(self, ctx: FileContext, column: ColumnDef) -> Fix | None:
        call = column.call
        if column.kind != "Column" or call is None or call.has_star:
            return None
        edits: list[Edit] = []
        additions: list[str] = []
        nullable = call.kwargs.get("nullable")
        if nullable is not None:
            edits.append(Edit(nullable.span.start, nullable.span.end, "False"))
        else:
            additions.append("nullable=False")
        has_default = "server_default" in call.kwargs
        spelled = spell(ctx, [] if has_default else ["sqlalchemy.false"])
        if not has_default:
            additions.append(f"server_default={spelled.names['sqlalchemy.false']}()")
        if additions:
            edits.append(insert(call.append, ", ".join(additions)))
        return Fix(
            "Make it `nullable=False` with a server default",
            Applicability.UNSAFE,
            (*edits, *spelled.edits),
        )


def _is_boolean(column: ColumnDef) -> bool:
    if column.sql_type is not None:
        return column.sql_type.is_sqlalchemy and column.sql_type.name in ("Boolean", "BOOLEAN")
    annotation = column.annotation
    return annotation is not None and annotation.inner == "bool" and not column.foreign_keys
