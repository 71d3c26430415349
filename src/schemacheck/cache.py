"""The on-disk cache: what a run learnt, kept so that the next one need not parse it again.

Two kinds of record live under ``.schemacheck_cache/<version>/``:

- an *entry* per file content: the file as read and extracted (its model and import bindings,
  or its syntax error), keyed on the path, the bytes, the settings and the version. With these
  the project can be rebuilt without parsing anything.
- a *run* per set of settings and command-line paths: each file's content key and its findings
  as of the last run, and the findings of the project rules. A file whose findings cannot have
  changed (see :mod:`schemacheck.dependencies`) is answered from here.

A cache that cannot be read is a cache miss, and one that cannot be written is skipped: the
cache only ever saves time, it never changes what a run reports.

Records are pickles, and loading a pickle can run any code. The cache directory lies in the
project, where a repository (a pull request checked in CI) could commit files of its own; so
every file starts with a MAC keyed by a secret that only this user's runs know (kept in the
user's cache directory, see :func:`_secret`). A file without the right MAC is a miss, and
is never unpickled.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
import pickle
import sys
from _thread import get_ident  # the thread's number, without importing threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schemacheck import __version__

try:  # CPython's own BLAKE2: ``import hashlib`` first loads OpenSSL (2 ms of a 60 ms run)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - other interpreters
    from hashlib import blake2b


@functools.cache
def _libcst_version() -> str:
    """What identifies the installed libcst: its ``_version.py``, read without importing libcst
    or ``importlib.metadata`` (either costs more than a run answered from the cache)."""
    spec = importlib.util.find_spec("libcst")
    for location in (spec.submodule_search_locations or []) if spec is not None else []:
        try:
            return (Path(location) / "_version.py").read_text(encoding="utf-8")
        except OSError:
            continue
    return ""


DEFAULT_DIRECTORY = ".schemacheck_cache"
_FORMAT = 19  # bumped when what is stored changes shape
_MAC_SIZE = 16
# Marks the directory as a cache (https://bford.info/cachedir/) and as schemacheck's own.
TAG_TEXT = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This is a cache directory created by schemacheck.\n"
)


@functools.cache
def _secret() -> bytes:
    """This user's key for the cache's MACs: ``$XDG_CACHE_HOME/schemacheck/key`` (else
    ``~/.cache/...``), made on first use, and made again when damaged. Where it cannot be
    kept, a key for this process only: its files are then never read back, and every run is a
    cold one."""
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = os.path.join(home, "schemacheck", "key")
    kept = _read_key(path)
    if kept is not None:
        return kept
    key = os.urandom(32)
    temporary = f"{path}.{os.getpid()}.{get_ident()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(handle, "wb") as out:
            out.write(key)
        try:
            os.link(temporary, path)  # whole or not at all; a key made meanwhile wins
        except FileExistsError:
            kept = _read_key(path)
            if kept is not None:
                return kept
            os.replace(temporary, path)  # a damaged key
        except OSError:  # no hard links here
            os.replace(temporary, path)
    except OSError:
        return key
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
    return key


def _read_key(path: str) -> bytes | None:
    try:
        with open(path, "rb") as stream:
            kept = stream.read()
    except OSError:
        return None
    return kept if len(kept) >= 32 else None


def _mac(data: bytes | memoryview) -> bytes:
    return blake2b(data, key=_secret(), digest_size=_MAC_SIZE).digest()


@dataclass
class RunRecord:
    """The state a run leaves for the next one with the same settings and paths."""

    keys: dict[str, str] = field(default_factory=dict)  # display path -> content key
    # Checked path -> its FileResult, pickled on its own: the next run that changes a few files
    # writes the others' bytes back as they are (pickling every finding again took 0.07 s of
    # such a run on 2,011 files; loading them one by one costs what loading them together did).
    results: dict[str, bytes] = field(default_factory=dict)
    sources: set[str] = field(default_factory=set)  # checked files that were parsed
    migrations: set[str] = field(default_factory=set)  # checked files that are migrations
    project_findings: list[Any] = field(default_factory=list)  # project rules' diagnostics
    linked: set[str] = field(default_factory=set)  # keys of the linked entries the run used

    def result(self, path: str) -> Any:
        """The recorded result of ``path``; None when there is none, or when it no longer
        loads (pickled by another build of this version, a checkout installed in place).
        Callers keep it: they load results with the collector paused."""
        raw = self.results.get(path)
        if raw is None:
            return None
        try:
            return pickle.loads(raw)
        except Exception:
            return None


class Cache:
    def __init__(self, directory: Path, settings_key: str) -> None:
        self.directory = directory
        self.settings_key = settings_key
        self.base = directory / f"{__version__}-{_FORMAT}"
        self._files = os.path.join(self.base, "files")
        self._ready = False
        self._directories: set[str] = set()  # made already

    @staticmethod
    def settings_fingerprint(*parts: object) -> str:
        """One key for everything besides the file that decides a run's findings."""
        text = repr(
            (
                parts,
                __version__,
                _FORMAT,
                _libcst_version(),
                sys.version_info[:2],
            )
        )
        return blake2b(text.encode("utf-8"), digest_size=16).hexdigest()

    def key(self, display: str, data: bytes, kind: str = "file") -> str:
        digest = blake2b(digest_size=20)
        for part in (kind.encode(), display.encode("utf-8", "surrogateescape"), data):
            digest.update(len(part).to_bytes(8, "little"))
            digest.update(part)
        digest.update(self.settings_key.encode())
        return digest.hexdigest()

    @staticmethod
    def linked_key(key: str, links: str) -> str:
        """The key of a file's model as linked with the project's aliases ``links`` (the
        bindings they gave it): the same file in a project that says otherwise is another entry."""
        digest = blake2b(digest_size=20)
        for part in (b"linked", key.encode(), links.encode("utf-8", "surrogateescape")):
            digest.update(len(part).to_bytes(8, "little"))
            digest.update(part)
        return digest.hexdigest()

    # ---- entries ----------------------------------------------------------------------------

    def _entry_path(self, key: str) -> str:
        # A string, not a ``Path``: a run after one change asks for every file's entry, and
        # building paths was a twentieth of it.
        return os.path.join(self._files, key[:2], f"{key[2:]}.pickle")

    def has_entry(self, key: str) -> bool:
        return os.path.exists(self._entry_path(key))

    def load_entry(self, key: str) -> Any:
        return self._load(self._entry_path(key))

    def store_entry(self, key: str, data: bytes) -> None:
        path = self._entry_path(key)
        if not os.path.exists(path):
            self._store(path, data)

    # ---- runs -------------------------------------------------------------------------------

    def _run_path(self, paths: list[str]) -> Path:
        digest = blake2b(digest_size=16)
        digest.update(self.settings_key.encode())
        for path in paths:
            digest.update(path.encode("utf-8", "surrogateescape") + b"\0")
        return self.base / "runs" / f"{digest.hexdigest()}.pickle"

    def load_run(self, paths: list[str]) -> RunRecord | None:
        path = self._run_path(paths)
        record = self._load(path)
        if not isinstance(record, RunRecord):
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # used: records unused for a week are removed (see ``pruning``)
        return record

    def store_run(self, paths: list[str], record: RunRecord) -> None:
        try:
            data = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:
            return
        self._store(self._run_path(paths), data)

    # ---- files ------------------------------------------------------------------------------

    def load_file(self, path: Path) -> Any:
        """What an entry or record file of this cache holds; None when it does not load."""
        return self._load(path)

    def _load(self, path: str | Path) -> Any:
        try:
            with open(path, "rb") as stream:
                data = stream.read()
        except OSError:
            return None
        payload = memoryview(data)[_MAC_SIZE:]
        # A plain comparison: a planted file gets no answer to time, only a miss.
        if data[:_MAC_SIZE] != _mac(payload):
            return None  # written by someone else (or damaged): never unpickled
        try:
            return pickle.loads(payload)
        except Exception:  # written by another version: a miss
            return None

    def _prepare(self) -> bool:
        if self._ready:
            return True
        try:
            self.base.mkdir(parents=True, exist_ok=True)
            ignore = self.directory / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Created by schemacheck\n*\n", encoding="utf-8")
            tag = self.directory / "CACHEDIR.TAG"
            if not tag.exists():
                tag.write_text(TAG_TEXT, encoding="utf-8")
        except OSError:
            return False
        self._ready = True
        return True

    def _store(self, path: str | Path, data: bytes) -> None:
        """Write atomically: a reader sees the old record or the new one, never half of one."""
        if not self._prepare():
            return
        # Named for this process and thread, which write one file at a time (a leftover of a
        # killed process with the same id is overwritten).
        temporary = f"{path}.{os.getpid()}.{get_ident()}.tmp"
        try:
            parent = os.path.dirname(path)
            if parent not in self._directories:
                os.makedirs(parent, exist_ok=True)
                self._directories.add(parent)
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        except OSError:
            return
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(_mac(data))
                stream.write(data)
            os.replace(temporary, path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
