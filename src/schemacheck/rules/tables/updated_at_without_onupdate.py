from __future__ import annotations

import re
from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Applicability, Diagnostic, Fix
from schemacheck.edits import add_keyword, spell
from schemacheck.mapping import schema_columns
from schemacheck.rules.base import Option, Rule


class UpdatedAtWithoutOnupdate(Rule):
    """
    ## What it does
    Checks for an `updated_at` column (the names of the `columns` option) without `onupdate=`
    (or `server_onupdate=`).

    ## Why is this bad?
    Without `onupdate`, `updated_at` keeps its insert-time value forever unless every code path
    that changes a row remembers to set it, and some never do. The column then claims rows are
    older than they are, which breaks incremental syncs and cache invalidation quietly.

    ## Example
    ```python
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    ```

    ## Use instead
    ```python
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    ```

    A column that the file's own `before_update` or `before_flush` listener sets
    (`event.listen(cls, "before_update", ...)` or `@event.listens_for(...)`, with an assignment
    such as `target.updated_at = ...` in the file) is not reported.

    ## Fix safety
    The fix is safe: it adds `onupdate=func.now()`, which sets the column on every ORM update
    and changes nothing in the table's DDL. (SQLModel fields without `sa_column` get no fix:
    add `sa_column_kwargs={"onupdate": func.now()}`.)

    ## Options
    - `columns` (list of strings, `["updated_at"]`): the column names that must update themselves.
    """

    code = "SC303"
    name = "updated-at-without-onupdate"
    family = "tables"
    fix_applicability = Applicability.SAFE
    options = (Option("columns", list, ["updated_at"], "Columns that need onupdate."),)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        names = set(self.settings["columns"])
        for column in schema_columns(ctx.mapping):
            call = column.sa_column or column.call
            if column.name not in names or column.dynamic:
                continue
            if call is not None and (
                call.has_star or {"onupdate", "server_onupdate"} & set(call.kwargs)
            ):
                continue
            if column.kind == "Field" and column.sa_column is None and call is not None:
                kwargs = call.kwargs.get("sa_column_kwargs")
                if kwargs is not None and "onupdate" in kwargs.source:
                    continue
            attribute = column.attr or column.name
            if attribute and _kept_by_listener(ctx.text, attribute):
                continue  # scanned only for a column about to be reported
            fix = None
            if call is not None and not (column.kind == "Field" and column.sa_column is None):
                spelled = spell(ctx, ["sqlalchemy.func"])
                now = f"{spelled.names['sqlalchemy.func']}.now()"
                fix = Fix(
                    f"Add `onupdate={now}`",
                    Applicability.SAFE,
                    (add_keyword(call, "onupdate", now), *spelled.edits),
                )
            yield self.report(
                ctx,
                column.report_span,
                f'"{column.name}" has no `onupdate=`: it never changes after the insert',
                fix,
                statement_line=column.span.line,
            )


# The events a listener that keeps a timestamp current listens to.
_UPDATE_EVENTS = re.compile(r"""["'](?:before_update|before_flush)["']""")


def _kept_by_listener(text: str, attribute: str) -> bool:
    """Whether the file registers an update listener and assigns the attribute somewhere
    (``target.updated_at = now()``), as such a listener does. Read from the text: the body of
    a listener is not part of the model, and a miss costs less than a false claim."""
    return bool(
        _UPDATE_EVENTS.search(text) and re.search(rf"\.{re.escape(attribute)}\s*=(?!=)", text)
    )
