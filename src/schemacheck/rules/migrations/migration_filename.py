from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePath

from schemacheck.context import FileContext
from schemacheck.diagnostics import Diagnostic
from schemacheck.rules.base import Option, Rule

DEFAULT_PATTERN = r"^\d{8}_\d{6}_"


class MigrationFilename(Rule):
    """
    ## What it does
    Checks that migration file names start with a timestamp (`YYYYMMDD_HHMMSS_`, or the regular
    expression of the `pattern` option).

    ## Why is this bad?
    Alembic's default names start with a random revision id, so a `versions/` directory lists in
    no useful order and two branches' migrations are hard to tell apart in review. A timestamp
    prefix sorts them by creation; Alembic writes one with this `alembic.ini` setting:

    ```ini
    file_template = %%(year)d%%(month).2d%%(day).2d_%%(hour).2d%%(minute).2d%%(second).2d_
                    %%(rev)s_%%(slug)s
    ```

    (on one line).

    ## Example
    ```text
    versions/3c4d5e6f7081_add_tags.py
    ```

    ## Use instead
    ```text
    versions/20261122_143015_3c4d5e6f7081_add_tags.py
    ```

    ## Fix safety
    There is no fix: renaming files is left to you (and `file_template` for new ones).

    ## Options
    - `pattern` (string, `^\\d{8}_\\d{6}_`): a regular expression the file name must match.
    """

    code = "SC507"
    name = "migration-filename"
    family = "migrations"
    default_enabled = False
    options = (
        Option("pattern", str, DEFAULT_PATTERN, "Regular expression for file names.", regex=True),
    )

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        migration = ctx.schema.migration
        if migration is None:
            return
        name = PurePath(ctx.display_path).name
        pattern = re.compile(self.settings["pattern"])  # validated with the config
        if not pattern.search(name):
            yield self.report(
                ctx,
                migration.revision_span,
                f'Migration file name "{name}" does not match `{pattern.pattern}`',
            )
