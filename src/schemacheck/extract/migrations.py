"""Alembic migrations: revision identifiers and the ordered operations of upgrade/downgrade.

A module is a migration when it sets ``revision`` and defines ``upgrade()``. Operations are the
``op.*`` calls of each function, in order, including those of ``with op.batch_alter_table(...)
as batch_op:`` blocks (which name the table once) and of ``autocommit_block()`` blocks. Positional
arguments are mapped to Alembic's parameter names, so rules read ``op.args["table_name"]``
whatever the call's style.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from schemacheck.extract.names import dotted_name, evaluated
from schemacheck.migration_ops import NOT_CHANGES
from schemacheck.schema import (
    Expr,
    Migration,
    MigrationBody,
    MigrationFunction,
    MigrationOp,
    TableArgs,
)

if TYPE_CHECKING:
    import libcst as cst
else:
    from schemacheck.lazy import libcst as cst

if TYPE_CHECKING:
    from schemacheck.extract.models import ModelExtractor


# Alembic's positional parameters, per operation (``Operations`` and ``BatchOperations``);
# a test compares these with the installed Alembic.
OPERATION_PARAMETERS: dict[str, tuple[str, ...]] = {
    "create_table": ("table_name",),
    "drop_table": ("table_name",),
    "add_column": ("table_name", "column"),
    "drop_column": ("table_name", "column_name"),
    "alter_column": ("table_name", "column_name"),
    "create_index": ("index_name", "table_name", "columns"),
    "drop_index": ("index_name", "table_name"),
    "create_unique_constraint": ("constraint_name", "table_name", "columns"),
    "create_foreign_key": (
        "constraint_name",
        "source_table",
        "referent_table",
        "local_cols",
        "remote_cols",
    ),
    "create_check_constraint": ("constraint_name", "table_name", "condition"),
    "create_primary_key": ("constraint_name", "table_name", "columns"),
    "drop_constraint": ("constraint_name", "table_name", "type_"),
    "rename_table": ("old_table_name", "new_table_name"),
    "execute": ("sqltext",),
    "bulk_insert": ("table", "rows"),
    "create_table_comment": ("table_name", "comment"),
    "drop_table_comment": ("table_name",),
}
# In a batch block the table is the block's: these parameters are not passed.
_TABLE_PARAMETERS = frozenset({"table_name", "source_table"})
_LIST_PARAMETERS = frozenset({"columns", "local_cols", "remote_cols"})


def batch_parameters(name: str) -> tuple[str, ...]:
    return tuple(p for p in OPERATION_PARAMETERS.get(name, ()) if p not in _TABLE_PARAMETERS)


class MigrationExtractor:
    def __init__(self, models: ModelExtractor) -> None:
        self.models = models
        self.names = models.names

    def extract(self, module: cst.Module) -> Migration | None:
        revision: Expr | None = None
        down: Expr | None = None
        down_node: cst.BaseExpression | None = None
        labels: list[str] = []
        depends: list[str] = []
        functions: dict[str, cst.FunctionDef] = {}
        for statement in module.body:
            if isinstance(statement, cst.FunctionDef):
                functions[statement.name.value] = statement
                continue
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                target, value = _assignment(small)
                if target is None or value is None:
                    continue
                if target == "revision":
                    revision = self.models.expr(value)
                elif target == "down_revision":
                    down, down_node = self.models.expr(value), value
                elif target == "branch_labels":
                    labels = [v for v in _strings(value) if v is not None]
                elif target == "depends_on":
                    depends = [v for v in _strings(value) if v is not None]
        upgrade = functions.get("upgrade")
        if revision is None or upgrade is None:
            return None
        down_revisions, known = _down_revisions(down_node)
        downgrade = functions.get("downgrade")
        return Migration(
            revision=revision.literal if isinstance(revision.literal, str) else None,
            revision_span=revision.span,
            down_revisions=down_revisions,
            down_revision_span=down.span if down is not None else None,
            down_revision_known=known,
            upgrade=self._function(upgrade),
            downgrade=self._function(downgrade) if downgrade is not None else None,
            branch_labels=labels,
            depends_on=depends,
        )

    def _function(self, node: cst.FunctionDef) -> MigrationFunction:
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else []
        ops: list[MigrationOp] = []
        state = _Walk(ops=ops)
        self._walk(body, state, batch=None, autocommit=False)
        if body:
            start, _ = self.models.offsets_of(body[0])
            first = body[0]
            skip = (
                len(first.leading_lines)
                if isinstance(first, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
                else 0
            )
            line = self.models.lines.position(start)[0] + skip
            indent = self.models.lines.line_indent(line)
            start = self.models.lines.line_start(line)
            _, end = self.models.offsets_of(body[-1])
        else:
            _, end = self.models.offsets_of(node)
            start, indent = end, "    "
        return MigrationFunction(
            name_span=self.models.span(node.name),
            ops=ops,
            body=_body_kind(body),
            body_span=self.models.lines.span(start, end),
            body_indent=sys.intern(indent),
            other_code=state.other_code,
            only_guards=state.other_code and not state.acts,
            returns_none=node.returns is not None
            and isinstance(node.returns.annotation, cst.Name)
            and node.returns.annotation.value == "None",
        )

    def _walk(
        self,
        body: Sequence[cst.BaseStatement],
        state: _Walk,
        *,
        batch: tuple[str, str | None, str] | None,
        autocommit: bool,
    ) -> None:
        for statement in body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    call = _call_of(small)
                    op = self._op(call, statement, batch, autocommit) if call else None
                    if op is not None:
                        op.after_writes = state.may_write
                        state.ops.append(op)
                    elif not _is_trivial(small):
                        state.other_code = state.acts = True
                        state.may_write = state.may_write or self._may_write(small, batch)
            elif isinstance(statement, cst.With):
                inner_batch, inner_autocommit = batch, autocommit
                for item in statement.items:
                    kind = self._with_kind(item)
                    if kind == "autocommit":
                        inner_autocommit = True
                    elif isinstance(kind, tuple):
                        inner_batch = kind
                self._walk(
                    _suite(statement.body), state, batch=inner_batch, autocommit=inner_autocommit
                )
            elif isinstance(statement, cst.If) and _is_guard(statement):
                state.other_code = True  # what it skips, a generated downgrade cannot know
                state.may_write = state.may_write or self._may_write(statement, batch)
            elif isinstance(statement, (cst.If, cst.For, cst.While, cst.Try)):
                state.other_code = state.acts = True
                # Its branches may run in any order with its operations: it counts as a whole.
                state.may_write = state.may_write or self._may_write(statement, batch)
                self._walk(_suite(statement.body), state, batch=batch, autocommit=autocommit)
            else:
                state.other_code = state.acts = True

    def _may_write(self, node: cst.CSTNode, batch: tuple[str, str | None, str] | None) -> bool:
        """Whether code may write rows: it calls something besides Alembic's schema operations
        and calls known only to read or to set up (``op.get_bind()``, ``sa.table()``)."""
        stack = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, cst.Call) and self._writes(current.func, batch):
                return True
            stack.extend(current.children)
        return False

    def _writes(self, func: cst.BaseExpression, batch: tuple[str, str | None, str] | None) -> bool:
        dotted = dotted_name(func)
        if dotted is None:
            return True  # ``factory()()``, ``items[0]()``: unknown
        owner, _, name = dotted.rpartition(".")
        if name in _READ_OR_SETUP_CALLS:
            return False
        is_op = (batch is not None and owner == batch[0]) or (
            isinstance(func, cst.Attribute) and self.names.resolve(func.value) == "alembic.op"
        )
        return not is_op or name in ("execute", "bulk_insert")

    def _with_kind(self, item: cst.WithItem) -> tuple[str, str | None, str] | str | None:
        """``("alias", "table")`` for a batch block, ``"autocommit"``, or None."""
        call = item.item
        if not isinstance(call, cst.Call):
            return None
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value == "autocommit_block":
            return "autocommit"
        if self.names.resolve(func) == "alembic.op.batch_alter_table":
            alias = None
            if item.asname is not None and isinstance(item.asname.name, cst.Name):
                alias = item.asname.name.value
            table = self.models.expr(call.args[0].value).literal if call.args else None
            if alias is not None:
                header = f"{self.models.code(call)} as {alias}"
                return (alias, table if isinstance(table, str) else None, header)
        return None

    def _op(
        self,
        node: cst.Call,
        statement: cst.SimpleStatementLine,
        batch: tuple[str, str | None, str] | None,
        autocommit: bool,
    ) -> MigrationOp | None:
        func = node.func
        if not isinstance(func, cst.Attribute):
            return None
        name = func.attr.value
        owner = dotted_name(func.value)
        in_batch = batch is not None and owner == batch[0]
        if not in_batch and self.names.resolve(func.value) != "alembic.op":
            return None
        call = self.models.call(node)
        parameters = batch_parameters(name) if in_batch else OPERATION_PARAMETERS.get(name, ())
        args: dict[str, Expr] = dict(zip(parameters, call.args))
        args.update(call.kwargs)
        positional = [a for a in node.args if a.keyword is None and not a.star]
        lists: dict[str, list[str | None]] = {}
        for parameter, arg in zip(parameters, positional):
            if parameter in _LIST_PARAMETERS:
                lists[parameter] = _strings(arg.value)
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value in _LIST_PARAMETERS:
                lists[arg.keyword.value] = _strings(arg.value)
        table: str | None
        if in_batch:
            assert batch is not None
            table = batch[1]
        else:
            key = (
                "source_table"
                if name == "create_foreign_key"
                else ("old_table_name" if name == "rename_table" else "table_name")
            )
            literal = args[key].literal if key in args else None
            table = literal if isinstance(literal, str) else None
        start, end = self.models.offsets_of(statement)
        lines = self.models.lines
        first_line = lines.position(start)[0] + len(statement.leading_lines)
        op = MigrationOp(
            name=sys.intern(name),
            call=call,
            statement_span=lines.span(lines.line_start(first_line), end),
            indent=sys.intern(lines.line_indent(first_line)),
            args=args,
            table=table,
            receiver=sys.intern(owner) if owner else "op",
            batch_header=batch[2] if in_batch and batch is not None else None,
            batch=in_batch,
            autocommit=autocommit,
            lists=lists,
        )
        self._op_columns(op, node)
        return op

    def _op_columns(self, op: MigrationOp, node: cst.Call) -> None:
        """The ``sa.Column(...)`` and constraint arguments of create_table / add_column."""
        if op.name not in ("create_table", "add_column"):
            return
        items = TableArgs()
        for arg in node.args:
            value = arg.value
            if arg.keyword is not None and arg.keyword.value != "column":
                continue
            if not isinstance(value, cst.Call):
                continue
            if self.names.resolve(value.func) == "sqlalchemy.Column":
                column = self.models._column(None, None, value, value, owner=op.table)
                if column is not None:
                    column.attr = None
                    op.columns.append(column)
            else:
                self.models._table_item(value, items)
        op.table_items = items


# Calls, by their last name, that read the database or build objects without writing rows.
_READ_OR_SETUP_CALLS = NOT_CHANGES | frozenset(
    {
        "inspect",
        "has_table",
        "get_table_names",
        "get_columns",
        "get_indexes",
        "get_foreign_keys",
        "get_unique_constraints",
        "MetaData",
        "Table",
        "table",
        "Column",
        "column",
        "text",
        "select",
        "Session",
        "sessionmaker",
        "print",
        "getLogger",
        "debug",
        "info",
        "warning",
    }
)


class _Walk:
    def __init__(self, ops: list[MigrationOp]) -> None:
        self.ops = ops
        self.other_code = False
        self.acts = False  # other code besides guards (see ``_is_guard``)
        self.may_write = False  # code that may write rows has run


def _suite(body: cst.BaseSuite) -> Sequence[cst.BaseStatement]:
    return body.body if isinstance(body, cst.IndentedBlock) else []


def _assignment(small: cst.BaseSmallStatement) -> tuple[str | None, cst.BaseExpression | None]:
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target = small.targets[0].target
        return (target.value if isinstance(target, cst.Name) else None), small.value
    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
        return small.target.value, small.value
    return None, None


def _call_of(small: cst.BaseSmallStatement) -> cst.Call | None:
    value: cst.BaseExpression | None = None
    if isinstance(small, (cst.Expr, cst.Assign, cst.AnnAssign)):
        value = small.value
    return value if isinstance(value, cst.Call) else None


def _is_guard(statement: cst.If) -> bool:
    """``if <condition>: return``, without ``else``: the rest runs or not, and the condition
    only decides which (``if skip_legacy_version(op, __name__): return``)."""
    body = statement.body.body
    smalls: Sequence[cst.CSTNode] = (
        body[0].body if len(body) == 1 and isinstance(body[0], cst.SimpleStatementLine) else body
    )
    if statement.orelse is not None or len(smalls) != 1:
        return False
    only = smalls[0]
    return isinstance(only, cst.Return) and (
        only.value is None or (isinstance(only.value, cst.Name) and only.value.value == "None")
    )


def _is_trivial(small: cst.BaseSmallStatement) -> bool:
    """``pass``, ``...`` and docstrings: not code that changes anything."""
    if isinstance(small, cst.Pass):
        return True
    if isinstance(small, cst.Expr):
        return isinstance(small.value, (cst.Ellipsis, cst.SimpleString, cst.ConcatenatedString))
    return False


def _strings(node: cst.BaseExpression) -> list[str | None]:
    if isinstance(node, (cst.List, cst.Tuple)):
        result: list[str | None] = []
        for element in node.elements:
            value = element.value
            literal = evaluated(value) if isinstance(value, cst.SimpleString) else None
            result.append(literal if isinstance(literal, str) else None)
        return result
    if isinstance(node, cst.SimpleString):
        literal = evaluated(node)
        if isinstance(literal, str):
            return [literal]
    return [None]


def _down_revisions(node: cst.BaseExpression | None) -> tuple[list[str], bool]:
    if node is None or (isinstance(node, cst.Name) and node.value == "None"):
        return [], node is not None
    values = _strings(node)
    known = [v for v in values if v is not None]
    return known, len(known) == len(values)


def _body_kind(body: Sequence[cst.BaseStatement]) -> MigrationBody:
    smalls: list[cst.BaseSmallStatement] = []
    for statement in body:
        if not isinstance(statement, cst.SimpleStatementLine):
            return "code"
        smalls.extend(statement.body)
    if not smalls:
        return "missing"
    meaningful = [
        s
        for s in smalls
        if not (
            isinstance(s, cst.Expr)
            and isinstance(s.value, (cst.SimpleString, cst.ConcatenatedString))
        )
    ]
    if not meaningful:
        return "docstring"
    if all(isinstance(s, cst.Pass) for s in meaningful):
        return "pass"
    if all(isinstance(s, cst.Expr) and isinstance(s.value, cst.Ellipsis) for s in meaningful):
        return "ellipsis"
    if len(meaningful) == 1 and isinstance(meaningful[0], cst.Raise):
        exc = meaningful[0].exc
        target = exc.func if isinstance(exc, cst.Call) else exc
        if target is not None and dotted_name(target) == "NotImplementedError":
            return "raise"
    return "code"
