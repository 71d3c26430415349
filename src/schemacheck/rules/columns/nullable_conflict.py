from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from schemacheck.context import FileContext
from schemacheck.diagnostics import Applicability, Diagnostic, Edit, Fix
from schemacheck.edits import spell
from schemacheck.mapping import schema_columns
from schemacheck.positions import node_offsets
from schemacheck.rules.base import Rule
from schemacheck.schema import ColumnDef


class NullableConflict(Rule):
    """
    ## What it does
    Checks for a `Mapped[...]` annotation that contradicts the column's explicit `nullable=`:
    `Mapped[Optional[T]]` (or `T | None`) with `nullable=False`, or `Mapped[T]` with
    `nullable=True`.

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
        for column in schema_columns(ctx.mapping):
            annotation = column.annotation
            if annotation is None or not annotation.mapped or column.nullable is None:
                continue
            if annotation.optional == column.nullable:
                continue
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
        statement = column.statement.node
        annotation = column.annotation
        if not isinstance(statement, cst.AnnAssign) or annotation is None:
            return None
        node = statement.annotation.annotation
        if isinstance(node, cst.SimpleString):
            return None  # a string annotation: leave it to the author
        pipe = (ctx.schema.uses_pipe_none and not ctx.schema.uses_optional) or (
            not ctx.schema.uses_optional and ctx.target_version >= (3, 10)
        )
        wanted = ["sqlalchemy.Mapped"] + (
            [] if pipe or not column.nullable else ["typing.Optional"]
        )
        spelled = spell(ctx, wanted)
        inner = annotation.inner
        if column.nullable:
            inner = f"{inner} | None" if pipe else f"{spelled.names['typing.Optional']}[{inner}]"
        mapped = annotation.source.split("[", 1)[0]
        start, end = node_offsets(ctx.module, [node])[id(node)]
        text = f"{mapped}[{inner}]"
        return Fix(
            f"Annotate as `{text}`", Applicability.UNSAFE, (Edit(start, end, text), *spelled.edits)
        )
