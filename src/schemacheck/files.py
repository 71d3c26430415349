"""Which files a run checks: the paths given, directories walked, excludes applied.

Each file is visited once, whatever symlinks point at it, and directories that never hold a
project's own models (VCS data, virtualenvs, build output, caches) are not entered.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePath
from typing import TypeVar

_P = TypeVar("_P", bound=PurePath)

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

    Paths and directories are resolved once per run (see :func:`forget_resolved`): resolving
    every path component of every file again cost a warm run half its time. They are
    remembered by their absolute path, so that a relative one means the same after a change
    of directory (a process that checks one project, then another).
    """
    return _resolved_absolute(os.path.abspath(path))


@functools.cache
def _resolved_absolute(absolute: str) -> Path:
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
    """Symlinks and packages may change between runs in one process: each run reads afresh."""
    _real_directory.cache_clear()
    _resolved_absolute.cache_clear()
    package_chain.cache_clear()


@functools.cache
def package_chain(directory: Path, roots: frozenset[Path]) -> tuple[tuple[str, ...], Path]:
    """The names of the packages from the top of ``directory``'s chain of ``__init__.py``
    directories down to it, and where the chain stops: at one of ``roots``, or at the first
    directory above without ``__init__.py``.

    Worked out once per directory in a run: the files of a package share it, and working it
    out for every file was half of the 40 ms that naming the modules of 2,011 files took.
    """
    if directory in roots or not (directory / "__init__.py").is_file():
        return (), directory
    if directory.parent == directory:
        return (directory.name,), directory
    above, stop = package_chain(directory.parent, roots)
    return (*above, directory.name), stop


def matches(path: Path, root: Path, patterns: Iterable[str]) -> bool:
    """Whether ``path`` matches a glob: against its path relative to ``root`` (as written, else
    with symlinks followed), or its name."""
    relative = _inside(os.path.abspath(path), root)
    if relative is None:
        try:
            relative = resolved(path).relative_to(root).as_posix()
        except ValueError:
            relative = path.as_posix()
    return _matcher(tuple(patterns))(relative, path.name)


def _inside(absolute: str, root: Path) -> str | None:
    """``absolute`` relative to ``root``, with ``/`` separators ("" for the root itself); None
    when it is not below the root as written."""
    base = str(root)
    prefix = base if base.endswith(os.sep) else base + os.sep
    if absolute.startswith(prefix):
        return absolute[len(prefix) :].replace(os.sep, "/")
    return "" if absolute + os.sep == prefix else None


