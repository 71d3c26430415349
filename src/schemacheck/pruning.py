"""Keeping the cache's size bounded: what no run uses any more is removed, once a day.

Every content a file has had leaves an entry, every set of paths a run was given (pre-commit
gives the changed files, so nearly every commit is another set) leaves a run record, and every
version of schemacheck its own directory. Nothing ever read them again, so a cache used for
months under pre-commit only grew. Once a day, a run that writes the cache also removes:

- the run records no run has loaded for a week (loading one marks it used);
- the entries that no remaining run record names and that are older than a day (a run in
  progress may have just written them);
- temporary files older than a day, left by a run that was killed while writing;
- the directories of other versions of schemacheck (or of its cache format) that no run has
  written to for a week.

Only files this cache writes are removed, and only under a directory that schemacheck's
``CACHEDIR.TAG`` marks as its own: ``--cache-dir`` may name any directory. Removing an entry or
a record is never more than a cache miss.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from schemacheck.cache import TAG_TEXT, Cache, RunRecord

DAY = 24 * 60 * 60
UNUSED_RECORD = 7 * DAY  # a record (or another version's directory) unused this long goes
GRACE = DAY  # entries and temporary files younger than this are left alone
_MARKER = "pruned"  # its time is that of the last pruning
_VERSION_DIRECTORY = re.compile(r"\d+\.\d+[\w.+-]*-\d+")


def prune_daily(cache: Cache, now: float | None = None) -> bool:
    """Prune ``cache`` unless it was pruned less than a day ago; whether it was pruned."""
    now = time.time() if now is None else now
    marker = cache.base / _MARKER
    try:
        if now - marker.stat().st_mtime < DAY:
            return False
    except OSError:
        pass  # never pruned
    if not _is_schemacheck_cache(cache.directory):
        return False
    try:
        marker.touch()
        os.utime(marker, (now, now))
    except OSError:
        return False  # not writable: nothing to remove either
    prune(cache, now)
    return True


def prune(cache: Cache, now: float) -> None:
    """Remove what no run uses any more (see the module's docstring)."""
    used: set[str] = set()
    for path in _files(cache.base / "runs", ".pickle"):
        record = cache.load_file(path)
        if not isinstance(record, RunRecord) or now - _mtime(path, now) > UNUSED_RECORD:
            _remove(path)
            continue
        used.update(record.keys.values())
        used.update(record.linked)
    for path in _files(cache.base / "files", ".pickle", nested=True):
        key = path.parent.name + path.name.removesuffix(".pickle")
        if key not in used and now - _mtime(path, now) > GRACE:
            _remove(path)
    for directory in (cache.base / "runs", *_subdirectories(cache.base / "files")):
        for path in _files(directory, ".tmp"):
            if now - _mtime(path, now) > GRACE:
                _remove(path)
    for other in _subdirectories(cache.directory):
        if other == cache.base or not _VERSION_DIRECTORY.fullmatch(other.name):
            continue
        if now - _last_written(other) > UNUSED_RECORD:
            shutil.rmtree(other, ignore_errors=True)


def _is_schemacheck_cache(directory: Path) -> bool:
    try:
        return (directory / "CACHEDIR.TAG").read_text(encoding="utf-8") == TAG_TEXT
    except (OSError, UnicodeDecodeError):
        return False


def _last_written(directory: Path) -> float:
    """When a run last wrote to another version's directory: its newest run record (loading
    one marks it), or the directory itself."""
    times = [_mtime(directory, 0.0)]
    times.extend(_mtime(path, 0.0) for path in _files(directory / "runs", ".pickle"))
    return max(times)


def _files(directory: Path, suffix: str, *, nested: bool = False) -> Iterator[Path]:
    directories = list(_subdirectories(directory)) if nested else [directory]
    for folder in directories:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.endswith(suffix) and entry.is_file(follow_symlinks=False):
                yield Path(entry.path)


def _subdirectories(directory: Path) -> Iterator[Path]:
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            yield Path(entry.path)


def _mtime(path: Path, default: float) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return default


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
