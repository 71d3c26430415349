from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Applicability, Diagnostic, Edit, Fix
from schemacheck.mapping import schema_columns
from schemacheck.rules.base import Rule
from schemacheck.schema import Expr

# Calls whose value changes with every call: evaluated once, they freeze one value for all rows.
PER_ROW_CALLS = frozenset(
    {
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.datetime.today",
        "datetime.date.today",
        "uuid.uuid1",
        "uuid.uuid4",
        "time.time",
        "time.time_ns",
        "secrets.token_hex",
        "secrets.token_urlsafe",
        "random.random",
    }
)


def _calls_per_row(expr: Expr) -> bool:
    """Whether evaluating ``expr`` calls a per-row function (``str(uuid4())`` does)."""
    call = expr.call
    if call is None:
        return False
    if call.qualname in PER_ROW_CALLS:
        return True
    return any(_calls_per_row(arg) for arg in [*call.args, *call.kwargs.values()])


class CalledDefault(Rule):
    """
    ## What it does
    Checks for `default=` (and `onupdate=`) given the *result* of a call whose value should differ
    per row: `datetime.now()`, `datetime.utcnow()`, `date.today()`, `uuid4()`, `time.time()`,
    `secrets.token_hex()`.

    ## Why is this bad?
    The call runs once, when the module is imported, and every row inserted afterwards gets that
    same timestamp or the same "unique" id, until the process restarts. Pass the function itself
    and SQLAlchemy (or pydantic) calls it for each row.

    ## Example
    ```python
    class Token(Base):
        __tablename__ = "tokens"
        id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4())
        created_at: Mapped[datetime] = mapped_column(default=datetime.now(timezone.utc))
    ```

    ## Use instead
    ```python
    class Token(Base):
        __tablename__ = "tokens"
        id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
        created_at: Mapped[datetime] = mapped_column(default=lambda: datetime.now(timezone.utc))
    ```

    ## Fix safety
    The fix is safe: it passes the function (`default=uuid.uuid4`), or a `lambda` when the call
    has arguments, so each row gets its own value as evidently intended. SQLModel fields get
    `default_factory=`.
    """

    code = "SC206"
    name = "called-default"
    family = "columns"
    fix_applicability = Applicability.SAFE

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        for column in schema_columns(ctx.mapping):
            call = column.call
            if call is None:
                continue
            for keyword in ("default", "onupdate"):
                value = call.kwargs.get(keyword)
                if value is None or not _calls_per_row(value):
                    continue
                inner = value.call
                if (
                    inner is not None
                    and inner.qualname in PER_ROW_CALLS
                    and not (inner.args or inner.kwargs)
                ):
                    replacement = value.source[: value.source.index("(")].strip()
                else:
                    replacement = f"lambda: {value.source}"
                factory = keyword == "default" and (
                    column.kind == "Field" or ctx.mapping.is_dataclass_column(column)
                )
                if factory:
                    start = ctx.text.rfind(keyword, 0, value.span.start)
                    edit = Edit(start, value.span.end, f"default_factory={replacement}")
                else:
                    edit = Edit(value.span.start, value.span.end, replacement)
                yield self.report(
                    ctx,
                    value.span,
                    f'`{keyword}={value.source}` on "{column.name}" is computed once, at import: '
                    "every row gets the same value",
                    Fix(f"Pass `{replacement}` to be called per row", Applicability.SAFE, (edit,)),
                    statement_line=column.span.line,
                )
