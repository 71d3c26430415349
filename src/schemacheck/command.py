"""The check command itself: options in, a report and an exit code out; no parsing.

Kept apart from :mod:`schemacheck.cli` so that a plain invocation (the one pre-commit makes) runs
without importing click: about 8 ms of a 50-60 ms run answered from the cache (see
:mod:`schemacheck.console`).
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple, NoReturn

from schemacheck import catalog
from schemacheck.cache import DEFAULT_DIRECTORY, Cache
from schemacheck.config import Config, ConfigError, Selection, load_config
from schemacheck.diagnostics import Applicability, Diagnostic
from schemacheck.fingerprint import fingerprints
from schemacheck.report import Report, renderer
from schemacheck.results import RunResult, make_settings
from schemacheck.session import default_jobs, run, settings_fingerprint

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class CheckOptions(NamedTuple):
    """The options of ``schemacheck check``, as the command line declares them (a test holds
    the names and defaults equal to the click command's). A tuple: making a dataclass at
    start-up compiles its methods."""

    paths: tuple[Path, ...] = ()
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    exit_non_zero_on_fix: bool = False
    exit_zero: bool = False
    output_format: str = "full"
    select: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    config_path: Path | None = None
    extend_exclude: tuple[str, ...] = ()
    force_exclude: bool = False
    color: str = "auto"
    output_file: Path | None = None
    statistics: bool = False
    show_fixes: bool = False
    baseline_path: Path | None = None
    write_baseline_path: Path | None = None
    jobs: int | None = None
    no_cache: bool = False
    cache_dir: Path | None = None
    verbose: bool = False
    quiet: bool = False


def echo(text: str, *, err: bool = False) -> None:
    """Write ``text`` as it is (colour included, whatever the stream) and flush it."""
    if os.name == "nt":  # older consoles need colorama's translation of colour, through click
        import click

        click.echo(text, nl=False, err=err, color=True)
        return
    stream = sys.stderr if err else sys.stdout
    stream.write(text)
    stream.flush()


def fail(message: str) -> NoReturn:
    echo(f"schemacheck: error: {message}\n", err=True)
    raise SystemExit(EXIT_ERROR)


def _split(values: Sequence[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def run_check(options: CheckOptions) -> NoReturn:
    """Check the paths of ``options``, print the report, and exit with the run's status."""
    try:
        config = load_config(options.config_path)
        config.extend_exclude.extend(options.extend_exclude)
        selection = Selection(
            select=_split(options.select) if options.select else None,
            extend_select=_split(options.extend_select),
            ignore=_split(options.ignore),
        )
        settings = make_settings(
            config,
            selection,
            fix=options.fix or options.diff,
            unsafe_fixes=options.unsafe_fixes,
            verbose=options.verbose,
        )
    except ConfigError as error:
        fail(str(error))
    targets = list(options.paths) or [Path(".")]
    for target in targets:
        if not target.exists() and not target.is_symlink():
            fail(f"{target}: no such file or directory")
    cache = None
    if not options.no_cache:
        cache = Cache(
            options.cache_dir if options.cache_dir is not None else config.root / DEFAULT_DIRECTORY,
            settings_fingerprint(settings),
        )
    result = run(
        targets,
        settings,
        write=not options.diff,
        force_exclude=options.force_exclude,
        jobs=options.jobs if options.jobs is not None else default_jobs(),
        cache=cache,
    )
    gc.freeze()  # what the run built lives until exit: collections need not walk it again
    use_color = _use_color(options.color)
    for problem in result.errors:
        echo(f"schemacheck: error: {problem}\n", err=True)
    if options.diff:
        _print_diff(result, options.quiet)
        changed = any(f.changed for f in result.files)
        raise SystemExit(EXIT_ERROR if result.errors else (EXIT_FINDINGS if changed else 0))
    sources = {f.path: f.source for f in result.files if f.source is not None}
    diagnostics = result.diagnostics
    if options.write_baseline_path is not None:
        from schemacheck.baseline import BaselineError, write_baseline

        try:
            write_baseline(
                options.write_baseline_path, diagnostics, fingerprints(diagnostics, sources)
            )
        except BaselineError as error:
            fail(str(error))
        if not options.quiet:
            count = len(diagnostics)
            echo(
                f"Wrote {count} {_plural(count, 'finding')} to {options.write_baseline_path}.\n",
                err=True,
            )
        raise SystemExit(EXIT_ERROR if result.errors else EXIT_CLEAN)
    stale = 0
    if options.baseline_path is not None:
        from schemacheck.baseline import BaselineError, load_baseline, match_baseline

        try:
            prints = fingerprints(diagnostics, sources)
            matched = match_baseline(prints, load_baseline(options.baseline_path))
        except BaselineError as error:
            fail(str(error))
        diagnostics = [diagnostics[i] for i in matched.kept]
        stale = matched.stale
    report = Report(diagnostics, sources, use_color and options.output_file is None, config.root)
    human = options.output_format in ("full", "text", "concise") or options.statistics
    stale_note = ""
    if stale:
        stale_note = (
            f"{stale} baseline {_plural(stale, 'entry', 'entries')} no longer "
            f"{'occurs' if stale == 1 else 'occur'}; rewrite the baseline with "
            "--write-baseline to keep it small."
        )

    def output() -> Iterator[str]:
        if options.statistics:
            yield _statistics(diagnostics)
        else:
            shown = False
            for piece in renderer(options.output_format)(report):
                shown = shown or bool(piece)
                yield piece
            if human and shown and options.output_format != "concise":
                yield "\n"
        if human and not options.quiet:
            yield _summary(diagnostics, result, config, options.unsafe_fixes) + "\n"
            if stale_note:
                yield stale_note + "\n"
        if options.show_fixes and result.fixed and not options.quiet:
            yield _fixes_applied(result)

    _emit(output(), options.output_file)
    if stale_note and not human and not options.quiet:
        echo(f"schemacheck: {stale_note}\n", err=True)
    if result.errors:
        raise SystemExit(EXIT_ERROR)
    if options.exit_non_zero_on_fix and any(f.changed for f in result.files):
        raise SystemExit(EXIT_FINDINGS)
    raise SystemExit(EXIT_FINDINGS if diagnostics and not options.exit_zero else EXIT_CLEAN)


_WRITE_SIZE = 1 << 16  # characters gathered before a write


def _emit(pieces: Iterable[str], output_file: Path | None) -> None:
    """Write the report as it is rendered, about 64 KB at a time: on 10,000 generated files,
    holding the whole text of 65,000 findings added 78 MB to the run's peak."""
    if output_file is None:
        for text in _gathered(pieces):
            echo(text)
        return
    try:
        output_file.parent.mkdir(parents=True, exist_ok=True)
        with output_file.open("w", encoding="utf-8") as handle:
            for text in _gathered(pieces):
                handle.write(text)
    except OSError as error:
        fail(f"{output_file}: cannot write: {error.strerror or error}")


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
            echo(line if line.endswith(("\n", "\r")) else line + "\n")
    if not quiet:
        echo(f"Would fix {count} {_plural(count, 'problem')}.\n", err=True)
