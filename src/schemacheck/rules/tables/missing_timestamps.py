from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Applicability, Diagnostic, Fix, Span
from schemacheck.edits import insert, spell, writes_pipe_none
from schemacheck.mapping import MappedTable, table_label
from schemacheck.rules.base import Option, Rule
from schemacheck.schema import TableDef


class MissingTimestamps(Rule):
    """
    ## What it does
    Checks for tables without the timestamp columns of the `columns` option (by default
    `created_at` and `updated_at`), declared on the table itself or inherited from a mixin or base
    class. Pure association tables (a `Table()` whose columns are all foreign keys) are exempt
    unless `association-tables = true`.

    ## Why is this bad?
    When a row was created and last changed is the first thing asked when data looks wrong, and
    it cannot be recovered afterwards. Audits, incremental exports, caches and "recently changed"
    views all need it. Declaring the columns once in a mixin keeps every table consistent.

    ## Example
    ```python
    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)
    ```

    ## Use instead
    ```python
    class TimestampMixin:
        created_at: Mapped[datetime.datetime] = mapped_column(
            DateTime(timezone=True), server_default=func.now()
        )
        updated_at: Mapped[datetime.datetime] = mapped_column(
            DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
        )


    class User(TimestampMixin, Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)
    ```

    ## Fix safety
    The fix is unsafe: it adds the missing columns to the table (with `server_default=func.now()`,
    and `onupdate=func.now()` for an `updated_at`), which needs a migration. Moving them into a
    shared mixin is left to you.

    ## Options
    - `columns` (list of strings, `["created_at", "updated_at"]`): the column names required.
    - `association-tables` (boolean, `false`): also require them on pure association tables.
    """

    code = "SC302"
    name = "missing-timestamps"
    family = "tables"
    fix_applicability = Applicability.UNSAFE
    options = (
        Option("columns", list, ["created_at", "updated_at"], "Timestamp columns required."),
        Option("association-tables", bool, False, "Require them on association tables too."),
    )

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        required: list[str] = self.settings["columns"]
        for table in ctx.mapping.tables():
            present = {c.name for c in table.columns} | {c.name for c in table.inherited_from_table}
            missing = [n for n in required if n not in present and not table.may_have(n)]
            if missing:
                yield self._report(
                    ctx,
                    table_label(table.name, table.cls.name),
                    table.cls.span,
                    missing,
                    self._class_fix(ctx, table, missing),
                )
        for imperative in ctx.schema.tables:
            if imperative.call.has_star:
                continue  # ``*columns``: the timestamps may be among them
            if (
                imperative.columns
                and all(c.foreign_keys for c in imperative.columns)
                and not (self.settings["association-tables"])
            ):
                continue
            present = {c.name for c in imperative.columns}
            missing = [name for name in required if name not in present]
            if missing:
                span = imperative.call.args[0].span if imperative.call.args else imperative.span
                yield self._report(
                    ctx,
                    table_label(imperative.name, imperative.variable),
                    span,
                    missing,
                    self._table_fix(ctx, imperative, missing),
                )

    def _report(
        self, ctx: FileContext, label: str, span: Span, missing: list[str], fix: Fix | None
    ) -> Diagnostic:
        columns = ", ".join(f'"{name}"' for name in missing)
        noun = "column" if len(missing) == 1 else "columns"
        return self.report(ctx, span, f"{label} has no {columns} timestamp {noun}", fix)

    def _class_fix(self, ctx: FileContext, table: MappedTable, missing: list[str]) -> Fix:
        cls = table.cls
        nl = ctx.newline
        if ctx.mapping.is_sqlmodel(cls):
            pipe = writes_pipe_none(ctx)
            spelled = spell(
                ctx,
                ["sqlmodel.Field", "sqlalchemy.DateTime", "sqlalchemy.func", "datetime.datetime"]
                + ([] if pipe else ["typing.Optional"]),
            )
            n = spelled.names
            when = n["datetime.datetime"]
            optional = f"{when} | None" if pipe else f"{n['typing.Optional']}[{when}]"
            lines = []
            for name in missing:
                kwargs = f'"server_default": {n["sqlalchemy.func"]}.now()'
                if _is_update_column(name):
                    kwargs += f', "onupdate": {n["sqlalchemy.func"]}.now()'
                lines.append(
                    f"{cls.body_indent}{name}: {optional} = "
                    f"{n['sqlmodel.Field']}(default=None, sa_type="
                    f"{n['sqlalchemy.DateTime']}(timezone=True), nullable=False, "
                    f"sa_column_kwargs={{{kwargs}}})"
                )
        else:
            spelled = spell(
                ctx,
                [
                    "sqlalchemy.Mapped",
                    "sqlalchemy.mapped_column",
                    "sqlalchemy.DateTime",
                    "sqlalchemy.func",
                    "datetime.datetime",
                ],
            )
            n = spelled.names
            lines = []
            # A dataclass field without a default may not follow one with a default: the
            # database fills these in, so they are no constructor arguments at all.
            init = ", init=False" if ctx.mapping.is_dataclass(cls) else ""
            for name in missing:
                now = f"{n['sqlalchemy.func']}.now()"
                extra = f", onupdate={now}{init}" if _is_update_column(name) else init
                lines.append(
                    f"{cls.body_indent}{name}: {n['sqlalchemy.Mapped']}[{n['datetime.datetime']}]"
                    f" = {n['sqlalchemy.mapped_column']}({n['sqlalchemy.DateTime']}"
                    f"(timezone=True), server_default={now}{extra})"
                )
        text = nl.join(lines)
        return Fix(
            _fix_message(missing),
            Applicability.UNSAFE,
            (insert(cls.body_end, text), *spelled.edits),
        )

    def _table_fix(self, ctx: FileContext, table: TableDef, missing: list[str]) -> Fix:
        spelled = spell(ctx, ["sqlalchemy.Column", "sqlalchemy.DateTime", "sqlalchemy.func"])
        n = spelled.names
        now = f"{n['sqlalchemy.func']}.now()"
        columns = []
        for name in missing:
            extra = f", onupdate={now}" if _is_update_column(name) else ""
            columns.append(
                f'{n["sqlalchemy.Column"]}("{name}", {n["sqlalchemy.DateTime"]}(timezone=True), '
                f"server_default={now}{extra}, nullable=False)"
            )
        at = table.column_insertion
        separator = "," + at.before if "\n" in at.before else ", "
        text = separator.join(columns)
        return Fix(_fix_message(missing), Applicability.UNSAFE, (insert(at, text), *spelled.edits))


def _is_update_column(name: str) -> bool:
    return "updated" in name or "modified" in name


def _fix_message(missing: list[str]) -> str:
    return "Add " + ", ".join(f"`{name}`" for name in missing)
