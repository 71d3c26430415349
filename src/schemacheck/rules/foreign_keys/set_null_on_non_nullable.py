from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Applicability, Diagnostic, Edit, Fix
from schemacheck.layout import annotate_nullable
from schemacheck.mapping import allows_null, schema_columns, table_views
from schemacheck.rules.base import Rule
from schemacheck.schema import ColumnDef, ForeignKeyRef


class SetNullOnNonNullable(Rule):
    """
    ## What it does
    Checks for `ondelete="SET NULL"` on a foreign key whose column cannot hold NULL: a
    primary-key column, `nullable=False`, a `Mapped[T]` annotation without `Optional`, or a
    SQLModel field whose annotation is not optional. `ForeignKeyConstraint`s in
    `__table_args__` or `Table()` are checked column by column.

    ## Why is this bad?
    When the parent row is deleted, the database tries to set the column to NULL, the NOT NULL
    constraint refuses, and the parent cannot be deleted at all. The schema promises two things
    that cannot both hold; the failure only shows on the first delete.

    ## Example
    ```python
    class Post(Base):
        __tablename__ = "posts"
        author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    ```

    ## Use instead
    ```python
    class Post(Base):
        __tablename__ = "posts"
        author_id: Mapped[Optional[int]] = mapped_column(
            ForeignKey("users.id", ondelete="SET NULL")
        )
    ```
    Or `ondelete="CASCADE"`/`"RESTRICT"`, when the row must always have a parent.

    ## Fix safety
    The fix is unsafe: it makes the column nullable (`nullable=True`, and `Optional` in the
    annotation), which changes the schema and the attribute's type. It is not offered for
    primary-key columns.
    """

    code = "SC111"
    name = "set-null-on-non-nullable"
    family = "foreign keys"
    fix_applicability = Applicability.UNSAFE

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for column in schema_columns(ctx.mapping):
            for fk in column.foreign_keys:
                if _sets_null(fk) and not allows_null(column):
                    yield self._finding(ctx, fk, column, column.span.line)
        for view in table_views(ctx.mapping):
            for fk in view.foreign_keys:
                if not _sets_null(fk) or not ctx.mapping.is_own(fk):
                    continue
                for name in fk.columns:
                    local = view.column(name) if name else None
                    if local is not None and not allows_null(local):
                        yield self._finding(ctx, fk, local, None)
                        break

    def _finding(
        self, ctx: FileContext, fk: ForeignKeyRef, column: ColumnDef, statement_line: int | None
    ) -> Diagnostic:
        value = fk.call.kwargs.get("ondelete")
        span = value.span if value is not None else fk.span
        return self.report(
            ctx,
            span,
            f'`ondelete="SET NULL"` on "{column.name}", which is NOT NULL: deleting the parent '
            "row fails",
            _fix(ctx, column) if ctx.mapping.is_own(column) else None,
            statement_line=statement_line,
        )


def _sets_null(fk: ForeignKeyRef) -> bool:
    return (fk.ondelete or "").upper() == "SET NULL"


def _fix(ctx: FileContext, column: ColumnDef) -> Fix | None:
    if column.primary_key or column.dynamic:
        return None
    edits: list[Edit] = []
    call = column.sa_column or column.call
    nullable = call.kwargs.get("nullable") if call is not None else None
    if nullable is not None:
        edits.append(Edit(nullable.span.start, nullable.span.end, "True"))
    annotation = column.annotation
    if (
        annotation is not None
        and not annotation.optional
        and column.sa_column is None
        and (annotation.mapped or column.kind in ("Field", "annotation"))
    ):
        rewritten = annotate_nullable(ctx, column, True)
        if rewritten is None:
            return None
        edits.extend(rewritten[1])
    if not edits:
        return None
    return Fix("Make the column nullable", Applicability.UNSAFE, tuple(edits))
