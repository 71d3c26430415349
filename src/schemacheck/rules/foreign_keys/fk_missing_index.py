from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Applicability, Diagnostic, Edit, Fix
from schemacheck.edits import add_keyword
from schemacheck.mapping import Role, TableView, mapped_view, primary_key_columns, table_views
from schemacheck.rules.base import Rule
from schemacheck.schema import Call, ColumnDef, ForeignKeyRef


class FkMissingIndex(Rule):
    """
    ## What it does
    Checks for foreign-key columns that no index covers: the column has no `index=True` or
    `unique=True`, is not the leading column of the primary key, and is not the leading column of
    an `Index`, `UniqueConstraint` or `PrimaryKeyConstraint` of its table.

    ## Why is this bad?
    PostgreSQL and SQLite do not index foreign-key columns by themselves. Every join from the
    parent to its children, every `relationship()` load and every `ON DELETE` check on the parent
    then scans the whole child table, and deleting a parent row locks more than it needs to.

    ## Example
    ```python
    class Post(Base):
        __tablename__ = "posts"
        id: Mapped[int] = mapped_column(primary_key=True)
        author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    ```

    ## Use instead
    ```python
    class Post(Base):
        __tablename__ = "posts"
        id: Mapped[int] = mapped_column(primary_key=True)
        author_id: Mapped[int] = mapped_column(
            ForeignKey("users.id", ondelete="CASCADE"), index=True
        )
    ```

    A composite index whose leading column is the foreign key covers it too, as does a primary
    key that starts with it (as in joined-table inheritance).

    ## Fix safety
    The fix is safe: it adds `index=True` to the column (`Field(index=True)` in SQLModel), which
    creates an index and changes nothing else. A foreign key of several columns
    (`ForeignKeyConstraint`) gets no fix: choose the index's column order yourself.
    """

    code = "SC102"
    name = "fk-missing-index"
    family = "foreign keys"
    fix_applicability = Applicability.SAFE

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        reported: set[int] = set()
        mapping = ctx.mapping
        for view in table_views(mapping):
            for column in view.columns:
                if not column.foreign_keys or not mapping.is_own(column):
                    continue  # another module's mixin: reported with the mixin
                uncovered = not covered(view, [column.name or column.attr])
                if uncovered and id(column) not in reported:
                    reported.add(id(column))
                    yield self._column_finding(ctx, column)
            for fk in view.foreign_keys:
                if len(fk.columns) > 1 and mapping.is_own(fk) and not covered(view, fk.columns):
                    yield self._constraint_finding(ctx, fk)
        # Mixins and abstract bases: covered only if every table that uses them covers them.
        mixin_columns = [
            column
            for cls in ctx.schema.classes
            if mapping.role(cls) in (Role.MIXIN, Role.BASE) and not mapping.is_sqlmodel(cls)
            for column in mapping.own_columns(cls)
            if column.foreign_keys and id(column) not in reported
        ]
        if not mixin_columns:
            return
        users: dict[int, list[TableView]] = {}
        for table in mapping.tables_everywhere():
            view = mapped_view(table)
            for column in table.columns:
                users.setdefault(id(column), []).append(view)
        for column in mixin_columns:
            views = users.get(id(column), [])
            if views:
                uncovered = any(not covered(v, [column.name or column.attr]) for v in views)
            else:
                uncovered = not (
                    column.covered_by_own_index or column.primary_key or column.dynamic
                )
            if uncovered:
                yield self._column_finding(ctx, column)

    def _column_finding(self, ctx: FileContext, column: ColumnDef) -> Diagnostic:
        name = column.name or column.attr
        return self.report(
            ctx,
            column.report_span,
            f'Foreign key column "{name}" has no index',
            _index_fix(column),
            statement_line=column.span.line,
        )

    def _constraint_finding(self, ctx: FileContext, fk: ForeignKeyRef) -> Diagnostic:
        names = ", ".join(f'"{c}"' for c in fk.columns if c)
        return self.report(ctx, fk.span, f"Foreign key columns {names} have no covering index")


def _index_fix(column: ColumnDef) -> Fix | None:
    call: Call | None = column.sa_column or column.call
    if call is None or column.dynamic or call.has_star:
        return None
    existing = call.kwargs.get("index")
    edit = (
        Edit(existing.span.start, existing.span.end, "True")
        if existing is not None
        else add_keyword(call, "index", "True")
    )
    return Fix("Add `index=True`", Applicability.SAFE, (edit,))


def covered(view: TableView, columns: list[str | None]) -> bool:
    wanted = [c for c in columns if c is not None]
    if len(wanted) != len(columns) or not wanted or view.args_opaque:
        return True  # an expression or table arguments we cannot read: do not guess
    aliases = _aliases(view.columns)
    wanted_names = {aliases.get(c, c) for c in wanted}
    if len(wanted) == 1:
        for column in view.columns:
            if (column.name or column.attr) in wanted_names and (
                column.covered_by_own_index or column.dynamic  # ``**options`` may say index=
            ):
                return True
    primary_key: list[str | None] = list(primary_key_columns(view.columns, view.indexes))
    leading_sets = [primary_key, *(index.columns for index in view.indexes)]
    for index_columns in leading_sets:
        prefix = index_columns[: len(wanted)]
        if None in prefix:
            continue
        if {aliases.get(c, c) for c in prefix if c is not None} == wanted_names and len(
            prefix
        ) == len(wanted):
            return True
    return False


def _aliases(columns: list[ColumnDef]) -> dict[str, str]:
    """Attribute names to column names, so ``Index("ix", "user_id")`` and ``user_id`` agree."""
    return {c.attr: c.name for c in columns if c.attr is not None and c.name is not None}
