"""Following imports through a project stops at the first lap of a cycle.

``from app import models`` in ``app/__init__.py`` binds ``models`` to the very lookup that
reads it; so do two modules importing a name from each other. Such a lookup went round until
its hops ran out (ten lookups each, for 237 of CTFd's 987 imports). It now ends when it meets a
lookup it has already made, with the same answer and the same files read.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from schemacheck import dependencies
from schemacheck.diagnostics import Span
from schemacheck.project import Project, ProjectFile
from schemacheck.schema import ClassDef, FileSchema, Insertion

_MODULES = ["app", "app.models", "app.models.user", "app.db", "lib"]
_LOCALS = ["models", "user", "db", "Base", "User", "x"]
_TARGETS = [
    "app",
    "app.models",
    "app.models.user",
    "app.models.User",
    "app.models.user.User",
    "app.db",
    "app.db.Base",
    "app.db.db",
    "app.x",
    "lib.User",
    ".models",
    ".user.User",
    "..db",
    ".",
    "sqlalchemy.Column",
    "User",
]
_SPAN = Span(0, 1, 1, 1, 1, 2)


class _Forgetful(set[tuple[int, str]]):
    """Remembers no lookup: the plain recursion, which only the hops end."""

    def __contains__(self, item: object) -> bool:
        return False


def _class(name: str) -> ClassDef:
    return ClassDef(name, _SPAN, _SPAN, [], Insertion(0, "", ""), "    ")


@st.composite
def _projects(draw: Any) -> Project:
    project = Project()
    modules = draw(st.lists(st.sampled_from(_MODULES), min_size=1, max_size=5, unique=True))
    for module in modules:
        schema = FileSchema(
            path=module.replace(".", "/") + ".py",
            classes=[_class(n) for n in draw(st.sets(st.sampled_from(["User", "Base"])))],
            bindings=draw(
                st.dictionaries(st.sampled_from(_LOCALS), st.sampled_from(_TARGETS), max_size=5)
            ),
            handles=frozenset(draw(st.sets(st.sampled_from(["db", "x"]), max_size=1))),
            declarative_bases=frozenset(draw(st.sets(st.just("Base")))),
        )
        package = draw(st.booleans())
        project.add(ProjectFile(schema.path, schema, True, module, package))
    return project


def _plain(project: Project, file: ProjectFile, dotted: str) -> Any:
    return project._resolve(project.absolute(file, dotted), 0, _Forgetful())


def _traced(project: Project, resolve: Any, *args: Any) -> tuple[Any, set[str]]:
    project.trace = set()
    try:
        return resolve(*args), project.trace
    finally:
        project.trace = None


@settings(max_examples=300, deadline=None)
@given(project=_projects())
def test_cycles_end_with_the_answer_and_the_files_of_the_plain_recursion(
    project: Project,
) -> None:
    for file in project.files:
        for target in _TARGETS:
            found, read = _traced(project, project.resolve, file, target)
            expected, expected_read = _traced(project, _plain, project, file, target)
            if isinstance(expected, ClassDef):
                assert found is expected
            else:
                assert found == expected
            assert read == expected_read


def _counting(project: Project) -> list[int]:
    calls = [0]
    member = project._member

    def counted(*args: Any) -> Any:
        calls[0] += 1
        return member(*args)

    project._member = counted  # type: ignore[method-assign]
    return calls


def test_a_package_importing_its_own_submodule_is_read_once() -> None:
    schema = FileSchema("app/__init__.py", bindings={"models": "app.models"})
    project = Project()
    file = ProjectFile(schema.path, schema, True, "app", True)
    project.add(file)
    calls = _counting(project)
    assert project.resolve(file, "app.models") is None
    assert calls == [2]  # ``models`` in app, then ``models`` in app again: the cycle
    calls[0] = 0
    assert project.resolve(file, "app.models.User") is None
    assert calls == [2]


def test_two_modules_importing_a_name_from_each_other_are_read_once_each() -> None:
    one = FileSchema("a.py", bindings={"X": "b.X"})
    two = FileSchema("b.py", bindings={"X": "a.X"}, classes=[_class("Y")])
    project = Project()
    for schema in (one, two):
        project.add(ProjectFile(schema.path, schema, True, schema.path[0], False))
    calls = _counting(project)
    assert project.resolve(project.files[0], "b.X") is None
    assert calls == [3]  # b.X, a.X, b.X again
    assert project.resolve(project.files[0], "b.Y") is two.classes[0]


@settings(max_examples=200, deadline=None)
@given(project=_projects())
def test_the_files_an_import_reads_are_found_once_per_absolute_name(project: Project) -> None:
    """The import graph of a change's reach resolves each absolute name once for all files."""
    read: dict[str, frozenset[str]] = {}
    for file in project.files:
        expected: set[str] = set()
        for target in _TARGETS:
            expected |= _traced(project, project.resolve, file, target)[1]
        expected.discard(file.path)
        assert dependencies._traced(project, file, _TARGETS, read) == expected


def test_a_relative_import_reads_what_it_names_from_each_file() -> None:
    project = Project()
    for module, package in (("a", True), ("a.x", False), ("b", True), ("b.x", False)):
        schema = FileSchema(module + ".py", classes=[_class("Y")] if "." in module else [])
        project.add(ProjectFile(schema.path, schema, True, module, package))
    read: dict[str, frozenset[str]] = {}
    a, _, b, _ = project.files
    assert dependencies._traced(project, a, [".x.Y"], read) == {"a.x.py"}
    assert dependencies._traced(project, b, [".x.Y"], read) == {"b.x.py"}
