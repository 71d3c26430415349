"""Building blocks of fixes: keyword arguments, new statements, imports.

Each returns plain :class:`~schemacheck.diagnostics.Edit` values. New code is written in the
file's own spelling of a name (``sa.String``, ``db.String`` or ``String``) and an import is added
only when the file has no way to name the construct yet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from schemacheck.context import FileContext
from schemacheck.diagnostics import Edit
from schemacheck.extract.names import ORM_NAMES, canonical, first_from_imports
from schemacheck.schema import Call, Insertion

if TYPE_CHECKING:
    import libcst as cst
else:
    from schemacheck.lazy import libcst as cst


def add_keyword(call: Call, name: str, value: str) -> Edit:
    return insert(call.append, f"{name}={value}")


def insert(at: Insertion, content: str) -> Edit:
    return Edit(at.offset, at.offset, at.text(content))


@dataclass
class Spelled:
    """Names as this file writes them, and the edits that make them available."""

    names: dict[str, str]
    edits: list[Edit]


_MODULE_IMPORTS = {"datetime", "decimal", "uuid"}


def spell(ctx: FileContext, wanted: Iterable[str]) -> Spelled:
    """Spell each canonical name (``sqlalchemy.String``, ``datetime.datetime``) in this file.

    Names the file cannot spell yet are imported: SQLAlchemy names with ``from ... import``
    (joined into an existing ``from sqlalchemy[.orm] import`` line when there is one), standard
    library types as ``import datetime`` and ``datetime.datetime``.
    """
    names: dict[str, str] = {}
    missing: dict[str, list[str]] = {}
    module_imports: list[str] = []
    for full in wanted:
        module, _, attr = full.rpartition(".")
        if module.startswith("sqlalchemy.dialects."):
            # Dialect types live only in their dialect module: import them from there.
            direct = [
                local
                for local, target in ctx.names.bindings.items()
                if canonical(target) == f"sqlalchemy.{attr}"
                and target.endswith(f".{attr}")
                and target.startswith(module)
            ]
            if direct:
                names[full] = direct[0]
            elif not ctx.names.is_bound(attr):
                missing.setdefault(module, []).append(attr)
                names[full] = attr
            else:
                names[full] = f"{module.rsplit('.', 1)[1]}.{attr}"
                module_imports.append(f"{module} as {module.rsplit('.', 1)[1]}")
            continue
        spelled = ctx.names.spell(full)
        if spelled is not None:
            names[full] = spelled
            continue
        module, _, attr = full.rpartition(".")
        if module in ("sqlalchemy", "typing"):
            home = "sqlalchemy.orm" if attr in ORM_NAMES else module
            if ctx.names.is_bound(attr):
                names[full] = f"{home}.{attr}"  # never shadow a local name
                if home.split(".")[0] not in module_imports:
                    module_imports.append(home)
                continue
            missing.setdefault(home, []).append(attr)
            names[full] = attr
        elif module in _MODULE_IMPORTS:
            if ctx.names.is_bound(module):
                # ``datetime`` names something else here (``from datetime import datetime``).
                if attr == module and ctx.names.resolve_dotted(module) == full:
                    names[full] = module
                    continue
                alias = f"_{module}"
                names[full] = f"{alias}.{attr}"
                module_imports.append(f"{module} as {alias}")
            else:
                names[full] = full
                module_imports.append(module)
        else:
            names[full] = full
    edits = _from_imports(ctx, missing)
    lines = _plain_import_lines(ctx, module_imports)
    if edits and lines and edits[-1].start == ctx.schema.import_insertion == edits[-1].end:
        last = edits.pop()
        edits.append(Edit(last.start, last.end, last.content + lines))
    elif lines:
        edits.append(_import_edit(ctx, lines))
    return Spelled(names, edits)


def _plain_import_lines(ctx: FileContext, modules: list[str]) -> str:
    return "".join(f"import {m}{ctx.newline}" for m in dict.fromkeys(modules))


def _import_edit(ctx: FileContext, lines: str) -> Edit:
    offset = ctx.schema.import_insertion
    prefix = ""
    if offset > 0 and ctx.text[offset - 1] not in "\r\n":
        prefix = ctx.newline
    return Edit(offset, offset, prefix + lines)


def _from_imports(ctx: FileContext, missing: dict[str, list[str]]) -> list[Edit]:
    edits = []
    pending = ""
    for home, attrs in missing.items():
        extended = _extended_from_import(ctx, home, attrs)
        if extended is not None:
            edits.append(extended)
        else:
            pending += f"from {home} import {', '.join(attrs)}{ctx.newline}"
    if pending:
        edits.append(_import_edit(ctx, pending))
    return edits


def _extended_from_import(ctx: FileContext, home: str, attrs: list[str]) -> Edit | None:
    """The file's ``from home import ...`` line with ``attrs`` added; each fix of a file that
    needs the same names gets the same edit, so it is built once per file."""
    key = f"from {home} import {', '.join(attrs)}"
    known: dict[str, Edit | None] = ctx.derived.setdefault("extended_from_imports", {})
    if key not in known:
        known[key] = _extended_in_text(ctx, home, attrs) or _extended_in_tree(ctx, home, attrs)
    return known[key]


def _extended_in_text(ctx: FileContext, home: str, attrs: list[str]) -> Edit | None:
    where = ctx.schema.from_imports.get(home)
    extended = None if where is None else extended_plain_import(ctx.text, *where, attrs)
    return None if where is None or extended is None else Edit(*where, extended)


def _extended_in_tree(ctx: FileContext, home: str, attrs: list[str]) -> Edit | None:
    existing = _from_import(ctx, home)
    if existing is None:
        return None
    node, (start, end) = existing
    updated = node.with_changes(names=_extended_aliases(list(node.names), attrs))
    return Edit(start, end, code_at_indent(ctx, updated, ""))


_ALIAS = r"[A-Za-z_]\w*(?:[ \t]+as[ \t]+[A-Za-z_]\w*)?"
_PLAIN_FROM_IMPORT = re.compile(
    rf"from[ \t]+[A-Za-z_][\w.]*[ \t]+import[ \t]*"
    rf"(?:[ \t]({_ALIAS}(?:[ \t]*,[ \t]*{_ALIAS})*)"  # a, b
    rf"|\(\s*({_ALIAS}(?:\s*,\s*{_ALIAS})*)\s*,?\s*\))"  # (a, b) over any lines
)
_ALIASES = re.compile(_ALIAS)


def extended_plain_import(text: str, start: int, end: int, attrs: list[str]) -> str | None:
    """``text[start:end]``, a ``from M import a, b`` (or ``(a, b)``, over any lines, without
    comments), with ``attrs`` appended as the tree would append them: each after a copy of
    what separates the last two names, the last one keeping what followed the last name;
    None for any other layout, which the tree handles.

    A file checked from its cached model has no tree, and parsing the line alone for this was
    most of what such a file's fixes still parsed.
    """
    match = _PLAIN_FROM_IMPORT.fullmatch(text, start, end)
    if match is None:
        return None
    names = match.start(1) if match.start(1) >= 0 else match.start(2)
    names_end = match.end(1) if match.start(1) >= 0 else match.end(2)
    aliases = list(_ALIASES.finditer(text, names, names_end))
    comma = text[aliases[-2].end() : aliases[-1].start()] if len(aliases) > 1 else ", "
    last = aliases[-1].end()
    return text[start:last] + "".join(comma + attr for attr in attrs) + text[last:end]


def _from_import(ctx: FileContext, home: str) -> tuple[Any, tuple[int, int]] | None:
    """The first top-level ``from home import a, b`` and its range: from the tree when the
    run kept it, else parsed alone from where the extraction found it."""
    where = ctx.schema.from_imports.get(home)
    if where is None:
        return None
    node: Any = (
        _from_import_index(ctx).get(home) if ctx.module is not None else ctx.parse_alone(*where)
    )
    if not isinstance(node, cst.ImportFrom) or isinstance(node.names, cst.ImportStar):
        return None
    return node, where


def _from_import_index(ctx: FileContext) -> dict[str, cst.ImportFrom]:
    """``first_from_imports`` of the file's tree, read once per file."""
    index: dict[str, cst.ImportFrom] | None = ctx.derived.get("from_imports")
    if index is None:
        assert ctx.module is not None
        index = ctx.derived["from_imports"] = first_from_imports(ctx.module)
    return index


