from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Applicability, Diagnostic, Fix, Related
from schemacheck.relations import Direction, schema_index
from schemacheck.rules.base import Rule
from schemacheck.rules.relationships.pairing import file_relationships, relationship_keyword
from schemacheck.schema import RelationshipDef


def deletes_children(cascade: str | None) -> bool:
    if cascade is None:
        return False
    tokens = {token.strip() for token in cascade.split(",")}
    return bool(tokens & {"all", "delete", "delete-orphan"}) and "-delete" not in tokens


class OrmCascadeWithoutDbCascade(Rule):
    """
    ## What it does
    Checks one-to-many relationships whose ORM cascade deletes the children (`cascade="all"`,
    `"all, delete-orphan"`, `"delete"`, SQLModel's `cascade_delete=True`) against the foreign
    key the children hold: it should say `ondelete="CASCADE"`, and the relationship should then
    set `passive_deletes=True`. The foreign key may be declared in another module.

    ## Why is this bad?
    Without `ondelete="CASCADE"` only the ORM deletes children: a bulk `delete(Parent)`, raw
    SQL, another service or a console session leaves orphans or fails on the constraint. With
    it but without `passive_deletes=True`, SQLAlchemy still loads every child into memory and
    deletes them one by one before deleting the parent, work the database would do in one
    statement.

    ## Example
    ```python
    class Parent(Base):
        children: Mapped[list["Child"]] = relationship(cascade="all, delete-orphan")

    class Child(Base):
        parent_id: Mapped[int] = mapped_column(ForeignKey("parents.id"))
    ```

    ## Use instead
    ```python
    class Parent(Base):
        children: Mapped[list["Child"]] = relationship(
            cascade="all, delete-orphan", passive_deletes=True
        )

    class Child(Base):
        parent_id: Mapped[int] = mapped_column(ForeignKey("parents.id", ondelete="CASCADE"))
    ```

    ## Fix safety
    When the foreign key already cascades, the fix adds `passive_deletes=True` (inside
    `sa_relationship_kwargs` for SQLModel). It is unsafe: children already loaded in the session
    are no longer deleted by the ORM before the parent, the database does it. A missing
    `ondelete` has no fix here: SC101's fix adds it to the foreign key.
    """

    code = "SC108"
    name = "orm-cascade-without-db-cascade"
    family = "relationships"
    fix_applicability = Applicability.UNSAFE

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        pairs = [(c, r) for c, r in file_relationships(ctx) if deletes_children(r.cascade)]
        if not pairs:
            return
        index = schema_index(ctx)
        for cls, relationship in pairs:
            if index.direction(relationship, cls) is not Direction.ONE_TO_MANY:
                continue
            target = index.target_class(relationship, cls)
            mine = index.table_of(cls)
            theirs = index.table_of(target) if target is not None else None
            if target is None or mine is None or theirs is None or mine.name is None:
                continue
            links = index.followed(index.links(theirs, mine.name), relationship)
            if len(links) != 1:
                continue
            fk = links[0].fk
            names = ", ".join(f'"{theirs.name}.{n}"' for n in links[0].names if n)
            related = (Related(theirs.path, fk.span, f"the foreign key {names}"),)
            if (fk.ondelete or "").upper() != "CASCADE":
                if not fk.has_ondelete or fk.ondelete is not None:
                    yield self.report(
                        ctx,
                        relationship.report_span,
                        f'"{cls.name}.{relationship.attr}" deletes children in the ORM '
                        f'(`cascade="{relationship.cascade}"`) but the foreign key {names} has '
                        'no `ondelete="CASCADE"`',
                        statement_line=relationship.span.line,
                        related=related,
                    )
            elif not relationship.passive_deletes:
                yield self.report(
                    ctx,
                    relationship.report_span,
                    f'"{cls.name}.{relationship.attr}" cascades deletes that the foreign key '
                    f"{names} already cascades: add `passive_deletes=True`",
                    _fix(relationship),
                    statement_line=relationship.span.line,
                    related=related,
                )


def _fix(relationship: RelationshipDef) -> Fix | None:
    edit = relationship_keyword(relationship, "passive_deletes", "True")
    return Fix("Add `passive_deletes=True`", Applicability.UNSAFE, (edit,)) if edit else None
