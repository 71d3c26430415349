"""The compiled methods of dataclasses, kept between runs as Python keeps modules' bytecode.

Making a dataclass compiles the source text of its methods (``__init__``, ``__eq__``,
``__hash__``...). libcst makes 239 node classes when it is imported, and compiling their methods
was more than half of that import (55 ms of 0.1 s), paid again by every run that parses a file;
schemacheck's own sixteen classes made at start-up took a tenth of a run answered from the
cache. A method's code depends only on its source text, so the code compiled for each text is
kept, marshalled, beside schemacheck's own bytecode (``__pycache__``), and run from there next
time.

Two files: what the package's import makes (:func:`importing`, read by every run), and what a
run that checks files makes (:func:`install`, from the command line only: the model, the rules
and the parser). A run answered from the cache reads only the first, which is small. A file
that cannot be read or written is no cache at all; a text not in it is compiled as
``dataclasses`` compiles it. Importing schemacheck as a library leaves ``dataclasses`` as it was.
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import marshal
import os
import sys
from _thread import get_ident  # the thread's number, without importing threading
from collections.abc import Iterator
from pathlib import Path
from types import CodeType
from typing import Any


def _path(kind: str) -> Path:
    tag = f"{sys.implementation.cache_tag}-{marshal.version}"
    return Path(__file__).parent / "__pycache__" / f"dataclass-methods.{kind}.{tag}.marshal"


class _Methods:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.kept: dict[str, CodeType] | None = None  # read on first use
        self.used: dict[str, CodeType] = {}  # what this process ran: the file's next contents
        self.compiled = False  # whether any text was not in the file

    def exec(self, source: Any, globals: Any = None, locals: Any = None) -> None:
        """``exec`` for the ``dataclasses`` module: its sources run from their kept code."""
        if not isinstance(source, str):
            builtins.exec(source, globals, locals)
            return
        if self.kept is None:
            self.kept = _read(self.path)
        code = self.kept.get(source)
        if code is None:
            # As ``dataclasses`` compiles it: no ``__future__`` flags of this module.
            code = compile(source, "<string>", "exec", dont_inherit=True)
            self.compiled = True
        self.used[source] = code
        builtins.exec(code, globals, locals)

    def save(self) -> None:
        """Write what this process ran, if some of it was compiled here."""
        if not self.compiled:
            return
        self.compiled = False
        temporary = f"{self.path}.{os.getpid()}.{get_ident()}.tmp"
        try:
            self.path.parent.mkdir(exist_ok=True)
            with open(temporary, "wb") as stream:
                marshal.dump(self.used, stream)
            os.replace(temporary, self.path)
        except (OSError, ValueError):
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _read(path: Path) -> dict[str, CodeType]:
    try:
        with open(path, "rb") as stream:
            kept = marshal.load(stream)
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(kept, dict):
        return {}
    return {s: c for s, c in kept.items() if isinstance(s, str) and isinstance(c, CodeType)}


_STARTUP = _Methods(_path("startup"))
_CHECKING = _Methods(_path("checking"))


@contextlib.contextmanager
def importing() -> Iterator[None]:
    """The package's own classes, made from kept code while it imports."""
    before = getattr(dataclasses, "exec", None)
    setattr(dataclasses, "exec", _STARTUP.exec)  # noqa: B010 - shadows the builtin there only
    try:
        yield
    finally:
        if before is None:
            delattr(dataclasses, "exec")
        else:
            setattr(dataclasses, "exec", before)  # noqa: B010


def install() -> None:
    """Make ``dataclasses`` run kept code from now on, in this process and those it forks."""
    setattr(dataclasses, "exec", _CHECKING.exec)  # noqa: B010


def save() -> None:
    """Keep what was compiled in this process (nothing is written when nothing was)."""
    _STARTUP.save()
    _CHECKING.save()
