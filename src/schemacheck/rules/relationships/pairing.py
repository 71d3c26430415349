"""What the relationship rules share: the relationships a file declares on mapped classes."""

from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Edit
from schemacheck.edits import add_keyword, insert
from schemacheck.mapping import Role
from schemacheck.schema import ClassDef, RelationshipDef

_MAPPED = (Role.TABLE, Role.SINGLE_TABLE, Role.MIXIN)


def file_relationships(ctx: FileContext) -> Iterator[tuple[ClassDef, RelationshipDef]]:
    for cls in ctx.schema.classes:
        if cls.nested or ctx.mapping.role(cls) not in _MAPPED:
            continue
        for relationship in cls.relationships:
            yield cls, relationship


def points_at(target: str | None, cls: ClassDef, ancestors: list[ClassDef]) -> bool:
    """Whether a relationship's target names ``cls`` (or a class it inherits from)."""
    return target is not None and target in {cls.name, *(a.name for a in ancestors)}


def relationship_keyword(relationship: RelationshipDef, name: str, value: str) -> Edit | None:
    """Add a keyword of SQLAlchemy's ``relationship()``; for SQLModel, in its
    ``sa_relationship_kwargs`` (which every SQLModel version passes through)."""
    call = relationship.call
    if call.has_star:
        return None
    if relationship.sa_kwargs is not None:
        return insert(relationship.sa_kwargs.append, f'"{name}": {value}')
    if "sa_relationship_kwargs" in call.kwargs:
        return None  # a dict built elsewhere
    if call.qualname == "sqlmodel.Relationship":
        return add_keyword(call, "sa_relationship_kwargs", f'{{"{name}": {value}}}')
    return add_keyword(call, name, value)
