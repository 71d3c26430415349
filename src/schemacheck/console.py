"""The ``schemacheck`` console command: a plain invocation is read here, anything else by click.

Under pre-commit most runs are answered from the cache in 50-60 ms, and importing click (with
``datetime``, ``gettext`` and ``threading``, which nothing else needs) was about 8 ms of that.
So the arguments are first read here, for the forms people and hooks write: the paths, the
flags, and the options with a value written ``--name value``, ``--name=value`` or ``-j 2``.
Anything else (help, a version, a subcommand, bundled short flags, ``--``, a value click would
refuse) goes to :mod:`schemacheck.cli`, so every message and error stays click's. A test holds
that every argument list read here gives the options click gives.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

from schemacheck import codecache
from schemacheck.command import EXIT_ERROR, EXIT_FINDINGS, CheckOptions, run_check
from schemacheck.report import FORMATS

# Flags: option -> (field, value).
_FLAGS: dict[str, tuple[str, bool]] = {
    "--fix": ("fix", True),
    "--no-fix": ("fix", False),
    "--unsafe-fixes": ("unsafe_fixes", True),
    "--diff": ("diff", True),
    "--exit-non-zero-on-fix": ("exit_non_zero_on_fix", True),
    "--exit-zero": ("exit_zero", True),
    "--force-exclude": ("force_exclude", True),
    "--statistics": ("statistics", True),
    "--show-fixes": ("show_fixes", True),
    "--no-cache": ("no_cache", True),
    "-v": ("verbose", True),
    "--verbose": ("verbose", True),
    "-q": ("quiet", True),
    "--quiet": ("quiet", True),
}

_COLORS = ("auto", "always", "never")
_CACHE_ENV = "SCHEMACHECK_CACHE_DIR"


def _choice(allowed: Collection[str]) -> Callable[[str], Any]:
    def convert(value: str) -> str | None:
        return value if value in allowed else None

    return convert


def _jobs(value: str) -> int | None:
    try:
        jobs = int(value)
    except ValueError:
        return None
    return jobs if jobs >= 1 else None


def _path(value: str, *, file_okay: bool = True) -> Path | None:
    """``value`` as click's ``Path`` type takes it, or None where click would refuse it."""
    try:
        mode = os.stat(value).st_mode
    except ValueError:  # a NUL in the name: click's to answer
        return None
    except OSError:
        return Path(value)
    if (not file_okay and stat.S_ISREG(mode)) or not os.access(value, os.R_OK):
        return None
    return Path(value)


def _directory(value: str) -> Path | None:
    return _path(value, file_okay=False)


# Options with a value: option -> (field, conversion (None: click would refuse), multiple).
_VALUED: dict[str, tuple[str, Callable[[str], Any], bool]] = {
    "--output-format": ("output_format", _choice(FORMATS), False),
    "--select": ("select", str, True),
    "--extend-select": ("extend_select", str, True),
    "--ignore": ("ignore", str, True),
    "--config": ("config_path", _path, False),
    "--extend-exclude": ("extend_exclude", str, True),
    "--color": ("color", _choice(_COLORS), False),
    "-o": ("output_file", _path, False),
    "--output-file": ("output_file", _path, False),
    "--baseline": ("baseline_path", _path, False),
    "--write-baseline": ("write_baseline_path", _path, False),
    "-j": ("jobs", _jobs, False),
    "--jobs": ("jobs", _jobs, False),
    "--cache-dir": ("cache_dir", _directory, False),
}

# The first argument when it names another command, or asks for help or the version.
_OTHER_COMMANDS = frozenset({"rule", "rules", "--help", "-h", "--version"})


def plain_options(args: Sequence[str]) -> CheckOptions | None:
    """The options of ``schemacheck check`` given as ``args``, when they are all plainly
    written; None when click should read them."""
    if args and args[0] in _OTHER_COMMANDS:
        return None
    rest = list(args[1:] if args and args[0] == "check" else args)
    options: dict[str, Any] = {}
    paths: list[Path] = []
    many: dict[str, list[Any]] = {}
    while rest:
        token = rest.pop(0)
        if not token:
            return None
        if not token.startswith("-"):
            path = _path(token)  # the paths are click ``Path`` values too
            if path is None:
                return None
            paths.append(path)
            continue
        name, equals, inline = token.partition("=") if token.startswith("--") else (token, "", "")
        if name in _FLAGS and not equals:
            field, flag = _FLAGS[name]
            options[field] = flag
            continue
        if name not in _VALUED:
            return None
        if equals:
            raw = inline
        elif rest and not rest[0].startswith("-"):
            raw = rest.pop(0)
        else:
            return None
        field, convert, multiple = _VALUED[name]
        value = convert(raw)
        if value is None:
            return None
        if multiple:
            many.setdefault(field, []).append(value)
        else:
            options[field] = value
    if "cache_dir" not in options and os.environ.get(_CACHE_ENV):
        cache_dir = _directory(os.environ[_CACHE_ENV])
        if cache_dir is None:
            return None
        options["cache_dir"] = cache_dir
    options.update((field, tuple(values)) for field, values in many.items())
    return CheckOptions(paths=tuple(paths), **options)


def entry() -> None:
    """The console command, then an exit without the interpreter's teardown.

    A run holds every model until it ends; freeing millions of small objects one by one at
    exit took seconds on large projects, longer than some whole checks. Everything the run
    writes is written before the command returns, so once the output is flushed the process
    ends at once (``os._exit``, as mypy does).
    """
    codecache.install()
    try:
        options = plain_options(sys.argv[1:])
        if options is None:
            from schemacheck.cli import main

            main()
        else:
            run_check(options)
        status = 0
    except SystemExit as done:
        if done.code is None or isinstance(done.code, int):
            status = done.code or 0
        else:
            sys.stderr.write(f"{done.code}\n")
            status = 1
    except OSError as error:
        if error.errno == errno.EPIPE:  # a closed pipe (``| head``): status 1, as click ends
            status = EXIT_FINDINGS
        else:  # the report could not be written (a full disk): one line, not a traceback
            with contextlib.suppress(OSError, ValueError):
                sys.stderr.write(f"schemacheck: error: {error}\n")
            status = EXIT_ERROR
    codecache.save()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more to say
            status = status or EXIT_ERROR
    os._exit(status)
