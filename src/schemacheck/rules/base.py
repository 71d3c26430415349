"""What a rule is: metadata, typed options, documentation, and a check over one file's model.

Rules are small and declarative, as in Fixit: the class says what it is (code, name, default,
fix applicability, options) and its docstring is its documentation, in ruff's sections. ``check``
reads the semantic model and yields findings; it never walks syntax itself.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from schemacheck.context import FileContext
from schemacheck.diagnostics import Applicability, Diagnostic, Fix, Level, Related, Span
from schemacheck.project import Project


@dataclass(frozen=True)
class Option:
    name: str
    type: type  # str, int, bool or list (of str)
    default: Any
    description: str
    choices: tuple[str, ...] = ()
    regex: bool = False  # the value is a regular expression

    def validate(self, value: Any) -> str | None:
        """An error message when ``value`` does not fit, else None."""
        if self.type is list:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                return "expected a list of strings"
            return None
        if self.type is int and (isinstance(value, bool) or not isinstance(value, int)):
            return "expected an integer"
        if self.type is int and value <= 0:
            return "expected a positive integer"
        if self.type is not int and not isinstance(value, self.type):
            kind = {str: "a string", bool: "a boolean", float: "a number"}.get(self.type)
            return f"expected {kind or 'a ' + self.type.__name__}"
        if self.regex:
            try:
                re.compile(value)
            except re.error as error:
                return f"not a valid regular expression ({error})"
        if self.choices and value not in self.choices:
            return "expected one of " + ", ".join(repr(c) for c in self.choices)
        return None


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    family: ClassVar[str]
    default_enabled: ClassVar[bool] = True
    # On by default for projects whose ``dialect`` setting names one of these.
    dialects: ClassVar[tuple[str, ...]] = ()
    for_async: ClassVar[bool] = False  # on by default when the ``async`` setting is true
    enabled_by_option: ClassVar[str | None] = None  # on by default once this option is set
    level: ClassVar[Level] = Level.WARNING
    fix_applicability: ClassVar[Applicability | None] = None
    options: ClassVar[Sequence[Option]] = ()
    project: ClassVar[bool] = False  # runs on the whole project, after every file

    @property
    def models_only(self) -> bool:
        """Model rules (SC1xx-SC3xx) do not look at Alembic migrations."""
        return self.code[:3] in ("SC1", "SC2", "SC3")

    def __init__(
        self, settings: Mapping[str, Any] | None = None, dialects: Sequence[str] = ()
    ) -> None:
        values = {option.name: option.default for option in self.options}
        values.update(settings or {})
        self.settings = values
        self.project_dialects = tuple(dialects)  # the ``dialect`` setting

    def check(self, ctx: FileContext) -> Iterable[Diagnostic]:
        raise NotImplementedError

    @classmethod
    def documentation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        """The first sentence of *What it does*: a one-line description."""
        doc = cls.documentation()
        marker = "## What it does"
        body = doc.split(marker, 1)[1] if marker in doc else doc
        paragraph = body.strip().split("\n\n", 1)[0]
        return " ".join(paragraph.split())

    def check_project(self, project: Project) -> Iterable[Diagnostic]:
        """Findings that need every file: only project rules implement it."""
        return ()

    def report(
        self,
        ctx: FileContext,
        span: Span,
        message: str,
        fix: Fix | None = None,
        *,
        statement_line: int | None = None,
        related: tuple[Related, ...] = (),
    ) -> Diagnostic:
        noqa_lines = () if statement_line in (None, span.line) else (statement_line,)
        return Diagnostic(
            code=self.code,
            name=self.name,
            message=message,
            level=self.level,
            path=ctx.display_path,
            span=span,
            fix=fix,
            noqa_lines=tuple(n for n in noqa_lines if n is not None),
            related=related,
        )
