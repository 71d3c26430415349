"""Literals read directly have the values libcst evaluates, and leave no garbage behind."""

from __future__ import annotations

import gc

import libcst as cst
from hypothesis import given, settings
from hypothesis import strategies as st

from schemacheck.extract.names import evaluated

_NUMBERS = st.one_of(
    st.integers(min_value=0).map(str),
    st.integers(min_value=0).map(hex),
    st.integers(min_value=0).map(oct),
    st.integers(min_value=0).map(bin),
    st.integers(min_value=0, max_value=10**12).map(lambda n: f"{n:_}"),
    st.sampled_from(["0", "00", "0_0", "0x_1F", "0B101", "1_000"]),
    st.floats(min_value=0, allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["1.", ".5", "1e5", "1E-3", "1_0.5", "0.1e+1_0"]),
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_NUMBERS, st.text().map(repr), st.text().map(lambda s: repr(s).strip("'"))))
def test_literals_read_directly_have_the_value_libcst_evaluates(source: str) -> None:
    try:
        node = cst.parse_expression(source)
    except cst.ParserSyntaxError:
        return
    if isinstance(node, (cst.SimpleString, cst.Integer, cst.Float)):
        assert evaluated(node) == node.evaluated_value
        assert type(evaluated(node)) is type(node.evaluated_value)


def test_plain_literals_leave_nothing_for_the_garbage_collector() -> None:
    nodes = [cst.parse_expression(s) for s in ('"users.id"', "'x'", "255", "0x1F", "1.5", "1e3")]
    gc.collect()
    gc.disable()
    try:
        for node in nodes:
            evaluated(node)  # type: ignore[arg-type]
        assert gc.collect() == 0
    finally:
        gc.enable()
