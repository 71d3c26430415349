from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Applicability, Diagnostic, Edit, Fix
from schemacheck.migration_ops import inverse
from schemacheck.rules.base import Rule
from schemacheck.schema import Migration

_EMPTY = {
    "missing": "is empty",
    "pass": "only passes",
    "ellipsis": "is `...`",
    "docstring": "has only a docstring",
    "raise": "raises `NotImplementedError`",
}


class MissingDowngrade(Rule):
    """
    ## What it does
    Checks for migrations without a `downgrade()`, or whose `downgrade()` does nothing: `pass`,
    `...`, a docstring or `raise NotImplementedError`.

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
        if downgrade is not None and not upgrade.ops and not upgrade.other_code:
            return  # nothing to undo: a merge point, or an empty revision
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
