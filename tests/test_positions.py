"""The offsets replay gives the ranges libcst's ``PositionProvider`` gives, node for node."""

from __future__ import annotations

import gc
import pickle
import re

import libcst as cst
from hypothesis import given, settings
from hypothesis import strategies as st
from libcst.metadata import MetadataWrapper, PositionProvider

from schemacheck.diagnostics import Span
from schemacheck.positions import node_offsets, offsets_and_calls
from schemacheck.source import LineIndex, unpack_range
from tests.helpers import fixture_texts


def _expected(module: cst.Module, text: str) -> dict[int, tuple[int, int, str]]:
    """Offsets of every expression and small statement, from ``PositionProvider``."""
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    starts = [0] + [match.end() for match in re.finditer(r"\r\n|\r|\n", text)]
    found = {}
    for node, where in positions.items():
        if isinstance(node, (cst.BaseExpression, cst.BaseSmallStatement)):
            start = starts[where.start.line - 1] + where.start.column
            end = starts[where.end.line - 1] + where.end.column
            found[id(node)] = (start, end, type(node).__name__)
    return found


def _compare(text: str) -> int:
    module = cst.parse_module(text)
    expected = _expected(module, text)
    every = node_offsets(module)
    read, calls = offsets_and_calls(module)
    for key, (start, end, kind) in expected.items():
        assert unpack_range(every[key]) == (start, end), (kind, text[start:end])
        if key in read:
            assert unpack_range(read[key]) == (start, end), (kind, text[start:end])
    assert [id(c) for c in calls] == [id(c) for c in expected_calls(module)]
    return len(expected)


def expected_calls(module: cst.Module) -> list[cst.Call]:
    """Every call, outer before inner, in source order: a plain visitor's order."""
    found: list[cst.Call] = []

    class Calls(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            found.append(node)

    module.visit(Calls())
    return found


def test_every_fixture_gets_the_ranges_position_provider_gives() -> None:
    compared = 0
    for _, text in fixture_texts():
        try:
            cst.parse_module(text)
        except Exception:
            continue  # syntax errors have no tree
        compared += _compare(text)
    assert compared > 10_000


_ATOMS = ["x", "f(a)", "(b)", "((c, d))", "[e, (f)]", "{g: (h)}", "db.Column(Integer)", "'s'"]
_SHAPES = [
    "{0}\n",
    "y = ({0}) + {1}\n",
    "z = f({0}, k=({1}))  # c\n",
    "class A:\n    w = ({0})[{1}]\n    v: T = (  {1}  )\n",
    "if ({0}):\n    pass\nelif {1}:\n    u = lambda q: ({0})\n",
    "t = [({0}) for i in ({1}) if (i)]\n",
    "s = {{ {0}, ({1}) }}\n",
]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(_SHAPES), st.sampled_from(_ATOMS), st.sampled_from(_ATOMS))
def test_parenthesized_expressions_get_the_ranges_position_provider_gives(
    shape: str, first: str, second: str
) -> None:
    _compare(shape.format(first, second))


def test_lines_may_end_in_crlf_or_cr() -> None:
    assert _compare("a = 1\r\nb = (2)\rc = f((3))\n") > 5


def test_the_replay_leaves_nothing_for_the_garbage_collector() -> None:
    """A run keeps the collector paused: a replay that left a cycle behind kept its state, and
    every call node it listed, alive until the end of the run."""
    modules = []
    for _, text in fixture_texts():
        try:
            modules.append(cst.parse_module(text))
        except cst.ParserSyntaxError:
            continue
    gc.collect()
    gc.disable()
    try:
        for module in modules:
            offsets_and_calls(module)
            node_offsets(module, [module.body[0]] if module.body else [])
        assert gc.collect() == 0
    finally:
        gc.enable()


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab\n\r ", max_size=30), st.integers(-3, 35), st.integers(-3, 35))
def test_a_span_gives_the_positions_of_its_ends(text: str, start: int, end: int) -> None:
    """Spans on one line skip the second lookup: still the positions of both offsets."""
    lines = LineIndex(text)
    line, column = lines.position(start)
    end_line, end_column = lines.position(end)
    held = [max(0, min(offset, len(text))) for offset in (start, end)]  # within the text
    assert lines.span(start, end).fields() == (*held, line, column, end_line, end_column)


_FIELD = st.integers(0, 2**32 - 1)


@given(
    st.lists(st.tuples(st.integers(0, 2**40), _FIELD, _FIELD, _FIELD, _FIELD, _FIELD), max_size=6)
)
def test_spans_hold_their_fields_and_order_as_tuples_of_them(values: list[tuple[int, ...]]) -> None:
    spans = [Span(*fields) for fields in values]
    assert [span.fields() for span in spans] == values
    assert [span.fields() for span in sorted(spans)] == sorted(values)
    assert [pickle.loads(pickle.dumps(span)).fields() for span in spans] == values
