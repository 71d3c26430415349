"""Import a model file with real SQLAlchemy and create its tables; print each table's DDL.

Run as ``python import_models.py FILE [DATABASE_URL]`` in a fresh process, so that the global
registries of SQLModel and Flask-SQLAlchemy start empty for each file.
"""

from __future__ import annotations

import importlib.util
import sys

from sqlalchemy import MetaData, create_engine, inspect
from sqlalchemy.schema import CreateTable


def metadatas(module: object) -> list[MetaData]:
    found: dict[int, MetaData] = {}
    for value in vars(module).values():
        candidates = [value, getattr(value, "metadata", None)]
        for candidate in candidates:
            if isinstance(candidate, MetaData):
                found[id(candidate)] = candidate
    return list(found.values())


def main() -> None:
    path = sys.argv[1]
    url = sys.argv[2] if len(sys.argv) > 2 else "sqlite://"
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


if __name__ == "__main__":
    main()
