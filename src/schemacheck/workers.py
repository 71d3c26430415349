"""Where files are parsed and checked: in this process, or spread over worker processes.

A file's syntax tree is needed for extraction, and again only when the project links the
file's imports; in between, only the project (every file's extracted model) is needed. Trees
are large and slow to pickle, so each file stays in the worker that parsed it, which lets its
tree go as soon as nothing may need it: workers send back plain models, and this process builds
the project from them. The files are then checked where the project already is: in processes
forked from this one (or, where processes cannot fork, in the workers, each sent the project).
Only picklable data crosses processes, and results are put back in the order files were given,
so the output is the same whatever the number of jobs.
"""

from __future__ import annotations

import dataclasses
import gc
import multiprocessing
import pickle
import sys
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Protocol

from schemacheck import collector
from schemacheck.collector import load_kept
from schemacheck.extract.names import Names
from schemacheck.project import Project, ProjectFile
from schemacheck.results import FileResult, Settings
from schemacheck.runner import (
    PendingFile,
    extract_only,
    finish_file,
    may_need_links,
    prepare_file,
    release,
    relink,
    without_tree,
)
from schemacheck.schema import FileSchema
from schemacheck.session import Task

_CHUNK_FILES = 8  # at most, per chunk: a worker sends a chunk's files once they are prepared


class Executor(Protocol):
    def prepare(self, tasks: list[Task], *, keep_trees: bool = False) -> dict[int, PendingFile]:
        """Read, parse and extract files, keeping the trees that ``relink`` may need (all of
        them with ``keep_trees``: files parsed again to be linked)."""

    def pickled(self, index: int) -> bytes | None:
        """A file of the latest :meth:`prepare` as pickled on its way here (the cache stores
        those very bytes), if it came from another process; taken once."""

    def relink(self, names: dict[int, Names]) -> dict[int, FileSchema]:
        """Extract prepared files again with the project's view of their imports."""

    def finish(self, project: Project, indices: list[int]) -> dict[int, FileResult]:
        """Run the rules (and fixes) of prepared files against the finished project."""

    def close(self) -> None: ...


@contextmanager
def quiet_collector() -> Iterator[None]:
    """Keep the cyclic garbage collector off the trees a run holds.

    Parsed modules are millions of small objects kept until their rules have run; every full
    collection would walk all of them again for nothing (they hold no cycles). Objects that
    exist between files are frozen, which takes them out of the collector's view.
    """
    try:
        yield
    finally:
        gc.unfreeze()


class WorkerError(Exception):
    """A worker process failed; the run is done again in this process."""


class _Files:
    """The prepared files of one process, by index."""

    def __init__(self, settings: Settings, modules: frozenset[str]) -> None:
        self.settings = settings
        self.context_settings = extract_only(settings)
        self.modules = modules  # see ``module_words``
        self.items: dict[int, PendingFile] = {}

    def prepare(self, tasks: list[Task], keep_trees: bool = False) -> dict[int, PendingFile]:
        found = {}
        for index, path, context in tasks:
            item = prepare_file(path, self.context_settings if context else self.settings)
            if item.parsed is not None and (context or not (keep_trees or self._kept(item))):
                release(item.parsed)
            self.items[index] = found[index] = item
            gc.freeze()
        return found

    def _kept(self, item: PendingFile) -> bool:
        """Whether a prepared file keeps its tree until its rules have run.

        Rules read the model and the text; their fixes read the tree only for statements laid
        out unusually, which they then parse alone (as for a file checked from the cache).
        What keeps a tree is linking: a file whose imports the project may read differently is
        extracted again from it. A context file is read for its model only, and a migration's
        rules and fixes read its model and its text alone, so those let their trees go; so does
        a file that linking cannot change (``may_need_links``). Trees are most of a run's
        memory.
        """
        parsed = item.parsed
        assert parsed is not None and item.text is not None
        if _only_migration(parsed.schema):
            return False
        return may_need_links(parsed.names, item.text, self.modules)

    def relink(self, names: dict[int, Names]) -> dict[int, FileSchema]:
        found = {}
        for index, patched in names.items():
            item = self.items[index]
            if item.parsed is None or item.text is None:
                continue
            item.parsed = relink(item.parsed, item.text, patched)
            item.result.schema = item.parsed.schema
            found[index] = item.parsed.schema
        return found

    def finish(self, project: Project, indices: list[int]) -> dict[int, FileResult]:
        wanted = set(indices)
        for index, item in self.items.items():
            if index not in wanted:
                item.parsed = None  # context trees are done with: free them
        by_path = {file.path: file for file in project.files}
        results = {}
        for index in indices:
            item = self.items.pop(index)
            item.file = by_path.get(item.result.path)
            results[index] = finish_file(item, self.settings, project)
        return results


