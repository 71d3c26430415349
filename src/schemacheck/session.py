"""One run over many files: discover them, and answer from the cache when nothing changed.

A run reads every checked file for its cache key. When the cache's record of the last run has
the same keys, and the same for the context files that run read, its findings stand (nothing is
parsed). This module answers that case without importing the parser, the model or the rules:
it is most runs under pre-commit, where start-up is most of the time. Everything else is done
by :mod:`schemacheck.pipeline`, imported only then.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from schemacheck import codecache, collector
from schemacheck.cache import Cache, RunRecord
from schemacheck.diagnostics import Diagnostic
from schemacheck.files import (
    discover,
    display_path,
    forget_resolved,
    resolved,
    revisions_directory,
)
from schemacheck.prefilter import may_be_migration
from schemacheck.results import FileResult, RunResult, Settings
from schemacheck.source import SourceDecodeError, SourceFile

Task = tuple[int, Path, bool]  # index, path, context file (extracted only, never reported)


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def settings_fingerprint(settings: Settings) -> str:
    """What, besides the files, decides a run's findings: the cache keeps runs apart by it."""
    return Cache.settings_fingerprint(
        repr(settings.config),
        list(settings.codes),
        settings.fix,
        settings.unsafe_fixes,
    )


def run(
    paths: Iterable[Path],
    settings: Settings,
    *,
    write: bool = True,
    force_exclude: bool = False,
    jobs: int = 1,
    cache: Cache | None = None,
) -> RunResult:
    """Check ``paths`` as one project (see the module's docstring)."""
    config = settings.config
    forget_resolved()
    paths = list(paths)
    found = list(discover(paths, config.root, config.excludes, force_exclude=force_exclude))
    walked = [resolved(p) for p in paths if p.is_dir()]
    reader = Reader(settings, cache)
    record = None
    if cache is not None:
        for path in found:
            reader.read(path, False)
        with collector.paused():  # the record's findings are kept: nothing to collect
            record = cache.load_run(reader.displays(found))
    if record is not None and not settings.fix:
        answer = _from_record(record, found, reader, walked)
        if answer is not None:
            return answer
    # The parser, the model and the rules: only a run that checks something needs them.
    from schemacheck.pipeline import check

    codecache.save()
    return check(found, settings, reader, record, jobs=jobs, walked=walked, write=write)


@dataclass
class Read:
    """A file as read for the cache key; its text is what cached findings refer to."""

    display: str
    key: str
    text: str | None


class Reader:
    """Each file read once per run, for its cache key and for the text findings refer to."""

    def __init__(self, settings: Settings, cache: Cache | None) -> None:
        self.settings = settings
        self.cache = cache
        self.reads: dict[str, Read] = {}  # by display path
        self._displays: dict[Path, str] = {}

    def display(self, path: Path) -> str:
        """The path as reported (worked out once per run: a run asks for it many times)."""
        found = self._displays.get(path)
        if found is None:
            found = self._displays[path] = display_path(path, self.settings.config.root)
        return found

    def displays(self, paths: Iterable[Path]) -> list[str]:
        return [self.display(path) for path in paths]

    def read(self, path: Path, context: bool) -> Read | None:
        """Read a file for its cache key (once per run); None when it cannot be read."""
        display = self.display(path)
        if display in self.reads:
            return self.reads[display]
        assert self.cache is not None
        try:
            data = path.read_bytes()
        except OSError:
            return None  # reported when prepared
        try:
            text: str | None = SourceFile.from_bytes(data).text
        except SourceDecodeError:
            text = None
        key = self.cache.key(display, data, "context" if context else "file")
        read = self.reads[display] = Read(display, key, text)
        return read

    def keys(self, paths: Iterable[Path]) -> dict[str, str]:
        """The cache keys of these files (those that could be read)."""
        return {d: self.reads[d].key for d in self.displays(paths) if d in self.reads}


def _from_record(
    record: RunRecord, paths: list[Path], reader: Reader, walked: Sequence[Path]
) -> RunResult | None:
    """The last run's findings, if no file it read (checked or context) has changed since."""
    displays = reader.displays(paths)
    if not set(displays) <= set(record.results):
        return None
    if any(record.keys.get(d) != reader.reads[d].key for d in displays if d in reader.reads):
        return None  # a checked file changed: no need to look for context files
    sources = [p for p, d in zip(paths, displays) if d in record.sources]
    migrations = [p for p, d in zip(paths, displays) if d in record.migrations]
    context = [
        path for _, path, _ in context_tasks(sources, migrations, paths, reader.settings, walked)
    ]
    for path in context:
        reader.read(path, True)
    if reader.keys([*paths, *context]) != record.keys:
        return None
    files = []
    with collector.paused():  # the findings are kept
        for display in displays:
            result = record.result(display)
            if result is None:
                return None
            files.append(reuse_result(result, reader.reads.get(display)))
    add_project_findings(files, record.project_findings, paths, reader.settings)
    return RunResult(files)


