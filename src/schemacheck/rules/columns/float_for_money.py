from __future__ import annotations

from collections.abc import Iterator

from schemacheck.context import FileContext
from schemacheck.diagnostics import Applicability, Diagnostic, Edit, Fix
from schemacheck.edits import spell
from schemacheck.mapping import schema_columns
from schemacheck.rules.base import Option, Rule
from schemacheck.schema import ColumnDef

FLOAT_TYPES = frozenset({"Float", "Double", "REAL", "FLOAT", "DOUBLE", "DOUBLE_PRECISION"})


class FloatForMoney(Rule):
    """
    ## What it does
    Checks for floating-point columns (`Float`, `Double`, `REAL`, or a bare `Mapped[float]`)
    whose name says they hold money: a word of the name is one of the `names` option (`price`,
    `amount`, `cost`, `balance`, `total`), and the last word does not name something else about
    it (`price_precision`, `amount_currency`, `total_count`).

    ## Why is this bad?
    Binary floating point cannot represent most decimal fractions: `0.1 + 0.2` is not `0.3`, sums
    of many amounts drift, and rounding differs between the database, Python and reports.
    `Numeric(precision, scale)` stores exact decimals, and SQLAlchemy returns them as
    `decimal.Decimal`.

    ## Example
    ```python
    price = Column(Float, nullable=False)
    ```

    ## Use instead
    ```python
    price = Column(Numeric(12, 2), nullable=False)
    ```

    ## Fix safety
    The fix is unsafe: it replaces the type with `Numeric(12, 2)`, a precision the tool chooses,
    which changes the column type (a migration) and the Python type of the values
    (`decimal.Decimal`). A column annotated `Mapped[float]` gets no fix: change the annotation to
    `Mapped[Decimal]` together with the type.

    ## Options
    - `names` (list of strings, `["price", "amount", "cost", "balance", "total"]`): the words
      that mark a column as money.
    """

    code = "SC210"
    name = "float-for-money"
    family = "columns"
    fix_applicability = Applicability.UNSAFE
    options = (
        Option(
            "names",
            list,
            ["price", "amount", "cost", "balance", "total"],
            "Words of a column name that mean money.",
        ),
    )

    def check(self, ctx: FileContext) -> Iterator[Diagnostic]:
        words = {w.lower() for w in self.settings["names"]}
        for column in schema_columns(ctx.mapping):
            if column.name is None or not _says_money(column.name, words):
                continue
            if not _is_float(column):
                continue
            yield self.report(
                ctx,
                column.sql_type.expr.span if column.sql_type else column.report_span,
                f'Money column "{column.name}" is a binary float: use `Numeric`',
                self._fix(ctx, column),
                statement_line=column.span.line,
            )

    def _fix(self, ctx: FileContext, column: ColumnDef) -> Fix | None:
        sql_type = column.sql_type
        annotation = column.annotation
        if sql_type is None or (annotation is not None and annotation.inner == "float"):
            return None
        spelled = spell(ctx, ["sqlalchemy.Numeric"])
        numeric = f"{spelled.names['sqlalchemy.Numeric']}(12, 2)"
        span = sql_type.expr.span
        return Fix(
            f"Use `{numeric}`",
            Applicability.UNSAFE,
            (Edit(span.start, span.end, numeric), *spelled.edits),
        )


# A last word that says the column holds something about an amount, not the amount itself:
# ``price_precision``, ``amount_currency``, ``total_count``.
_ABOUT_MONEY = frozenset(
    {"precision", "scale", "decimals", "digits", "currency", "unit", "type", "kind", "mode"}
    | {"id", "count", "ratio", "percent", "pct"}
)


def _says_money(name: str, words: set[str]) -> bool:
    parts = name.lower().split("_")
    return bool(words.intersection(parts)) and (parts[-1] in words or parts[-1] not in _ABOUT_MONEY)


def _is_float(column: ColumnDef) -> bool:
    if column.sql_type is not None:
        return column.sql_type.is_sqlalchemy and column.sql_type.name in FLOAT_TYPES
    annotation = column.annotation
    return annotation is not None and annotation.inner == "float" and not column.foreign_keys
