from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Applicability, Diagnostic, Edit, Fix
from schemacheck.edits import insert, spell
from schemacheck.relations import Direction, SchemaIndex, schema_index
from schemacheck.rules.base import Rule
from schemacheck.rules.relationships.pairing import file_relationships
from schemacheck.schema import ClassDef, RelationshipDef


class RelationshipUsesBackref(Rule):
    """
    ## What it does
    Checks for `relationship(..., backref=...)`, which creates the reverse relationship on the
    other class behind the scenes.

    ## Why is this bad?
    The reverse attribute exists only once the mappers are configured: reading the other class
    does not show it, type checkers and editors do not know it, and it can only be found by
    searching for the string. SQLAlchemy's documentation calls `backref` legacy; declaring both
    sides with `back_populates` keeps every attribute of a class in the class.

    ## Example
    ```python
    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)

    class Address(Base):
        __tablename__ = "addresses"
        id: Mapped[int] = mapped_column(primary_key=True)
        user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
        user: Mapped["User"] = relationship(backref="addresses")
    ```

    ## Use instead
    ```python
    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)
        addresses: Mapped[list["Address"]] = relationship(back_populates="user")

    class Address(Base):
        __tablename__ = "addresses"
        id: Mapped[int] = mapped_column(primary_key=True)
        user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
        user: Mapped["User"] = relationship(back_populates="addresses")
    ```

    ## Fix safety
    The fix is unsafe: it declares the reverse relationship on the other class (a list for a
    one-to-many, a single object otherwise) and replaces `backref=` with `back_populates=`. It is
    offered when `backref` is a plain string, the other class is in the same file, the direction
    of the link can be read from the foreign keys, no join condition, `foreign_keys` or
    `remote_side` is given, and the other class has no attribute of that name. Options given
    through `backref("name", ...)` are not carried over: that form gets no fix.
    """

    code = "SC106"
    name = "relationship-uses-backref"
    family = "relationships"
    fix_applicability = Applicability.UNSAFE

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        pairs = [(c, r) for c, r in file_relationships(ctx) if r.backref is not None]
        if not pairs:
            return
        index = schema_index(ctx)
        for cls, relationship in pairs:
            value = relationship.call.kwargs.get("backref")
            span = value.span if value is not None else relationship.report_span
            yield self.report(
                ctx,
                span,
                f'"{cls.name}.{relationship.attr}" uses legacy `backref=`: declare '
                f'"{relationship.backref}" on the other class with `back_populates`',
                self._fix(ctx, index, cls, relationship),
                statement_line=relationship.span.line,
            )

    def _fix(
        self, ctx: FileContext, index: SchemaIndex, cls: ClassDef, relationship: RelationshipDef
    ) -> Fix | None:
        value = relationship.call.kwargs.get("backref")
        name = relationship.backref
        if value is None or name is None or not relationship.backref_literal:
            return None
        if relationship.sa_kwargs is not None or relationship.call.has_star:
            return None
        if relationship.explicit_join:
            return None  # the reverse needs the join conditions mirrored: the author's call
        target = index.target_class(relationship, cls)
        if target is None or ctx.schema.class_named(target.name) is not target:
            return None
        if any(c.attr == name for c in target.columns) or any(
            r.attr == name for r in index.relationships(target)
        ):
            return None
        direction = index.direction(relationship, cls)
        if direction is None:
            return None
        keyword = ctx.text.rfind("backref", 0, value.span.start)
        if keyword < relationship.call.span.start:
            return None
        pieces = [f'back_populates="{relationship.attr}"']
        secondary = relationship.call.kwargs.get("secondary")
        if secondary is not None:
            pieces.insert(0, f"secondary={secondary.source}")
        many = direction in (Direction.MANY_TO_ONE, Direction.MANY_TO_MANY)
        if ctx.mapping.is_dataclass(target):
            # A dataclass field without a default may not follow one with a default.
            pieces.append("default_factory=list" if many else "default=None")
        annotated = any(c.annotation is not None and c.annotation.mapped for c in target.columns)
        spelled = spell(
            ctx, ["sqlalchemy.relationship"] + (["sqlalchemy.Mapped"] if annotated else [])
        )
        func = spelled.names["sqlalchemy.relationship"]
        if annotated:
            inner = f'list["{cls.name}"]' if many else f'"{cls.name}"'
            mapped = spelled.names["sqlalchemy.Mapped"]
            line = f"{name}: {mapped}[{inner}] = {func}({', '.join(pieces)})"
        else:
            line = f'{name} = {func}("{cls.name}", {", ".join(pieces)})'
        edits = [
            Edit(keyword, value.span.end, f'back_populates="{name}"'),
            insert(target.body_end, f"{target.body_indent}{line}"),
            *spelled.edits,
        ]
        return Fix(
            f'Declare "{target.name}.{name}" and use `back_populates`',
            Applicability.UNSAFE,
            tuple(edits),
        )
