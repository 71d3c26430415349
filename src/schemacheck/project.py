"""The project view: every checked file's model together, for rules one file cannot answer.

Files passed explicitly may be only part of the project (pre-commit passes the changed files),
so the project also holds context files, read for their facts but never reported on: for
migrations, the other files of each ``versions/`` directory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from schemacheck.schema import FileSchema, Migration


@dataclass
class ProjectFile:
    path: str  # as reported
    schema: FileSchema
    reported: bool  # False for context files


@dataclass
class Project:
    files: list[ProjectFile] = field(default_factory=list)

    def migrations(self) -> Iterator[tuple[ProjectFile, Migration]]:
        for file in self.files:
            if file.schema.migration is not None:
                yield file, file.schema.migration
