"""libcst's parser, without re-validating the nodes it builds.

Every libcst node checks itself when it is made (``CSTNode.__post_init__`` calls ``_validate``).
Those checks guard trees assembled by hand; a parsed tree is one the grammar has already
accepted, and checking its nodes again is about a seventh of the parse. libcst's own comment on
``__post_init__`` says as much. While this module parses, and only in the thread that parses,
the checks are skipped. Nodes made anywhere else (fixes building a node, other code in the same
process) are checked as before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import libcst as cst
from libcst._nodes.base import CSTNode

_parsing = threading.local()


def _install() -> bool:
    """Route node checks through :func:`_checked`, once; False if libcst has no such hook."""
    validate_on_init: Callable[[CSTNode], None] | None = CSTNode.__dict__.get("__post_init__")
    if validate_on_init is None or getattr(validate_on_init, "_schemacheck", False):
        return validate_on_init is not None

    def _checked(node: CSTNode) -> None:
        if not getattr(_parsing, "active", False):
            validate_on_init(node)

    _checked._schemacheck = True  # type: ignore[attr-defined]
    CSTNode.__post_init__ = _checked  # type: ignore[method-assign, assignment]
    return True


_INSTALLED = _install()


@contextmanager
def _trusted() -> Iterator[None]:
    outer = getattr(_parsing, "active", False)
    _parsing.active = _INSTALLED
    try:
        yield
    finally:
        _parsing.active = outer


def parse_module(text: str) -> cst.Module:
    """``libcst.parse_module``, with the same tree and the same errors, less the node checks."""
    with _trusted():
        return cst.parse_module(text)


def parse_expression(text: str) -> cst.BaseExpression:
    """``libcst.parse_expression``, less the node checks."""
    with _trusted():
        return cst.parse_expression(text)
