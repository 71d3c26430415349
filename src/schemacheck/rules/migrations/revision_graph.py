from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import PurePath

from schemacheck.context import FileContext
from schemacheck.diagnostics import Diagnostic, Level, Related, Span
from schemacheck.files import revisions_directory
from schemacheck.project import Project, ProjectFile
from schemacheck.rules.base import Rule
from schemacheck.schema import Migration


class RevisionGraph(Rule):
    """
    ## What it does
    Checks the revision graph of all the migrations found (the files checked and the other files
    of their `versions/` directory): duplicate revision ids, a `down_revision` that names no
    migration, more than one head, and cycles. Each finding names the other file involved.

    Each directory is a graph of its own, unless its migrations name revisions of another
    directory below the same `versions/` (branch directories that Alembic reads with
    `recursive_version_locations`, or one version location each): those make one graph.
    Directories whose graphs stand alone (one per dialect, say) are kept apart.

    ## Why is this bad?
    Two branches that each add a migration on the same parent leave two heads: `alembic upgrade
    head` then refuses to run, usually discovered at deploy time. A duplicated id or a dangling
    `down_revision` (a migration deleted or renamed by mistake) breaks every Alembic command.
    Merge the heads with `alembic merge heads` before merging the branch.

    ## Example
    ```python
    # versions/a1_add_tags.py          # versions/b2_add_likes.py
    revision = "a1"                     revision = "b2"
    down_revision = "f0"                down_revision = "f0"
    ```

    ## Use instead
    ```python
    # versions/c3_merge.py (alembic merge heads)
    revision = "c3"
    down_revision = ("a1", "b2")
    ```

    Heads that carry `branch_labels` are independent branches on purpose and are not reported.

    ## Fix safety
    There is no fix.
    """

    code = "SC508"
    name = "revision-graph"
    family = "migrations"
    level = Level.ERROR
    project = True

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        return iter(())

    def check_project(self, project: Project) -> Iterable[Diagnostic]:
        by_directory: dict[PurePath, list[tuple[ProjectFile, Migration]]] = defaultdict(list)
        for file, migration in project.migrations():
            if migration.revision is not None:
                by_directory[PurePath(file.path).parent].append((file, migration))
        for migrations in _graphs(by_directory):
            yield from self._graph(migrations)

    def _graph(self, migrations: list[tuple[ProjectFile, Migration]]) -> Iterator[Diagnostic]:
        by_revision: dict[str, list[tuple[ProjectFile, Migration]]] = defaultdict(list)
        for file, migration in migrations:
            assert migration.revision is not None
            by_revision[migration.revision].append((file, migration))
        for revision, entries in by_revision.items():
            if len(entries) > 1:
                for file, migration in entries:
                    others = [f for f, _ in entries if f is not file]
                    yield self._finding(
                        file,
                        migration.revision_span,
                        f'Revision id "{revision}" is also used by {_names(others)}',
                        [(f, m.revision_span) for f, m in entries if f is not file],
                    )
        for file, migration in migrations:
            for parent in migration.down_revisions:
                if parent not in by_revision:
                    yield self._finding(
                        file,
                        migration.down_revision_span or migration.revision_span,
                        f'`down_revision` "{parent}" names no migration',
                        [],
                    )
        yield from self._heads(migrations, by_revision)
        yield from self._cycles(migrations, by_revision)

    def _heads(
        self,
        migrations: list[tuple[ProjectFile, Migration]],
        by_revision: dict[str, list[tuple[ProjectFile, Migration]]],
    ) -> Iterator[Diagnostic]:
        if any(m.branch_labels for _, m in migrations) or any(
            not m.down_revision_known for _, m in migrations
        ):
            return
        parents = {p for _, m in migrations for p in m.down_revisions}
        heads = [(f, m) for f, m in migrations if m.revision not in parents]
        count = len({m.revision for _, m in heads})
        if count < 2:
            return
        for file, migration in heads:
            others = [(f, m) for f, m in heads if m.revision != migration.revision]
            yield self._finding(
                file,
                migration.revision_span,
                f'Revision "{migration.revision}" is one of {count} heads (also '
                f"{_names(f for f, _ in others)}): merge them with `alembic merge heads`",
                [(f, m.revision_span) for f, m in others],
            )

    def _cycles(
        self,
        migrations: list[tuple[ProjectFile, Migration]],
        by_revision: dict[str, list[tuple[ProjectFile, Migration]]],
    ) -> Iterator[Diagnostic]:
        # Each revision has at most one parent here (merges end a walk), so every revision is
        # walked once: a chain of a thousand revisions used to be walked a thousand times.
        def parent(revision: str) -> str | None:
            entries = by_revision.get(revision)
            if not entries or len(entries[0][1].down_revisions) != 1:
                return None
            return entries[0][1].down_revisions[0]

        finished: set[str] = set()
        cycle_of: dict[str, list[str]] = {}
        for _, migration in migrations:
            walk: list[str] = []
            on_walk: set[str] = set()
            current = migration.revision
            while current is not None and current not in finished and current not in on_walk:
                on_walk.add(current)
                walk.append(current)
                current = parent(current)
            if current is not None and current in on_walk:
                cycle = walk[walk.index(current) :]
                for revision in cycle:
                    cycle_of[revision] = cycle
            finished.update(walk)
        reported: set[str] = set()
        for file, migration in migrations:
            start = migration.revision
            members = cycle_of.get(start) if start is not None else None
            if members is None or start is None or start in reported:
                continue
            at = members.index(start)
            path = members[at:] + members[:at]
            reported.update(path)
            chain = " -> ".join([*path, start])
            yield self._finding(file, migration.revision_span, f"Revision cycle: {chain}", [])

    def _finding(
        self, file: ProjectFile, span: Span, message: str, related: list[tuple[ProjectFile, Span]]
    ) -> Diagnostic:
        return Diagnostic(
            code=self.code,
            name=self.name,
            message=message,
            level=self.level,
            path=file.path,
            span=span,
            related=tuple(Related(f.path, s, "the other migration") for f, s in related),
        )


def _names(files: Iterable[ProjectFile]) -> str:
    return ", ".join(f.path for f in files)


def _graphs(
    by_directory: dict[PurePath, list[tuple[ProjectFile, Migration]]],
) -> list[list[tuple[ProjectFile, Migration]]]:
    """The directories' migrations, one list per graph: directories below one ``versions/``
    whose migrations name each other's revisions are joined."""
    owner = {directory: directory for directory in by_directory}

    def find(directory: PurePath) -> PurePath:
        while owner[directory] != directory:
            owner[directory] = owner[owner[directory]]
            directory = owner[directory]
        return directory

    where: dict[tuple[PurePath, str], list[PurePath]] = defaultdict(list)
    for directory, migrations in by_directory.items():
        tree = revisions_directory(directory)
        for revision in {m.revision for _, m in migrations if m.revision is not None}:
            where[(tree, revision)].append(directory)
    for directory, migrations in by_directory.items():
        tree = revisions_directory(directory)
        own = {m.revision for _, m in migrations}
        for _, migration in migrations:
            for parent in migration.down_revisions:
                if parent not in own:
                    for other in where.get((tree, parent), []):
                        owner[find(other)] = find(directory)
    graphs: dict[PurePath, list[tuple[ProjectFile, Migration]]] = defaultdict(list)
    for directory, migrations in by_directory.items():
        graphs[find(directory)].extend(migrations)
    return list(graphs.values())