def _extended_aliases(aliases: list[cst.ImportAlias], attrs: list[str]) -> list[cst.ImportAlias]:
    """Append names to an import list, keeping its layout (one per line stays one per line)."""
    space = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    inner = aliases[-2].comma if len(aliases) >= 2 else space
    if not isinstance(inner, cst.Comma):
        inner = space
    final = aliases[-1].comma
    added = [cst.ImportAlias(name=cst.Name(attr), comma=inner) for attr in attrs]
    added[-1] = added[-1].with_changes(comma=final)
    return [*aliases[:-1], aliases[-1].with_changes(comma=inner), *added]


def keyword_removal(
    ctx: FileContext, args: Sequence[cst.Arg], keyword: str
) -> tuple[int, int] | None:
    """The text to delete to remove one keyword argument, keeping the commas and line layout
    of the others: the argument before it takes its comma (and what follows that comma).

    Read from the source, not generated from the tree, so every other character stays as
    written. None when the argument is missing, or a comment stands where a comma is looked
    for.
    """
    for index, arg in enumerate(args):
        if arg.keyword is None or arg.keyword.value != keyword:
            continue
        (arg_start, arg_end), (_, value_end) = ctx.node_range(arg, arg.value)
        has_comma = not isinstance(arg.comma, cst.MaybeSentinel)
        if index == 0:  # the argument, its comma and the space up to the next one
            if index + 1 < len(args):
                return arg_start, ctx.node_range(args[index + 1])[0][0]
            comma = _comma_after(ctx.text, value_end, len(ctx.text)) if has_comma else None
            return arg_start, arg_end if comma is None else comma + 1
        _, previous_end = ctx.node_range(args[index - 1].value)[0]
        start = _comma_after(ctx.text, previous_end, arg_start)
        end = _comma_after(ctx.text, value_end, len(ctx.text)) if has_comma else arg_end
        return None if start is None or end is None else (start, end)
    return None


