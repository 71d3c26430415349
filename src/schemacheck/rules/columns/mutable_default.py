from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Applicability, Diagnostic, Edit, Fix
from schemacheck.mapping import schema_columns
from schemacheck.rules.base import Rule
from schemacheck.schema import ColumnDef, Expr

_FACTORIES = {"[]": "list", "{}": "dict", "list()": "list", "dict()": "dict", "set()": "set"}


class MutableDefault(Rule):
    """
    ## What it does
    Checks for `default=[]`, `{}`, `list()`, `dict()` or `set()` on a column or SQLModel field.

    ## Why is this bad?
    The expression is evaluated once, when the class is defined, and the same object becomes the
    default of every row: mutate the list of one new row in place and the next row starts with
    those items. Passing the type (`default=list`) makes SQLAlchemy call it for each row.

    ## Example
    ```python
    class Post(Base):
        __tablename__ = "posts"
        id: Mapped[int] = mapped_column(primary_key=True)
        tags: Mapped[list[str]] = mapped_column(JSON, default=[])
    ```

    ## Use instead
    ```python
    class Post(Base):
        __tablename__ = "posts"
        id: Mapped[int] = mapped_column(primary_key=True)
        tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    ```

    ## Fix safety
    The fix is safe: `default=list` (`dict`, `set`) gives each row a new, equal, empty value.
    For SQLModel fields it writes `default_factory=list`, which is what pydantic calls per
    instance.
    """

    code = "SC205"
    name = "mutable-default"
    family = "columns"
    fix_applicability = Applicability.SAFE

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for column in schema_columns(ctx.mapping):
            call = column.call
            default = call.kwargs.get("default") if call is not None else None
            if default is None:
                continue
            factory = _FACTORIES.get("".join(default.source.split()))
            if factory is None:
                continue
            yield self.report(
                ctx,
                default.span,
                f'`default={default.source}` on "{column.name}" is one object shared by every row',
                _fix(ctx, column, default, factory),
                statement_line=column.span.line,
            )


def _fix(ctx: FileContext, column: ColumnDef, default: Expr, factory: str) -> Fix:
    if column.kind == "Field" or ctx.mapping.is_dataclass_column(column):
        # pydantic and dataclasses call default_factory; a default is used as it is.
        start = ctx.text.rfind("default", 0, default.span.start)
        edit = Edit(start, default.span.end, f"default_factory={factory}")
        message = f"Use `default_factory={factory}`"
    else:
        edit = Edit(default.span.start, default.span.end, factory)
        message = f"Use `default={factory}`"
    return Fix(message, Applicability.SAFE, (edit,))
