"""What the relationship rules share: the relationships a file declares on mapped classes."""

from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
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
