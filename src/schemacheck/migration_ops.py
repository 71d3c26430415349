"""What Alembic operations do to a schema: the objects they create and drop, and their inverses.

Shared by the migration rules (SC501 generates a downgrade from it, SC502 compares the two
directions, SC503/SC504/SC512 skip tables created earlier in the same migration).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from schemacheck.schema import FileSchema, MigrationOp

# Object keys: ("table", t), ("column", t, c), ("index", name), ("constraint", name).
ObjectKey = tuple[str, ...]

_CONSTRAINT_TYPES = {
    "create_unique_constraint": "unique",
    "create_foreign_key": "foreignkey",
    "create_check_constraint": "check",
    "create_primary_key": "primary",
}


def created(op: MigrationOp) -> list[ObjectKey]:
    """The objects an operation creates (a renamed table counts as created under its new name)."""
    table = op.table or "?"
    if op.name == "create_table":
        keys: list[ObjectKey] = [("table", table)]
        keys += [("column", table, c.name) for c in op.columns if c.name]
        return keys
    if op.name == "add_column" and op.columns and op.columns[0].name:
        return [("column", table, op.columns[0].name)]
    if op.name == "create_index":
        name = op.text("index_name")
        return [("index", name)] if name else []
    if op.name in _CONSTRAINT_TYPES:
        name = op.text("constraint_name")
        return [("constraint", name)] if name else []
    if op.name == "rename_table":
        new = op.text("new_table_name")
        return [("table", new)] if new else []
    return []


def dropped(op: MigrationOp) -> list[ObjectKey]:
    table = op.table or "?"
    if op.name == "drop_table":
        return [("table", table)]
    if op.name == "drop_column":
        name = op.text("column_name")
        return [("column", table, name)] if name else []
    if op.name == "drop_index":
        name = op.text("index_name")
        return [("index", name)] if name else []
    if op.name == "drop_constraint":
        name = op.text("constraint_name")
        return [("constraint", name)] if name else []
    if op.name == "rename_table":
        return [("table", table)]
    return []


# Calls on ``op`` that read or set up, and change neither the schema nor rows.
NOT_CHANGES = frozenset({"get_bind", "get_context", "f", "inline_literal", "is_offline_mode"})

# The kind of object each operation creates or drops, whether or not its name can be read.
CREATES = {
    "create_table": "table",
    "add_column": "column",
    "create_index": "index",
    "rename_table": "table",
    **dict.fromkeys(_CONSTRAINT_TYPES, "constraint"),
}
DROPS = {
    "drop_table": "table",
    "drop_column": "column",
    "drop_index": "index",
    "drop_constraint": "constraint",
    "rename_table": "table",
}


def unnamed_kinds(
    ops: Iterable[MigrationOp],
    kinds: dict[str, str],
    keys_of: Callable[[MigrationOp], list[ObjectKey]],
) -> set[str]:
    """The kinds of object some of ``ops`` create or drop under a name that cannot be read
    (``batch_op.drop_column(column_name)``, a table chosen in a loop): any of that kind may be
    the one."""
    found: set[str] = set()
    for op in ops:
        kind = kinds.get(op.name)
        if kind is None:
            continue
        keys = keys_of(op)
        if not keys or any("?" in key for key in keys):
            found.add(kind)
    return found


def tables_created_before(ops: Iterable[MigrationOp]) -> dict[int, set[str]]:
    """For each op (by id), the tables an earlier op of the same function created."""
    seen: set[str] = set()
    result: dict[int, set[str]] = {}
    for op in ops:
        result[id(op)] = set(seen)
        if op.name == "create_table" and op.table:
            seen.add(op.table)
    return result


def table_of(key: ObjectKey, ops: Iterable[MigrationOp]) -> str | None:
    """The table an object belongs to, as far as the operations tell."""
    if key[0] in ("table", "column"):
        return key[1]
    for op in ops:
        if key in created(op) or key in dropped(op):
            return op.table
    return None


@dataclass(frozen=True)
class Inverse:
    """The statement that undoes an operation, or why none can be written."""

    code: str | None
    blocker: str | None = None


def _quoted(value: str | None, like: str | None = None) -> str:
    """A string literal, quoted the way ``like`` (a literal of the same file) is."""
    text = repr(value)
    if like and like.startswith('"') and value is not None and '"' not in value:
        return f'"{value}"'
    return text


def inverse(op: MigrationOp) -> Inverse:
    """The call that undoes ``op`` in a downgrade, written in the upgrade's own spelling."""
    r = op.receiver
    table_src = op.source("table_name") or _quoted(op.table, op.batch_header)
    name = op.name
    if name == "create_table":
        return Inverse(f"{r}.drop_table({table_src})")
    if name == "add_column":
        column = op.columns[0] if op.columns else None
        if column is None or column.name is None:
            return Inverse(None, "add_column with a column whose name is not a literal")
        if op.batch:
            return Inverse(f"{r}.drop_column({_quoted(column.name, op.batch_header)})")
        return Inverse(f"{r}.drop_column({table_src}, {_quoted(column.name, table_src)})")
    if name == "create_index":
        index = op.source("index_name")
        if index is None or index == "None":
            return Inverse(None, "create_index without a name")
        if op.batch:
            return Inverse(f"{r}.drop_index({index})")
        return Inverse(f"{r}.drop_index({index}, table_name={table_src})")
    if name in _CONSTRAINT_TYPES:
        constraint = op.source("constraint_name")
        if constraint is None or constraint == "None":
            return Inverse(None, f"{name} without a constraint name")
        kind = _CONSTRAINT_TYPES[name]
        if op.batch:
            return Inverse(f"{r}.drop_constraint({constraint}, type_={kind!r})")
        table = op.source("source_table") if name == "create_foreign_key" else table_src
        return Inverse(f"{r}.drop_constraint({constraint}, {table}, type_={kind!r})")
    if name == "rename_table":
        old, new = op.source("old_table_name"), op.source("new_table_name")
        return Inverse(f"{r}.rename_table({new}, {old})")
    if name == "alter_column":
        return _alter_inverse(op)
    if name == "execute":
        return Inverse(None, "op.execute() runs SQL that cannot be inverted automatically")
    if name == "drop_column":
        return Inverse(None, "drop_column does not say how to recreate the column")
    if name == "drop_table":
        return Inverse(None, "drop_table does not say how to recreate the table")
    if name in ("drop_index", "drop_constraint"):
        return Inverse(None, f"{name} does not say how to recreate it")
    return Inverse(None, f"{name} has no known inverse")


