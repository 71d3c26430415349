"""A run that checks files: parse what the cache lacks, build the project, run the rules.

The steps, each over every file before the next starts:

1. files the cache has (by content) are taken from it; the rest are parsed and extracted, on
   all workers;
2. the project is built from every model, plus the context files around the checked ones
   (see :func:`schemacheck.session.context_paths`), and imports of the project's aliases are
   linked;
3. the files a change can reach (:mod:`schemacheck.dependencies`) are checked against the
   project, those unchanged from their cached models without being parsed again; the others
   keep the last run's findings;
4. project rules run over the whole project; fixes are written; the cache is updated.
"""

from __future__ import annotations

import dataclasses
import pickle
import sys
from collections.abc import Sequence
from pathlib import Path

from schemacheck import collector
from schemacheck.cache import RunRecord
from schemacheck.dependencies import reached
from schemacheck.diagnostics import Diagnostic
from schemacheck.extract.names import Names
from schemacheck.project import Project, ProjectFile, module_name
from schemacheck.results import FileResult, RunResult, Settings
from schemacheck.runner import (
    PendingFile,
    _internal,
    finish_file,
    linked_names,
    module_words,
    without_tree,
    write_fixes,
)
from schemacheck.schema import FileSchema
from schemacheck.session import Reader, Task, add_project_findings, context_tasks, reuse_result
from schemacheck.workers import (
    START_METHOD,
    Executor,
    LocalExecutor,
    ProcessExecutor,
    WorkerError,
    quiet_collector,
)

# Below this many files to parse, starting worker processes costs more than it saves.
_MIN_FILES_PER_WORKER = 8


def check(
    paths: list[Path],
    settings: Settings,
    reader: Reader,
    record: RunRecord | None,
    *,
    jobs: int,
    walked: Sequence[Path],
    write: bool,
) -> RunResult:
    """Check ``paths`` (discovered, and read when there is a cache) as one project."""
    with quiet_collector():
        session = _Session(settings, paths, reader, record, jobs, walked)
        try:
            result = session.run()
        except WorkerError:  # a worker died (killed, out of memory): do it all here instead
            session.close()
            session = _Session(settings, paths, reader, record, 1, walked)
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


