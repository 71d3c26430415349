from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Applicability, Diagnostic, Fix
from schemacheck.layout import annotate_nullable
from schemacheck.mapping import Role, schema_columns
from schemacheck.rules.base import Rule
from schemacheck.schema import ColumnDef

_ANY = frozenset({"typing.Any", "typing_extensions.Any"})


class NullableConflict(Rule):
    """
    ## What it does
    Checks for a `Mapped[...]` annotation that contradicts the column's explicit `nullable=`:
    `Mapped[Optional[T]]` (or `T | None`) with `nullable=False`, or `Mapped[T]` with
    `nullable=True`.

    An annotation of `Any` contradicts neither, since it admits `None` as it admits everything.

    A subclass that shares its parent's table (single table inheritance) is the exception to the
    second: its columns must be nullable, since the other classes' rows leave them empty, and
    SQLAlchemy's documentation declares them `Mapped[str] = mapped_column(nullable=True)`.

    ## Why is this bad?
    SQLAlchemy follows `nullable=` and ignores the annotation's optionality, so the database and
    the type checker disagree: code is type-checked against values that cannot occur, or is
    allowed to assume a value that may be NULL.

    ## Example
    ```python
    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)
        nickname: Mapped[str] = mapped_column(String(50), nullable=True)
    ```

    ## Use instead
    ```python
    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)
        nickname: Mapped[Optional[str]] = mapped_column(String(50), nullable=True)
    ```

    ## Fix safety
    The fix is unsafe: it rewrites the annotation to match `nullable=` (the table stays the
    same), which changes the attribute's type for every piece of code that reads it.
    """

    code = "SC204"
    name = "nullable-conflict"
    family = "columns"
    fix_applicability = Applicability.UNSAFE

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        shared = {
            cls.name
            for cls in ctx.schema.classes
            if not cls.nested and ctx.mapping.role(cls) is Role.SINGLE_TABLE
        }
        for column in schema_columns(ctx.mapping):
            annotation = column.annotation
            if annotation is None or not annotation.mapped or column.nullable is None:
                continue
            if annotation.optional == column.nullable or annotation.inner_qualname in _ANY:
                continue
            if column.nullable and column.owner in shared:
                continue  # SQLAlchemy's own idiom for a column only its subclass's rows fill
            call = column.call
            nullable = call.kwargs["nullable"] if call is not None else None
            span = nullable.span if nullable is not None else column.report_span
            said = "Optional" if annotation.optional else "not Optional"
            yield self.report(
                ctx,
                span,
                f'"{column.name}" is `nullable={column.nullable}` but its annotation is {said}',
                self._fix(ctx, column),
                statement_line=column.span.line,
            )

    def _fix(self, ctx: FileContext, column: ColumnDef) -> Fix | None:
        rewritten = annotate_nullable(ctx, column, bool(column.nullable))
        if rewritten is None:
            return None
        text, edits = rewritten
        return Fix(f"Annotate as `{text}`", Applicability.UNSAFE, tuple(edits))
