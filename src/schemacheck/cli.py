"""The command line as click reads it: every form of the arguments, help, and the commands.

The check itself is :mod:`schemacheck.command`; a plainly written check does not come through
here (see :mod:`schemacheck.console`). Rule classes are imported by the commands that document
them, not at start-up: a check answered from the cache never needs them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from schemacheck import __version__
from schemacheck.cache import DEFAULT_DIRECTORY
from schemacheck.command import EXIT_ERROR, CheckOptions, fail, run_check
from schemacheck.report import FORMATS

if TYPE_CHECKING:
    from schemacheck.rules.base import Rule


class _DefaultToCheck(click.Group):
    """``schemacheck PATH...`` means ``schemacheck check PATH...``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (
            args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")
        ):
            args = ["check", *args]
        return super().parse_args(ctx, args)


def main(argv: Sequence[str] | None = None) -> None:
    """The ``schemacheck`` command: click's usage errors become one line and exit 2."""
    try:
        code = cli.main(args=argv, prog_name="schemacheck", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("schemacheck: aborted", err=True)
        raise SystemExit(EXIT_ERROR) from None
    except click.ClickException as error:
        click.echo(f"schemacheck: error: {error.format_message()}", err=True)
        raise SystemExit(EXIT_ERROR) from None
    raise SystemExit(code if isinstance(code, int) else 0)


@click.group(cls=_DefaultToCheck, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="schemacheck")
def cli() -> None:
    """Review SQLAlchemy models and Alembic migrations.

    \b
    schemacheck [OPTIONS] [PATHS]...   check files and directories (default: .)
    schemacheck rule CODE              explain a rule
    schemacheck rules                  list every rule
    """


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--fix/--no-fix", default=False, help="Apply safe fixes.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply (and count) unsafe fixes.")
@click.option("--diff", is_flag=True, help="Print the diff --fix would apply; write nothing.")
@click.option(
    "--exit-non-zero-on-fix",
    is_flag=True,
    help="Exit 1 when --fix changed a file, even if nothing remains.",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain.")
@click.option(
    "--output-format",
    type=click.Choice(sorted(FORMATS)),
    default="full",
    show_default=True,
    help="How findings are printed.",
)
@click.option("--select", multiple=True, help="Rules to run (codes, prefixes, names; ALL).")
@click.option("--extend-select", multiple=True, help="Rules to run besides the selection.")
@click.option("--ignore", multiple=True, help="Rules not to run.")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="A pyproject.toml or schemacheck.toml to use instead of the nearest one.",
)
@click.option("--extend-exclude", multiple=True, help="More glob patterns to skip.")
@click.option(
    "--force-exclude",
    is_flag=True,
    help="Apply excludes to paths given explicitly too (for pre-commit).",
)
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour in text output.",
)
@click.option(
    "-o",
    "--output-file",
    type=click.Path(path_type=Path),
    help="Write the report to this file instead of standard output.",
)
@click.option("--statistics", is_flag=True, help="Count findings per rule instead of listing them.")
@click.option("--show-fixes", is_flag=True, help="List the fixes --fix applied, per file.")
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(path_type=Path),
    help="Report only findings that are not in this baseline file.",
)
@click.option(
    "--write-baseline",
    "write_baseline_path",
    type=click.Path(path_type=Path),
    help="Record the current findings as a baseline file, then exit 0.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Processes to check files with (default: one per available core).",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="SCHEMACHECK_CACHE_DIR",
    help=f"Where the cache lives (default: {DEFAULT_DIRECTORY} in the project root).",
)
@click.option("-v", "--verbose", is_flag=True, help="Tracebacks for internal errors.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary.")
def check(**options: Any) -> None:
    """Check files and directories (default: the current directory)."""
    run_check(CheckOptions(**options))


@cli.command(name="rule")
@click.argument("code")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text")
def rule_command(code: str, output_format: str) -> None:
    """Explain a rule (by code or name)."""
    import json

    from schemacheck.ruledocs import rule_page
    from schemacheck.rules import BY_CODE, BY_NAME

    rule = BY_CODE.get(code.upper()) or BY_NAME.get(code)
    if rule is None:
        fail(f"unknown rule `{code}` (see `schemacheck rules`)")
    if output_format == "json":
        click.echo(json.dumps(_rule_dict(rule), indent=2))
        return
    click.echo(rule_page(rule), nl=False)


def _rule_dict(rule: type[Rule]) -> dict[str, Any]:
    return {
        "code": rule.code,
        "name": rule.name,
        "family": rule.family,
        "default": rule.default_enabled,
        "fix": None if rule.fix_applicability is None else rule.fix_applicability.value,
        "summary": rule.summary(),
        "options": {o.name: o.default for o in rule.options},
        "documentation": rule.documentation(),
    }


@cli.command(name="rules")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text")
def rules_command(output_format: str) -> None:
    """List every rule: code, name, default, fix."""
    import json

    from schemacheck.rules import ALL_RULES

    if output_format == "json":
        click.echo(json.dumps([_rule_dict(r) for r in ALL_RULES], indent=2))
        return
    rows = [("code", "name", "default", "fix")]
    for rule in ALL_RULES:
        default = "on" if rule.default_enabled else "off"
        if rule.dialects:
            default += f" ({', '.join(rule.dialects)})"
        rows.append(
            (
                rule.code,
                rule.name,
                default,
                rule.fix_applicability.value if rule.fix_applicability else "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
