from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Diagnostic
from schemacheck.mapping import TableView, primary_key_columns, table_views
from schemacheck.relations import schema_index
from schemacheck.rules.base import Rule


class AssociationTableMissingKey(Rule):
    """
    ## What it does
    Checks many-to-many association tables for a key over their foreign keys: a composite
    primary key, or a unique constraint or unique index, spanning at least two of the foreign-key
    columns. An association table is a table named by some relationship's `secondary=` (or
    SQLModel's `link_model=`) anywhere in the project, or a `Table()` whose columns are all
    foreign keys.

    ## Why is this bad?
    Without a key the same pair can be stored twice: appending an already related object, a
    retried request or a race between two sessions doubles the link, and every join through the
    table then returns the related row twice. Removing one of the duplicates through the ORM
    deletes both, or fails with "expected to delete 1 row".

    ## Example
    ```python
    post_tags = Table(
        "post_tags",
        Base.metadata,
        Column("post_id", ForeignKey("posts.id", ondelete="CASCADE")),
        Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE")),
    )
    ```

    ## Use instead
    ```python
    post_tags = Table(
        "post_tags",
        Base.metadata,
        Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
        Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    )
    ```

    ## Fix safety
    There is no fix: existing duplicate rows must be removed before a key can be added.
    """

    code = "SC110"
    name = "association-table-missing-key"
    family = "relationships"

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        views = table_views(ctx.mapping)
        if not views:
            return
        secondaries = schema_index(ctx).secondaries
        for view in views:
            fk_columns = _fk_columns(view)
            if len(fk_columns) < 2 or not view.complete or view.opaque:
                continue
            named = {view.name, view.table.variable if view.table else None}
            named |= {view.cls.name} if view.cls is not None else set()
            pure = view.table is not None and all(c.foreign_keys for c in view.columns)
            if not (pure or named & secondaries):
                continue
            if _keyed(view, fk_columns):
                continue
            span = view.report_span
            listed = ", ".join(f'"{c}"' for c in sorted(fk_columns))
            yield self.report(
                ctx,
                span,
                f'Association table "{view.name}" has no primary key or unique constraint over '
                f"its foreign keys ({listed}): the same link can be stored twice",
            )


def _fk_columns(view: TableView) -> set[str]:
    names = {c.name for c in view.columns if c.foreign_keys and c.name}
    for fk in view.foreign_keys:
        names |= {c for c in fk.columns if c}
    return names


def _keyed(view: TableView, fk_columns: set[str]) -> bool:
    if any(c.dynamic for c in view.columns) or view.args_opaque:
        return True  # built in a way not read statically: do not guess
    keys: list[list[str | None]] = [list(primary_key_columns(view.columns, view.indexes))]
    keys += [index.columns for index in view.indexes if index.unique]
    return any(len({c for c in key if c} & fk_columns) >= 2 for key in keys)
