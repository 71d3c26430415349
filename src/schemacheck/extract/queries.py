"""Calls that run SQL or make engines and sessions, read for the SC4xx rules.

Model extraction looks at class bodies and module-level statements; these calls live anywhere
(functions, methods, migrations), so they are found by one more walk of the tree, made only when
the text mentions one of them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import libcst as cst

from schemacheck.extract.names import dotted_name
from schemacheck.schema import QueryCall

if TYPE_CHECKING:
    from schemacheck.extract.models import ModelExtractor

# A gate only (the calls themselves decide), so without word boundaries: they would stop the
# regular expression from skipping ahead, and it scans whole library files.
_MENTIONS = re.compile(
    r"\.query\(|execute\(|exec_driver_sql\(|text\(|create_engine|engine_from_config"
    r"|create_async_engine|sessionmaker|Session\(|scoped_session"
)
_EXECUTORS = re.compile(r"(?i)(session|sess|conn|connection|bind|engine)$|^op$")
_SESSIONS = re.compile(r"(?i)sess")
_ENGINES = {
    "sqlalchemy.create_engine": False,
    "sqlalchemy.engine_from_config": False,
    "sqlalchemy.create_async_engine": True,
}
_SESSION_FACTORIES = frozenset(
    {"sqlalchemy.Session", "sqlalchemy.sessionmaker", "sqlalchemy.scoped_session"}
)
_ASYNC_SESSIONS = frozenset({"sqlalchemy.AsyncSession", "sqlmodel.AsyncSession"})


def read_calls(extractor: ModelExtractor) -> list[QueryCall]:
    if not _MENTIONS.search(extractor.text):
        return []
    reader = _CallReader(extractor)
    for call in extractor.calls:
        reader.read(call)
    return reader.found


class _CallReader:
    def __init__(self, extractor: ModelExtractor) -> None:
        self.extractor = extractor
        self.found: list[QueryCall] = []

    def read(self, node: cst.Call) -> None:
        extractor = self.extractor
        qualname = extractor.names.resolve(node.func)
        first = _first_argument(node)
        if qualname == "sqlalchemy.text" and first is not None:
            self._sql("text", qualname, node, first)
        elif qualname in _ENGINES:
            url = first if first is not None else _keyword(node, "url")
            urls = [extractor.expr(url)] if url is not None else []
            self.found.append(QueryCall("engine", qualname, extractor.span(node), urls=urls))
        elif qualname in _SESSION_FACTORIES:
            class_ = _keyword(node, "class_")
            async_class = class_ is not None and extractor.names.resolve(class_) in _ASYNC_SESSIONS
            self.found.append(
                QueryCall("session", qualname, extractor.span(node), async_class=async_class)
            )
        elif isinstance(node.func, cst.Attribute):
            method = node.func.attr.value
            receiver = dotted_name(node.func.value) or ""
            last = receiver.rpartition(".")[2]
            name = f"{receiver}.{method}"
            if method in ("execute", "exec_driver_sql") and _EXECUTORS.search(last):
                if first is not None and not _is_text_call(extractor, first):
                    self._sql("execute", name, node, first)
            elif method == "query" and _SESSIONS.search(last) and qualname is None:
                self.found.append(QueryCall("query", name, extractor.span(node)))

    def _sql(self, kind: str, name: str, node: cst.Call, sql: cst.BaseExpression) -> None:
        extractor = self.extractor
        self.found.append(
            QueryCall(
                "text" if kind == "text" else "execute",
                name,
                extractor.span(node),
                sql=extractor.expr(sql),
                sql_formatting=formatting(sql),
            )
        )


def formatting(node: cst.BaseExpression) -> str | None:
    """How an SQL string is built from values, or None when it is a constant."""
    if isinstance(node, cst.FormattedString):
        if any(isinstance(part, cst.FormattedStringExpression) for part in node.parts):
            return "an f-string"
        return None
    if isinstance(node, cst.ConcatenatedString):
        return formatting(node.left) or formatting(node.right)
    if isinstance(node, cst.BinaryOperation):
        if isinstance(node.operator, cst.Modulo) and _is_string(node.left):
            return None if _is_constant(node.right) else "`%` formatting"
        if isinstance(node.operator, cst.Add):
            leaves = _sum_leaves(node)
            if any(_is_string(leaf) for leaf in leaves) and not all(
                _is_constant(leaf) for leaf in leaves
            ):
                return "string concatenation"
        return None
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "format"
        and _is_string(node.func.value)
    ):
        return None if all(_is_constant(a.value) for a in node.args) else "`.format()`"
    return None


def _sum_leaves(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return [*_sum_leaves(node.left), *_sum_leaves(node.right)]
    return [node]


def _is_string(node: cst.BaseExpression) -> bool:
    return isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString))


def _is_constant(node: cst.BaseExpression) -> bool:
    if isinstance(node, (cst.SimpleString, cst.Integer, cst.Float)):
        return True
    if isinstance(node, cst.ConcatenatedString):
        return _is_constant(node.left) and _is_constant(node.right)
    if isinstance(node, cst.FormattedString):
        return not any(isinstance(p, cst.FormattedStringExpression) for p in node.parts)
    if isinstance(node, cst.Tuple):
        return all(_is_constant(e.value) for e in node.elements)
    return False


def _first_argument(node: cst.Call) -> cst.BaseExpression | None:
    for arg in node.args:
        if arg.keyword is None and not arg.star:
            return arg.value
    return None


def _keyword(node: cst.Call, name: str) -> cst.BaseExpression | None:
    for arg in node.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def _is_text_call(extractor: ModelExtractor, node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Call) and extractor.names.resolve(node.func) == "sqlalchemy.text"
