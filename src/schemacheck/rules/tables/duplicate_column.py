from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from schemacheck.context import FileContext
from schemacheck.diagnostics import Diagnostic, Related
from schemacheck.mapping import table_views
from schemacheck.rules.base import Rule
from schemacheck.schema import ColumnDef


class DuplicateColumn(Rule):
    """
    ## What it does
    Checks for two attributes of one table that map to the same column name, including
    attributes contributed by mixins and single-table-inheritance subclasses.

    ## Why is this bad?
    `Column("title", ...)` on one attribute and a `title` attribute elsewhere in the same table
    collide: SQLAlchemy either raises at import or silently lets one replace the other, so one
    attribute reads and writes a column the other thinks it owns.

    ## Example
    ```python
    class Post(Base):
        __tablename__ = "posts"
        id: Mapped[int] = mapped_column(primary_key=True)
        headline: Mapped[str] = mapped_column("title", String(200))
        title: Mapped[str] = mapped_column(String(200))
    ```

    ## Use instead
    ```python
    class Post(Base):
        __tablename__ = "posts"
        id: Mapped[int] = mapped_column(primary_key=True)
        headline: Mapped[str] = mapped_column("headline", String(200))
        title: Mapped[str] = mapped_column(String(200))
    ```

    ## Fix safety
    There is no fix.
    """

    code = "SC310"
    name = "duplicate-column"
    family = "tables"

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        reported: set[int] = set()
        for view in table_views(ctx.mapping):
            first: dict[str, ColumnDef] = {}
            for column in view.columns:
                if column.name is None:
                    continue
                earlier = first.setdefault(column.name, column)
                if earlier is column or id(column) in reported:
                    continue
                if not ctx.mapping.is_own(column):
                    continue  # reported with the file that defines it
                reported.add(id(column))
                where = f'"{earlier.attr}"' if earlier.attr else "another column"
                path = ctx.mapping.path_of(earlier)
                at = path + ":" if path != ctx.display_path else "line "
                diagnostic = self.report(
                    ctx,
                    column.report_span,
                    f'Column "{column.name}" of table "{view.name or "?"}" is also mapped by '
                    f"{where} ({at}{earlier.span.line})",
                    statement_line=column.span.line,
                )
                yield _with_related(diagnostic, path, earlier)


def _with_related(diagnostic: Diagnostic, path: str, other: ColumnDef) -> Diagnostic:
    return replace(diagnostic, related=(Related(path, other.report_span, "first mapped here"),))
