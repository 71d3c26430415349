from __future__ import annotations

import re
from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Diagnostic
from schemacheck.rules.base import Rule

# Drivers that do blocking IO, by URL scheme (``dialect`` or ``dialect+driver``).
_SYNC_URL = re.compile(
    r"^(postgres|postgresql(\+(psycopg2|psycopg2cffi|pg8000|psycopg))?"
    r"|mysql(\+(pymysql|mysqldb|mysqlconnector))?|mariadb(\+(pymysql|mysqldb))?"
    r"|sqlite(\+pysqlite)?|mssql(\+pyodbc)?|oracle(\+(cx_oracle|oracledb))?)://"
)


class SyncEngineInAsyncProject(Rule):
    """
    ## What it does
    In a project that uses SQLAlchemy's asyncio extension (`async = true`), checks for the
    synchronous API: `create_engine()`, `engine_from_config()`, `Session(...)`,
    `sessionmaker(...)` (unless `class_=AsyncSession`) and `scoped_session(...)`, and for
    database URLs of blocking drivers (`postgresql://`, `postgresql+psycopg2://`,
    `mysql+pymysql://`, `sqlite://`) given to `create_async_engine()`. Alembic's `env.py`
    (a file that imports `alembic`) is not checked: migrations may run synchronously.

    ## Why is this bad?
    A synchronous engine blocks the event loop for the whole round trip to the database: every
    other request on the worker waits. An async engine with a blocking driver fails at
    connect time (`InvalidRequestError: The asyncio extension requires an async driver`).

    ## Example
    ```python
    engine = create_async_engine("postgresql://app@db/app")
    SessionLocal = sessionmaker(engine)
    ```

    ## Use instead
    ```python
    engine = create_async_engine("postgresql+asyncpg://app@db/app")
    SessionLocal = async_sessionmaker(engine)
    ```

    ## Fix safety
    There is no fix: switching to async changes every caller.
    """

    code = "SC403"
    name = "sync-engine-in-async-project"
    family = "queries"
    default_enabled = False
    for_async = True

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        if any(t.split(".")[0] == "alembic" for t in ctx.schema.bindings.values()):
            return
        for call in ctx.schema.calls:
            short = call.name.rpartition(".")[2]
            if call.kind == "engine" and short != "create_async_engine":
                yield self.report(
                    ctx,
                    call.span,
                    f"`{short}()` makes a synchronous engine: use `create_async_engine()`",
                )
            elif call.kind == "engine":
                for url in call.urls:
                    if isinstance(url.literal, str) and _SYNC_URL.match(url.literal):
                        yield self.report(
                            ctx,
                            url.span,
                            f'"{url.literal.split("://")[0]}://" is a blocking driver: use an '
                            "async one (`postgresql+asyncpg://`, `sqlite+aiosqlite://`, ...)",
                        )
            elif call.kind == "session" and not call.async_class:
                yield self.report(
                    ctx,
                    call.span,
                    f"`{short}()` makes synchronous sessions: use `AsyncSession` or "
                    "`async_sessionmaker()`",
                )
