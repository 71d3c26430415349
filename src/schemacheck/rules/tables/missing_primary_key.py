from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Diagnostic
from schemacheck.mapping import primary_key_columns, table_label
from schemacheck.rules.base import Rule


class MissingPrimaryKey(Rule):
    """
    ## What it does
    Checks for a mapped class or `Table()` with no primary key: no `primary_key=True` column and
    no `PrimaryKeyConstraint`, on the table or anything it inherits.

    ## Why is this bad?
    Without a primary key a row cannot be addressed: the ORM refuses to map the class, replication
    tools and logical decoding cannot follow updates, duplicates creep in, and an association
    table accepts the same pair twice.

    ## Example
    ```python
    tags = Table("tags", metadata, Column("name", String(50), nullable=False))
    ```

    ## Use instead
    ```python
    tags = Table(
        "tags",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("name", String(50), nullable=False, unique=True),
    )
    ```

    A class whose bases come from another module (which may declare the key), or whose
    `__mapper_args__` names the primary key, is not reported.

    ## Fix safety
    There is no fix: which column identifies a row is a design decision.
    """

    code = "SC301"
    name = "missing-primary-key"
    family = "tables"

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for table in ctx.mapping.tables():
            if not table.complete or table.opaque or table.cls.mapper_args_opaque:
                continue
            columns = [*table.columns, *table.inherited_from_table]
            if table.args_opaque or any(c.dynamic for c in columns):
                continue  # a primary key may be in what was not read
            if primary_key_columns(columns, table.indexes):
                continue
            label = table_label(table.name, table.cls.name)
            yield self.report(ctx, table.cls.span, f"{label} has no primary key")
        for imperative in ctx.schema.tables:
            if any(c.dynamic for c in imperative.columns) or imperative.call.has_star:
                continue
            if primary_key_columns(imperative.columns, imperative.indexes):
                continue
            span = imperative.call.args[0].span if imperative.call.args else imperative.span
            label = table_label(imperative.name, imperative.variable)
            yield self.report(ctx, span, f"{label} has no primary key")
