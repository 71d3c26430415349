"""Import a model file with real SQLAlchemy and create its tables; print each table's DDL.

Run as ``python import_models.py FILE [DATABASE_URL]`` in a fresh process, so that the global
registries of SQLModel and Flask-SQLAlchemy start empty for each file.
"""

from __future__ import annotations

import importlib.util
import json
import sys

from sqlalchemy import (
    Enum,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    inspect,
)
from sqlalchemy.schema import CreateTable


def metadatas(module: object) -> list[MetaData]:
    found: dict[int, MetaData] = {}
    for value in vars(module).values():
        candidates = [value, getattr(value, "metadata", None)]
        for candidate in candidates:
            if isinstance(candidate, MetaData):
                found[id(candidate)] = candidate
    return list(found.values())


def facts(tables: list[Table]) -> dict[str, list[str]]:
    """What SQLAlchemy itself says about the tables, for the rules that make claims about it."""
    uncovered: set[str] = set()
    unsized: set[str] = set()
    columns: set[str] = set()
    for table in tables:
        orders = [list(index.expressions) for index in table.indexes]
        orders += [
            list(c.columns)
            for c in table.constraints
            if isinstance(c, (UniqueConstraint, PrimaryKeyConstraint))
        ]
        for constraint in table.foreign_key_constraints:
            fk_columns = set(constraint.columns)
            if not any(set(order[: len(fk_columns)]) == fk_columns for order in orders):
                uncovered.update(c.name for c in fk_columns)
        for column in table.columns:
            columns.add(column.name)
            kind = column.type
            if isinstance(kind, TypeDecorator):
                kind = kind.impl_instance
            if (
                isinstance(kind, String)
                and not isinstance(kind, (Text, Enum))
                and kind.length is None
            ):
                unsized.add(column.name)
    return {
        "columns": sorted(columns),
        "uncovered_fk_columns": sorted(uncovered),
        "unsized_strings": sorted(unsized),
    }


def fk_type_mismatches(tables: list[Table]) -> list[str]:
    """Foreign-key columns whose DDL type differs from the referenced column's."""
    found = []
    for table in tables:
        for column in table.columns:
            for fk in column.foreign_keys:
                target = fk.column
                if str(column.type) != str(target.type):
                    found.append(column.name)
    return sorted(found)


def relationships() -> list[str]:
    """Every relationship after the mappers are configured, with its direction and target."""
    import warnings

    from sqlalchemy.orm import configure_mappers

    mapper_module = sys.modules["sqlalchemy.orm.mapper"]

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        configure_mappers()
    for warning in caught:
        print("warning:", str(warning.message).replace("\n", " "))
    found = []
    for registry in list(mapper_module._all_registries()):
        for mapper in registry.mappers:
            for rel in mapper.relationships:
                found.append(
                    f"{mapper.class_.__name__}.{rel.key} {rel.direction.name} "
                    f"{rel.mapper.class_.__name__} uselist={rel.uselist}"
                )
    return sorted(found)


def main() -> None:
    path = sys.argv[1]
    url = sys.argv[2] if len(sys.argv) > 2 and not sys.argv[2].startswith("--") else "sqlite://"
    spec = importlib.util.spec_from_file_location("fixture_models", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["fixture_models"] = module
    spec.loader.exec_module(module)
    engine = create_engine(url)
    for metadata in metadatas(module):
        metadata.create_all(engine)
        for table in metadata.sorted_tables:
            print(str(CreateTable(table).compile(engine)).strip())
    print("tables:", sorted(inspect(engine).get_table_names()))
    if "--drop" in sys.argv:  # leave the database empty for the next file
        for metadata in reversed(metadatas(module)):
            metadata.drop_all(engine)
    tables = [t for m in metadatas(module) for t in m.sorted_tables]
    if "--facts" in sys.argv:
        found = facts(tables) | {"fk_type_mismatches": fk_type_mismatches(tables)}
        print("facts:", json.dumps(found))
    if "--mappers" in sys.argv:
        print("relationships:", json.dumps(relationships()))


if __name__ == "__main__":
    main()
