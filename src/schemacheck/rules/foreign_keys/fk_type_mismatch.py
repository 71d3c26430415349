from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Applicability, Diagnostic, Edit, Fix, Related
from schemacheck.edits import spell
from schemacheck.mapping import schema_columns
from schemacheck.relations import schema_index
from schemacheck.rules.base import Rule
from schemacheck.schema import ColumnDef
from schemacheck.sqltypes import CONSTRUCTORS, KeyType, column_type


class FkTypeMismatch(Rule):
    """
    ## What it does
    Checks for foreign-key columns whose SQL type differs from the type of the column they
    reference: `Integer` referencing `BigInteger`, `String(36)` referencing `Uuid`, `String(36)`
    referencing `String(32)`. The referenced column may be in another module.

    A `mapped_column(ForeignKey(...))` or `Column(ForeignKey(...))` without a type takes the
    referenced column's type, whatever its `Mapped[...]` annotation says: it never mismatches.
    SQLModel fields take their type from the annotation. Types this rule cannot compare (custom
    types, `Enum`, variants, a base class with a `type_annotation_map`) are left alone.

    ## Why is this bad?
    A narrower foreign key cannot hold every value of its target: an `INTEGER` column pointing
    at a `BIGINT` primary key breaks once ids pass 2^31. Between unrelated types (a `VARCHAR`
    holding a `UUID`) some databases refuse the constraint, and others compare by casting, so
    joins cannot use the index.

    ## Example
    ```python
    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(BigInteger, primary_key=True)

    class Post(Base):
        __tablename__ = "posts"
        author_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"))
    ```

    ## Use instead
    ```python
    class Post(Base):
        __tablename__ = "posts"
        author_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    ```

    ## Fix safety
    The fix is unsafe: it changes the column's type to the referenced column's, which needs a
    migration. It is offered when the foreign-key column states its type explicitly.
    """

    code = "SC104"
    name = "fk-type-mismatch"
    family = "foreign keys"
    fix_applicability = Applicability.UNSAFE

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        columns = [
            c
            for c in schema_columns(ctx.mapping)
            if len(c.foreign_keys) == 1 and c.foreign_keys[0].targets[0]
        ]
        if not columns:
            return
        index = schema_index(ctx)
        for column in columns:
            target = column.foreign_keys[0].targets[0]
            assert target is not None
            found = index.target(target)
            mine = column_type(column, annotation_types=not _type_mapped(ctx, column))
            if found is None or mine is None:
                continue
            table, referenced = found
            owner = table.view.cls
            mapped = owner is not None and any(
                c.type_map
                for c in [owner, *(index.mapping_of(owner) or ctx.mapping).ancestors(owner)]
            )
            theirs = column_type(referenced, annotation_types=not mapped)
            if theirs is None or not mine.differs(theirs):
                continue
            span = column.sql_type.expr.span if column.sql_type else column.report_span
            yield self.report(
                ctx,
                span,
                f'Foreign key column "{column.name}" is {mine} but "{target}" is {theirs}',
                self._fix(ctx, column, mine, theirs),
                statement_line=column.span.line,
                related=(Related(table.path, referenced.report_span, f'"{target}" is {theirs}'),),
            )

    def _fix(
        self, ctx: FileContext, column: ColumnDef, mine: KeyType, theirs: KeyType
    ) -> Fix | None:
        if mine.explicit is None:
            return None
        if theirs.explicit is not None and theirs.explicit.expr.qualname:
            qualname = theirs.explicit.expr.qualname
            source = theirs.explicit.expr.source
            arguments = source[source.index("(") :] if "(" in source else ""
        else:
            qualname = CONSTRUCTORS[theirs.family]
            arguments = ""
        spelled = spell(ctx, [qualname])
        text = spelled.names[qualname] + arguments
        span = mine.explicit.expr.span
        return Fix(
            f"Use `{text}`, the referenced column's type",
            Applicability.UNSAFE,
            (Edit(span.start, span.end, text), *spelled.edits),
        )


def _type_mapped(ctx: FileContext, column: ColumnDef) -> bool:
    owner = ctx.schema.class_named(column.owner) if column.owner else None
    if owner is None:
        return False
    return any(c.type_map for c in [owner, *ctx.mapping.ancestors(owner)])
