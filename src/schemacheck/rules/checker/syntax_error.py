from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Diagnostic, Level
from schemacheck.rules.base import Rule


class SyntaxError(Rule):
    """
    ## What it does
    Reports files that cannot be read as Python: a syntax error, or bytes that are not text in
    the file's declared encoding.

    ## Why is this bad?
    A file that does not parse cannot be checked, so none of its models are reviewed. The rest of
    the run goes on; the finding says where the parser stopped.

    ## Example
    ```python
    class User(Base)
        __tablename__ = "users"
    ```

    ## Use instead
    ```python
    class User(Base):
        __tablename__ = "users"
    ```

    ## Fix safety
    There is no fix.
    """

    code = "SC001"
    name = "syntax-error"
    family = "checker"
    level = Level.ERROR

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        return iter(())  # reported by the runner when parsing fails
