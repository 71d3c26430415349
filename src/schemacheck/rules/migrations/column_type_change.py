from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Diagnostic
from schemacheck.migration_ops import upgrade_ops
from schemacheck.rules.base import Rule
from schemacheck.schema import Expr

# Types PostgreSQL stores as ``varchar`` and as ``text``: between these, a widening changes only
# the catalog (the types are binary coercible, and a longer limit checks no row).
_VARCHAR = frozenset({"String", "VARCHAR", "Unicode", "AutoString"})
_TEXT = frozenset({"Text", "TEXT", "UnicodeText"})
_UNKNOWN = -1  # a length that is not a literal


class ColumnTypeChange(Rule):
    """
    ## What it does
    Checks for `alter_column(..., type_=...)` in a migration.

    ## Why is this bad?
    Changing a column's type rewrites the whole table on most databases (PostgreSQL takes an
    `ACCESS EXCLUSIVE` lock for the duration), and a narrowing change (a shorter `String`, an
    integer from a float) fails or truncates data. On a large table this is an outage. The safe
    path is a new column, a backfill in batches, and a switch-over.

    ## Example
    ```python
    def upgrade() -> None:
        op.alter_column("events", "payload", type_=sa.JSON(), existing_type=sa.Text())
    ```

    ## Use instead
    ```python
    def upgrade() -> None:
        op.add_column("events", sa.Column("payload_json", sa.JSON(), nullable=True))
        # backfill payload_json in batches, switch the code over, then drop payload
    ```

    Widening a string keeps every value: a longer `String`/`VARCHAR`, one without a length, or
    `Text`, from an `existing_type=` that says what the column was. PostgreSQL then changes only
    its catalog, so in projects whose `dialect` is `postgresql` alone such a change is not
    reported. Elsewhere it is, as a possible rewrite: MySQL copies the table when the length
    needs a longer prefix or the column becomes `TEXT`, and SQLite recreates it.

    ## Fix safety
    There is no fix.
    """

    code = "SC506"
    name = "column-type-change"
    family = "migrations"

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        postgresql_only = set(self.project_dialects) == {"postgresql"}
        for op in upgrade_ops(ctx.schema):
            if op.name != "alter_column" or "type_" not in op.args:
                continue
            new = op.args["type_"]
            old = op.args.get("existing_type")
            where = f'"{op.table or "?"}.{op.text("column_name") or "?"}"'
            if old is None or "postgresql_using" in op.args or not widens(old, new):
                message = (
                    f"Changing the type of {where} to `{new.source}` rewrites the table and "
                    "may lose data"
                )
            elif postgresql_only:
                continue
            else:
                message = (
                    f"Widening {where} to `{new.source}` keeps its data but may rewrite the "
                    "table on MySQL or SQLite (PostgreSQL changes only its catalog)"
                )
            yield self.report(ctx, new.span, message)


def widens(old: Expr, new: Expr) -> bool:
    """Whether a column of type ``old`` takes type ``new`` by a widening of its string type,
    which no value fails and PostgreSQL makes without touching a row."""
    before, after = _string_type(old), _string_type(new)
    if before is None or after is None or before == after:
        return False
    (old_kind, old_length), (new_kind, new_length) = before, after
    if _UNKNOWN in (old_length, new_length):
        return False
    if new_kind == "text":
        return True
    if old_kind == "text":
        return new_length is None  # ``text`` to ``varchar`` without a limit
    return new_length is None or (old_length is not None and new_length >= old_length)


def _string_type(expr: Expr) -> tuple[str, int | None] | None:
    """("varchar", its length or None) or ("text", None), for a plain SQLAlchemy string type
    (written as a class or called with at most its length); else None."""
    qualname = expr.qualname
    if qualname is None or not qualname.startswith("sqlalchemy."):
        return None
    name = qualname.rpartition(".")[2]
    call = expr.call
    arguments = [] if call is None else [*call.args, *call.kwargs.values()]
    if call is not None and (call.has_star or set(call.kwargs) - {"length"} or len(arguments) > 1):
        return None  # a collation, or more than a length
    if name in _TEXT:
        return "text", None
    if name not in _VARCHAR:
        return None
    if not arguments:
        return "varchar", None
    length = arguments[0].literal if arguments[0].has_literal else _UNKNOWN
    if length is None or (isinstance(length, int) and not isinstance(length, bool) and length > 0):
        return "varchar", length
    return "varchar", _UNKNOWN
