from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Applicability, Diagnostic, Edit, Fix
from schemacheck.edits import spell
from schemacheck.mapping import schema_columns
from schemacheck.rules.base import Rule
from schemacheck.schema import ColumnDef, Expr

_UTCNOW = "datetime.datetime.utcnow"


class NaiveUtcnowDefault(Rule):
    """
    ## What it does
    Checks for `datetime.utcnow` (called or not) as a column's `default=` or `onupdate=`.

    ## Why is this bad?
    `utcnow()` returns a naive datetime: the value says nothing about its time zone, and code
    that compares it with aware datetimes fails or, worse, compares wall clocks of different
    zones. It is deprecated since Python 3.12. Letting the database stamp the row
    (`server_default=func.now()` on a `DateTime(timezone=True)` column) also keeps every writer,
    not only this application, consistent.

    ## Example
    ```python
    created_at = Column(DateTime, default=datetime.utcnow)
    ```

    ## Use instead
    ```python
    created_at = Column(DateTime(timezone=True), server_default=func.now())
    ```

    ## Fix safety
    The fix is unsafe: it replaces `default=` with `server_default=func.now()` (and `onupdate=`
    with `onupdate=func.now()`) and makes a bare `DateTime` `DateTime(timezone=True)`, which
    changes the column type and needs a migration.
    """

    code = "SC207"
    name = "naive-utcnow-default"
    family = "columns"
    fix_applicability = Applicability.UNSAFE

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for column in schema_columns(ctx.mapping):
            call = column.call
            if call is None or column.kind == "Field":
                continue
            for keyword in ("default", "onupdate"):
                value = call.kwargs.get(keyword)
                if value is None or not _is_utcnow(value):
                    continue
                yield self.report(
                    ctx,
                    value.span,
                    f'`{keyword}={value.source}` on "{column.name}" stores a naive UTC datetime',
                    self._fix(ctx, column, keyword, value),
                    statement_line=column.span.line,
                )

    def _fix(self, ctx: FileContext, column: ColumnDef, keyword: str, value: Expr) -> Fix | None:
        call = column.call
        if call is None or call.has_star:
            return None
        spelled = spell(ctx, ["sqlalchemy.func"])
        now = f"{spelled.names['sqlalchemy.func']}.now()"
        start = ctx.text.rfind(keyword, 0, value.span.start)
        if keyword == "default":
            if "server_default" in call.kwargs:
                return None
            edits = [Edit(start, value.span.end, f"server_default={now}")]
        else:
            edits = [Edit(value.span.start, value.span.end, now)]
        sql_type = column.sql_type
        if sql_type is not None and sql_type.name == "DateTime":
            if sql_type.call is None:
                end = sql_type.expr.span.end
                edits.append(Edit(end, end, "(timezone=True)"))
            elif "timezone" not in sql_type.call.kwargs and not sql_type.call.args:
                at = sql_type.call.span.end - 1
                edits.append(Edit(at, at, "timezone=True"))
        return Fix(f"Use `{now}` from the database", Applicability.UNSAFE, (*edits, *spelled.edits))


def _is_utcnow(value: Expr) -> bool:
    if value.qualname == _UTCNOW and value.call is None:
        return True
    return value.call is not None and value.call.qualname == _UTCNOW
