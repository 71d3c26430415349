from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Applicability, Diagnostic, Edit, Fix
from schemacheck.edits import spell, splice, writes_pipe_none
from schemacheck.layout import statement_layout
from schemacheck.mapping import Role, find_column
from schemacheck.pytypes import python_type
from schemacheck.rules.base import Rule
from schemacheck.schema import ColumnDef

# Keyword arguments ``mapped_column()`` takes with the meaning they have for ``Column()``.
MAPPED_COLUMN_KEYWORDS = frozenset(
    {
        "nullable",
        "primary_key",
        "name",
        "type_",
        "autoincrement",
        "doc",
        "key",
        "index",
        "unique",
        "info",
        "onupdate",
        "insert_default",
        "server_default",
        "server_onupdate",
        "quote",
        "system",
        "comment",
        "default",
        "sort_order",
    }
)
_DIALECTS = ("postgresql_", "mysql_", "mariadb_", "sqlite_", "mssql_", "oracle_")


class LegacyColumn(Rule):
    """
    ## What it does
    Checks for `Column()` (also `sa.Column`, `db.Column`) assigned as a class attribute of a
    declarative model or mixin.

    ## Why is this bad?
    SQLAlchemy 2.0 maps attributes with `Mapped[...]` annotations and `mapped_column()`. The
    annotation states the Python type and the nullability in one place, type checkers see the real
    attribute types, and the same syntax serves dataclass mappings. A bare `Column` attribute is
    typed as a `Column`, not as its value. `Column` stays the right construct inside `Table()`,
    SQLModel's `sa_column=` and `__table__`; those are not reported.

    ## Example
    ```python
    class User(Base):
        __tablename__ = "users"
        id = Column(Integer, primary_key=True)
        name = Column(String(50), nullable=False)
        bio = Column(Text)
    ```

    ## Use instead
    ```python
    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(Integer, primary_key=True)
        name: Mapped[str] = mapped_column(String(50))
        bio: Mapped[Optional[str]] = mapped_column(Text)
    ```

    ## Fix safety
    The fix is safe: the table is the same. The annotation is inferred from the column's type, and
    its nullability from `nullable=` (or from `Column`'s default: nullable unless it is a primary
    key), so a `nullable=` that the annotation now states is dropped. `Optional[...]` or `X | None`
    follows the file's existing style, then the `target-version`. No fix is offered when the type
    cannot be inferred (a custom type, or a foreign key to a column this file does not define),
    for `declared_attr` functions, or when the call passes `*args`/`**kwargs`.
    """

    code = "SC201"
    name = "legacy-column"
    family = "columns"
    fix_applicability = Applicability.SAFE

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        mapping = ctx.mapping
        for cls in ctx.schema.classes:
            if mapping.role(cls) in (Role.OTHER, Role.SQLMODEL_DATA) or mapping.is_sqlmodel(cls):
                continue
            for column in cls.columns:
                if column.kind != "Column":
                    continue
                yield self.report(
                    ctx,
                    column.report_span,
                    f'Legacy `Column()` for "{column.attr}": use `Mapped[...] = mapped_column()`',
                    self._fix(ctx, column),
                    statement_line=column.span.line,
                )

    def _fix(self, ctx: FileContext, column: ColumnDef) -> Fix | None:
        call = column.call
        if column.declared_attr or call is None or call.has_star:
            return None
        layout = statement_layout(ctx, column, call)
        if layout is None:
            return None
        if any(
            k not in MAPPED_COLUMN_KEYWORDS and not k.startswith(_DIALECTS) for k in call.kwargs
        ):
            return None
        py_type = self._python_type(ctx, column)
        if py_type is None:
            return None
        nullable = call.kwargs.get("nullable")
        # ``nullable=`` becomes redundant with the annotation; it stays when removing it could
        # take a comment along.
        drop_nullable = (
            nullable is not None
            and nullable.has_literal
            and isinstance(nullable.literal, bool)
            and "#" not in ctx.text[call.span.start : call.span.end]
        )
        if drop_nullable:
            optional = bool(nullable.literal) if nullable is not None else False
        elif nullable is not None:
            optional = False  # a computed nullable= stays and decides
        else:
            optional = not column.primary_key and not _has_identity(column)
        pipe = writes_pipe_none(ctx)
        wanted = ["sqlalchemy.Mapped", "sqlalchemy.mapped_column"]
        if "." in py_type:
            wanted.append(py_type)
        if optional and not pipe:
            wanted.append("typing.Optional")
        spelled = spell(ctx, wanted)
        inner = spelled.names.get(py_type, py_type)
        if optional:
            inner = f"{inner} | None" if pipe else f"{spelled.names['typing.Optional']}[{inner}]"
        annotation = f"{spelled.names['sqlalchemy.Mapped']}[{inner}]"
        # The new code is the old one with a few ranges changed: nothing else is rewritten.
        changes = [(*layout.callee, spelled.names["sqlalchemy.mapped_column"])]
        if drop_nullable:
            if layout.nullable is None:
                return None
            changes.append((*layout.nullable, ""))
        if layout.annotate_at is not None:
            changes.append((layout.annotate_at, layout.annotate_at, f": {annotation}"))
        start, end = layout.start, layout.end
        edits = (Edit(start, end, splice(ctx.text, start, end, changes)), *spelled.edits)
        return Fix(
            "Convert to `mapped_column()` with a `Mapped[...]` annotation",
            Applicability.SAFE,
            edits,
        )

    def _python_type(self, ctx: FileContext, column: ColumnDef) -> str | None:
        if column.sql_type is not None:
            return python_type(column.sql_type)
        for fk in column.foreign_keys:
            target = fk.targets[0] if fk.targets else None
            referenced = find_column(ctx.mapping, target) if target else None
            if referenced is not None and referenced.sql_type is not None:
                return python_type(referenced.sql_type)
            if (
                referenced is not None
                and referenced.annotation is not None
                and (referenced.annotation.mapped)
            ):
                inner = referenced.annotation.inner
                return inner if inner in ("int", "str") else None
        return None


def _has_identity(column: ColumnDef) -> bool:
    return column.call is not None and any(
        a.qualname == "sqlalchemy.Identity" for a in column.call.args
    )
