"""Which files' findings a change can reach, so that the others are answered from the cache.

A file's findings depend on its own text and on what its rules read of other files. Those reads
go two ways, and both are over-approximated here, so that a cached finding is never stale:

- imports: the files its import bindings resolve through (re-exports included), which hold its
  bases, mixins, declarative base and aliases;
- names: tables and classes it may name in a string (``ForeignKey("users.id")``,
  ``relationship("User")``): any file that defines a table or class whose name appears anywhere
  in its text.

A change reaches the files that import from the changed file, directly or through others, the
files that name a table or class of any of those, and the files that define the bases of its
classes (a mixin's findings depend on the tables that use it). A file
added to or removed from the project changes how modules resolve, so it reaches everything.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from schemacheck.mapping import camel_to_snake
from schemacheck.project import Project, ProjectFile
from schemacheck.schema import FileSchema

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def words(text: str) -> frozenset[str]:
    """Every identifier-like word of a file: the names it may refer to, in code or strings."""
    return frozenset(_WORD.findall(text))


def provided_names(schema: FileSchema) -> set[str]:
    """The table and class names other files may refer to this file's schema by."""
    if schema.migration is not None:
        return set()  # a migration's tables are snapshots, not the schema
    names: set[str] = set()
    for cls in schema.classes:
        names.update((cls.name, cls.name.lower(), camel_to_snake(cls.name)))
        if cls.tablename:
            names.add(cls.tablename)
    for table in schema.tables:
        names.update(n for n in (table.name, table.variable) if n)
    return names


def reached(
    project: Project,
    texts: Mapping[str, str],
    changed: set[str],
    old_schemas: Iterable[FileSchema],
) -> set[str]:
    """The project files whose findings a change to ``changed`` may alter (themselves too).

    ``texts`` holds every checked file's text. Only the import graph is built for every file;
    names are looked for only where a reached file provides them, and bases only along the
    changed files' own, so that a change to a file nobody names (a migration) costs little.
    """
    by_path = {file.path: file for file in project.files}
    known: dict[str, frozenset[str]] = {}  # words of a text, found once
    read: dict[str, frozenset[str]] = {}  # the files resolving each absolute name reads
    importers: dict[str, set[str]] = {}
    for file in project.files:
        for target in _traced(project, file, file.schema.bindings.values(), read):
            importers.setdefault(target, set()).add(file.path)
    # What a file imports becomes part of its own tables, so whoever reads it is reached in
    # turn; a table or class named in a string is only looked at, so its readers stop there.
    expanded = _closure(changed, importers.get) | changed
    result = set(expanded)
    providers: dict[str, set[str]] = {}  # a name that reached files provide -> those files
    for path in expanded:
        provider = by_path.get(path)
        if provider is not None:
            for name in provided_names(provider.schema):
                providers.setdefault(name, set()).add(path)
    result |= _naming(
        {path: text for path, text in texts.items() if path in by_path}, providers, known
    )

    def bases(path: str) -> set[str]:
        owner = by_path.get(path)
        if owner is None:
            return set()
        qualnames = [b.qualname for c in owner.schema.classes for b in c.bases if b.qualname]
        return _traced(project, owner, qualnames, read)

    result |= _closure(changed, bases)
    # Files that named a table or class a changed file no longer defines.
    old_names = set().union(*(provided_names(schema) for schema in old_schemas))
    result |= _naming(texts, {name: set() for name in old_names}, known)
    return result


# Up to this many names, each is looked for in a text with ``in`` before the text's words are
# found; beyond, finding the words once is cheaper.
_FEW_NAMES = 32


def _naming(
    texts: Mapping[str, str], providers: dict[str, set[str]], known: dict[str, frozenset[str]]
) -> set[str]:
    """The files of ``texts`` that have one of the names as a word. A name with providers counts
    in a file other than those (a file naming its own class reads nothing else); a name without
    them counts anywhere."""
    if not providers:
        return set()
    few = len(providers) <= _FEW_NAMES
    found = set()
    for path, text in texts.items():
        if few and not any(name in text for name in providers):
            continue
        text_words = known.get(path)
        if text_words is None:
            text_words = known[path] = words(text)
        # Whichever side is smaller is walked: a few names, or the text's words.
        candidates = providers if few else text_words
        if any(
            name in text_words
            and name in providers
            and (not providers[name] or providers[name] != {path})
            for name in candidates
        ):
            found.add(path)
    return found


def _traced(
    project: Project, file: ProjectFile, targets: Iterable[str], read: dict[str, frozenset[str]]
) -> set[str]:
    """The files that resolving ``targets`` from ``file`` reads, re-exports included.

    What resolving a name reads depends only on the name made absolute, so each is resolved
    once (``read``): a project's files import the same few modules' names hundreds of times.
    """
    found: set[str] = set()
    for target in targets:
        absolute = project.absolute(file, target)
        files = read.get(absolute)
        if files is None:
            trace: set[str] = set()
            project.trace = trace
            try:
                project.resolve_absolute(absolute)
            finally:
                project.trace = None
            files = read[absolute] = frozenset(trace)
        found |= files
    found.discard(file.path)
    return found


def _closure(start: set[str], edges: Callable[[str], Iterable[str] | None]) -> set[str]:
    seen: set[str] = set()
    stack = list(start)
    while stack:
        for target in edges(stack.pop()) or ():
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return seen
