from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Applicability, Diagnostic, Edit, Fix
from schemacheck.edits import spell
from schemacheck.rules.base import Rule
from schemacheck.schema import DeclarativeCall

# ``declarative_base()`` arguments that become class attributes of the new base.
_CARRIED = ("metadata", "type_annotation_map")


class LegacyDeclarativeBase(Rule):
    """
    ## What it does
    Checks for declarative bases made by a function call: `Base = declarative_base()` (from
    `sqlalchemy.orm` or the older `sqlalchemy.ext.declarative`) and
    `Base = registry().generate_base()`.

    ## Why is this bad?
    Since SQLAlchemy 2.0 the base is a class: `class Base(DeclarativeBase)`. Type checkers
    understand a class (a variable made by a call is `Any` to them, and so is every model that
    inherits it), it can hold `type_annotation_map`, `metadata` and shared columns in plain
    Python, and `declarative_base()` is a legacy API kept for 1.x code.

    ## Example
    ```python
    from sqlalchemy.orm import declarative_base

    Base = declarative_base(metadata=metadata)
    ```

    ## Use instead
    ```python
    from sqlalchemy.orm import DeclarativeBase

    class Base(DeclarativeBase):
        metadata = metadata
    ```

    ## Fix safety
    The fix is safe: the new base maps every model the same way (legacy `Column` attributes
    included) and keeps the `metadata=` and `type_annotation_map=` given to the call. It is
    offered for `declarative_base()` with no other arguments, written as its own statement.
    The old import is left for the linter to remove once unused.
    """

    code = "SC309"
    name = "legacy-declarative-base"
    family = "tables"
    fix_applicability = Applicability.SAFE

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for declared in ctx.schema.declarative_calls:
            yield self.report(
                ctx,
                declared.call.span,
                f'"{declared.target}" is made by `{declared.factory}()`: declare '
                f"`class {declared.target}(DeclarativeBase)`",
                self._fix(ctx, declared),
            )

    def _fix(self, ctx: FileContext, declared: DeclarativeCall) -> Fix | None:
        call = declared.call
        if declared.factory != "declarative_base" or call.args or call.has_star:
            return None
        if any(name not in _CARRIED for name in call.kwargs):
            return None
        span = declared.statement_span
        line_start = ctx.lines.line_start(span.line)
        before = ctx.text[line_start : span.start]
        after = ctx.lines.line_text(span.end_line)[span.end_column - 1 :].strip()
        if before.strip() or (after and not after.startswith("#")):
            return None  # shares its line with other statements
        spelled = spell(ctx, ["sqlalchemy.DeclarativeBase"])
        indent = before + "    "
        newline = ctx.newline
        body = [f"{name} = {call.kwargs[name].source}" for name in _CARRIED if name in call.kwargs]
        lines = [f"class {declared.target}({spelled.names['sqlalchemy.DeclarativeBase']}):"]
        lines += [indent + line for line in body or ["pass"]]
        return Fix(
            f"Declare `class {declared.target}(DeclarativeBase)`",
            Applicability.SAFE,
            (Edit(span.start, span.end, newline.join(lines)), *spelled.edits),
        )
