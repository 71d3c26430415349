"""Character offsets of chosen CST nodes, in one code-generation pass.

libcst's ``PositionProvider`` records a ``CodeRange`` for every node of the tree and, through
``MetadataWrapper``, deep-copies the module first; on model files that costs several times the
parse. Here the module's own code generation is replayed once, counting characters. A file's
pass keeps the ranges of the nodes that are read (not whitespace or punctuation, most of a tree);
any other node is measured on request.

libcst's ``_parenthesize`` is replaced by one that hands this replay a plain context manager
(:class:`_Parenthesized`) and leaves every other code generation to libcst's own.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import libcst as cst
from libcst._nodes.expression import _BaseParenthesizedNode
from libcst._nodes.internal import CodegenState

from schemacheck.source import RANGE_BITS, NodeRanges

_CALL = cst.Call
_UNMEASURED: frozenset[type[cst.CSTNode]] = frozenset(
    {
        cst.SimpleWhitespace,
        cst.ParenthesizedWhitespace,
        cst.TrailingWhitespace,
        cst.Newline,
        cst.EmptyLine,
        cst.Comment,
        cst.Dot,
        cst.AssignEqual,
        cst.Colon,
        cst.Semicolon,
        cst.LeftParen,
        cst.RightParen,
        cst.LeftSquareBracket,
        cst.RightSquareBracket,
        cst.LeftCurlyBrace,
        cst.RightCurlyBrace,
        cst.AssignTarget,
        cst.ImportAlias,
        cst.IndentedBlock,
        cst.Parameters,
    }
)


class _SyntacticRange:
    """``record_syntactic_position`` as a plain context manager: it runs for every expression."""

    __slots__ = ("end_node", "node", "start", "start_node", "state")

    def __init__(self, state: _OffsetState) -> None:
        self.state = state
        self.node: cst.CSTNode | None = None
        self.start = 0
        self.start_node: cst.CSTNode | None = None
        self.end_node: cst.CSTNode | None = None

    def __enter__(self) -> None:
        self.state.ranges.append((self.node, self.start_node, self.end_node, self.state.offset))

    def __exit__(self, *exc: object) -> None:
        state = self.state
        node, start_node, end_node, start = state.ranges.pop()
        if start_node is None and end_node is None and type(node) not in state.skipped:
            key = id(node)
            if state.wanted is None or key in state.wanted:
                state.found[key] = start << RANGE_BITS | state.offset


class _Parenthesized:
    """libcst's ``_parenthesize`` for the replay, as a plain context manager.

    libcst writes it as a generator-based ``@contextmanager``; it wraps nearly every expression,
    and making and stepping those generators was about a sixth of the replay. Same steps: the
    opening parentheses, the node's syntactic range, the closing ones.
    """

    __slots__ = ("node", "state")

    def __init__(self, state: _OffsetState) -> None:
        self.state = state
        self.node: Any = None

    def __enter__(self) -> None:
        state, node = self.state, self.node
        state.unclosed.append(node)  # nested expressions reuse this object
        for lpar in node.lpar:
            lpar._codegen(state)
        state.ranges.append((node, None, None, state.offset))

    def __exit__(self, *exc: object) -> None:
        state = self.state
        state._range.__exit__()
        node = state.unclosed.pop()
        for rpar in node.rpar:
            rpar._codegen(state)


class _OffsetState(CodegenState):
    def __init__(
        self, module: cst.Module, wanted: set[int] | None, skipped: frozenset[type[cst.CSTNode]]
    ) -> None:
        super().__init__(
            default_indent=module.default_indent, default_newline=module.default_newline
        )
        self.offset = 0
        self.last_token = 0
        self.wanted = wanted  # the ids of the nodes to measure; None: every node
        self.skipped = skipped  # kinds of node left out
        self.stack: list[int] = []
        self.ranges: list[tuple[Any, Any, Any, int]] = []
        self.found: NodeRanges = {}
        self.calls: list[cst.Call] = []  # every call, in source order (outer before inner)
        self._range = _SyntacticRange(self)
        self.parenthesizer = _Parenthesized(self)
        self.unclosed: list[Any] = []  # nodes whose closing parentheses are still to come

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.offset += len(token)
            self.last_token = len(token)

    def add_token(self, value: str) -> None:
        self.offset += len(value)
        self.last_token = len(value)

    def pop_trailing_newline(self) -> None:
        self.offset -= self.last_token

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.stack.append(self.offset)
        if type(node) is _CALL:
            self.calls.append(node)

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self.stack.pop()
        if type(node) in self.skipped:
            return
        key = id(node)
        if (self.wanted is None or key in self.wanted) and key not in self.found:
            self.found[key] = start << RANGE_BITS | self.offset

    def record_syntactic_position(  # type: ignore[override]
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> _SyntacticRange:
        # One object serves every call: entering pushes this call's arguments, so nesting works.
        recorder = self._range
        recorder.node, recorder.start_node, recorder.end_node = node, start_node, end_node
        return recorder


_parenthesize_any_state = _BaseParenthesizedNode._parenthesize


def _parenthesize(node: Any, state: CodegenState) -> Any:
    if type(state) is _OffsetState:
        recorder = state.parenthesizer
        recorder.node = node
        return recorder
    return _parenthesize_any_state(node, state)  # code generation for fixes: libcst's own


_BaseParenthesizedNode._parenthesize = _parenthesize  # type: ignore[method-assign, assignment]


def node_offsets(module: cst.Module, nodes: Iterable[cst.CSTNode] | None = None) -> NodeRanges:
    """Map ``id(node)`` to ``(start, end)`` character offsets for each of ``nodes`` (or all).

    Expressions and small statements get their syntactic range (without enclosing parentheses
    or leading comments), like ``PositionProvider`` gives; statement lines keep their leading
    lines and trailing newline.
    """
    wanted = None if nodes is None else {id(node) for node in nodes}
    return _replay(module, wanted, frozenset()).found


def offsets_and_calls(module: cst.Module) -> tuple[NodeRanges, list[cst.Call]]:
    """The offsets of every node but whitespace and punctuation (they are most of a tree, and
    nothing reads their ranges), and every call of the module in source order: the pass visits
    each node anyway, so the calls cost no walk of their own."""
    state = _replay(module, None, _UNMEASURED)
    return state.found, state.calls


def _replay(
    module: cst.Module, wanted: set[int] | None, skipped: frozenset[type[cst.CSTNode]]
) -> _OffsetState:
    state = _OffsetState(module, wanted, skipped)
    codegen: Any = module._codegen
    try:
        codegen(state)
    finally:
        # The reusable recorders refer back to the state: left as a cycle, the state (and the
        # calls it lists) would wait for a garbage collection, which a run keeps paused.
        del state._range, state.parenthesizer
    return state