class LocalExecutor:
    """Everything in this process: the files' own objects are the project's."""

    def __init__(self, settings: Settings, modules: frozenset[str]) -> None:
        self.files = _Files(settings, modules)

    def prepare(self, tasks: list[Task], *, keep_trees: bool = False) -> dict[int, PendingFile]:
        return self.files.prepare(tasks, keep_trees)

    def pickled(self, index: int) -> bytes | None:
        return None

    def relink(self, names: dict[int, Names]) -> dict[int, FileSchema]:
        return self.files.relink(names)

    def finish(self, project: Project, indices: list[int]) -> dict[int, FileResult]:
        return self.files.finish(project, indices)

    def close(self) -> None:
        self.files.items.clear()


def _serve(connection: Connection, settings: Settings, modules: frozenset[str]) -> None:
    """A worker: prepared files stay here; commands and plain data come and go."""
    files = _Files(settings, modules)
    while True:
        try:
            command, argument = connection.recv()
        except EOFError:
            return
        if command == "prepare":
            # A chunk (see ``_chunks``); each file pickled alone, so that the caller can cache
            # it without pickling it again.
            tasks, keep_trees = argument
            prepared = files.prepare(tasks, keep_trees)
            connection.send({i: pickle.dumps(item, _PROTOCOL) for i, item in prepared.items()})
            connection.send(None)
        elif command == "relink":
            connection.send(files.relink(argument))
            connection.send(None)
        elif command == "finish":
            layout, batches, indices = argument
            project = _own_project(files, load_kept(layout), batches)
            connection.send(_only_new(files.finish(project, indices)))
            connection.send(None)
        else:
            return


def _own_project(files: _Files, layout: list[_Slot], batches: list[bytes]) -> Project:
    """The project as laid out by the caller, with every model taken from where it is.

    This worker's own files keep their models (which hold the trees fixes are built from);
    other workers' come as the very batches they sent, forwarded unopened by the caller.
    """
    others: dict[int, PendingFile] = {}
    for batch in batches:
        others.update(_unpickled(load_kept(batch)))
    project = Project()
    for index, file in layout:
        if file.schema.path == _ELSEWHERE:
            item = files.items.get(index) or others[index]
            assert item.result.schema is not None
            file.schema = item.result.schema
        project.add(file)
    return project


