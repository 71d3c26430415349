"""One run over many files: read, build the project, check what needs checking, remember it.

The steps, each over every file before the next starts:

1. every checked file is read; with a cache, a file read before is taken from it, and if
   nothing in the project changed since the last run its findings are too (nothing is parsed);
2. the rest are parsed and extracted, on all workers;
3. the project is built from every model, plus the context files around the checked ones
   (see :func:`context_paths`), and imports of the project's aliases are linked;
4. the files a change can reach (:mod:`schemacheck.dependencies`) are checked against the
   project, those unchanged from their cached models without being parsed again; the others
   keep their cached findings;
5. project rules run over the whole project; fixes are written; the cache is updated.
"""

from __future__ import annotations

import os
import pickle
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from schemacheck import collector
from schemacheck.cache import Cache, RunRecord
from schemacheck.dependencies import reached, words
from schemacheck.diagnostics import Diagnostic
from schemacheck.extract.migrations import may_be_migration
from schemacheck.extract.names import Names
from schemacheck.files import discover, display_path, forget_resolved, resolved
from schemacheck.noqa import read_directives
from schemacheck.project import Project, ProjectFile, module_name
from schemacheck.runner import (
    FileResult,
    PendingFile,
    RunResult,
    Settings,
    _internal,
    _rules_for,
    finish_file,
    linked_names,
    without_tree,
    write_fixes,
)
from schemacheck.schema import FileSchema
from schemacheck.source import SourceDecodeError, SourceFile
from schemacheck.workers import (
    Executor,
    LocalExecutor,
    ProcessExecutor,
    Task,
    WorkerError,
    quiet_collector,
)

