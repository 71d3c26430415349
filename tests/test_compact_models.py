"""The compact forms a project's models take in memory behave as the plain ones they replace.

A run over 10,000 files holds every model at once, so calls keep their keywords in one tuple,
a tree let go leaves one shared statement reference, empty name sets are one object, and line
starts become machine integers. Each is checked here against the plain form, and through
pickling (workers and the cache), which must give back the shared objects.
"""

from __future__ import annotations

import pickle
import string
from collections.abc import Iterator
from dataclasses import fields, is_dataclass
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemacheck.diagnostics import Edit, Span
from schemacheck.extract.names import Names
from schemacheck.pickling import EMPTY, EMPTY_DICT
from schemacheck.schema import (
    _CLASS_LISTS,
    _FILE_LISTS,
    _MIGRATION_LISTS,
    _NO_LITERAL,
    _TABLE_ARGS_LISTS,
    BOUND,
    NO_KEYWORDS,
    NO_NAMES,
    UNBOUND,
    Call,
    ClassDef,
    ColumnDef,
    Expr,
    FileSchema,
    Insertion,
    Keywords,
    Migration,
    MigrationOp,
    NodeRef,
    RelationshipDef,
    TableArgs,
    call_places,
)
from schemacheck.source import LineIndex
from tests.helpers import fixture_models

_NAMES = st.text(string.ascii_lowercase + "_", min_size=1, max_size=6)


def _expr(number: int) -> Expr:
    return Expr(Span(number, number + 1, 1, number + 1, 1, number + 2), str(number), held=number)


@given(st.dictionaries(_NAMES, st.integers(0, 1000), max_size=6), st.lists(_NAMES, max_size=8))
def test_keywords_answer_as_the_dict_they_are_made_from(
    values: dict[str, int], asked: list[str]
) -> None:
    plain = {name: _expr(number) for name, number in values.items()}
    keywords = Keywords.of(plain)
    for made in (keywords, pickle.loads(pickle.dumps(keywords, pickle.HIGHEST_PROTOCOL))):
        assert list(made) == list(plain)
        assert len(made) == len(plain)
        assert bool(made) == bool(plain)
        assert dict(made) == plain
        assert {**made} == plain
        assert list(made.items()) == list(plain.items())
        assert list(made.values()) == list(plain.values())
        assert list(made.pairs()) == list(plain.items())
        assert made == keywords
        for name in [*asked, *plain]:
            assert (name in made) == (name in plain)
            assert made.get(name) == plain.get(name)
            assert made.get(name, "default") == plain.get(name, "default")
            if name in plain:
                assert made[name] == plain[name]
    if not plain:
        assert keywords is NO_KEYWORDS


def test_keywords_share_their_names_and_the_empty_one_stays_one() -> None:
    first = Keywords.of({"nullable": _expr(1), "index": _expr(2)})
    second = Keywords.of({"nullable": _expr(3), "index": _expr(4)})
    loaded = pickle.loads(pickle.dumps(second, pickle.HIGHEST_PROTOCOL))
    names = tuple.__getitem__(first, 0)
    assert tuple.__getitem__(second, 0) is names
    assert tuple.__getitem__(loaded, 0) is names
    assert pickle.loads(pickle.dumps(NO_KEYWORDS, pickle.HIGHEST_PROTOCOL)) is NO_KEYWORDS
    try:
        first["unique"]
    except KeyError as error:
        assert error.args == ("unique",)
    else:
        raise AssertionError("a missing keyword was found")


def test_statement_references_pickle_to_the_shared_ones() -> None:
    live = NodeRef(object())  # type: ignore[arg-type]
    for ref, shared in ((live, BOUND), (BOUND, BOUND), (UNBOUND, UNBOUND), (NodeRef(), UNBOUND)):
        assert pickle.loads(pickle.dumps(ref, pickle.HIGHEST_PROTOCOL)) is shared
    column = ColumnDef(
        kind="Column",
        attr="id",
        name="id",
        span=Span(0, 2, 1, 1, 1, 3),
        report_span=Span(0, 2, 1, 1, 1, 3),
        call=None,
        annotation=None,
        sql_type=None,
        foreign_keys=(),
    )
    assert column.statement is UNBOUND


