from __future__ import annotations

from collections.abc import Iterator, Mapping

from schemacheck.context import FileContext
from schemacheck.diagnostics import Diagnostic
from schemacheck.relations import SchemaIndex, schema_index
from schemacheck.rules.base import Rule
from schemacheck.rules.relationships.pairing import file_relationships
from schemacheck.schema import ClassDef, Expr, RelationshipDef


class RelationshipMissingBackPopulates(Rule):
    """
    ## What it does
    Checks for two relationships that describe the same link from both ends, neither naming the
    other: `Parent.children = relationship("Child")` and `Child.parent = relationship("Parent")`,
    with neither `back_populates` nor `backref`. The two classes may be in different modules;
    each side is reported in its own file, with the other side as a related location.

    Two relationships are taken as one link only when they follow the same foreign key (the
    same `foreign_keys=`, or both the only one there is), and only a single unpaired candidate
    in each direction is reported: where two classes are linked several times (an author and
    an editor), or a join condition is written out, which side pairs with which is the
    author's call.

    ## Why is this bad?
    SQLAlchemy treats them as two independent relationships over one foreign key. Appending a
    child to `parent.children` does not set `child.parent` until a flush and a refresh, both
    write the same column (SQLAlchemy warns that they "conflict" and asks for `overlaps=`), and
    the in-memory objects disagree with each other until then.

    ## Example
    ```python
    class Parent(Base):
        children: Mapped[list["Child"]] = relationship()

    class Child(Base):
        parent: Mapped["Parent"] = relationship()
    ```

    ## Use instead
    ```python
    class Parent(Base):
        children: Mapped[list["Child"]] = relationship(back_populates="parent")

    class Child(Base):
        parent: Mapped["Parent"] = relationship(back_populates="children")
    ```

    ## Fix safety
    There is no fix: which attribute names the other side is for the author to confirm.
    """

    code = "SC105"
    name = "relationship-missing-back-populates"
    family = "relationships"

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        pairs = list(file_relationships(ctx))
        if not pairs:
            return
        index = schema_index(ctx)
        for cls, relationship in pairs:
            if _paired(relationship) or relationship.viewonly:
                continue
            key = _link_key(relationship)
            target = index.target_class(relationship, cls)
            if target is None or key == _OPAQUE:
                continue
            mine = _candidates(index, cls, target, key)
            theirs = _candidates(index, target, cls, key)
            if target is cls:
                if len(mine) != 2 or relationship not in mine:
                    continue
                other = mine[1] if mine[0] is relationship else mine[0]
            else:
                if len(mine) != 1 or len(theirs) != 1:
                    continue
                other = theirs[0]
            # A relationship that backs onto another through backref= elsewhere is paired.
            if any(
                r.backref in (relationship.attr, other.attr) for r in index.relationships(target)
            ):
                continue
            related = index.related(target, other, f'the other side: "{target.name}.{other.attr}"')
            yield self.report(
                ctx,
                relationship.report_span,
                f'Relationship "{cls.name}.{relationship.attr}" and "{target.name}.{other.attr}" '
                f"are the two sides of one link but neither names the other: add "
                f'`back_populates="{other.attr}"` here and `back_populates="{relationship.attr}"` '
                "there",
                statement_line=relationship.span.line,
                related=(related,),
            )


_OPAQUE = frozenset({"<join condition>"})


def _candidates(
    index: SchemaIndex, owner: ClassDef, other: ClassDef, key: frozenset[str] | None
) -> list[RelationshipDef]:
    """Unpaired relationships of ``owner`` to ``other`` that follow the same foreign key."""
    return [
        r
        for r in index.relationships(owner)
        if r.target == other.name and not _paired(r) and not r.viewonly and _link_key(r) == key
    ]


def _link_key(relationship: RelationshipDef) -> frozenset[str] | None:
    """Which foreign key a relationship follows: None for the only one, else its columns.

    Two relationships describe one link only when they follow the same foreign key. A written
    join condition cannot be compared, so it pairs with nothing.
    """
    kwargs: Mapping[str, Expr] = relationship.call.kwargs
    if relationship.sa_kwargs is not None:
        kwargs = {**kwargs, **relationship.sa_kwargs.kwargs}
    if "primaryjoin" in kwargs or "secondaryjoin" in kwargs:
        return _OPAQUE
    if relationship.foreign_keys:
        return frozenset(relationship.foreign_keys)
    return None


def _paired(relationship: RelationshipDef) -> bool:
    """Whether it names its other side, or may: ``**options`` can hold ``back_populates``."""
    return bool(relationship.back_populates or relationship.backref or relationship.call.has_star)