class ProcessExecutor:
    """This process and ``jobs - 1`` workers prepare files; processes forked from this one
    check them (see the module's docstring)."""

    def __init__(
        self,
        settings: Settings,
        jobs: int,
        *,
        modules: frozenset[str],
        keep_pickled: bool = False,
        parser_here: bool = True,
    ) -> None:
        self.method = START_METHOD
        context: Any = multiprocessing.get_context(self.method)
        self.context = context
        self.settings = settings
        if self.method == "fork" and parser_here:
            # What every process needs (the parser, the extraction, the rules) is imported
            # once, here, and inherited by the workers and the processes that check files.
            import schemacheck.extract.models
            import schemacheck.parsing  # noqa: F401

            _ = settings.rules
        self.here = _Files(settings, modules)  # this process is one of the jobs
        self.connections: list[Connection] = []
        self.processes: list[Any] = []
        for _ in range(jobs - 1):
            ours, theirs = context.Pipe()
            process = context.Process(target=_serve, args=(theirs, settings, modules), daemon=True)
            process.start()
            theirs.close()
            self.connections.append(ours)
            self.processes.append(process)
        self.owner: dict[int, int] = {}  # file index -> the worker that holds it (or _HERE)
        self.index_of: dict[str, int] = {}  # display path -> file index
        self.batches: list[tuple[int, bytes]] = []  # prepared files, as each worker sent them
        self.relinked: set[int] = set()  # files whose newest model only this process has
        self.keep_pickled = keep_pickled  # for :meth:`pickled`
        self.pickled_files: dict[int, bytes] = {}
        self.items: dict[int, PendingFile] = {}  # this process's copies of the prepared files
        self.linked: dict[int, Names] = {}  # import bindings of relinked files, by index

    def _ask(
        self, commands: dict[int, tuple[str, Any]], meanwhile: Callable[[], dict[int, Any]]
    ) -> dict[int, Any]:
        """Send each worker its command, do this process's share (``meanwhile``), then gather
        the batches the workers answer with, as they come."""
        for worker, command in commands.items():
            _sent(self.connections[worker], command)
        found: dict[int, Any] = meanwhile()
        busy = {self.connections[worker] for worker in commands}
        while busy:
            for ready in wait(list(busy)):
                assert isinstance(ready, Connection)
                batch = load_kept(_received(ready))
                if batch is None:
                    busy.discard(ready)
                else:
                    found.update(batch)
        return found

    def prepare(self, tasks: list[Task], *, keep_trees: bool = False) -> dict[int, PendingFile]:
        """Hand out the files in chunks, largest first, each to the next worker that is free,
        while this process prepares the smallest files, one at a time, itself.

        Cost follows size only roughly (files that cannot hold a model are read, not parsed),
        so a share fixed in advance left one worker idle while the other finished: a tenth of
        the wall time on real projects. Each worker has a few chunks in hand, so that it never
        waits for the next one. Near the end the workers get one file at a time. A file
        prepared here is neither pickled nor unpickled, and this process, which reads what the
        workers send, stays busy between their batches.
        """
        self.pickled_files.clear()  # only the files of the latest call are asked for
        sizes = {task[0]: _size(task[1]) for task in tasks}
        ordered = sorted(tasks, key=lambda t: -sizes[t[0]])
        queue = deque(_chunks(ordered, len(self.connections), sizes))
        left = sum(sizes.values())  # the bytes still in the queue
        held: list[deque[int]] = [deque() for _ in self.connections]  # each chunk's bytes

        def near_end(worker: int) -> bool:
            """Whether what the worker would hold is much of what is left: this process takes
            the rest from the other end, and would then wait for the worker."""
            weight = sum(sizes[task[0]] for task in queue[0])
            return (sum(held[worker]) + weight) * _TAIL > left - weight

        def hand_out(worker: int) -> None:
            nonlocal left
            chunk = queue[0]
            if len(chunk) > 1 and near_end(worker):  # near the end, a file at a time
                chunk = [chunk.pop(0)]
            else:
                queue.popleft()
            weight = sum(sizes[task[0]] for task in chunk)
            left -= weight
            held[worker].append(weight)
            for task in chunk:
                self.owner[task[0]] = worker
            _sent(self.connections[worker], ("prepare", (chunk, keep_trees)))

        for _ in range(_IN_HAND):
            for worker in range(len(self.connections)):
                if queue:
                    hand_out(worker)
        prepared: dict[int, PendingFile] = {}
        busy = {self.connections[w] for w, chunks in enumerate(held) if chunks}
        while busy or queue:
            if queue:
                task = queue[-1].pop()
                left -= sizes[task[0]]
                if not queue[-1]:
                    queue.pop()
                self.owner[task[0]] = _HERE
                prepared.update(self.here.prepare([task], keep_trees))
            for ready in wait(list(busy), timeout=0 if queue else None):
                ended = self._receive(ready, prepared)
                if ended is None:
                    continue
                held[ended].popleft()
                while queue and len(held[ended]) < (_TAIL_IN_HAND if near_end(ended) else _IN_HAND):
                    hand_out(ended)
                if not held[ended]:
                    busy.discard(self.connections[ended])
        self._register(prepared)
        return prepared

    def prepare_meanwhile(
        self, tasks: list[Task], meanwhile: Callable[[], None]
    ) -> dict[int, PendingFile]:
        """Every file of ``tasks`` to the workers, while this process does ``meanwhile``.

        When few files changed, most of the time of preparing them is importing the parser
        (0.1 s); a worker that imports it while this process loads the cached models of the
        rest saves that much, and this process never imports it unless a fix needs it.
        """
        self.pickled_files.clear()
        chunks = _chunks(sorted(tasks, key=lambda t: -_size(t[1])), len(self.connections))
        in_hand = [0] * len(self.connections)
        for number, chunk in enumerate(chunks):
            worker = number % len(self.connections)
            for task in chunk:
                self.owner[task[0]] = worker
            _sent(self.connections[worker], ("prepare", (chunk, False)))
            in_hand[worker] += 1
        meanwhile()
        prepared: dict[int, PendingFile] = {}
        busy = {self.connections[w] for w, count in enumerate(in_hand) if count}
        while busy:
            for ready in wait(list(busy)):
                ended = self._receive(ready, prepared)
                if ended is not None:
                    in_hand[ended] -= 1
                    if not in_hand[ended]:
                        busy.discard(self.connections[ended])
        self._register(prepared)
        return prepared

    def _receive(self, ready: object, prepared: dict[int, PendingFile]) -> int | None:
        """One message of a worker: prepared files (taken into ``prepared``), or the end of a
        chunk, when the worker's number is returned."""
        assert isinstance(ready, Connection)
        worker = self.connections.index(ready)
        batch = self._batch(worker, _received(ready))
        if batch is not None:
            prepared.update(batch)
            return None
        return worker

    def _register(self, prepared: dict[int, PendingFile]) -> None:
        for index, item in prepared.items():
            self.index_of[item.result.path] = index
            self.items[index] = item

    def _batch(self, worker: int, raw: bytes) -> dict[int, PendingFile] | None:
        """A batch of prepared files as a worker sent it; None at the end of a chunk."""
        batch = load_kept(raw)
        if batch is None:
            return None
        self.batches.append((worker, raw))
        if self.keep_pickled:
            self.pickled_files.update(batch)
        return _unpickled(batch)

    def pickled(self, index: int) -> bytes | None:
        return self.pickled_files.pop(index, None)

    def relink(self, names: dict[int, Names]) -> dict[int, FileSchema]:
        shares: dict[int, dict[int, Names]] = {}
        for index, patched in names.items():
            shares.setdefault(self.owner[index], {})[index] = patched
        here = shares.pop(_HERE, {})
        found: dict[int, FileSchema] = self._ask(
            {w: ("relink", share) for w, share in shares.items()},
            lambda: dict(self.here.relink(here)),
        )
        self.relinked.update(found)
        self.linked.update({index: names[index] for index in found})
        return found

    def finish(self, project: Project, indices: list[int]) -> dict[int, FileResult]:
        if self.method == "fork":
            return self._finish_forked(project, indices)
        return self._finish_in_workers(project, indices)

    def _finish_forked(self, project: Project, indices: list[int]) -> dict[int, FileResult]:
        """Check the files in processes forked from this one, which holds the whole project.

        Nothing is pickled on the way there: each process inherits the project as it is here
        (and shares its memory until written), and sends back only what its files' rules
        found. This process checks one share itself. The workers' trees are not needed:
        rules read the models, and a fix that meets an unusual layout parses its statement
        alone, as for a file checked from the cache.
        """
        shares = _balanced(indices, self._text_size, len(self.connections) + 1)
        for stream in (sys.stdout, sys.stderr):
            stream.flush()  # a forked process must not write this process's pending output
        children = []
        for share in filter(None, shares[1:]):
            reader, writer = self.context.Pipe(duplex=False)
            process = self.context.Process(
                target=_send_finished, args=(writer, self._finish_here, project, share), daemon=True
            )
            process.start()
            writer.close()
            children.append((reader, process, share))
        results = self._finish_here(project, shares[0])
        for reader, process, share in children:
            try:
                results.update(load_kept(reader.recv_bytes()))
            except (EOFError, OSError):
                results.update(self._finish_here(project, share))  # it died: its share is done here
            reader.close()
            process.join()
        return results

    def _text_size(self, index: int) -> int:
        return len(self.items[index].text or "")

    def _finish_here(self, project: Project, indices: list[int]) -> dict[int, FileResult]:
        results = {}
        for index in indices:
            item = self.items[index]
            if item.parsed is None:  # from a worker: checked from its model and its text
                if index in self.linked:
                    item = dataclasses.replace(item, names=self.linked[index])
                item = without_tree(item, self.settings)
            results[index] = finish_file(item, self.settings, project)
        return results

    def _finish_in_workers(self, project: Project, indices: list[int]) -> dict[int, FileResult]:
        """Where processes cannot be forked: each worker checks its own files, against the
        project rebuilt from the caller's layout and the other workers' batches."""
        shares: dict[int, list[int]] = {w: [] for w in range(len(self.connections))}
        here: list[int] = []
        for index in indices:
            shares.get(self.owner[index], here).append(index)
        commands = {}
        for worker, share in shares.items():
            layout: list[_Slot] = []
            for file in project.files:
                index = self.index_of.get(file.path, -1)
                owner = self.owner.get(index)
                if owner == worker or (owner not in (None, _HERE) and index not in self.relinked):
                    # Taken from the worker's own files or from the forwarded batches.
                    layout.append((index, ProjectFile(file.path, _EMPTY, *_rest(file))))
                else:
                    layout.append((index, file))
            batches = [raw for sender, raw in self.batches if sender != worker]
            payload = pickle.dumps(layout, protocol=pickle.HIGHEST_PROTOCOL)
            commands[worker] = ("finish", (payload, batches, share))
        return self._ask(commands, lambda: dict(self.here.finish(project, here)))

    def close(self) -> None:
        self.here.items.clear()
        for connection in self.connections:
            with suppress(OSError):
                connection.send(("close", None))
            connection.close()
        for process in self.processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()