@functools.lru_cache(maxsize=64)
def _matcher(patterns: tuple[str, ...]) -> Callable[[str, str], bool]:
    """Every pattern as one test of the relative path and the name: a pattern matches the path
    itself, anything below it, and (``**/x``) ``x`` at the top.

    A plain name (the default excludes, ``migrations``) matches the name or the path's first
    part; the globs become one regular expression over the path and one over the name.
    Translating and compiling the default excludes was a fortieth of a run answered from the
    cache.
    """
    names: set[str] = set()
    on_path: list[str] = []
    on_name: list[str] = []
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if pattern and not any(c in pattern for c in "*?[/"):
            names.add(pattern)
            continue
        on_path += [pattern, pattern + "/*"]
        if pattern.startswith("**/"):
            on_path.append(pattern[3:])
        on_name.append(pattern)
    if not on_path:
        return lambda relative, name: name in names or relative.partition("/")[0] in names
    by_path = re.compile("|".join(fnmatch.translate(g) for g in on_path)).match
    by_name = re.compile("|".join(fnmatch.translate(g) for g in on_name)).match
    return lambda relative, name: (
        name in names
        or relative.partition("/")[0] in names
        or by_path(relative) is not None
        or by_name(name) is not None
    )


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

    def once(path: str | Path) -> bool:
        try:
            stat = os.stat(path)
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
    top: Path, root: Path, patterns: list[str], once: Callable[[str], bool], recursive: bool = True
) -> Iterator[Path]:
    """``os.walk`` (top-down, symlinks followed) with excludes, in a stable order, each directory
    entered once.

    Names are matched as strings, against the directory's path relative to ``root`` worked out
    once per directory, and whether an entry is a directory or a symlink is read from the
    directory listing itself: building a ``Path``, resolving and testing every entry was most of
    the time of a run answered from the cache.
    """
    visited_dirs: set[tuple[int, int]] = set()
    top_name = str(top)
    pending = [top_name]  # directories still to enter, the next one last
    while pending:
        directory = pending.pop()
        try:
            stat = os.stat(directory)
            key = (stat.st_dev, stat.st_ino)
            if key in visited_dirs:
                continue  # a symlink loop or a second link to the same directory
            with os.scandir(directory) as listing:
                entries = list(listing)
        except OSError:
            continue  # unreadable, as ``os.walk`` skips it
        visited_dirs.add(key)
        subdirectories: list[tuple[bool, str]] = []
        filenames: list[str] = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if not is_dir:
                filenames.append(entry.name)
            elif recursive:
                subdirectories.append((entry.is_symlink(), entry.name))
        if (
            directory != top_name
            and "pyvenv.cfg" in filenames
            and os.path.isfile(os.path.join(directory, "pyvenv.cfg"))
        ):
            continue  # a virtual environment below the directory given
        excluded = _exclusion(directory, root, patterns, entries)
        for filename in sorted(filenames):
            if not filename.endswith((".py", ".pyi")) or excluded(filename):
                continue
            path = os.path.join(directory, filename)
            if once(path):
                yield Path(path)
        # Symlinked directories last, so that a file reachable both ways is reported where it is.
        subdirectories.sort()
        pending.extend(
            os.path.join(directory, name)
            for _, name in reversed(subdirectories)
            if not excluded(name)
        )


def _exclusion(
    directory: str, root: Path, patterns: list[str], entries: list[os.DirEntry[str]]
) -> Callable[[str], bool]:
    """Whether a name in ``directory`` is excluded: :func:`matches`, with the directory's part
    of the relative path worked out once.

    Outside the root as written, :func:`matches` follows symlinks: the directory's own are
    resolved once, and only an entry that is itself a symlink is resolved on its own. Resolving
    every entry's path made finding the files of a tree outside the project (the standard
    library, for one) ten times as slow as walking it.
    """
    matched = _matcher(tuple(patterns))
    inside = _inside(os.path.abspath(directory), root)
    if inside is None:
        real = _inside(_real_directory(os.path.abspath(directory)), root)
        if real is None:  # outside the root either way: matched as the path is written
            written = PurePath(directory).as_posix()
            prefix = "" if written == "." else written.rstrip("/") + "/"
        else:
            prefix = real + "/" if real else ""
        links = set()
        for entry in entries:
            try:
                if entry.is_symlink():
                    links.add(entry.name)
            except OSError:
                links.add(entry.name)
        return lambda name: (
            matches(Path(directory, name), root, patterns)
            if name in links
            else matched(prefix + name, name)
        )
    relative_dir = inside + "/" if inside else ""
    return lambda name: matched(relative_dir + name, name)


def revisions_directory(directory: _P) -> _P:
    """The directory whose migrations may make one revision graph with ``directory``'s: the
    nearest ``versions`` directory at or above it, subdirectories included (Alembic's recursive
    version locations, or one location per branch directory), else ``directory`` itself."""
    for candidate in (directory, *directory.parents):
        if candidate.name == "versions":
            return candidate
    return directory


def display_path(path: Path, root: Path) -> str:
    """The path as reported: relative to the working directory when inside it."""
    cwd = os.getcwd()
    text = os.path.join(cwd, path)  # ``path`` itself when absolute
    prefix = cwd if cwd.endswith(os.sep) else cwd + os.sep
    if text.startswith(prefix):
        return text[len(prefix) :].replace(os.sep, "/")  # ``path`` is normalized already
    return path.as_posix()
