from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Applicability, Diagnostic, Edit, Fix
from schemacheck.rules.base import Option, Rule
from schemacheck.rules.relationships.pairing import file_relationships, relationship_keyword
from schemacheck.schema import ClassDef, RelationshipDef

LAZY_STRATEGIES = ("selectin", "joined", "subquery", "immediate", "raise", "raise_on_sql", "noload")
_IMPLICIT_IO = ("select", True)


class AsyncLazyRelationship(Rule):
    """
    ## What it does
    In a project that uses SQLAlchemy's asyncio extension (`async = true`), checks for
    relationships that keep the default lazy loading: no `lazy=` (or `lazy="select"`), and for
    SQLModel no `"lazy"` in `sa_relationship_kwargs`. `WriteOnlyMapped` and `DynamicMapped`
    relationships are not reported, nor classes that inherit `AsyncAttrs` (they load through
    `await obj.awaitable_attrs.name`).

    ## Why is this bad?
    A lazy load runs a query when the attribute is first read. Under `AsyncSession` there is no
    implicit IO: reading `user.posts` outside an awaited load raises
    `MissingGreenlet: greenlet_spawn has not been called`, in production, on the first code
    path that forgot an `options(selectinload(...))`.

    ## Example
    ```python
    class User(Base):
        posts: Mapped[list["Post"]] = relationship(back_populates="author")
    ```

    ## Use instead
    ```python
    class User(Base):
        posts: Mapped[list["Post"]] = relationship(back_populates="author", lazy="selectin")
    ```
    Or `lazy="raise"`, to make every load explicit in the query.

    ## Fix safety
    The fix is unsafe: it adds `lazy=` with the strategy of the `lazy` option, which changes
    when and how related rows are loaded.

    ## Options
    - `lazy` (string, `"selectin"`): the loader strategy the fix writes; one of `selectin`,
      `joined`, `subquery`, `immediate`, `raise`, `raise_on_sql`, `noload`.
    """

    code = "SC109"
    name = "async-lazy-relationship"
    family = "relationships"
    default_enabled = False
    for_async = True
    fix_applicability = Applicability.UNSAFE
    options = (
        Option("lazy", str, "selectin", "The loader strategy the fix adds.", LAZY_STRATEGIES),
    )

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for cls, relationship in file_relationships(ctx):
            if relationship.has_lazy and relationship.lazy not in _IMPLICIT_IO:
                continue
            if _awaitable(ctx, cls):
                continue
            yield self.report(
                ctx,
                relationship.report_span,
                f'"{cls.name}.{relationship.attr}" loads lazily: in an async session, reading it '
                "raises `MissingGreenlet`",
                self._fix(relationship),
                statement_line=relationship.span.line,
            )

    def _fix(self, relationship: RelationshipDef) -> Fix | None:
        call = relationship.call
        lazy = f'"{self.settings["lazy"]}"'
        written = call.kwargs.get("lazy")
        if relationship.sa_kwargs is not None and written is None:
            written = relationship.sa_kwargs.kwargs.get("lazy")
        if written is not None and written.has_literal:
            replaced = Edit(written.span.start, written.span.end, lazy)
            return Fix(f"Use `lazy={lazy}`", Applicability.UNSAFE, (replaced,))
        added = None if relationship.has_lazy else relationship_keyword(relationship, "lazy", lazy)
        return Fix(f"Add `lazy={lazy}`", Applicability.UNSAFE, (added,)) if added else None


def _awaitable(ctx: FileContext, cls: ClassDef) -> bool:
    mapping = ctx.mapping
    for owner in [cls, *mapping.ancestors(cls)]:
        for base in owner.bases:
            if mapping.resolver.base_of(owner, base) == "sqlalchemy.AsyncAttrs":
                return True
    return False
