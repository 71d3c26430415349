"""Reading a Python file the way Python does, and mapping offsets back to lines.

Files are decoded with the encoding Python itself would use (BOM, ``coding:`` cookie, UTF-8), and
kept with their own line endings, so that fixes can be written back byte-identical outside the
edited spans.
"""

from __future__ import annotations

import bisect
import codecs
import io
import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

from schemacheck.diagnostics import Span

_NEWLINE = re.compile(r"\r\n|\r|\n")


# A node's character range, ``start`` and ``end`` packed in one int: a tree's ranges are kept for
# tens of thousands of nodes per file, and one int costs a third of a pair of them.
NodeRanges = dict[int, int]  # ``id(node)`` -> packed range
RANGE_BITS = 32
_RANGE_MASK = (1 << RANGE_BITS) - 1


def pack_range(start: int, end: int) -> int:
    return start << RANGE_BITS | end


def unpack_range(packed: int) -> tuple[int, int]:
    return packed >> RANGE_BITS, packed & _RANGE_MASK


def _head(data: bytes) -> bytes:
    """At least the first two lines, where alone a coding declaration counts (PEP 263)."""
    first = data.find(b"\n")
    second = data.find(b"\n", first + 1) if first >= 0 else -1
    return data if second < 0 else data[:second]


class SourceDecodeError(Exception):
    """The bytes are not text in the encoding the file declares."""


@dataclass(frozen=True)
class SourceFile:
    """The decoded text of a file plus what is needed to encode it back unchanged."""

    text: str
    encoding: str

    @classmethod
    def from_bytes(cls, data: bytes) -> SourceFile:
        # Most files are UTF-8 without a BOM or a coding line, and every file of a run is
        # decoded for its cache key: those skip the tokenizer's detection.
        if b"coding" not in _head(data) and not data.startswith(codecs.BOM_UTF8):
            try:
                return cls(text=data.decode("utf-8"), encoding="utf-8")
            except UnicodeDecodeError:
                pass  # worded as the tokenizer words it, below
        import tokenize  # only for the other files: a run answered from the cache needs none

        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError as error:
            raise SourceDecodeError(str(error)) from None
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as error:
            raise SourceDecodeError(f"cannot decode as {encoding}: {error}") from None
        return cls(text=text, encoding=encoding)

    def to_bytes(self, text: str) -> bytes:
        return text.encode(self.encoding)

    @property
    def has_bom(self) -> bool:
        return codecs.lookup(self.encoding).name == "utf-8-sig"


class LineIndex:
    """Offset to (line, column) conversion, both 1-based, in characters."""

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        starts.extend(match.end() for match in _NEWLINE.finditer(text))
        self.starts: Sequence[int] = starts

    def settle(self) -> None:
        """Hold the line starts as machine integers once the file's spans are made: 4 bytes
        each instead of about 40 in a list (14 MB for a run's 10,000 files), for a lookup a
        third slower, which is rare from then."""
        if isinstance(self.starts, list):
            self.starts = array("I" if self.starts[-1] < 1 << 32 else "Q", self.starts)

    def position(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1

    def span(self, start: int, end: int) -> Span:
        """The span of ``text[start:end]``, its offsets held within the text."""
        size = len(self.text)
        if not (0 <= start <= size and 0 <= end <= size):
            start, end = max(0, min(start, size)), max(0, min(end, size))
        line, column = self.position(start)
        starts = self.starts
        if 0 <= start <= end and line < len(starts) and end < starts[line]:  # one line
            return Span(start, end, line, column, line, column + end - start)
        end_line, end_column = self.position(end)
        return Span(start, end, line, column, end_line, end_column)

    def line_text(self, line: int) -> str:
        """The text of a 1-based line without its line ending."""
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def line_indent(self, line: int) -> str:
        text = self.line_text(line)
        return text[: len(text) - len(text.lstrip(" \t"))]

    def line_start(self, line: int) -> int:
        return self.starts[line - 1]

    @property
    def line_count(self) -> int:
        return len(self.starts)
