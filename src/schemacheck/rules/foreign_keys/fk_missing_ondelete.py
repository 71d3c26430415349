from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Applicability, Diagnostic, Fix
from schemacheck.edits import add_keyword
from schemacheck.mapping import all_foreign_keys
from schemacheck.rules.base import Option, Rule

ONDELETE_ACTIONS = ("CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT", "NO ACTION")


class FkMissingOndelete(Rule):
    """
    ## What it does
    Checks for foreign keys declared without an `ondelete` action: `ForeignKey(...)`,
    `ForeignKeyConstraint(...)` and SQLModel's `Field(foreign_key=...)`.

    ## Why is this bad?
    Without `ondelete`, the database falls back to `NO ACTION`: deleting a parent row fails while
    children still point at it, or, when the ORM deletes children one by one, every delete costs
    a round trip. Whether children are deleted with their parent (`CASCADE`), detached
    (`SET NULL`) or protect it (`RESTRICT`) is a decision about the data; stating it makes the
    behaviour the same for the ORM, raw SQL and other applications sharing the database.

    ## Example
    ```python
    class Post(Base):
        __tablename__ = "posts"
        id: Mapped[int] = mapped_column(primary_key=True)
        author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    ```

    ## Use instead
    ```python
    class Post(Base):
        __tablename__ = "posts"
        id: Mapped[int] = mapped_column(primary_key=True)
        author_id: Mapped[int] = mapped_column(
            ForeignKey("users.id", ondelete="CASCADE"), index=True
        )
    ```

    ## Fix safety
    The fix is unsafe: it adds `ondelete=` with the action of the `default` option, which
    changes what deleting a parent row does. Review the action for each relationship, and write
    a migration for the constraint change.

    ## Options
    - `default` (string, `"CASCADE"`): the action the fix writes; one of `CASCADE`, `SET NULL`,
      `SET DEFAULT`, `RESTRICT`, `NO ACTION`.
    """

    code = "SC101"
    name = "fk-missing-ondelete"
    family = "foreign keys"
    fix_applicability = Applicability.UNSAFE
    options = (
        Option("default", str, "CASCADE", "The ON DELETE action the fix adds.", ONDELETE_ACTIONS),
    )

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        action = self.settings["default"]
        for fk in all_foreign_keys(ctx.mapping):
            if fk.has_ondelete:
                continue
            described = _describe(fk.targets)
            if not described and fk.target_source:
                described = f" to `{fk.target_source}`"
            message = f"Foreign key{described} has no `ondelete` action"
            fix = Fix(
                f'Add `ondelete="{action}"`',
                Applicability.UNSAFE,
                (add_keyword(fk.call, "ondelete", f'"{action}"'),),
            )
            yield self.report(ctx, fk.span, message, fix)


def _describe(targets: list[str | None]) -> str:
    known = [t for t in targets if t]
    if not known:
        return ""
    if len(known) == 1:
        return f' to "{known[0]}"'
    table = known[0].rpartition(".")[0]
    columns = ", ".join(t.rpartition(".")[2] for t in known)
    return f' to "{table}" ({columns})'
