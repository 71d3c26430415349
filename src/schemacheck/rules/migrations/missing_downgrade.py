from __future__ import annotations

import re
from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Applicability, Diagnostic, Edit, Fix
from schemacheck.migration_ops import NOT_CHANGES, inverse
from schemacheck.rules.base import Rule
from schemacheck.schema import Expr, Migration

_EMPTY = {
    "missing": "is empty",
    "pass": "only passes",
    "ellipsis": "is `...`",
    "docstring": "has only a docstring",
    "raise": "raises `NotImplementedError`",
}


_NO_OP = frozenset({"pass", "ellipsis", "docstring"})
# SQL that changes the schema, not rows.
_DDL = re.compile(
    r"\b(?:CREATE|ALTER|DROP|RENAME)\s+(?:OR\s+REPLACE\s+)?(?:UNIQUE\s+)?(?:TEMP\w*\s+)?"
    r"(?:TABLE|INDEX|COLUMN|TYPE|SEQUENCE|VIEW|MATERIALIZED|CONSTRAINT|SCHEMA|EXTENSION|TRIGGER"
    r"|FUNCTION|PROCEDURE|DOMAIN|RULE|POLICY)\b",
    re.IGNORECASE,
)
_DML_BUILDERS = frozenset({"sqlalchemy.update", "sqlalchemy.insert", "sqlalchemy.delete"})
_DML_METHOD = re.compile(r"\.(?:update|insert|delete)\(")
# Code that writes rows, and code that changes the schema through Alembic or metadata.
_WRITES_ROWS = re.compile(
    r"\b(?:UPDATE|INSERT|DELETE)\b|\.(?:update|insert|delete|add|add_all|merge|bulk_\w+)\(",
    re.IGNORECASE,
)
_SCHEMA_CALL = re.compile(
    r"\.(?:create_\w+|drop_\w+|add_column|alter_column|rename_table|batch_alter_table)\("
)


def _rows_only(ctx: FileContext, migration: Migration) -> bool:
    """Whether the upgrade only changes rows: no schema operation, SQL that can be read (a
    literal, ``text()`` of one, an ``update()``/``insert()``/``delete()``), and no DDL in its
    text. SQL from elsewhere (``op.execute(imported_sql)``) may change the schema, and other
    code counts only where the module shows it writing rows and nothing else."""
    upgrade = migration.upgrade
    for op in upgrade.ops:
        if op.name == "bulk_insert" or op.name in NOT_CHANGES:
            continue
        if op.name != "execute" or not _readable_sql(op.args.get("sqltext")):
            return False
    if upgrade.other_code:
        # Helpers it calls are in the module: it must write rows there, and change nothing else.
        text = ctx.text
        return (
            _WRITES_ROWS.search(text) is not None
            and _DDL.search(text) is None
            and _SCHEMA_CALL.search(text) is None
        )
    body = upgrade.body_span
    return _DDL.search(ctx.text, body.start, body.end) is None


def _readable_sql(sql: Expr | None) -> bool:
    if sql is None:
        return False
    if isinstance(sql.literal, str):
        return True
    call = sql.call
    if call is None:
        return False
    if call.qualname == "sqlalchemy.text":
        return bool(call.args) and isinstance(call.args[0].literal, str)
    return call.qualname in _DML_BUILDERS or _DML_METHOD.search(sql.source) is not None


