"""schemacheck: a reviewer for SQLAlchemy models and Alembic migrations.

The Python API mirrors the command line::

    from schemacheck import check_source, check_paths
    for diagnostic in check_source(text, path="models.py"):
        print(diagnostic.code, diagnostic.span.line, diagnostic.message)
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from pathlib import Path

__version__ = "0.1.0"

from schemacheck import codecache

# Imports make only objects that live as long as the process, so a collection during them finds
# nothing, yet walks all of them: 2-3 ms of a 60 ms run answered from the cache.
_collecting = gc.isenabled()
gc.disable()
with codecache.importing():
    from schemacheck.config import Config, Selection, load_config
    from schemacheck.diagnostics import (
        Applicability,
        Diagnostic,
        Edit,
        Fix,
        Level,
        Span,
    )
    from schemacheck.results import RunResult, make_settings
    from schemacheck.session import run
if _collecting:
    gc.enable()


def check_source(
    text: str,
    path: str = "<string>",
    config: Config | None = None,
    *,
    select: Iterable[str] | None = None,
) -> list[Diagnostic]:
    """Check one file's text; nothing is read from or written to disk."""
    from schemacheck.runner import check_text  # the parser and the model: not at import time

    config = config or Config()
    selection = Selection(select=list(select) if select is not None else None)
    settings = make_settings(config, selection)
    diagnostics, _, _ = check_text(text, path, path, settings.rules, settings)
    return diagnostics


def check_paths(
    paths: Iterable[str | Path],
    config: Config | None = None,
    *,
    select: Iterable[str] | None = None,
    fix: bool = False,
    unsafe_fixes: bool = False,
) -> RunResult:
    """Check files and directories as the command line does (with ``fix``, files are written)."""
    config = config or load_config()
    selection = Selection(select=list(select) if select is not None else None)
    settings = make_settings(config, selection, fix=fix, unsafe_fixes=unsafe_fixes)
    return run([Path(p) for p in paths], settings)


__all__ = [
    "Applicability",
    "Config",
    "Diagnostic",
    "Edit",
    "Fix",
    "Level",
    "RunResult",
    "Span",
    "__version__",
    "check_paths",
    "check_source",
    "load_config",
]
