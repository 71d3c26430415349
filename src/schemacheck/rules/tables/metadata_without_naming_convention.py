from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Diagnostic
from schemacheck.rules.base import Rule


class MetadataWithoutNamingConvention(Rule):
    """
    ## What it does
    Checks for a `MetaData()`, `declarative_base()`, `class Base(DeclarativeBase)` or
    Flask-SQLAlchemy `SQLAlchemy()` whose metadata gets no `naming_convention`. Each is reported
    once, where the metadata is created; a metadata object passed in from elsewhere is judged
    where it is built.

    ## Why is this bad?
    Without a naming convention, indexes get SQLAlchemy's names but unique, check and foreign-key
    constraints are named by the database (`users_email_key`, `fk_1a2b`...), differently on each
    backend. Alembic then cannot drop or alter them by name, autogenerate produces
    `drop_constraint(None, ...)`, and SQLite batch migrations fail.

    ## Example
    ```python
    class Base(DeclarativeBase):
        pass
    ```

    ## Use instead
    ```python
    class Base(DeclarativeBase):
        metadata = MetaData(
            naming_convention={
                "ix": "ix_%(column_0_label)s",
                "uq": "uq_%(table_name)s_%(column_0_name)s",
                "ck": "ck_%(table_name)s_%(constraint_name)s",
                "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
                "pk": "pk_%(table_name)s",
            }
        )
    ```

    ## Fix safety
    There is no fix: adding a convention renames constraints created from now on, and existing
    databases need a migration to match.
    """

    code = "SC308"
    name = "metadata-without-naming-convention"
    family = "tables"

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for site in ctx.schema.metadata_sites:
            if site.naming_convention is False:
                yield self.report(
                    ctx,
                    site.span,
                    f"`{site.kind}` creates metadata without a `naming_convention`: "
                    "constraint names are left to the database",
                )
