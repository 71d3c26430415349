from __future__ import annotations

import re
from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Diagnostic
from schemacheck.migration_ops import (
    CREATES,
    DROPS,
    NetEffect,
    ObjectKey,
    created,
    dropped,
    members,
    net_effect,
    unnamed_kinds,
)
from schemacheck.prefilter import string_literals
from schemacheck.rules.base import Rule
from schemacheck.schema import MigrationFunction, MigrationOp


def _describe(key: ObjectKey) -> str:
    kind = key[0]
    if kind == "column":
        return f'column "{key[2]}"' if key[1] == "?" else f'column "{key[1]}.{key[2]}"'
    return f'{kind} "{key[1]}"'


class DowngradeIncomplete(Rule):
    """
    ## What it does
    Checks that `downgrade()` undoes what `upgrade()` does: every table, column, index and
    constraint the upgrade creates is removed by the downgrade, and everything the upgrade drops
    is recreated. Objects dropped together with their table count as removed, and so do an
    index or constraint whose columns the downgrade drops and a check constraint whose condition
    names one, which the database drops with them. A constraint named `x` on table `t` is also
    found as `ck_t_x` (any name `<prefix>_t_x`), the name Alembic gives it when the target
    metadata's naming convention uses `%(constraint_name)s`. When the downgrade runs raw SQL
    or other code, an object it names there (`op.execute("DROP INDEX ix_a")`) is taken to be
    handled, and so is any object of a kind the downgrade drops (or creates) under a
    name it cannot read (`batch_op.drop_column(column_name)`). Migrations without a working
    downgrade at all are SC501's.

    ## Why is this bad?
    A downgrade that forgets an index or a column leaves the schema in a state no revision
    describes: the next `upgrade` fails because the object already exists, and autogenerate
    compares against the wrong baseline.

    ## Example
    ```python
    def upgrade() -> None:
        op.add_column("users", sa.Column("nickname", sa.String(50)))
        op.create_index("ix_users_nickname", "users", ["nickname"])


    def downgrade() -> None:
        op.drop_column("users", "nickname")
    ```

    ## Use instead
    ```python
    def downgrade() -> None:
        op.drop_index("ix_users_nickname", table_name="users")
        op.drop_column("users", "nickname")
    ```

    ## Fix safety
    There is no fix.
    """

    code = "SC502"
    name = "downgrade-incomplete"
    family = "migrations"

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        migration = ctx.schema.migration
        if migration is None or migration.downgrade is None:
            return
        downgrade = migration.downgrade
        if downgrade.body != "code":
            return  # SC501
        up_ops, down_ops = migration.upgrade.ops, downgrade.ops
        known = members([*up_ops, *down_ops])
        up = net_effect(up_ops, known)
        down = net_effect(down_ops, known)
        gone_tables = {key[1] for key in down.ever_dropped if key[0] == "table"}
        code = _strings_of_code(ctx, migration.downgrade)
        words = frozenset(_WORD.findall(code))  # once: each name looked for is most often one
        # A drop or create whose name cannot be read may be the one for any object of its kind.
        dropped_unread = unnamed_kinds(down_ops, DROPS, dropped)
        created_unread = unnamed_kinds(down_ops, CREATES, created)
        for op in up_ops:
            for key in created(op):
                if key not in up.created or _named(key, code, words):
                    continue
                table = _table(op, key, known)
                if _among(key, down.ever_dropped, table) or _with_columns(op, key, table, down):
                    continue
                if table in gone_tables or key[0] in dropped_unread:
                    continue  # dropped with its table, or perhaps by that drop
                yield self._report(ctx, op, key, "creates", "does not remove it")
            for key in dropped(op):
                if key not in up.dropped or _named(key, code, words):
                    continue
                if _among(key, down.ever_created, _table(op, key, known)):
                    continue
                if key[0] not in created_unread:
                    yield self._report(ctx, op, key, "drops", "does not recreate it")

    def _report(
        self, ctx: FileContext, op: MigrationOp, key: ObjectKey, verb: str, problem: str
    ) -> Diagnostic:
        return self.report(
            ctx, op.call.span, f"`upgrade()` {verb} {_describe(key)} but `downgrade()` {problem}"
        )


def _strings_of_code(ctx: FileContext, downgrade: MigrationFunction) -> str:
    """The strings of the downgrade's raw SQL (``op.execute("DROP INDEX ix_a")``) and other
    code, which may undo what they name; not those of the operations already read, nor
    comments."""
    if not downgrade.other_code and not any(op.name == "execute" for op in downgrade.ops):
        return ""
    read = sorted(
        (op.call.span.start, op.call.span.end) for op in downgrade.ops if op.name != "execute"
    )
    body = downgrade.body_span
    strings = []
    next_read = 0
    covered = -1  # the furthest end of the operations starting at or before a string
    # Strings and operations both in source order: one pass over each (an initial migration's
    # downgrade holds hundreds of each).
    for match in string_literals(ctx.text, body.start, body.end):
        at = match.start()
        while next_read < len(read) and read[next_read][0] <= at:
            covered = max(covered, read[next_read][1])
            next_read += 1
        if at >= covered:
            strings.append(match.group())
    return " ".join(strings)


_WORD = re.compile(r"\w+")


def _named(key: ObjectKey, code: str, words: frozenset[str]) -> bool:
    """Whether every known name of the object (not a table chosen at run time, ``?``) appears
    as a word in ``code``, the downgrade's other code, whose ``words`` are given."""
    names = [name for name in key[1:] if name != "?"]
    return bool(code and names) and all(
        name in words
        if _WORD.fullmatch(name)
        else re.search(rf"(?<!\w){re.escape(name)}(?!\w)", code) is not None
        for name in names
    )


def _among(key: ObjectKey, keys: set[ObjectKey], table: str | None) -> bool:
    """Whether ``keys`` hold the object, a constraint also under the name a naming convention
    makes of its own: with a target metadata whose convention uses ``%(constraint_name)s``,
    Alembic creates ``create_check_constraint("x", "folders", ...)`` as ``ck_folders_x``, and a
    downgrade drops it by that name (and the reverse for a constraint the upgrade drops)."""
    if key in keys:
        return True
    if key[0] != "constraint" or not table:
        return False
    name = key[1]
    for kind, other, *_ in keys:
        if kind != "constraint":
            continue
        short, long = sorted((name, other), key=len)
        prefix = long[: -len(short) - 1]  # ``ck_folders`` of ``ck_folders_x``
        if long.endswith("_" + short) and (prefix == table or prefix.endswith("_" + table)):
            return True
    return False


def _with_columns(op: MigrationOp, key: ObjectKey, table: str | None, down: NetEffect) -> bool:
    """Whether the downgrade drops every column of an index or constraint the operation makes
    (the database drops it with them), or a column a check constraint's condition names
    (PostgreSQL drops every constraint that involves a dropped column)."""
    if key[0] not in ("index", "constraint"):
        return False
    condition = op.source("condition") if op.name == "create_check_constraint" else None
    if condition is not None and table:  # its text, an f-string's included
        return any(
            ("column", table, word) in down.ever_dropped for word in _WORD.findall(condition)
        )
    columns = op.lists.get("columns") or op.lists.get("local_cols")
    return bool(table and columns) and all(
        column is not None and ("column", table, column) in down.ever_dropped
        for column in columns or ()
    )


def _table(
    op: MigrationOp, key: ObjectKey, known: dict[ObjectKey, tuple[str, frozenset[str]]]
) -> str | None:
    if key[0] in ("table", "column"):
        return key[1]
    return known[key][0] if key in known else op.table
