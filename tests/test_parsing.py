"""Parsing without node checks: the same trees and errors, and checks kept everywhere else."""

from __future__ import annotations

import threading

import libcst as cst
import pytest

from schemacheck import parsing
from tests.helpers import fixture_texts


def test_every_fixture_parses_to_the_tree_libcst_gives() -> None:
    compared = 0
    for path, text in fixture_texts():
        try:
            expected: cst.Module | str = cst.parse_module(text)
        except Exception as error:
            expected = type(error).__name__
        try:
            found: cst.Module | str = parsing.parse_module(text)
        except Exception as error:
            found = type(error).__name__
        if isinstance(expected, str) or isinstance(found, str):
            assert found == expected, path
        else:
            assert found.deep_equals(expected), path
            assert found.code == text, path
        compared += 1
    assert compared > 100


def test_syntax_errors_are_raised_as_libcst_raises_them() -> None:
    with pytest.raises(cst.ParserSyntaxError) as ours:
        parsing.parse_module("class A(:\n    pass\n")
    with pytest.raises(cst.ParserSyntaxError) as theirs:
        cst.parse_module("class A(:\n    pass\n")
    assert str(ours.value) == str(theirs.value)


def test_expressions_parse_as_libcst_parses_them() -> None:
    text = "Optional[List['User']]"
    assert parsing.parse_expression(text).deep_equals(cst.parse_expression(text))


def test_nodes_made_outside_a_parse_are_still_checked() -> None:
    parsing.parse_module("x = 1\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not an identifier")


def test_the_checks_are_skipped_while_parsing() -> None:
    # What makes the parse cheaper: if libcst stops calling the hook, this fails.
    assert parsing._INSTALLED
    with parsing._trusted():
        cst.Name("not an identifier")  # no error: trusted as the parser's own node


def test_other_threads_keep_their_checks_during_a_parse() -> None:
    outcome: list[str] = []

    def build() -> None:
        try:
            cst.Name("not an identifier")
            outcome.append("built")
        except cst.CSTValidationError:
            outcome.append("refused")

    with parsing._trusted():
        other = threading.Thread(target=build)
        other.start()
        other.join()
    assert outcome == ["refused"]


def test_a_failed_parse_leaves_the_checks_on() -> None:
    with pytest.raises(cst.ParserSyntaxError):
        parsing.parse_module("def (:\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not an identifier")