# Below this many files to parse, starting worker processes costs more than it saves.
_MIN_FILES_PER_WORKER = 8


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def settings_fingerprint(settings: Settings) -> str:
    """What, besides the files, decides a run's findings: the cache keeps runs apart by it."""
    return Cache.settings_fingerprint(
        repr(settings.config),
        [rule.code for rule in settings.rules],
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
    with quiet_collector():
        session = _Session(settings, found, cache, jobs, walked)
        try:
            result = session.run()
        except WorkerError:  # a worker died (killed, out of memory): do it all here instead
            session.close()
            session = _Session(settings, found, cache, 1, walked)
            result = session.run()
        finally:
            session.close()
    if settings.fix and write:
        for item, file_result in zip(session.items, result.files):
            if file_result.changed:
                problem = write_fixes(item.path, file_result)
                if problem:
                    file_result.errors.append(problem)
    return result


@dataclass
class _Read:
    """A file as read for the cache key; its text is what cached findings refer to."""

    display: str
    key: str
    text: str | None


class _Session:
    def __init__(
        self,
        settings: Settings,
        paths: list[Path],
        cache: Cache | None,
        jobs: int,
        walked: Sequence[Path] = (),
    ):
        self.settings = settings
        self.paths = paths
        self.walked = walked  # the directories given, already walked for ``paths``
        self.cache = cache
        self.jobs = jobs
        self.executor: Executor | None = None
        self.items: list[PendingFile] = []  # checked files, then context files, by index
        self.reads: dict[str, _Read] = {}  # by display path
        self.displays = [display_path(p, settings.config.root) for p in paths]
        self.new_entries: dict[str, bytes] = {}  # by display path

    def close(self) -> None:
        if self.executor is not None:
            self.executor.close()

    def _executor(self, count: int) -> Executor:
        if self.executor is None:
            if self.jobs > 1 and count >= 2 * _MIN_FILES_PER_WORKER:
                workers = min(self.jobs, count // _MIN_FILES_PER_WORKER)
                self.executor = ProcessExecutor(self.settings, workers)
            else:
                self.executor = LocalExecutor(self.settings)
        return self.executor

    # ---- the run ----------------------------------------------------------------------------

    def run(self) -> RunResult:
        tasks: list[Task] = [(i, path, False) for i, path in enumerate(self.paths)]
        record = None
        if self.cache is not None:
            for _, path, _ in tasks:
                self._read(path, False)
            record = self.cache.load_run(self.displays)
        if record is not None and not self.settings.fix:
            context = [path for _, path, _ in self._context_tasks_from(record)]
            for path in context:
                self._read(path, True)
            keys = self._keys([*self.paths, *context])
            if keys == record.keys and set(self.displays) <= set(record.results):
                return self._from_record(record)
        self.items = self._load(tasks)
        self.items += self._load(self._context_tasks())
        project = self._build_project()
        reach = self._reach(project, record)
        results = self._check(project, reach, record)
        for item, result in zip(self.items, results):
            if item.file is not None and result.schema is not None:
                project.replace(item.file.schema, result.schema)  # after fixes
        project_findings, errors = _project_findings(project, self.settings)
        if results:
            results[0].errors.extend(errors)
        if self.cache is not None:
            self._remember(results, project_findings)
        _add_project_findings(results, project_findings, self.paths, self.settings)
        return RunResult(results)

    def _keys(self, paths: Iterable[Path]) -> dict[str, str]:
        """The cache keys of these files (those that could be read)."""
        root = self.settings.config.root
        displays = (display_path(path, root) for path in paths)
        return {d: self.reads[d].key for d in displays if d in self.reads}

    # ---- reading and preparing ----------------------------------------------------------------

    def _load(self, tasks: list[Task]) -> list[PendingFile]:
        """Prepared files for ``tasks``: from the cache where it has them, else parsed."""
        items: dict[int, PendingFile] = {}
        misses: list[Task] = []
        with collector.paused():  # cached models are unpickled: objects the run keeps
            for index, path, context in tasks:
                entry = self._cached(path, context)
                if entry is not None:
                    items[index] = entry
                else:
                    misses.append((index, path, context))
        if misses:
            prepared = self._executor(len(misses)).prepare(misses)
            for item in prepared.values():
                if self.cache is not None and item.result.path in self.reads:
                    data = pickle.dumps(item, pickle.HIGHEST_PROTOCOL)
                    self.new_entries[item.result.path] = data
            items.update(prepared)
        return [items[index] for index, _, _ in tasks]

    def _read(self, path: Path, context: bool) -> _Read | None:
        """Read a file for its cache key (once per run)."""
        display = display_path(path, self.settings.config.root)
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
        read = self.reads[display] = _Read(display, key, text)
        return read

    def _cached(self, path: Path, context: bool) -> PendingFile | None:
        if self.cache is None:
            return None
        read = self._read(path, context)
        if read is None:
            return None
        entry = self.cache.load_entry(read.key)
        if not isinstance(entry, PendingFile):
            return None
        entry.path, entry.cached = path, True
        return entry

    def _context_tasks_from(self, record: RunRecord) -> list[Task]:
        """The context files the last run's checked files call for."""
        sources = [p for p, d in zip(self.paths, self.displays) if d in record.sources]
        migrations = [p for p, d in zip(self.paths, self.displays) if d in record.migrations]
        return self._context_for(sources, migrations, {resolved(p) for p in self.paths})

    def _context_tasks(self) -> list[Task]:
        sources = [item.path for item in self.items if item.result.schema is not None]
        migrations = [
            item.path
            for item in self.items
            if item.result.schema is not None and item.result.schema.migration is not None
        ]
        checked = {resolved(item.path) for item in self.items}
        return self._context_for(sources, migrations, checked)

    def _context_for(
        self, sources: list[Path], migrations: list[Path], checked: set[Path]
    ) -> list[Task]:
        start = len(self.paths)
        tasks: list[Task] = []
        found = context_paths(sources, migrations, self.settings, self.walked)
        for path, models_only in found.items():
            if resolved(path) in checked or (models_only and not _is_model_context(path)):
                continue
            tasks.append((start + len(tasks), path, True))
        return tasks

    # ---- the project --------------------------------------------------------------------------

    def _build_project(self) -> Project:
        """Every model, linked by imports; files that need linking are extracted again."""
        project = Project()
        src = [self.settings.config.root / s for s in self.settings.config.src]
        checked = len(self.paths)
        for index, item in enumerate(self.items):
            if item.result.schema is None or item.text is None:
                continue
            module, package = module_name(item.path, src)
            item.file = ProjectFile(
                item.result.path, item.result.schema, index < checked, module, package
            )
            project.add(item.file)
        patches: dict[int, Names] = {}
        for index, item in enumerate(self.items):
            if item.file is None or item.names is None:
                continue  # not a model file
            try:
                names = linked_names(item.names, project, item.file)
            except Exception as error:
                item.result.errors.append(
                    _internal(item.result.path, "linking imports", error, self.settings.verbose)
                )
                continue
            if names is not None:
                patches[index] = names
        cached = sorted(i for i in patches if self.items[i].cached)
        live = {i: names for i, names in patches.items() if not self.items[i].cached}
        if live:
            self._relink(project, live)
        if cached:
            # Extracted without the project's aliases: parse it again.
            self._parse_again(project, cached)
        return project

    def _relink(self, project: Project, patches: dict[int, Names]) -> None:
        assert self.executor is not None
        for index, schema in self.executor.relink(patches).items():
            item = self.items[index]
            if item.file is not None:
                project.replace(item.file.schema, schema)
            item.result.schema = schema

    def _parse_again(self, project: Project, indices: list[int]) -> None:
        """Parse cached files again and link them: their models were extracted without the
        project's aliases."""
        checked = len(self.paths)
        tasks = [(i, self.items[i].path, i >= checked) for i in indices]
        prepared = self._executor(len(tasks)).prepare(tasks)
        patches: dict[int, Names] = {}
        for index, fresh in prepared.items():
            file = fresh.file = self.items[index].file
            self.items[index] = fresh
            if file is None or fresh.result.schema is None:
                continue
            project.replace(file.schema, fresh.result.schema)
            if fresh.names is not None:
                names = linked_names(fresh.names, project, file)
                if names is not None:
                    patches[index] = names
        if patches:
            self._relink(project, patches)

    # ---- checking -----------------------------------------------------------------------------

    def _reach(self, project: Project, record: RunRecord | None) -> set[str] | None:
        """The checked files to check again; None when all of them are."""
        if record is None or self.settings.fix or self.cache is None:
            return None
        keys = self._keys(item.path for item in self.items)
        if set(record.keys) != set(keys):
            return None  # files came or went: module resolution may differ anywhere
        changed = {path for path, key in keys.items() if record.keys.get(path) != key}
        old: list[FileSchema] = []
        for path in changed:
            entry = self.cache.load_entry(record.keys[path])
            if not isinstance(entry, PendingFile):
                return None
            if entry.result.schema is not None:
                old.append(entry.result.schema)
        texts = {path: words(self.reads[path].text or "") for path in keys}
        return reached(project, texts, changed, old)

    def _check(
        self, project: Project, reach: set[str] | None, record: RunRecord | None
    ) -> list[FileResult]:
        checked = self.items[: len(self.paths)]
        todo: list[int] = []
        results: dict[int, FileResult] = {}
        for index, item in enumerate(checked):
            previous = record.results.get(item.result.path) if record is not None else None
            if reach is not None and item.result.path not in reach and previous is not None:
                results[index] = _reuse(previous, self.reads.get(item.result.path))
            else:
                todo.append(index)
        for index in todo:
            item = self.items[index]
            if item.cached and item.text is not None:
                # Checked from its cached model, without parsing the file: a fix that rewrites
                # a statement parses that statement alone.
                results[index] = finish_file(
                    without_tree(item, self.settings), self.settings, project
                )
        live = [i for i in todo if not self.items[i].cached and self.items[i].text is not None]
        if live:
            finished = self._executor(len(live)).finish(project, live)
            for index, result in finished.items():
                item = self.items[index]
                if result.source is None:
                    result.source = item.text  # not sent back when the file did not change
                if result.schema is None:
                    result.schema = item.result.schema
            results.update(finished)
        for index in todo:
            if index not in results:
                results[index] = self.items[index].result  # nothing to check (not a model)
        return [results[i] for i in range(len(checked))]

    # ---- the cache ----------------------------------------------------------------------------

    def _from_record(self, record: RunRecord) -> RunResult:
        files = [
            _reuse(record.results[display], self.reads.get(display)) for display in self.displays
        ]
        _add_project_findings(files, record.project_findings, self.paths, self.settings)
        return RunResult(files)

    def _remember(self, results: list[FileResult], project_findings: list[Diagnostic]) -> None:
        assert self.cache is not None
        for display, data in self.new_entries.items():
            self.cache.store_entry(self.reads[display].key, data)
        checked = self.items[: len(self.paths)]
        record = RunRecord(
            keys=self._keys(item.path for item in self.items),
            results={
                # The text is read again next time; "" only records that there was one.
                r.path: FileResult(
                    r.path,
                    list(r.diagnostics),
                    source=None if r.source is None else "",
                    errors=list(r.errors),
                )
                for r in results
            },
            sources={i.result.path for i in checked if i.result.schema is not None},
            migrations={
                i.result.path
                for i in checked
                if i.result.schema is not None and i.result.schema.migration is not None
            },
            project_findings=list(project_findings),
        )
        self.cache.store_run(self.displays, record)


def _reuse(previous: FileResult, read: _Read | None) -> FileResult:
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
    ``src`` directory, of its first directory there); for a loose file or a migration, the
    other files of its directory. The value says whether only model files are wanted from it:
    a package's own migrations and modules without models add nothing to the model rules.
    Directories inside ``walked`` (the directories given to the run) are not walked again:
    every file there is checked already.
    """
    config = settings.config
    roots = [resolved(config.root / s) for s in config.src]
    tops: set[Path] = set()
    directories: set[Path] = {resolved(path).parent for path in migrations}
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
    return found


# Text that a module contributing tables, classes or aliases to the schema contains.
_MODEL_CONTEXT = re.compile(
    r"__tablename__|__table__|__table_args__|\bTable\(|mapped_column|\bColumn\b"
    r"|declarative_base|DeclarativeBase|table=True|\brelationship\b|\bRelationship\("
    r"|SQLAlchemy\(|\.Model\b|declared_attr"
)


def _is_model_context(path: Path) -> bool:
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return False
    if may_be_migration(text):
        return False  # a migration: its tables are snapshots, not the schema
    return _MODEL_CONTEXT.search(text) is not None


def _project_findings(project: Project, settings: Settings) -> tuple[list[Diagnostic], list[str]]:
    """Project rules' findings over the whole project, and their internal errors."""
    found: list[Diagnostic] = []
    errors: list[str] = []
    for rule in settings.rules:
        if not rule.project:
            continue
        try:
            found.extend(rule.check_project(project))
        except Exception as error:  # one rule's bug must not stop the run
            errors.append(_internal("project", f"rule {rule.code}", error, settings.verbose))
    return found, errors


def _add_project_findings(
    results: list[FileResult],
    found: list[Diagnostic],
    paths: list[Path],
    settings: Settings,
) -> None:
    """Project rules' findings go to the checked files they are about (after noqa)."""
    by_path = {result.path: (path, result) for path, result in zip(paths, results)}
    for diagnostic in found:
        target = by_path.get(diagnostic.path)
        if target is None:
            continue
        path, result = target
        if not any(r.code == diagnostic.code for r in _rules_for(path, settings)):
            continue
        directives = read_directives(result.source or "")
        if directives.suppresses(diagnostic.code, (diagnostic.span.line,)):
            continue
        result.diagnostics.append(diagnostic)
        result.diagnostics.sort(key=lambda d: d.sort_key)
