"""Which files a run checks: the paths given, directories walked, excludes applied.

Each file is visited once, whatever symlinks point at it, and directories that never hold a
project's own models (VCS data, virtualenvs, build output, caches) are not entered.
"""

from __future__ import annotations

import fnmatch
import functools
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

DEFAULT_EXCLUDES = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".env",
    "env",
    ".tox",
    ".nox",
    "node_modules",
    "build",
    "dist",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".schemacheck_cache",
    "site-packages",
    ".eggs",
)


def resolved(path: Path) -> Path:
    """The absolute path with symlinks followed, as far as they lead: a symlink loop (which
    ``Path.resolve`` refuses) stays as written, to be reported as unreadable where it is read.

    Directories are resolved once per run (see :func:`forget_resolved`): resolving every path
    component of every file again cost a warm run half its time.
    """
    absolute = os.path.abspath(path)
    directory, name = os.path.split(absolute)
    real = os.path.join(_real_directory(directory), name) if name else _real_directory(absolute)
    if name and os.path.islink(real):
        return _resolve(real)
    return Path(real)


@functools.cache
def _real_directory(directory: str) -> str:
    return str(_resolve(directory))


def _resolve(path: str) -> Path:
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return Path(path)


def forget_resolved() -> None:
    """Symlinks may change between runs in one process: each run resolves afresh."""
    _real_directory.cache_clear()


def matches(path: Path, root: Path, patterns: Iterable[str]) -> bool:
    """Whether ``path`` matches a glob: against its path relative to ``root`` (as written, else
    with symlinks followed), or its name."""
    absolute = Path(os.path.abspath(path))
    try:
        relative = absolute.relative_to(root).as_posix()
    except ValueError:
        try:
            relative = resolved(path).relative_to(root).as_posix()
        except ValueError:
            relative = path.as_posix()
    name = path.name
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if fnmatch.fnmatchcase(relative, pattern) or fnmatch.fnmatchcase(name, pattern):
            return True
        if pattern.startswith("**/") and fnmatch.fnmatchcase(relative, pattern[3:]):
            return True
        if fnmatch.fnmatchcase(relative, pattern + "/*"):
            return True
    return False


def _is_virtualenv(directory: Path) -> bool:
    return (directory / "pyvenv.cfg").is_file()


def discover(
    paths: Iterable[Path],
    root: Path,
    excludes: Iterable[str] = (),
    *,
    force_exclude: bool = False,
    recursive: bool = True,
) -> Iterator[Path]:
    """Python files under ``paths`` (or, not ``recursive``, in them), in a stable order, once."""
    patterns = [*DEFAULT_EXCLUDES, *excludes]
    seen: set[tuple[int, int]] = set()

    def once(path: Path) -> bool:
        try:
            stat = path.stat()
        except OSError:
            return True  # unreadable: let the runner report it
        key = (stat.st_dev, stat.st_ino)
        if key in seen:
            return False
        seen.add(key)
        return True

    for given in paths:
        if given.is_dir():
            yield from _walk(given, root, patterns, once, recursive)
        elif force_exclude and matches(given, root, patterns):
            continue
        elif once(given):
            yield given


def _walk(
    top: Path, root: Path, patterns: list[str], once: object, recursive: bool = True
) -> Iterator[Path]:
    visited_dirs: set[tuple[int, int]] = set()
    for directory, dirnames, filenames in os.walk(top, followlinks=True):
        current = Path(directory)
        try:
            stat = current.stat()
            key = (stat.st_dev, stat.st_ino)
        except OSError:
            continue
        if key in visited_dirs:
            dirnames[:] = []  # a symlink loop or a second link to the same directory
            continue
        visited_dirs.add(key)
        # Symlinked directories last, so that a file reachable both ways is reported where it is.
        dirnames[:] = sorted(
            (
                d
                for d in (dirnames if recursive else ())
                if not matches(current / d, root, patterns) and not _is_virtualenv(current / d)
            ),
            key=lambda d: ((current / d).is_symlink(), d),
        )
        for filename in sorted(filenames):
            if not filename.endswith((".py", ".pyi")):
                continue
            path = current / filename
            if matches(path, root, patterns):
                continue
            if once(path):  # type: ignore[operator]
                yield path


def display_path(path: Path, root: Path) -> str:
    """The path as reported: relative to the working directory when inside it."""
    cwd = os.getcwd()
    text = os.path.join(cwd, path)  # ``path`` itself when absolute
    prefix = cwd if cwd.endswith(os.sep) else cwd + os.sep
    if text.startswith(prefix):
        return Path(text[len(prefix) :]).as_posix()
    return path.as_posix()