class _Session:
    def __init__(
        self,
        settings: Settings,
        paths: list[Path],
        reader: Reader,
        record: RunRecord | None,
        jobs: int,
        walked: Sequence[Path] = (),
    ):
        self.settings = settings
        self.paths = paths
        self.walked = walked  # the directories given, already walked for ``paths``
        self.reader = reader
        self.cache = reader.cache
        self.record = record
        self.jobs = jobs
        self.executor: Executor | None = None
        self.items: list[PendingFile] = []  # checked files, then context files, by index
        self.displays = reader.displays(paths)
        # What the checked files' imports of each other start with (see ``may_need_links``).
        self.modules = module_words(paths)
        self.new_entries: dict[str, bytes] = {}  # by display path
        self.linked_entries: dict[str, bytes] = {}  # files linked with aliases, by linked key
        self.unchanged: dict[str, bytes] = {}  # results taken from the record, as pickled there
        self.linked_loaded: set[str] = set()  # keys of the linked entries taken from the cache

    def close(self) -> None:
        if self.executor is not None:
            self.executor.close()

    def _executor(self, count: int, *, parser_here: bool = True) -> Executor:
        if self.executor is None:
            if self.jobs > 1 and (count >= 2 * _MIN_FILES_PER_WORKER or not parser_here):
                workers = max(2, min(self.jobs, count // _MIN_FILES_PER_WORKER))
                keep = self.cache is not None  # new cache entries: as the workers pickled them
                self.executor = ProcessExecutor(
                    self.settings,
                    workers,
                    keep_pickled=keep,
                    modules=self.modules,
                    parser_here=parser_here,
                )
            else:
                self.executor = LocalExecutor(self.settings, self.modules)
        return self.executor

    # ---- the run ----------------------------------------------------------------------------

    def run(self) -> RunResult:
        tasks: list[Task] = [(i, path, False) for i, path in enumerate(self.paths)]
        record = self.record
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
        add_project_findings(results, project_findings, self.paths, self.settings)
        return RunResult(results)

    # ---- reading and preparing ----------------------------------------------------------------

    def _load(self, tasks: list[Task]) -> list[PendingFile]:
        """Prepared files for ``tasks``: from the cache where it has them, else parsed."""
        items: dict[int, PendingFile] = {}
        misses: list[Task] = []

        def load_cached(wanted: list[Task]) -> None:
            with collector.paused():  # cached models are unpickled: objects the run keeps
                for index, path, context in wanted:
                    entry = self._cached(path, context)
                    if entry is not None:
                        items[index] = entry
                    else:
                        misses.append((index, path, context))

        elsewhere = self._parsed_elsewhere(tasks)
        if elsewhere:
            # A few changed files, parsed by a worker (which imports the parser) while this
            # process loads the rest from the cache.
            executor = self._executor(len(elsewhere), parser_here=False)
            assert isinstance(executor, ProcessExecutor)
            chosen = {index for index, _, _ in elsewhere}
            rest = [task for task in tasks if task[0] not in chosen]
            found = executor.prepare_meanwhile(elsewhere, lambda: load_cached(rest))
            self._keep_new_entries(executor, found)
            items.update(found)
        else:
            load_cached(tasks)
        if misses:
            executor = self._executor(len(misses))
            prepared = executor.prepare(misses)
            self._keep_new_entries(executor, prepared)
            items.update(prepared)
        return [items[index] for index, _, _ in tasks]

    def _keep_new_entries(self, executor: Executor, prepared: dict[int, PendingFile]) -> None:
        for index, item in prepared.items():
            if self.cache is not None and item.result.path in self.reader.reads:
                data = executor.pickled(index) or pickle.dumps(item, pickle.HIGHEST_PROTOCOL)
                self.new_entries[item.result.path] = data

    def _parsed_elsewhere(self, tasks: list[Task]) -> list[Task]:
        """The files to hand a worker while the rest load from the cache: only the first time
        files are prepared, when a few changed in a cached project, the parser is not imported
        yet, and processes can fork (each then inherits what the others loaded)."""
        cache = self.cache
        if (
            cache is None
            or self.executor is not None
            or self.jobs < 2
            or START_METHOD != "fork"
            or "libcst" in sys.modules
        ):
            return []
        missing = []
        for task in tasks:
            read = self.reader.read(task[1], task[2])
            if read is not None and not cache.has_entry(read.key):
                missing.append(task)
        if not missing or len(missing) >= 2 * _MIN_FILES_PER_WORKER or len(missing) == len(tasks):
            return []
        return missing

    def _cached(self, path: Path, context: bool) -> PendingFile | None:
        if self.cache is None:
            return None
        read = self.reader.read(path, context)
        if read is None:
            return None
        entry = self.cache.load_entry(read.key)
        if not isinstance(entry, PendingFile):
            return None
        entry.path, entry.cached = path, True
        return entry

    def _context_tasks(self) -> list[Task]:
        sources = [item.path for item in self.items if item.result.schema is not None]
        migrations = [
            item.path
            for item in self.items
            if item.result.schema is not None and item.result.schema.migration is not None
        ]
        return context_tasks(sources, migrations, self.paths, self.settings, self.walked)

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
            # Extracted without the project's aliases: linked as the last run left them, or
            # parsed again.
            missing = self._from_linked(project, {i: patches[i] for i in cached})
            if missing:
                self._parse_again(project, missing)
        return project

    def _relink(self, project: Project, patches: dict[int, Names]) -> None:
        assert self.executor is not None
        for index, schema in self.executor.relink(patches).items():
            item = self.items[index]
            if item.file is not None:
                project.replace(item.file.schema, schema)
            item.result.schema = schema
            key = self._linked_key(item, patches[index])
            if key is not None:
                linked = dataclasses.replace(item, names=patches[index])
                self.linked_entries[key] = pickle.dumps(linked, pickle.HIGHEST_PROTOCOL)

    def _linked_key(self, item: PendingFile, names: Names) -> str | None:
        """Where the cache keeps ``item`` linked with ``names``."""
        read = self.reader.reads.get(item.result.path)
        if self.cache is None or read is None:
            return None
        return self.cache.linked_key(read.key, names.fingerprint())

    def _from_linked(self, project: Project, patches: dict[int, Names]) -> list[int]:
        """Swap in each cached file's model as an earlier run linked it with these same links
        (a file imports the same aliases run after run); return the indices the cache lacks."""
        missing: list[int] = []
        with collector.paused():
            for index, names in patches.items():
                item = self.items[index]
                key = self._linked_key(item, names)
                entry = None if key is None or self.cache is None else self.cache.load_entry(key)
                if (
                    not isinstance(entry, PendingFile)
                    or entry.result.schema is None
                    or item.file is None
                ):
                    missing.append(index)
                    continue
                entry.path, entry.cached, entry.file = item.path, True, item.file
                assert key is not None
                self.linked_loaded.add(key)
                project.replace(item.file.schema, entry.result.schema)
                self.items[index] = entry
        return missing

    def _parse_again(self, project: Project, indices: list[int]) -> None:
        """Parse cached files again and link them: their models were extracted without the
        project's aliases."""
        checked = len(self.paths)
        tasks = [(i, self.items[i].path, i >= checked) for i in indices]
        prepared = self._executor(len(tasks)).prepare(tasks, keep_trees=True)
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
        keys = self.reader.keys(item.path for item in self.items)
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
        texts = {path: self.reader.reads[path].text or "" for path in keys}
        return reached(project, texts, changed, old)

    def _check(
        self, project: Project, reach: set[str] | None, record: RunRecord | None
    ) -> list[FileResult]:
        checked = self.items[: len(self.paths)]
        todo: list[int] = []
        results: dict[int, FileResult] = {}
        with collector.paused():  # the recorded findings are kept
            for index, item in enumerate(checked):
                path = item.result.path
                if reach is not None and path not in reach and record is not None:
                    result = record.result(path)
                    if result is not None:  # else checked again
                        results[index] = reuse_result(result, self.reader.reads.get(path))
                        self.unchanged[path] = record.results[path]
                        continue
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

    def _remember(self, results: list[FileResult], project_findings: list[Diagnostic]) -> None:
        # Writing makes only short-lived objects without cycles: a collection would walk all
        # the run's findings for nothing (it took half the time of writing 2,011 entries).
        with collector.paused():
            self._write_cache(results, project_findings)

    def _write_cache(self, results: list[FileResult], project_findings: list[Diagnostic]) -> None:
        assert self.cache is not None
        for display, data in self.new_entries.items():
            self.cache.store_entry(self.reader.reads[display].key, data)
        for key, data in self.linked_entries.items():
            self.cache.store_entry(key, data)
        checked = self.items[: len(self.paths)]
        record = RunRecord(
            keys=self.reader.keys(item.path for item in self.items),
            results={r.path: self.unchanged.get(r.path) or _recorded(r) for r in results},
            sources={i.result.path for i in checked if i.result.schema is not None},
            migrations={
                i.result.path
                for i in checked
                if i.result.schema is not None and i.result.schema.migration is not None
            },
            project_findings=list(project_findings),
            linked=self.linked_loaded | set(self.linked_entries),
        )
        self.cache.store_run(self.displays, record)
        from schemacheck.pruning import prune_daily  # only runs that write the cache prune it

        prune_daily(self.cache)


def _recorded(result: FileResult) -> bytes:
    """A file's result as the run record keeps it: the text is read again next time (""
    only records that there was one)."""
    kept = FileResult(
        result.path,
        list(result.diagnostics),
        source=None if result.source is None else "",
        errors=list(result.errors),
    )
    return pickle.dumps(kept, pickle.HIGHEST_PROTOCOL)


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