_ALTERED = (
    ("nullable", "existing_nullable"),
    ("type_", "existing_type"),
    ("server_default", "existing_server_default"),
    ("comment", "existing_comment"),
)


def _alter_inverse(op: MigrationOp) -> Inverse:
    r = op.receiver
    column = op.source("column_name")
    parts = [] if op.batch else [op.source("table_name") or _quoted(op.table)]
    new_name = op.source("new_column_name")
    parts.append(new_name if new_name else str(column))
    changed = False
    for attribute, existing in _ALTERED:
        if attribute in op.args:
            previous = op.source(existing)
            if previous is None:
                return Inverse(
                    None, f"alter_column changes {attribute.rstrip('_')} without stating {existing}"
                )
            parts.append(f"{attribute}={previous}")
            parts.append(f"{existing}={op.source(attribute)}")
            changed = True
        elif existing in op.args:
            parts.append(f"{existing}={op.source(existing)}")
    if new_name:
        parts.append(f"new_column_name={column}")
        changed = True
    if not changed:
        return Inverse(None, "alter_column changes nothing this tool can read")
    return Inverse(f"{r}.alter_column({', '.join(parts)})")


def members(ops: Iterable[MigrationOp]) -> dict[ObjectKey, tuple[str, frozenset[str]]]:
    """Indexes and constraints the operations name, with their table and columns."""
    result: dict[ObjectKey, tuple[str, frozenset[str]]] = {}
    for op in ops:
        columns = op.lists.get("columns") or op.lists.get("local_cols") or []
        if op.table is None:
            continue
        for key in created(op):
            if key[0] in ("index", "constraint"):
                result[key] = (op.table, frozenset(c for c in columns if c))
    return result


@dataclass
class NetEffect:
    """What a function leaves created and dropped, renames and implied drops accounted for."""

    created: set[ObjectKey]
    dropped: set[ObjectKey]
    ever_created: set[ObjectKey]  # by any operation, even if dropped again later
    ever_dropped: set[ObjectKey]


def net_effect(
    ops: Iterable[MigrationOp], known: dict[ObjectKey, tuple[str, frozenset[str]]]
) -> NetEffect:
    effect = NetEffect(set(), set(), set(), set())

    def drop(key: ObjectKey) -> None:
        effect.ever_dropped.add(key)
        if key in effect.created:
            effect.created.discard(key)
        else:
            effect.dropped.add(key)

    def create(key: ObjectKey) -> None:
        effect.ever_created.add(key)
        if key in effect.dropped:
            effect.dropped.discard(key)
        else:
            effect.created.add(key)

    for op in ops:
        table = op.table or "?"
        if op.name == "alter_column" and op.text("new_column_name"):
            old, new = op.text("column_name"), op.text("new_column_name")
            drop(("column", table, str(old)))
            create(("column", table, str(new)))
            continue
        if op.name == "drop_column":
            column = op.text("column_name")
            # Dropping a column drops the indexes and constraints that use it.
            for key, (owner, columns) in known.items():
                if owner == table and column in columns:
                    drop(key)
        if op.name == "drop_table":
            for key, (owner, _) in known.items():
                if owner == table:
                    drop(key)
            for key in list(effect.created):
                if key[0] == "column" and key[1] == table:
                    drop(key)
        for key in dropped(op):
            drop(key)
        for key in created(op):
            create(key)
    return effect


def upgrade_ops(schema: FileSchema) -> list[MigrationOp]:
    """The upgrade's operations; empty when the file is not a migration."""
    migration = schema.migration
    return migration.upgrade.ops if migration is not None else []


def all_ops(schema: FileSchema) -> list[MigrationOp]:
    """The operations of upgrade() then downgrade()."""
    migration = schema.migration
    if migration is None:
        return []
    downgrade = migration.downgrade.ops if migration.downgrade is not None else []
    return [*migration.upgrade.ops, *downgrade]