def context_tasks(
    sources: list[Path],
    migrations: list[Path],
    checked: list[Path],
    settings: Settings,
    walked: Sequence[Path],
) -> list[Task]:
    """The context files ``sources`` (model files) and ``migrations`` call for, as tasks
    numbered after the ``checked`` files."""
    start = len(checked)
    tasks: list[Task] = []
    found = context_paths(sources, migrations, settings, walked)
    if not found:  # the usual case when whole directories are checked
        return tasks
    seen = {resolved(p) for p in checked}
    for path, models_only in found.items():
        if resolved(path) in seen or (models_only and not _is_model_context(path)):
            continue
        tasks.append((start + len(tasks), path, True))
    return tasks


def reuse_result(previous: FileResult, read: Read | None) -> FileResult:
    """A cached result, with the text it refers to read now (reporters quote it)."""
    return FileResult(
        path=previous.path,
        diagnostics=list(previous.diagnostics),
        source=read.text if read is not None and previous.source is not None else None,
        errors=list(previous.errors),
    )


def context_paths(
    checked: list[Path],
    migrations: list[Path],
    settings: Settings,
    walked: Sequence[Path] = (),
) -> dict[Path, bool]:
    """The files around the checked ones that the project needs to be whole.

    For a file in a package, every module of its top-level package (or, below a configured
    ``src`` directory, of its first directory there); for a loose file, the other files of its
    directory; for a migration, those its revision graph may hold (the ``versions`` directory
    above it with its subdirectories, else its own directory). The value says whether only
    model files are wanted from it: a package's own migrations and modules without models add
    nothing to the model rules.
    Directories inside ``walked`` (the directories given to the run) are not walked again:
    every file there is checked already.
    """
    config = settings.config
    roots = [resolved(config.root / s) for s in config.src]
    tops: set[Path] = set()
    directories: set[Path] = set()  # whose own files are wanted
    trees: set[Path] = set()  # with their subdirectories: a versions/ tree is one graph
    for path in migrations:
        where = revisions_directory(resolved(path).parent)
        (trees if where.name == "versions" else directories).add(where)
    for parent in {resolved(path).parent for path in checked}:  # a directory's files agree
        top = parent
        if (top / "__init__.py").is_file():
            while (top.parent / "__init__.py").is_file() and top.parent not in roots:
                top = top.parent
            tops.add(top)
            continue
        for root in roots:
            if root in parent.parents:
                tops.add(root / parent.relative_to(root).parts[0])
                break
        else:
            directories.add(parent)
    found: dict[Path, bool] = {}
    walked_set = set(walked)

    def seen(directory: Path) -> bool:
        return directory in walked_set or not walked_set.isdisjoint(directory.parents)

    for top in sorted(tops):
        if not seen(top):
            for path in discover([top], config.root, config.excludes):
                found[path] = True
    for directory in sorted(directories):
        if not seen(directory):
            for path in discover([directory], config.root, config.excludes, recursive=False):
                found[path] = False
    for tree in sorted(trees):
        if not seen(tree):
            for path in discover([tree], config.root, config.excludes):
                found[path] = False
    return found


# Text that a module contributing tables, classes or aliases to the schema contains: words
# found with ``in``, and words that must stand alone, each a pattern that starts with its literal
# and looks back for the boundary. One alternation of them all tries each alternative at every
# position of the text: 0.3 ms per module of a real package, where these take a hundredth.
_MODEL_CONTEXT_TEXT = (
    "__tablename__",
    "__table__",
    "__table_args__",
    "mapped_column",
    "declarative_base",
    "DeclarativeBase",
    "table=True",
    "SQLAlchemy(",
    "declared_attr",
)
_MODEL_CONTEXT_WORDS = tuple(
    re.compile(pattern)
    for pattern in (
        r"Table\((?<!\wTable\()",
        r"Column\b(?<!\wColumn)",
        r"relationship\b(?<!\wrelationship)",
        r"Relationship\((?<!\wRelationship\()",
        r"\.Model\b",
    )
)


def is_model_context_text(text: str) -> bool:
    """Whether a module adds to the schema: it has model code and is not a migration."""
    if may_be_migration(text):
        return False  # a migration: its tables are snapshots, not the schema
    return any(word in text for word in _MODEL_CONTEXT_TEXT) or any(
        pattern.search(text) is not None for pattern in _MODEL_CONTEXT_WORDS
    )


def _is_model_context(path: Path) -> bool:
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return False
    return is_model_context_text(text)


def add_project_findings(
    results: list[FileResult],
    found: list[Diagnostic],
    paths: list[Path],
    settings: Settings,
) -> None:
    """Project rules' findings go to the checked files they are about (after noqa)."""
    if not found:
        return
    from schemacheck.noqa import Directives, read_directives  # its patterns: only now

    by_path = {result.path: (path, result) for path, result in zip(paths, results)}
    read: dict[str, Directives] = {}  # a file's directives, read once for all its findings
    for diagnostic in found:
        target = by_path.get(diagnostic.path)
        if target is None:
            continue
        path, result = target
        if diagnostic.code not in settings.codes_for(path):
            continue
        directives = read.get(result.path)
        if directives is None:
            directives = read[result.path] = read_directives(result.source or "")
        if directives.suppresses(diagnostic.code, (diagnostic.span.line,)):
            continue
        result.diagnostics.append(diagnostic)
        result.diagnostics.sort(key=lambda d: d.sort_key)
