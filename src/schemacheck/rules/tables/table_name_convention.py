from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Diagnostic, Span
from schemacheck.naming import SNAKE_CASE, looks_plural
from schemacheck.rules.base import Option, Rule


class TableNameConvention(Rule):
    """
    ## What it does
    Checks that explicit table names (`__tablename__`, `Table("name", ...)`) are snake_case and,
    with the `style` option, plural (the default) or singular.

    ## Why is this bad?
    Table names end up in raw SQL, migrations, dashboards and other services' queries. Mixed
    conventions (`User`, `user_account`, `orderItems`) make every one of those a lookup, and
    case-sensitive names need quoting in PostgreSQL forever.

    ## Example
    ```python
    class OrderItem(Base):
        __tablename__ = "orderItem"
    ```

    ## Use instead
    ```python
    class OrderItem(Base):
        __tablename__ = "order_items"
    ```

    Names that Flask-SQLAlchemy or SQLModel derive from the class name are not checked.

    ## Fix safety
    There is no fix: renaming a table needs a migration and changes to every query.

    ## Options
    - `style` (string, `"plural"`): `plural`, `singular` or `any` (snake_case only).
    """

    code = "SC304"
    name = "table-name-convention"
    family = "tables"
    options = (
        Option("style", str, "plural", "Plural or singular names.", ("plural", "singular", "any")),
    )

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        names: list[tuple[str, Span]] = []
        for cls in ctx.schema.classes:
            if cls.tablename is not None and cls.tablename_span is not None:
                names.append((cls.tablename, cls.tablename_span))
        for table in ctx.schema.tables:
            if table.name is not None and table.call.args:
                names.append((table.name, table.call.args[0].span))
        style = self.settings["style"]
        for name, span in names:
            problem = _problem(name, style)
            if problem:
                yield self.report(ctx, span, f'Table name "{name}" {problem}')


def _problem(name: str, style: str) -> str | None:
    if not SNAKE_CASE.match(name):
        return "is not snake_case"
    if style == "plural" and not looks_plural(name):
        return "is not plural"
    if style == "singular" and looks_plural(name):
        return "is not singular"
    return None
