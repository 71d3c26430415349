"""The command line: flags in, a report and an exit code out. All the work is in the runner.

Rule classes are imported by the commands that document them, not at start-up: a check answered
from the cache never needs them (see :mod:`schemacheck.session`).
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from schemacheck import __version__, catalog, codecache
from schemacheck.cache import DEFAULT_DIRECTORY, Cache
from schemacheck.config import Config, ConfigError, Selection, load_config
from schemacheck.diagnostics import Applicability, Diagnostic
from schemacheck.fingerprint import fingerprints
from schemacheck.report import FORMATS, Report, renderer
from schemacheck.results import RunResult, make_settings
from schemacheck.session import default_jobs, run, settings_fingerprint

if TYPE_CHECKING:
    from schemacheck.rules.base import Rule

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _DefaultToCheck(click.Group):
    """``schemacheck PATH...`` means ``schemacheck check PATH...``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (
            args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")
        ):
            args = ["check", *args]
        return super().parse_args(ctx, args)


def _split(values: Sequence[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _fail(message: str) -> None:
    click.echo(f"schemacheck: error: {message}", err=True)
    raise SystemExit(EXIT_ERROR)


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


def entry() -> None:
    """The console command: :func:`main`, then an exit without the interpreter's teardown.

    A run holds every model until it ends; freeing millions of small objects one by one at
    exit took seconds on large projects, longer than some whole checks. Everything the run
    writes is written before :func:`main` returns, so once the output is flushed the process
    ends at once (``os._exit``, as mypy does).
    """
    codecache.install()
    try:
        main()
        status = 0
    except SystemExit as done:
        if done.code is None or isinstance(done.code, int):
            status = done.code or 0
        else:
            click.echo(str(done.code), err=True)
            status = 1
    codecache.save()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (``| head``): nothing more to say
            status = status or EXIT_ERROR
    os._exit(status)


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
def check(
    paths: tuple[Path, ...],
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    exit_non_zero_on_fix: bool,
    exit_zero: bool,
    output_format: str,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    config_path: Path | None,
    extend_exclude: tuple[str, ...],
    force_exclude: bool,
    color: str,
    output_file: Path | None,
    statistics: bool,
    show_fixes: bool,
    baseline_path: Path | None,
    write_baseline_path: Path | None,
    jobs: int | None,
    no_cache: bool,
    cache_dir: Path | None,
    verbose: bool,
    quiet: bool,
) -> None:
    """Check files and directories (default: the current directory)."""
    try:
        config = load_config(config_path)
        config.extend_exclude.extend(extend_exclude)
        selection = Selection(
            select=_split(select) if select else None,
            extend_select=_split(extend_select),
            ignore=_split(ignore),
        )
        settings = make_settings(
            config, selection, fix=fix or diff, unsafe_fixes=unsafe_fixes, verbose=verbose
        )
    except ConfigError as error:
        _fail(str(error))
        return
    targets = list(paths) or [Path(".")]
    for target in targets:
        if not target.exists() and not target.is_symlink():
            _fail(f"{target}: no such file or directory")
    cache = None
    if not no_cache:
        cache = Cache(
            cache_dir if cache_dir is not None else config.root / DEFAULT_DIRECTORY,
            settings_fingerprint(settings),
        )
    result = run(
        targets,
        settings,
        write=not diff,
        force_exclude=force_exclude,
        jobs=jobs if jobs is not None else default_jobs(),
        cache=cache,
    )
    gc.freeze()  # what the run built lives until exit: collections need not walk it again
    use_color = _use_color(color)
    for problem in result.errors:
        click.echo(f"schemacheck: error: {problem}", err=True)
    if diff:
        _print_diff(result, quiet)
        changed = any(f.changed for f in result.files)
        raise SystemExit(EXIT_ERROR if result.errors else (EXIT_FINDINGS if changed else 0))
    sources = {f.path: f.source for f in result.files if f.source is not None}
    diagnostics = result.diagnostics
    if write_baseline_path is not None:
        from schemacheck.baseline import BaselineError, write_baseline

        try:
            write_baseline(write_baseline_path, diagnostics, fingerprints(diagnostics, sources))
        except BaselineError as error:
            _fail(str(error))
        if not quiet:
            count = len(diagnostics)
            click.echo(
                f"Wrote {count} {_plural(count, 'finding')} to {write_baseline_path}.", err=True
            )
        raise SystemExit(EXIT_ERROR if result.errors else EXIT_CLEAN)
    stale = 0
    if baseline_path is not None:
        from schemacheck.baseline import BaselineError, load_baseline, match_baseline

        try:
            prints = fingerprints(diagnostics, sources)
            matched = match_baseline(prints, load_baseline(baseline_path))
        except BaselineError as error:
            _fail(str(error))
            return
        diagnostics = [diagnostics[i] for i in matched.kept]
        stale = matched.stale
    report = Report(diagnostics, sources, use_color and output_file is None, config.root)
    human = output_format in ("full", "text", "concise") or statistics
    stale_note = ""
    if stale:
        stale_note = (
            f"{stale} baseline {_plural(stale, 'entry', 'entries')} no longer "
            f"{'occurs' if stale == 1 else 'occur'}; rewrite the baseline with "
            "--write-baseline to keep it small."
        )

    def output() -> Iterator[str]:
        if statistics:
            yield _statistics(diagnostics)
        else:
            shown = False
            for piece in renderer(output_format)(report):
                shown = shown or bool(piece)
                yield piece
            if human and shown and output_format != "concise":
                yield "\n"
        if human and not quiet:
            yield _summary(diagnostics, result, config, unsafe_fixes) + "\n"
            if stale_note:
                yield stale_note + "\n"
        if show_fixes and result.fixed and not quiet:
            yield _fixes_applied(result)

    _emit(output(), output_file)
    if stale_note and not human and not quiet:
        click.echo(f"schemacheck: {stale_note}", err=True)
    if result.errors:
        raise SystemExit(EXIT_ERROR)
    if exit_non_zero_on_fix and any(f.changed for f in result.files):
        raise SystemExit(EXIT_FINDINGS)
    raise SystemExit(EXIT_FINDINGS if diagnostics and not exit_zero else EXIT_CLEAN)


_WRITE_SIZE = 1 << 16  # characters gathered before a write


def _emit(pieces: Iterable[str], output_file: Path | None) -> None:
    """Write the report as it is rendered, about 64 KB at a time: on 10,000 generated files,
    holding the whole text of 65,000 findings added 78 MB to the run's peak."""
    if output_file is None:
        for text in _gathered(pieces):
            click.echo(text, nl=False)
        return
    try:
        output_file.parent.mkdir(parents=True, exist_ok=True)
        with output_file.open("w", encoding="utf-8") as handle:
            for text in _gathered(pieces):
                handle.write(text)
    except OSError as error:
        _fail(f"{output_file}: cannot write: {error.strerror or error}")


def _gathered(pieces: Iterable[str]) -> Iterator[str]:
    """``pieces`` joined into texts of at least ``_WRITE_SIZE`` characters (the last may be
    shorter); nothing empty."""
    batch: list[str] = []
    size = 0
    for piece in pieces:
        batch.append(piece)
        size += len(piece)
        if size >= _WRITE_SIZE:
            yield "".join(batch)
            batch, size = [], 0
    if size:
        yield "".join(batch)


def _statistics(diagnostics: list[Diagnostic]) -> str:
    counts: dict[str, int] = {}
    fixable: dict[str, bool] = {}
    for d in diagnostics:
        counts[d.code] = counts.get(d.code, 0) + 1
        fixable[d.code] = fixable.get(d.code, False) or d.fix is not None
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    width = max((len(str(n)) for _, n in rows), default=1)
    names = {code: catalog.BY_CODE[code].name for code in counts}
    return "".join(
        f"{count:>{width}}  {code}  {'[*]' if fixable[code] else '[ ]'} {names[code]}\n"
        for code, count in rows
    )


def _fixes_applied(result: RunResult) -> str:
    lines = [f"Fixed {result.fixed} {_plural(result.fixed, 'problem')}:"]
    for file in result.files:
        if not file.fixed_codes:
            continue
        lines.append(f"- {file.path}:")
        for code, count in sorted(file.fixed_codes.items()):
            lines.append(f"    {count} x {code} ({catalog.BY_CODE[code].name})")
    return "\n".join(lines) + "\n"


def _use_color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def _summary(
    diagnostics: list[Diagnostic], result: RunResult, config: Config, unsafe_fixes: bool
) -> str:
    fixed = result.fixed
    if not diagnostics:
        if fixed:
            return f"Found {fixed} {_plural(fixed, 'problem')} ({fixed} fixed, 0 remaining)."
        return "All checks passed!"
    total = len(diagnostics) + fixed
    safe = sum(1 for d in diagnostics if d.fix and d.fix.applicability is Applicability.SAFE)
    unsafe = sum(1 for d in diagnostics if d.fix and d.fix.applicability is Applicability.UNSAFE)
    if fixed:
        text = (
            f"Found {total} {_plural(total, 'problem')} ({fixed} fixed, "
            f"{len(diagnostics)} remaining)."
        )
    else:
        text = f"Found {total} {_plural(total, 'problem')}."
    fixable = safe + (unsafe if unsafe_fixes else 0)
    hints = []
    if fixable:
        hints.append(f"{fixable} fixable with --fix")
    if unsafe and not unsafe_fixes:
        hints.append(f"{unsafe} more with --fix --unsafe-fixes")
    if hints:
        text = (
            text[:-1] + f" ({', '.join(hints)})." if not fixed else text + f" ({', '.join(hints)})"
        )
    return text


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return word if count == 1 else (plural or word + "s")


def _print_diff(result: RunResult, quiet: bool) -> None:
    import difflib  # only ``--diff`` needs it

    count = 0
    for file in result.files:
        if not file.changed or file.original is None or file.source is None:
            continue
        count += file.fixed
        lines = difflib.unified_diff(
            file.original.splitlines(keepends=True),
            file.source.splitlines(keepends=True),
            fromfile=f"a/{file.path}",
            tofile=f"b/{file.path}",
        )
        for line in lines:
            click.echo(line if line.endswith(("\n", "\r")) else line + "\n", nl=False)
    if not quiet:
        click.echo(f"Would fix {count} {_plural(count, 'problem')}.", err=True)


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
        _fail(f"unknown rule `{code}` (see `schemacheck rules`)")
        return
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
