from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Diagnostic
from schemacheck.mapping import TableView, allows_null, table_views
from schemacheck.rules.base import Option, Rule
from schemacheck.rules.foreign_keys.fk_missing_index import covered


class RequiredColumn(Rule):
    """
    ## What it does
    Checks that every table has each column named by the `columns` option (a tenant or owner
    key such as `tenant_id` or `user_id`), and that the column is NOT NULL, indexed and a
    foreign key. Columns inherited from mixins and base classes, in any module, count. The rule
    is off until `columns` is set; tables matching `exclude-tables` (the tenants table itself,
    lookup tables) are skipped, and so are tables whose base classes are outside the project.

    ## Why is this bad?
    In a multi-tenant schema every row must say whose it is. A table without the key cannot be
    filtered by tenant, so a forgotten `WHERE tenant_id = ...` leaks data; a nullable key lets
    rows belong to nobody; without an index every tenant-scoped query scans the table; without
    the foreign key, rows outlive their tenant.

    ## Example
    ```toml
    [tool.schemacheck.rules.required-column]
    columns = ["tenant_id"]
    exclude-tables = ["tenants"]
    ```
    ```python
    class Invoice(Base):
        __tablename__ = "invoices"
        id: Mapped[int] = mapped_column(primary_key=True)
        tenant_id: Mapped[Optional[int]] = mapped_column()
    ```

    ## Use instead
    ```python
    class Invoice(Base):
        __tablename__ = "invoices"
        id: Mapped[int] = mapped_column(primary_key=True)
        tenant_id: Mapped[int] = mapped_column(
            ForeignKey("tenants.id", ondelete="CASCADE"), index=True
        )
    ```

    ## Fix safety
    There is no fix: the referenced table and the values for existing rows are the author's choice.

    ## Options
    - `columns` (list of strings, `[]`): the columns every table must have.
    - `exclude-tables` (list of strings, `[]`): tables that need not have them (glob patterns
      allowed).
    """

    code = "SC307"
    name = "required-column"
    family = "tables"
    default_enabled = False
    enabled_by_option = "columns"
    options = (
        Option("columns", list, [], "Columns every table must have."),
        Option("exclude-tables", list, [], "Tables exempt from the requirement (globs)."),
    )

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        required: list[str] = self.settings["columns"]
        if not required:
            return
        excluded: list[str] = self.settings["exclude-tables"]
        for view in table_views(ctx.mapping):
            if view.name is None or any(fnmatch.fnmatchcase(view.name, p) for p in excluded):
                continue
            for name in required:
                problem = _problem(view, name)
                if problem is not None:
                    yield self.report(ctx, view.report_span, f'Table "{view.name}" {problem}')


def _problem(view: TableView, name: str) -> str | None:
    column = view.column(name)
    if column is None:
        if view.may_have(name) or any(c.name is None or c.dynamic for c in view.columns):
            return None
        return f'has no required column "{name}"'
    problems = []
    if allows_null(column):
        problems.append("nullable")
    if not column.foreign_keys and not any(name in fk.columns for fk in view.foreign_keys):
        problems.append("not a foreign key")
    if not covered(view, [name]):
        problems.append("not indexed")
    if not problems:
        return None
    return f'has required column "{name}" but it is {", ".join(problems)}'
