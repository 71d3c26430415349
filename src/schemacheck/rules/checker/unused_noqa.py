from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Diagnostic
from schemacheck.rules.base import Rule


class UnusedNoqa(Rule):
    """
    ## What it does
    Checks for `# noqa: SCxxx` comments that suppress nothing: no finding of that rule starts on
    the line (or on the statement the line begins). Codes of other tools (`# noqa: E501`) and bare
    `# noqa` comments are left alone, as are codes of rules that are not enabled in this run.

    ## Why is this bad?
    A stale suppression hides the next real finding on that line: when the code changes and a
    problem comes back, nobody is told. Removing suppressions once their reason is gone keeps
    them meaningful.

    ## Example
    ```python
    author_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"))  # noqa: SC101
    ```

    ## Use instead
    ```python
    author_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"))
    ```

    ## Fix safety
    There is no fix.
    """

    code = "SC002"
    name = "unused-noqa"
    family = "checker"
    default_enabled = False

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        return iter(())  # the runner knows which comments were used
