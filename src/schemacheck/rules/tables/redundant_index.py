from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from schemacheck.context import FileContext
from schemacheck.diagnostics import Applicability, Diagnostic, Edit, Fix, Span
from schemacheck.layout import call_keyword_removal
from schemacheck.mapping import Mapping, TableView, primary_key_columns, table_views
from schemacheck.rules.base import Rule
from schemacheck.schema import ColumnDef, IndexDef


@dataclass
class _Index:
    """An index the table gets, whatever declared it."""

    columns: tuple[str, ...]
    unique: bool
    label: str
    span: Span
    column: ColumnDef | None = None  # set for ``index=True`` on a column
    definition: IndexDef | None = None  # set for ``Index``/``UniqueConstraint``

    def own(self, mapping: Mapping) -> bool:
        """Whether the file being checked declares it (a mixin's is reported with the mixin)."""
        if self.column is not None:
            return mapping.is_own(self.column)
        return self.definition is None or mapping.is_own(self.definition)


class RedundantIndex(Rule):
    """
    ## What it does
    Checks for indexes the database already has in another form: `index=True` on a primary-key
    column, and a non-unique index (an `Index` or `index=True`) whose columns equal, or are a
    leading prefix of, another index, unique constraint or the primary key of the same table.
    `unique=True` together with `index=True` makes one unique index, not two, and is not
    reported. A partial index (`postgresql_where=`), another method than a B-tree
    (`postgresql_using="gin"`), operator classes or prefix lengths serve other lookups: such an
    index is neither reported nor taken to cover another.

    ## Why is this bad?
    Every index is written on every insert and update and takes disk and memory, but the query
    planner only needs one index per leading column set: an index on `(b)` next to one on
    `(b, a)` costs writes and serves no query the second cannot.

    ## Example
    ```python
    class Membership(Base):
        __tablename__ = "memberships"
        __table_args__ = (Index("ix_memberships_user_project", "user_id", "project_id"),)
        id: Mapped[int] = mapped_column(primary_key=True, index=True)
        user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
        project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    ```

    ## Use instead
    ```python
    class Membership(Base):
        __tablename__ = "memberships"
        __table_args__ = (Index("ix_memberships_user_project", "user_id", "project_id"),)
        id: Mapped[int] = mapped_column(primary_key=True)
        user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
        project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    ```

    ## Fix safety
    The fix is safe: it removes `index=True` from the column, leaving the index that covers it.
    A redundant `Index(...)` in `__table_args__` or `Table()` is reported without a fix.
    """

    code = "SC306"
    name = "redundant-index"
    family = "tables"
    fix_applicability = Applicability.SAFE

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        reported: set[int] = set()
        for view in table_views(ctx.mapping):
            indexes = _indexes(view)
            for position, index in enumerate(indexes):
                if index.unique:
                    continue
                cover = _covering(index, position, indexes)
                if cover is None or not index.own(ctx.mapping):
                    continue
                key = id(index.column) if index.column is not None else id(index.span)
                if key in reported:
                    continue
                reported.add(key)
                columns = ", ".join(index.columns)
                yield self.report(
                    ctx,
                    index.span,
                    f"Index on ({columns}) is redundant: {cover.label} already covers it",
                    _fix(ctx, index.column) if index.column is not None else None,
                    statement_line=index.column.span.line if index.column else None,
                )


def _indexes(view: TableView) -> list[_Index]:
    result = []
    aliases = {c.attr: c.name for c in view.columns if c.attr and c.name}
    primary = tuple(c for c in primary_key_columns(view.columns, view.indexes) if c)
    if primary:
        result.append(_Index(primary, True, "the primary key", view.columns[0].span))
    for column in view.columns:
        if column.name is None or column.dynamic:
            continue
        if column.index and not column.unique:
            result.append(
                _Index(
                    (column.name,),
                    False,
                    f'index=True on "{column.name}"',
                    column.report_span,
                    column,
                )
            )
        elif column.unique:
            result.append(
                _Index((column.name,), True, f'the unique "{column.name}"', column.report_span)
            )
    for index in view.indexes:
        if index.kind == "PrimaryKeyConstraint" or None in index.columns or index.special:
            continue
        columns = tuple(aliases.get(c, c) for c in index.columns if c is not None)
        label = f'"{index.name}"' if index.name else f"{index.kind}({', '.join(columns)})"
        result.append(_Index(columns, index.unique, label, index.span, definition=index))
    return result


def _covering(index: _Index, position: int, indexes: list[_Index]) -> _Index | None:
    for other_position, other in enumerate(indexes):
        if other is index or other.columns[: len(index.columns)] != index.columns:
            continue
        longer = len(other.columns) > len(index.columns)
        # Of two equal non-unique indexes, the later one is the redundant one.
        if other.unique or longer or other_position < position:
            return other
    return None


def _fix(ctx: FileContext, column: ColumnDef) -> Fix | None:
    removed = None if column.sa_column is not None else call_keyword_removal(ctx, column, "index")
    if removed is None:
        return None
    return Fix("Remove `index=True`", Applicability.SAFE, (Edit(*removed, ""),))
