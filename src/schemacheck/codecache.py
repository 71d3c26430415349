"""The compiled methods of dataclasses, kept between runs as Python keeps modules' bytecode.

Making a dataclass compiles the source text of its methods (``__init__``, ``__eq__``,
``__hash__``...). libcst makes 239 node classes when it is imported, and compiling their methods
was more than half of that import (55 ms of 0.1 s), paid again by every run that parses a file.
A method's code depends only on its source text, so the code compiled for each text is kept,
marshalled, beside schemacheck's own bytecode (``__pycache__``), and run from there next time.

Only the command line installs this (:func:`install`), after its own imports: a run answered
from the cache makes no dataclass afterwards, and never reads the file. A file that cannot be
read or written is no cache at all; a text not in it is compiled as ``dataclasses`` compiles it.
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import marshal
import os
import sys
import threading
from pathlib import Path
from types import CodeType
from typing import Any

_PATH = (
    Path(__file__).parent
    / "__pycache__"
    / f"dataclass-methods.{sys.implementation.cache_tag}-{marshal.version}.marshal"
)


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
        temporary = f"{self.path}.{os.getpid()}.{threading.get_ident()}.tmp"
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


_METHODS = _Methods(_PATH)


def install() -> None:
    """Make ``dataclasses`` run kept code from now on, in this process and those it forks."""
    setattr(dataclasses, "exec", _METHODS.exec)  # noqa: B010 - shadows the builtin there only


def save() -> None:
    _METHODS.save()
