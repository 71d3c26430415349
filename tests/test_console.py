"""A plainly written check is read without click, to exactly the options click reads."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from unittest import mock

import click
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemacheck import cli, console
from schemacheck.command import CheckOptions


class _Read(Exception):
    def __init__(self, options: CheckOptions) -> None:
        self.options = options


def _refuse(options: CheckOptions) -> None:
    raise _Read(options)


def clicks_reading(args: Sequence[str]) -> CheckOptions | None:
    """The options click gives ``schemacheck check`` for ``args``; None when it refuses them
    or runs something else."""
    quiet = io.StringIO()
    with (
        mock.patch.object(cli, "run_check", _refuse),
        contextlib.redirect_stdout(quiet),
        contextlib.redirect_stderr(quiet),
    ):
        try:
            cli.main(list(args))
        except _Read as read:
            return read.options
        except SystemExit:
            return None
    return None


def plain_reading(args: Sequence[str]) -> CheckOptions | None:
    return console.plain_options(args)


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "file.py").write_text("x = 1\n")
    (tmp_path / "sub").mkdir()
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(cwd)


_VALUES = ["concise", "full", "xml", "SC101", "SC1,SC2", "2", "0", "-1", "x", "always", ""]
_VALUES += ["never", "sub", "file.py", "missing/dir", " 3", "+2"]
_WORDS = ["a.py", "sub", "file.py", "check", "rule", "rules", "-", "--", "-qv", "-j2", "-h"]
_WORDS += ["--help", "--version", "--nope", "--fix=1", "--select=SC101", "--jobs=2", "--color="]
_TOKENS = st.sampled_from([*console._FLAGS, *console._VALUED, *_VALUES, *_WORDS])


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    args=st.lists(_TOKENS, max_size=8),
    cache_env=st.sampled_from([None, "", "sub", "file.py"]),
)
def test_every_plain_reading_is_clicks(
    workdir: Path, args: list[str], cache_env: str | None
) -> None:
    environment = {} if cache_env is None else {console._CACHE_ENV: cache_env}
    with mock.patch.dict(os.environ, environment):
        if cache_env is None:
            os.environ.pop(console._CACHE_ENV, None)
        plain = plain_reading(args)
        if plain is not None:
            assert plain == clicks_reading(args), args


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["check", "--force-exclude", "models.py", "migrations/versions/001.py"],
        ["--exit-zero", "-q", "--output-format", "concise", "."],
        ["models", "--select=SC101,SC102", "-j", "2", "--select", "SC3", "--no-fix", "--fix"],
        ["-o", "report.sarif", "--output-format=sarif", "--color", "never", "check"],
        ["--cache-dir", "sub", "--baseline", "file.py", "--config", "file.py", "-v", "--diff"],
    ],
)
def test_common_invocations_are_read_plainly(workdir: Path, args: list[str]) -> None:
    plain = plain_reading(args)
    assert plain is not None
    assert plain == clicks_reading(args)


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["rule", "SC101"],
        ["-qv"],
        ["--", "-odd.py"],
        ["--jobs", "0"],
        ["--output-format", "xml"],
        ["--fix=1"],
        ["--select"],
        ["--cache-dir", "file.py"],
    ],
)
def test_the_rest_is_left_to_click(workdir: Path, args: list[str]) -> None:
    assert console.plain_options(args) is None


def test_paths_click_refuses_are_left_to_it(workdir: Path) -> None:
    # Unreadable (as root every file is readable, so ``os.access`` says otherwise here).
    with mock.patch.object(os, "access", return_value=False):
        for args in (["file.py"], ["--config", "file.py"], ["--cache-dir", "sub"]):
            assert console.plain_options(args) is None
            assert clicks_reading(args) is None, args
    assert plain_reading(["missing.py"]) == clicks_reading(["missing.py"])


def test_options_are_the_commands_own() -> None:
    command = cli.cli.commands["check"]
    declared = {param.name: param for param in command.params}
    assert list(declared) == list(CheckOptions._fields)
    assert clicks_reading([]) == CheckOptions()  # the defaults, as click passes them
    flags: dict[str, tuple[str, bool]] = {}
    valued: set[str] = set()
    for param in command.params:
        if not isinstance(param, click.Option):
            continue
        if param.is_flag:
            flags.update((opt, (str(param.name), True)) for opt in param.opts)
            flags.update((opt, (str(param.name), False)) for opt in param.secondary_opts)
        else:
            valued.update(param.opts)
    assert flags == console._FLAGS
    assert set(console._VALUED) == valued
    for opt, (name, _, multiple) in console._VALUED.items():
        param = next(p for p in command.params if opt in p.opts)
        assert (param.name, param.multiple) == (name, multiple), opt


def _run(args: list[str], cwd: Path, code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=120,
    )


_LOADED = (
    "import sys\n"
    "from schemacheck import console\n"
    "sys.argv[0] = 'schemacheck'\n"
    "try:\n"
    "    console.run_check(console.plain_options(sys.argv[1:]))\n"
    "except SystemExit as done:\n"
    "    print('click' in sys.modules, done.code, file=sys.stderr)\n"
)


def test_a_plain_run_imports_no_click_and_reports_as_click_did(tmp_path: Path) -> None:
    (tmp_path / "models.py").write_text(
        "from sqlalchemy import Column, ForeignKey, Integer\n"
        "from sqlalchemy.orm import declarative_base\n\n"
        "Base = declarative_base()\n\n\n"
        "class Post(Base):\n"
        '    __tablename__ = "posts"\n'
        "    id = Column(Integer, primary_key=True)\n"
        '    author_id = Column(Integer, ForeignKey("users.id"))\n'
    )
    args = ["--no-cache", "--color", "always", "models.py"]
    plain = _run(args, tmp_path, _LOADED)
    assert plain.stderr.splitlines()[-1] == "False 1"
    through_click = _run(args, tmp_path, "from schemacheck.cli import main; main()")
    assert through_click.returncode == 1
    assert plain.stdout == through_click.stdout
    assert "\x1b[" in plain.stdout  # ``--color always`` keeps its colour through a pipe


def test_entry_takes_the_plain_path_and_falls_back_to_click(tmp_path: Path) -> None:
    (tmp_path / "models.py").write_text("x = 1\n")
    code = (
        "import sys, os\n"
        "os._exit = lambda status: (print('click' in sys.modules, status), sys.exit(0))\n"
        "from schemacheck.console import entry\n"
        "sys.argv[0] = 'schemacheck'\n"
        "entry()\n"
    )
    assert _run(["-q", "models.py"], tmp_path, code).stdout.split() == ["False", "0"]
    clicked = _run(["--jobs", "0", "models.py"], tmp_path, code)
    assert clicked.stdout.split() == ["True", "2"]
    assert "Invalid value for '-j' / '--jobs'" in clicked.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["--no-cache", "models.py"], ["rules"]])
def test_a_report_that_cannot_be_written_is_one_line_and_exit_2(
    tmp_path: Path, args: list[str]
) -> None:
    (tmp_path / "models.py").write_text(
        "from sqlalchemy import Column, Integer\n"
        "from sqlalchemy.orm import declarative_base\n\n"
        "Base = declarative_base()\n\n\n"
        "class Post(Base):\n"
        '    __tablename__ = "posts"\n'
        "    id = Column(Integer, primary_key=True)\n"
    )
    before = (tmp_path / "models.py").read_bytes()
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "schemacheck", *args],
            cwd=tmp_path,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["schemacheck: error: [Errno 28] No space left on device"]
    assert (tmp_path / "models.py").read_bytes() == before
