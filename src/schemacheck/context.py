"""Everything a file rule may read: the model, the source, and the file's own naming."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from schemacheck.extract.names import Names
from schemacheck.lazy import libcst
from schemacheck.mapping import Mapping
from schemacheck.project import Project
from schemacheck.schema import ColumnDef, FileSchema
from schemacheck.source import LineIndex, NodeRanges, pack_range, unpack_range

if TYPE_CHECKING:
    import libcst as cst


@dataclass
class FileContext:
    path: str  # as given on disk
    display_path: str  # as reported
    text: str
    lines: LineIndex
    module: cst.Module | None  # the file's tree, when the run kept it (else see ``statement``)
    schema: FileSchema
    names: Names
    offsets: NodeRanges = field(default_factory=dict)  # node ranges, by id
    target_version: tuple[int, int] = (3, 9)
    project: Project | None = None  # the other files, when the run has more than this one
    mapping: Mapping = field(init=False)
    derived: dict[str, Any] = field(default_factory=dict)  # views several rules share, by name
    # Statements parsed on their own (see ``parse_alone``), each in a module of its own; their
    # nodes' ranges are in ``offsets``.
    fragments: list[cst.Module] = field(default_factory=list)
    _alone: dict[tuple[int, int], cst.BaseSmallStatement | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.project is not None:
            self.mapping = Mapping.for_project(self.project, self.schema)
        else:
            self.mapping = Mapping(self.schema)

    def node_range(self, *nodes: cst.CSTNode) -> list[tuple[int, int]]:
        """Character ranges of nodes of this file's tree or of statements parsed alone: read
        from the extraction or the parse, or computed in one pass for nodes they did not
        record."""
        missing = [n for n in nodes if id(n) not in self.offsets]
        if missing:
            from schemacheck.positions import node_offsets  # parsing side, loaded with libcst

            if self.module is not None:
                self.offsets.update(node_offsets(self.module, missing))
        return [unpack_range(self.offsets[id(n)]) for n in nodes]

    def statement(self, column: ColumnDef) -> cst.BaseSmallStatement | None:
        """The statement that defines ``column``, for fixes that rewrite it.

        A file checked from its cached model has no tree: then the statement is parsed on its
        own from its text, which costs far less than parsing the file again.
        """
        ref = column.statement
        if ref.node is not None:
            node: cst.BaseSmallStatement = ref.node  # type: ignore[assignment]
            return node
        if not ref.bound or self.module is not None:
            return None
        return self.parse_alone(column.span.start, column.span.end)

    def parse_alone(self, start: int, end: int) -> cst.BaseSmallStatement | None:
        """The one small statement that ``text[start:end]`` is, parsed by itself; the ranges
        of its nodes (``node_range``) are still this file's offsets."""
        key = (start, end)
        if key not in self._alone:
            self._alone[key] = self._parse_alone(start, end)
        return self._alone[key]

    def _parse_alone(self, start: int, end: int) -> cst.BaseSmallStatement | None:
        # Inside a block indented as the statement's line is: libcst records the indentation
        # of continuation lines relative to the block's, as it does in the whole file.
        indent = self.lines.line_indent(self.lines.position(start)[0])
        prefix = f"if 1:{self.newline}{indent}" if indent else ""
        from schemacheck.parsing import parse_module  # parsing side, loaded with libcst

        try:
            fragment = parse_module(prefix + self.text[start:end] + self.newline)
        except libcst.ParserSyntaxError:
            return None
        line = fragment.body[0] if len(fragment.body) == 1 else None
        if indent and isinstance(line, libcst.If):
            inner = line.body.body
            line = inner[0] if len(inner) == 1 else None
        if not isinstance(line, libcst.SimpleStatementLine) or len(line.body) != 1:
            return None
        from schemacheck.positions import node_offsets

        base = start - len(prefix)
        for key, packed in node_offsets(fragment).items():
            node_start, node_end = unpack_range(packed)
            if base + node_start >= 0:  # before the file's start: the ``if 1:`` around it
                self.offsets[key] = pack_range(base + node_start, base + node_end)
        self.fragments.append(fragment)  # its nodes' ids stay theirs while it lives
        small: cst.BaseSmallStatement = line.body[0]
        return small

    @property
    def newline(self) -> str:
        return self.schema.newline

    @property
    def indent(self) -> str:
        """One level of the file's indentation."""
        return self.schema.indent

    def statement_line(self, line: int) -> int:
        """The first line of the statement that contains ``line`` (for ``# noqa`` placement)."""
        return line
