from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Applicability, Diagnostic, Edit, Fix
from schemacheck.edits import add_keyword, insert, spell
from schemacheck.layout import field_layout
from schemacheck.mapping import Role, schema_columns
from schemacheck.rules.base import Option, Rule
from schemacheck.schema import STRING_TYPES, ClassDef, ColumnDef, Insertion


class StringWithoutLength(Rule):
    """
    ## What it does
    Checks for string columns without a length: `String`, `VARCHAR`, `Unicode`, `NVARCHAR` and
    `CHAR` with no length, a `Mapped[str]` column with no explicit type (unless the declarative
    base's `type_annotation_map` maps `str` to a sized type), and SQLModel `str` fields without
    `max_length` in a table model, including fields inherited from non-table models.

    ## Why is this bad?
    A length is part of the data's contract. MySQL and MariaDB refuse `VARCHAR` without one
    (`CREATE TABLE` fails), SQL Server and Oracle give it a tiny default, and even where an
    unbounded `VARCHAR` is legal, nothing stops a client from storing megabytes in a `name`.
    Use `Text` where unbounded text is meant.

    ## Example
    ```python
    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)
        email: Mapped[str]
        name: Mapped[str] = mapped_column(String)
    ```

    ## Use instead
    ```python
    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)
        email: Mapped[str] = mapped_column(String(320))
        name: Mapped[str] = mapped_column(String(100))
    ```

    ## Fix safety
    The fix is unsafe: it writes the `default-length` option's length (255), which the tool
    chooses rather than the data; a shorter length than existing values also needs a migration.

    ## Options
    - `default-length` (integer, `255`): the length the fix writes.
    """

    code = "SC202"
    name = "string-without-length"
    family = "columns"
    fix_applicability = Applicability.UNSAFE
    options = (Option("default-length", int, 255, "The length the fix writes."),)

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        length = self.settings["default-length"]
        mapping = ctx.mapping
        sqlmodel_fields = self._sqlmodel_table_fields(ctx)
        for column in schema_columns(mapping):
            sql_type = column.sql_type
            if sql_type is not None:
                if (
                    sql_type.is_sqlalchemy
                    and sql_type.name in STRING_TYPES
                    and not (sql_type.has_length)
                ):
                    yield self._sized_type(ctx, column, length)
                continue
            if id(column) in sqlmodel_fields:
                yield from self._sqlmodel(ctx, column, length)
            elif self._bare_mapped_str(ctx, column):
                yield self._mapped_str(ctx, column, length)

    def _sized_type(self, ctx: FileContext, column: ColumnDef, length: int) -> Diagnostic:
        assert column.sql_type is not None
        sql_type = column.sql_type
        call = sql_type.call
        fix: Fix | None = None
        if call is None:
            span = sql_type.expr.span
            fix = Fix(
                f"Add length {length}",
                Applicability.UNSAFE,
                (Edit(span.end, span.end, f"({length})"),),
            )
        elif "length" not in call.kwargs and not call.has_star:
            fix = Fix(
                f"Add length {length}", Applicability.UNSAFE, (insert(call.prepend, str(length)),)
            )
        return self.report(
            ctx,
            sql_type.expr.span,
            f'`{sql_type.name}` column "{column.name}" has no length',
            fix,
            statement_line=column.span.line,
        )

    def _bare_mapped_str(self, ctx: FileContext, column: ColumnDef) -> bool:
        annotation = column.annotation
        if annotation is None or not annotation.mapped or annotation.inner != "str":
            return False
        if column.kind not in ("mapped_column", "annotation") or column.foreign_keys:
            return False
        if column.dynamic:
            return False
        owner = ctx.schema.class_named(column.owner) if column.owner else None
        return owner is None or not any(
            c.str_type_mapped for c in [owner, *ctx.mapping.ancestors(owner)]
        )

    def _mapped_str(self, ctx: FileContext, column: ColumnDef, length: int) -> Diagnostic:
        call = column.call
        fix: Fix | None = None
        if call is None:
            spelled = spell(ctx, ["sqlalchemy.String", "sqlalchemy.mapped_column"])
            string = spelled.names["sqlalchemy.String"]
            text = f" = {spelled.names['sqlalchemy.mapped_column']}({string}({length}))"
            fix = Fix(
                f"Add `mapped_column({string}({length}))`",
                Applicability.UNSAFE,
                (Edit(column.span.end, column.span.end, text), *spelled.edits),
            )
        elif not call.has_star:
            spelled = spell(ctx, ["sqlalchemy.String"])
            string = f"{spelled.names['sqlalchemy.String']}({length})"
            at = call.prepend
            if call.args and isinstance(call.args[0].literal, str):
                at = Insertion(call.args[0].span.end, ", ", "")
            fix = Fix(f"Add `{string}`", Applicability.UNSAFE, (insert(at, string), *spelled.edits))
        return self.report(
            ctx,
            column.report_span,
            f'`Mapped[str]` column "{column.name}" has no string length',
            fix,
            statement_line=column.span.line,
        )

    def _sqlmodel(self, ctx: FileContext, column: ColumnDef, length: int) -> Iterator[Diagnostic]:
        annotation = column.annotation
        if annotation is None or annotation.inner != "str" or column.sa_column is not None:
            return
        call = column.call
        if call is not None and ("max_length" in call.kwargs or call.has_star):
            return
        fix: Fix | None
        if call is not None:
            fix = Fix(
                f"Add `max_length={length}`",
                Applicability.UNSAFE,
                (add_keyword(call, "max_length", str(length)),),
            )
        else:
            fix = self._field_fix(ctx, column, length)
        yield self.report(
            ctx,
            column.report_span,
            f'SQLModel `str` field "{column.name}" has no `max_length`',
            fix,
            statement_line=column.span.line,
        )

    def _field_fix(self, ctx: FileContext, column: ColumnDef, length: int) -> Fix | None:
        layout = field_layout(ctx, column)
        if layout is None:
            return None
        spelled = spell(ctx, ["sqlmodel.Field"])
        field = spelled.names["sqlmodel.Field"]
        if layout.value is None:
            text = f" = {field}(max_length={length})"
            return Fix(
                f"Add `{field}(max_length={length})`",
                Applicability.UNSAFE,
                (Edit(column.span.end, column.span.end, text), *spelled.edits),
            )
        start, end = layout.value
        default = ctx.text[start:end]
        return Fix(
            f"Use `{field}(default=..., max_length={length})`",
            Applicability.UNSAFE,
            (Edit(start, end, f"{field}(default={default}, max_length={length})"), *spelled.edits),
        )

    def _sqlmodel_table_fields(self, ctx: FileContext) -> set[int]:
        """SQLModel fields that reach a table: those of table models and of their bases."""
        mapping = ctx.mapping
        result: set[int] = set()
        for cls in ctx.schema.classes:
            if mapping.role(cls) is Role.TABLE and mapping.is_sqlmodel(cls):
                owners: list[ClassDef] = [cls, *mapping.ancestors(cls)]
                for owner in owners:
                    if mapping.is_sqlmodel(owner):
                        result.update(id(c) for c in owner.columns)
        return result