_PROTOCOL = pickle.HIGHEST_PROTOCOL
_HERE = -1  # the owner of files prepared in this process
# Forking lets processes inherit the project instead of unpickling it (see ``_finish_forked``).
START_METHOD = "fork" if sys.platform.startswith("linux") else "spawn"
# Chunks a worker holds at once, so that it never waits for the next: size says little of a
# file's cost (one that cannot hold a model is only read), and this process hands out more
# only between two files of its own.
_IN_HAND = 4
# Near the end (the queue holds less than ``_TAIL`` times what a worker would hold besides),
# a worker gets a file at a time, and holds two at most: this process would wait for the rest.
_TAIL = 4
_TAIL_IN_HAND = 2
# About this many chunks per worker, largest first: what a worker holds at the end is small.
_CHUNKS_PER_WORKER = 64


def _received(connection: Connection) -> bytes:
    try:
        return connection.recv_bytes()
    except (EOFError, OSError):
        raise WorkerError("a worker process ended unexpectedly") from None


def _sent(connection: Connection, command: tuple[str, Any]) -> None:
    try:
        connection.send(command)
    except OSError:  # the worker is gone: its end of the pipe is closed
        raise WorkerError("a worker process ended unexpectedly") from None


def _chunks(
    tasks: list[Task], workers: int, known: dict[int, int] | None = None
) -> list[list[Task]]:
    """``tasks`` (largest first) in chunks of at most ``_CHUNK_FILES`` files and about
    ``1 / (workers * _CHUNKS_PER_WORKER)`` of the bytes each (sizes ``known`` by index)."""
    sizes = [_size(task[1]) if known is None else known[task[0]] for task in tasks]
    limit = max(sum(sizes) // (workers * _CHUNKS_PER_WORKER), 1)
    chunks: list[list[Task]] = []
    chunk: list[Task] = []
    total = 0
    for task, size in zip(tasks, sizes):
        if chunk and (total + size > limit or len(chunk) == _CHUNK_FILES):
            chunks.append(chunk)
            chunk, total = [], 0
        chunk.append(task)
        total += size
    if chunk:
        chunks.append(chunk)
    return chunks


def _balanced(indices: list[int], cost: Callable[[int], int], count: int) -> list[list[int]]:
    """``indices`` in ``count`` shares of about equal cost, each in its original order."""
    shares: list[list[int]] = [[] for _ in range(count)]
    loads = [0] * count
    for index in sorted(indices, key=cost, reverse=True):
        least = loads.index(min(loads))
        shares[least].append(index)
        loads[least] += cost(index)
    return [sorted(share) for share in shares]


def _send_finished(
    connection: Connection,
    finish: Callable[[Project, list[int]], dict[int, FileResult]],
    project: Project,
    indices: list[int],
) -> None:
    """A forked process: check its share, send the results back."""
    connection.send_bytes(pickle.dumps(_only_new(finish(project, indices)), _PROTOCOL))
    connection.close()


def _only_new(results: dict[int, FileResult]) -> dict[int, FileResult]:
    """Results to send back: the caller has each file's text and model already, so those go
    only when fixes changed them."""
    for result in results.values():
        if not result.changed:
            result.source = result.schema = None
    return results


def _unpickled(batch: dict[int, bytes]) -> dict[int, PendingFile]:
    """A worker's batch of prepared files, each pickled alone."""
    with collector.paused():
        return {index: pickle.loads(data) for index, data in batch.items()}


_ELSEWHERE = "\0elsewhere"
_EMPTY = FileSchema(path=_ELSEWHERE)  # in a layout: "the model is already over there"
_Slot = tuple[int, ProjectFile]


def _rest(file: ProjectFile) -> tuple[bool, str | None, bool]:
    return file.reported, file.module, file.package


def _only_migration(schema: FileSchema) -> bool:
    return schema.migration is not None and not (
        schema.classes or schema.tables or schema.declarative_bases
    )


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
