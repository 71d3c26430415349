from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Diagnostic
from schemacheck.rules.base import Rule


class LegacyQueryApi(Rule):
    """
    ## What it does
    Checks for `session.query(...)` (also `db.session.query(...)` and any receiver whose name
    says it is a session), the 1.x `Query` API.

    ## Why is this bad?
    SQLAlchemy 2.0 calls `Query` legacy: new features go to `select()`, which works the same in
    sync and async sessions, in Core and in the ORM, and is fully typed
    (`session.scalars(select(User))` returns `ScalarResult[User]`; `session.query(User)` is
    untyped for most checkers). Mixed
    code bases end up with two ways of writing every query.

    ## Example
    ```python
    users = session.query(User).filter(User.active).all()
    ```

    ## Use instead
    ```python
    users = session.scalars(select(User).where(User.active)).all()
    ```

    ## Fix safety
    There is no fix: rewriting a query changes its result types.
    """

    code = "SC401"
    name = "legacy-query-api"
    family = "queries"
    default_enabled = False

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for call in ctx.schema.calls:
            if call.kind == "query":
                yield self.report(
                    ctx,
                    call.span,
                    f"`{call.name}()` is the legacy Query API: use `select()` with "
                    "`session.execute()` or `session.scalars()`",
                )