class MissingDowngrade(Rule):
    """
    ## What it does
    Checks for migrations without a `downgrade()`, or whose `downgrade()` does nothing: `pass`,
    `...`, a docstring or `raise NotImplementedError`. A data migration may leave its downgrade
    a no-op, since the schema it leaves is the one it found: its upgrade has no schema
    operation, its SQL can be read (`op.execute("UPDATE ...")`, a backfill through a session)
    and none of it is DDL.

    ## Why is this bad?
    A release that has to be rolled back needs its migrations rolled back too. Without a working
    downgrade, `alembic downgrade` silently leaves the new tables and columns in place (or
    fails), and the previous version of the application runs against a schema it does not know.
    Writing the downgrade while the upgrade is fresh in mind costs minutes; writing it during an
    incident costs much more.

    ## Example
    ```python
    def upgrade() -> None:
        op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))


    def downgrade() -> None:
        pass
    ```

    ## Use instead
    ```python
    def upgrade() -> None:
        op.add_column("users", sa.Column("nickname", sa.String(50), nullable=True))


    def downgrade() -> None:
        op.drop_column("users", "nickname")
    ```

    ## Fix safety
    The fix is safe: when every operation of the upgrade has a known inverse, it writes the
    downgrade (the inverse operations in reverse order: `drop_table` for `create_table`,
    `drop_column` for `add_column`, `drop_index` and `drop_constraint` with the same names,
    `alter_column` back to the `existing_*` values the upgrade states, batch blocks kept). When an
    operation cannot be inverted (`op.execute`, `drop_column`, `alter_column` without its
    `existing_*` values), no fix is offered and the message names that operation.
    """

    code = "SC501"
    name = "missing-downgrade"
    family = "migrations"
    fix_applicability = Applicability.SAFE

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        migration = ctx.schema.migration
        if migration is None:
            return
        downgrade = migration.downgrade
        if downgrade is not None and downgrade.body not in _EMPTY:
            return
        upgrade = migration.upgrade
        nothing_runs = not upgrade.other_code or upgrade.only_guards
        if downgrade is not None and not upgrade.ops and nothing_runs:
            return  # nothing to undo: a merge point, or an empty revision (guards at most)
        if downgrade is not None and downgrade.body in _NO_OP and _rows_only(ctx, migration):
            return  # a data migration: the schema it leaves is the one it found
        code, blocker = _generate(migration)
        what = (
            "has no `downgrade()`"
            if downgrade is None
            else f"`downgrade()` {_EMPTY[downgrade.body]}"
        )
        message = f"Migration {what}: it cannot be rolled back"
        fix = None
        if blocker is not None:
            message += f" (no fix: {blocker})"
        elif code is not None:
            fix = self._fix(ctx, migration, code)
        span = downgrade.name_span if downgrade is not None else migration.upgrade.name_span
        yield self.report(ctx, span, message, fix)

    def _fix(self, ctx: FileContext, migration: Migration, lines: list[str]) -> Fix:
        downgrade = migration.downgrade
        nl = ctx.newline
        if downgrade is None:
            returns = " -> None" if migration.upgrade.returns_none else ""
            body = "".join(f"    {line}{nl}" for line in lines)
            end = len(ctx.text)
            prefix = "" if ctx.text.endswith(("\n", "\r")) else nl
            addition = f"{prefix}{nl}{nl}def downgrade(){returns}:{nl}{body}"
            return Fix(
                "Add the generated downgrade", Applicability.SAFE, (Edit(end, end, addition),)
            )
        indent = downgrade.body_indent
        body = "".join(f"{indent}{line}{nl}" for line in lines)
        span = downgrade.body_span
        if downgrade.body == "docstring":
            # Keep the docstring; the operations follow it.
            edit = Edit(span.end, span.end, body)
        else:
            ends_line = ctx.text[span.start : span.end].endswith(("\n", "\r"))
            edit = Edit(span.start, span.end, body if ends_line else body.rstrip("\r\n"))
        return Fix("Generate the downgrade", Applicability.SAFE, (edit,))


def _generate(migration: Migration) -> tuple[list[str] | None, str | None]:
    """The downgrade's lines (relative indentation), or why it cannot be generated."""
    ops = migration.upgrade.ops
    if migration.upgrade.other_code:
        return None, "the upgrade runs code besides op.* calls"
    if not ops:
        return ["pass"], None
    lines: list[str] = []
    current_block: str | None = None
    for op in reversed(ops):
        undo = inverse(op)
        if undo.code is None:
            return None, f"line {op.call.span.line}: {undo.blocker}"
        if op.batch:
            if op.batch_header != current_block:
                lines.append(f"with {op.batch_header}:")
                current_block = op.batch_header
            lines.append("    " + undo.code)
        else:
            current_block = None
            lines.append(undo.code)
    return lines, None
