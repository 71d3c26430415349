from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Diagnostic
from schemacheck.relations import schema_index
from schemacheck.rules.base import Rule
from schemacheck.rules.relationships.pairing import file_relationships


class BackPopulatesMismatch(Rule):
    """
    ## What it does
    Checks `back_populates="x"` against the class the relationship points at: that class (or a
    mixin or base of it) must have a relationship `x`, `x` must point back at this class, and
    when `x` names its own `back_populates`, it must name this relationship. The other class
    may be in another module; the finding names it as a related location.

    Nothing is reported when the other class cannot be found for certain (two classes of that
    name, a base class from outside the project).

    ## Why is this bad?
    SQLAlchemy resolves `back_populates` only when the mappers are configured, at the first
    query or object creation: a typo or a renamed attribute passes import and review, then
    fails at runtime with `InvalidRequestError: Mapper ... has no property 'x'`, or links two
    relationships that describe different foreign keys.

    ## Example
    ```python
    class User(Base):
        posts: Mapped[list["Post"]] = relationship(back_populates="user")

    class Post(Base):
        author: Mapped["User"] = relationship(back_populates="posts")
    ```

    ## Use instead
    ```python
    class User(Base):
        posts: Mapped[list["Post"]] = relationship(back_populates="author")

    class Post(Base):
        author: Mapped["User"] = relationship(back_populates="posts")
    ```

    ## Fix safety
    There is no fix: either side may be the one that is wrong.
    """

    code = "SC107"
    name = "back-populates-mismatch"
    family = "relationships"

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        pairs = [(c, r) for c, r in file_relationships(ctx) if r.back_populates]
        if not pairs:
            return
        index = schema_index(ctx)
        for cls, relationship in pairs:
            target = index.target_class(relationship, cls)
            if target is None or not index.complete(target):
                continue
            wanted = relationship.back_populates
            value = relationship.call.kwargs.get("back_populates")
            if value is None and relationship.sa_kwargs is not None:
                value = relationship.sa_kwargs.kwargs.get("back_populates")
            span = value.span if value is not None else relationship.report_span
            other = next((r for r in index.relationships(target) if r.attr == wanted), None)
            where = f'"{cls.name}.{relationship.attr}"'
            if other is None:
                if any(c.attr == wanted for c in target.columns):
                    problem = f'"{target.name}.{wanted}" is a column, not a relationship'
                else:
                    problem = f'"{target.name}" has no relationship "{wanted}"'
                yield self.report(
                    ctx,
                    span,
                    f'{where} has `back_populates="{wanted}"` but {problem}',
                    statement_line=relationship.span.line,
                )
                continue
            mapping = index.mapping_of(cls)
            ancestors = list(mapping.ancestors(cls)) if mapping is not None else []
            family = {cls.name, *(a.name for a in ancestors)}
            related = (index.related(target, other, f'"{target.name}.{wanted}"'),)
            if other.target is not None and other.target not in family:
                yield self.report(
                    ctx,
                    span,
                    f'{where} has `back_populates="{wanted}"` but "{target.name}.{wanted}" '
                    f'points at "{other.target}", not "{cls.name}"',
                    statement_line=relationship.span.line,
                    related=related,
                )
            elif other.back_populates is not None and other.back_populates != relationship.attr:
                yield self.report(
                    ctx,
                    span,
                    f'{where} has `back_populates="{wanted}"` but "{target.name}.{wanted}" '
                    f'has `back_populates="{other.back_populates}"`',
                    statement_line=relationship.span.line,
                    related=related,
                )