def test_the_empty_name_set_stays_one_and_grows_into_a_plain_one() -> None:
    assert pickle.loads(pickle.dumps(NO_NAMES, pickle.HIGHEST_PROTOCOL)) is NO_NAMES
    assert frozenset() == NO_NAMES
    grown = NO_NAMES | {"db"}
    assert type(grown) is frozenset and grown == {"db"}
    names = Names()
    assert names.handles is NO_NAMES and names.handle_classes is None
    copy = pickle.loads(pickle.dumps(names, pickle.HIGHEST_PROTOCOL))
    assert copy == names and copy.handles is NO_NAMES


@given(st.text(alphabet="ab\r\n\t é", max_size=60), st.lists(st.integers(-5, 70), max_size=12))
def test_settled_line_starts_answer_as_the_list(text: str, offsets: list[int]) -> None:
    plain, settled = LineIndex(text), LineIndex(text)
    settled.settle()
    assert type(settled.starts) is not list and list(settled.starts) == plain.starts
    answers: list[Any] = []
    for index in (plain, settled):
        found: list[Any] = [index.line_count]
        for offset in offsets:
            found.append(index.position(offset))
            found.append(index.span(offset, offset + 3))
        for line in range(1, index.line_count + 1):
            found.extend((index.line_text(line), index.line_indent(line), index.line_start(line)))
        answers.append(found)
    assert answers[0] == answers[1]


def _walk(item: object) -> Iterator[object]:
    """Every model object reachable from ``item``."""
    yield item
    if is_dataclass(item) and not isinstance(item, type):
        for field in fields(item):
            value = getattr(item, field.name)
            values = value if isinstance(value, (list, tuple)) else [value]
            for child in values:
                if is_dataclass(child) and not isinstance(child, type):
                    yield from _walk(child)


def test_finished_models_share_one_empty_list() -> None:
    checked = 0
    for path, _, parsed in fixture_models():
        copy = pickle.loads(pickle.dumps(parsed.schema, pickle.HIGHEST_PROTOCOL))
        for model in (parsed.schema, copy):
            for item in _walk(model):
                lists = {
                    FileSchema: _FILE_LISTS,
                    ClassDef: _CLASS_LISTS,
                    TableArgs: _TABLE_ARGS_LISTS,
                    Migration: _MIGRATION_LISTS,
                    RelationshipDef: ("foreign_keys",),
                    MigrationOp: ("columns", "lists"),
                }.get(type(item), ())
                for name in lists:
                    value = getattr(item, name)
                    shared = value is (EMPTY_DICT if isinstance(value, dict) else EMPTY)
                    assert value or shared, (path, type(item).__name__, name)
                    checked += not value
        assert parsed.names.star_modules or parsed.names.star_modules is EMPTY
    assert checked > 1000
    for change in (
        lambda: EMPTY.append(1),
        lambda: EMPTY.extend([1]),
        lambda: EMPTY.insert(0, 1),
        lambda: EMPTY.__setitem__(slice(0, 0), [1]),
        lambda: EMPTY.__iadd__([1]),
    ):
        with pytest.raises(TypeError):
            change()
    assert EMPTY == [] and pickle.loads(pickle.dumps(EMPTY)) is EMPTY


_INSERTIONS = st.builds(
    Insertion,
    st.one_of(st.integers(0, 300), st.integers(0, (1 << 40) - 1)),
    st.sampled_from(["", ", ", " ", ",\n    ", "\n", "(\n"]),
    st.sampled_from(["", ", ", ",", "\n", " # x\n"]),
)


@given(_INSERTIONS, _INSERTIONS)
def test_a_calls_insertion_points_come_back_as_given(append: Insertion, prepend: Insertion) -> None:
    call = Call(None, Span(0, 1, 1, 1, 1, 2), (), NO_KEYWORDS, False, call_places(append, prepend))
    assert (call.append, call.prepend) == (append, prepend)
    assert (call.append.before, call.append.after) == (append.before, append.after)
    loaded = pickle.loads(pickle.dumps(call, pickle.HIGHEST_PROTOCOL))
    assert (loaded.append, loaded.prepend) == (append, prepend)


