"""Everything a file rule may read: the model, the source, and the file's own naming."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from schemacheck.extract.names import Names
from schemacheck.mapping import Mapping
from schemacheck.project import Project
from schemacheck.schema import FileSchema
from schemacheck.source import LineIndex

if TYPE_CHECKING:
    import libcst as cst


@dataclass
class FileContext:
    path: str  # as given on disk
    display_path: str  # as reported
    text: str
    lines: LineIndex
    module: cst.Module
    schema: FileSchema
    names: Names
    offsets: dict[int, tuple[int, int]] = field(default_factory=dict)  # node ranges, by id
    target_version: tuple[int, int] = (3, 9)
    project: Project | None = None  # the other files, when the run has more than this one
    mapping: Mapping = field(init=False)
    derived: dict[str, Any] = field(default_factory=dict)  # views several rules share, by name

    def __post_init__(self) -> None:
        if self.project is not None:
            self.mapping = Mapping.for_project(self.project, self.schema)
        else:
            self.mapping = Mapping(self.schema)

    def node_range(self, *nodes: cst.CSTNode) -> list[tuple[int, int]]:
        """Character ranges of nodes of this file's tree: read from the extraction, or
        computed in one pass for nodes it did not record."""
        missing = [n for n in nodes if id(n) not in self.offsets]
        if missing:
            from schemacheck.positions import node_offsets  # parsing side, loaded with libcst

            self.offsets.update(node_offsets(self.module, missing))
        return [self.offsets[id(n)] for n in nodes]

    @property
    def newline(self) -> str:
        return self.module.default_newline

    def statement_line(self, line: int) -> int:
        """The first line of the statement that contains ``line`` (for ``# noqa`` placement)."""
        return line
