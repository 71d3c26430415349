from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from schemacheck.context import FileContext
from schemacheck.diagnostics import Applicability, Diagnostic, Edit, Fix, Span
from schemacheck.rules.base import Rule
from schemacheck.schema import Migration, MigrationOp


@dataclass
class _CreatedForeignKey:
    op: MigrationOp
    table: str
    columns: list[str]
    span: Span


class MigrationFkWithoutIndex(Rule):
    """
    ## What it does
    Checks for foreign keys a migration creates (`create_foreign_key`, a `ForeignKeyConstraint` or
    `sa.ForeignKey` in `create_table` or `add_column`) whose columns get no index in the same
    migration: no `create_index`, `index=True`, `unique=True`, unique or primary key constraint
    that starts with them.

    ## Why is this bad?
    PostgreSQL and SQLite do not index foreign-key columns by themselves. Joins from the parent,
    relationship loads and every `ON DELETE` check on the parent scan the child table. Adding the
    index in the migration that adds the key keeps the two together (and `autogenerate` does not
    add it for you).

    ## Example
    ```python
    def upgrade() -> None:
        op.add_column("posts", sa.Column("editor_id", sa.Integer(), sa.ForeignKey("users.id")))
    ```

    ## Use instead
    ```python
    def upgrade() -> None:
        op.add_column("posts", sa.Column("editor_id", sa.Integer(), sa.ForeignKey("users.id")))
        op.create_index(op.f("ix_posts_editor_id"), "posts", ["editor_id"], unique=False)
    ```

    ## Fix safety
    The fix is safe: it adds the `op.create_index` right after the operation that creates the
    key (inside the same batch block), and the matching `op.drop_index` at the start of the
    downgrade when the downgrade does not drop the table anyway.
    """

    code = "SC510"
    name = "migration-fk-without-index"
    family = "migrations"
    fix_applicability = Applicability.SAFE

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        migration = ctx.schema.migration
        if migration is None:
            return
        ops = migration.upgrade.ops
        orders = _index_orders(ops)
        for fk in _created_foreign_keys(ops):
            wanted = set(fk.columns)
            if any(set(order[: len(wanted)]) == wanted for order in orders.get(fk.table, [])):
                continue
            names = ", ".join(f'"{c}"' for c in fk.columns)
            yield self.report(
                ctx,
                fk.span,
                f'Foreign key on "{fk.table}" ({names}) gets no index in this migration',
                self._fix(ctx, migration, fk),
            )

    def _fix(self, ctx: FileContext, migration: Migration, fk: _CreatedForeignKey) -> Fix:
        op, nl = fk.op, ctx.newline
        q = '"' if '"' in ctx.text[op.call.span.start : op.call.span.end] else "'"
        name = f"{q}ix_{fk.table}_{'_'.join(fk.columns)}{q}"
        columns = "[" + ", ".join(f"{q}{c}{q}" for c in fk.columns) + "]"
        r = op.receiver
        if op.batch:
            create = f"{r}.create_index({r}.f({name}), {columns}, unique=False)"
        else:
            create = f"{r}.create_index({r}.f({name}), {q}{fk.table}{q}, {columns}, unique=False)"
        end = op.statement_span.end
        prefix = "" if ctx.text[end - 1 : end] in ("\n", "\r") else nl
        edits = [Edit(end, end, f"{prefix}{op.indent}{create}{nl}")]
        downgrade = migration.downgrade
        if (
            downgrade is not None
            and downgrade.body == "code"
            and not any(d.name == "drop_table" and d.table == fk.table for d in downgrade.ops)
        ):
            drop = f"op.drop_index(op.f({name}), table_name={q}{fk.table}{q})"
            start = downgrade.body_span.start
            edits.append(Edit(start, start, f"{downgrade.body_indent}{drop}{nl}"))
        return Fix("Add `op.create_index` for the foreign key", Applicability.SAFE, tuple(edits))


def _created_foreign_keys(ops: list[MigrationOp]) -> list[_CreatedForeignKey]:
    found = []
    for op in ops:
        if op.table is None:
            continue
        if op.name in ("create_table", "add_column"):
            for column in op.columns:
                for fk in column.foreign_keys:
                    if column.name:
                        found.append(_CreatedForeignKey(op, op.table, [column.name], fk.span))
            for constraint in op.table_items.foreign_keys:
                columns = [c for c in constraint.columns if c]
                if columns and len(columns) == len(constraint.columns):
                    found.append(_CreatedForeignKey(op, op.table, columns, constraint.span))
        elif op.name == "create_foreign_key":
            columns = [c for c in op.lists.get("local_cols", []) if c]
            if columns and len(columns) == len(op.lists.get("local_cols", [])):
                found.append(_CreatedForeignKey(op, op.table, columns, op.call.span))
    return found


def _index_orders(ops: list[MigrationOp]) -> dict[str, list[list[str | None]]]:
    """Column orders of the indexes (and unique/primary keys) the migration creates, by table."""
    orders: dict[str, list[list[str | None]]] = {}
    for op in ops:
        if op.table is None:
            continue
        table = orders.setdefault(op.table, [])
        if op.name in ("create_index", "create_unique_constraint", "create_primary_key"):
            table.append(list(op.lists.get("columns", [])))
        elif op.name in ("create_table", "add_column"):
            primary = [c.name for c in op.columns if c.primary_key]
            if primary:
                table.append(list(primary))
            for column in op.columns:
                if column.index or column.unique:
                    table.append([column.name])
            table.extend(list(index.columns) for index in op.table_items.indexes)
    return orders