def _comma_after(text: str, start: int, limit: int) -> int | None:
    """Where the comma after an argument's value is (``start``: where the value ends)."""
    found = text.find(",", start, limit)
    return None if found < 0 or "#" in text[start:found] else found


def splice(text: str, start: int, end: int, changes: Iterable[tuple[int, int, str]]) -> str:
    """``text[start:end]`` with each ``(from, to, new)`` of ``changes`` (ranges inside it that
    do not overlap) replaced."""
    parts: list[str] = []
    at = start
    for change_start, change_end, new in sorted(changes):
        parts += [text[at:change_start], new]
        at = change_end
    parts.append(text[at:end])
    return "".join(parts)


def writes_pipe_none(ctx: FileContext) -> bool:
    """Whether new annotations say ``X | None`` (the file's style, else 3.10+) or ``Optional``."""
    if ctx.schema.uses_optional:
        return False
    return ctx.schema.uses_pipe_none or ctx.target_version >= (3, 10)


def code_at_indent(ctx: FileContext, node: cst.CSTNode, indent: str) -> str:
    """The code of ``node`` as it reads inside a block indented by ``indent``, in the file's
    own line endings and indentation.

    ``Module.code_for_node`` generates a node as if at the top level, so the continuation lines
    of a multi-line call inside a class body would lose the class's indentation.
    """
    from libcst._nodes.internal import CodegenState  # libcst is imported when fixes are built

    state = CodegenState(default_indent=ctx.indent, default_newline=ctx.newline)
    if indent:
        state.indent_tokens.append(indent)
    codegen: Any = node._codegen
    codegen(state)
    return "".join(state.tokens)
