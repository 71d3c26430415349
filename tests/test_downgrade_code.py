"""SC502 reads what a downgrade's raw SQL and other code name in one pass over its strings and
operations; these tests hold it to the pairwise reading it replaced."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemacheck.context import FileContext
from schemacheck.prefilter import string_literals
from schemacheck.rules.migrations import downgrade_incomplete
from schemacheck.schema import MigrationFunction
from tests.helpers import check, render

_UPGRADE = """\
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
    op.create_table("t0", sa.Column("id", sa.Integer, primary_key=True))
    op.create_index("ix_0", "t", ["a"])
    op.create_index("ix_1", "t", ["b"])
    op.add_column("t", sa.Column("c0", sa.Integer))
    op.add_column("t", sa.Column("c1", sa.Integer))
    op.drop_index("ix_2", table_name="t")


def downgrade():
"""
_STATEMENTS = [
    'op.drop_index("ix_{n}", table_name="t")',
    'op.execute("DROP INDEX ix_{n}")',
    'op.execute(sa.text("DROP INDEX " + "ix_{n}"))',
    'op.create_index("ix_{n}", "t", ["a"])',
    'op.drop_column("t", "c{n}")',
    'op.drop_table("t{n}")',
    'name = "c{n}"  # "ix_{n}"',
    'helper("ix_{n}", "t{n}")',
    'op.bulk_insert(table, [{{"c{n}": "ix_{n}"}}])',
]


def _strings_pairwise(ctx: FileContext, downgrade: MigrationFunction) -> str:
    """Each string of the body against each operation read: the reading first written."""
    if not downgrade.other_code and not any(op.name == "execute" for op in downgrade.ops):
        return ""
    read = [op.call.span for op in downgrade.ops if op.name != "execute"]
    body = downgrade.body_span
    return " ".join(
        match.group()
        for match in string_literals(ctx.text, body.start, body.end)
        if not any(span.start <= match.start() < span.end for span in read)
    )


def _findings(text: str) -> str:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "b2_change.py"
        path.write_text(text, encoding="utf-8")
        result = check(path, ["SC502"])
    assert not result.errors
    return render(result.diagnostics)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_STATEMENTS), st.integers(0, 2)), max_size=10))
def test_downgrade_code_is_read_as_each_string_against_each_operation(
    statements: list[tuple[str, int]],
) -> None:
    body = "".join(f"    {s.format(n=n)}\n" for s, n in statements) or "    pass\n"
    text = _UPGRADE + body
    found = _findings(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(downgrade_incomplete, "_strings_of_code", _strings_pairwise)
        assert found == _findings(text)


def test_names_that_are_not_plain_words_are_searched_for_in_the_code() -> None:
    text = '"DROP TABLE audit.log_entries" "ix_ü"'
    words = frozenset(downgrade_incomplete._WORD.findall(text))

    def names(name: str) -> bool:
        return downgrade_incomplete._named(("table", name), text, words)

    assert names("audit.log_entries")
    assert names("log_entries")
    assert names("ix_ü")
    assert not names("audit.log")
    assert not names("entries.x")
    assert not names("ix")