def test_common_insertion_points_take_two_digits() -> None:
    places = call_places(Insertion(123_456, "", ", "), Insertion(654_321, " ", ""))
    assert places.bit_length() <= 60  # two of CPython's 30-bit digits


@given(st.integers(0, 1 << 40), st.integers(0, 5000), st.sampled_from(["", "x", "nullable=False"]))
def test_edits_read_back_their_range(start: int, length: int, content: str) -> None:
    edit = Edit(start, start + length, content)
    assert (edit.start, edit.end, edit.content) == (start, start + length, content)
    assert edit == Edit(start, start + length, content)
    assert hash(edit) == hash(Edit(start, start + length, content))
    assert edit != Edit(start, start + length + 1, content)
    assert pickle.loads(pickle.dumps(edit, pickle.HIGHEST_PROTOCOL)) == edit
    with pytest.raises(AttributeError):
        edit.content = "y"  # type: ignore[misc]


def test_an_edit_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError):
        Edit(5, 4, "")


_FLAG_NAMES = ("primary_key", "index", "unique", "dynamic", "declared_attr")


@given(
    st.lists(
        st.tuples(
            st.sampled_from((*_FLAG_NAMES, "nullable")), st.sampled_from([True, False, None])
        ),
        max_size=12,
    )
)
def test_column_flags_read_as_the_attributes_they_replace(changes: list[tuple[str, Any]]) -> None:
    column = _column()
    expected: dict[str, Any] = dict.fromkeys(_FLAG_NAMES, False) | {"nullable": None}
    for name, value in changes:
        if value is None and name != "nullable":
            continue
        setattr(column, name, value)
        expected[name] = value
    assert {name: getattr(column, name) for name in expected} == expected
    assert column.covered_by_own_index == (expected["index"] or expected["unique"])
    loaded = pickle.loads(pickle.dumps(column, pickle.HIGHEST_PROTOCOL))
    assert {name: getattr(loaded, name) for name in expected} == expected


def test_an_expression_holds_its_call_or_its_literal() -> None:
    call = Call("sqlalchemy.String", Span(0, 3, 1, 1, 1, 4), (), NO_KEYWORDS, False, 0)
    called = Expr(call.span, "S()", call.qualname, held=call)
    assert called.call is call and called.literal is _NO_LITERAL and not called.has_literal
    literal = _expr(7)
    assert literal.call is None and literal.literal == 7 and literal.has_literal
    assert Expr(call.span, "x", "m.x").call is None and not Expr(call.span, "x").has_literal


def test_the_shared_empty_dict_refuses_changes_and_stays_one() -> None:
    assert pickle.loads(pickle.dumps(EMPTY_DICT, pickle.HIGHEST_PROTOCOL)) is EMPTY_DICT
    for change in (
        lambda: EMPTY_DICT.__setitem__("a", 1),
        lambda: EMPTY_DICT.update(a=1),
        lambda: EMPTY_DICT.setdefault("a", 1),
    ):
        with pytest.raises(TypeError):
            change()
    assert EMPTY_DICT == {}


@given(st.lists(st.tuples(st.sampled_from("ABCDEFGHIJKL"), st.booleans()), max_size=20))
def test_classes_are_found_by_name_as_a_scan_finds_them(specs: list[tuple[str, bool]]) -> None:
    schema = FileSchema(path="m.py")
    for name, nested in specs:
        schema.classes.append(_class(name, nested))
        for asked in "ABCDEFGHIJKL":
            expected = next((c for c in schema.classes if c.name == asked and not c.nested), None)
            assert schema.class_named(asked) is expected


def _column() -> ColumnDef:
    span = Span(0, 2, 1, 1, 1, 3)
    return ColumnDef("Column", "id", "id", span, span, None, None, None, ())


def _class(name: str, nested: bool) -> ClassDef:
    span = Span(0, 1, 1, 1, 1, 2)
    return ClassDef(name, span, span, [], Insertion(1, "", ""), "    ", nested=nested)
