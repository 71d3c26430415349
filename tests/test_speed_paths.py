"""The fast paths give the answers of the slow one: prefilter, worker processes and the cache.

Each shortcut is checked against a plain run (one process, no cache) on the same files, with
exact equality of every finding, including the project's cross-file ones.
"""

from __future__ import annotations

import fnmatch
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import tokenize
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from schemacheck import pipeline, runner, workers
from schemacheck.cache import Cache, RunRecord
from schemacheck.cli import cli
from schemacheck.config import Config, Selection
from schemacheck.extract.names import Names
from schemacheck.files import DEFAULT_EXCLUDES, discover, matches
from schemacheck.results import FileResult, RunResult, Settings, make_settings
from schemacheck.runner import Parsed, check_text, parse_text, release
from schemacheck.session import run, settings_fingerprint
from schemacheck.source import SourceDecodeError, SourceFile
from tests.helpers import FIXTURES, all_rules_fixing
from tests.test_cli import run as run_cli

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
from corpus import generate


def _inside(path: str) -> str:
    """A path from the project directory on (runs on copies of a project compare equal)."""
    parts = Path(path).parts
    return "/".join(parts[parts.index("project") + 1 :])


def _findings(result: RunResult) -> list[tuple[object, ...]]:
    found = []
    for d in result.diagnostics:
        related = tuple((_inside(r.path), r.span, r.message) for r in d.related)
        found.append((_inside(d.path), d.code, d.span, d.message, related, d.fix is not None))
    return found


def _check(root: Path, *, jobs: int = 1, cache: bool = False) -> RunResult:
    settings = make_settings(Config(root=root), Selection(select=["ALL"]))
    store = Cache(root / ".cache", settings_fingerprint(settings)) if cache else None
    return run([root], settings, write=False, jobs=jobs, cache=store)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus") / "project"
    generate(root, models=40, migrations=24, seed=7)
    return root


# Where processes can fork, files are checked in processes forked from the one that built the
# project; elsewhere each worker checks its own files against a project it rebuilds.
START_METHODS = ["fork", "spawn"]


@pytest.mark.parametrize("method", START_METHODS)
def test_two_jobs_report_exactly_what_one_does(
    corpus: Path, method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = _check(corpus, jobs=1)
    monkeypatch.setattr(workers, "START_METHOD", method)
    two = _check(corpus, jobs=2)
    assert _findings(one) and _findings(two) == _findings(one)
    assert [f.path for f in two.files] == [f.path for f in one.files]
    assert two.errors == one.errors == []


@pytest.mark.parametrize("method", START_METHODS)
def test_project_fixtures_with_two_jobs(
    tmp_path: Path, method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Enough copies of a real multi-module project that worker processes are used.
    root = tmp_path / "project"
    for copy in range(4):
        shutil.copytree(FIXTURES / "projects" / "shop", root / f"shop{copy}")
    one = _check(root, jobs=1)
    monkeypatch.setattr(workers, "START_METHOD", method)
    two = _check(root, jobs=2)
    assert _findings(two) == _findings(one)
    assert two.errors == one.errors == []


def test_workers_get_files_one_at_a_time_near_the_end(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks of several files go out while the queue holds much more, and the last files one
    by one: this process, which takes the smallest files from the other end, would otherwise
    wait at the end for a worker's last chunk of several."""
    sent: list[list[object]] = []
    real_sent = workers._sent

    def recording(connection: object, command: tuple[str, object]) -> None:
        if command[0] == "prepare":
            chunk, _ = command[1]  # type: ignore[misc]
            sent.append(list(chunk))
        real_sent(connection, command)  # type: ignore[arg-type]

    monkeypatch.setattr(workers, "START_METHOD", "fork")
    monkeypatch.setattr(workers, "_sent", recording)
    monkeypatch.setattr(workers, "_CHUNKS_PER_WORKER", 4)  # chunks of several of these files
    one = _findings(_check(corpus, jobs=1))
    assert _findings(_check(corpus, jobs=2)) == one
    sizes = [len(chunk) for chunk in sent]
    assert max(sizes) > 1 and sizes[-1] == 1, sizes
    files = [task for chunk in sent for task in chunk]
    assert len(files) == len(set(files))


# A worker that dies while preparing files leaves the run to this process; a forked process
# that dies while checking files leaves its share to this process.
@pytest.mark.parametrize("dies", ["_serve", "_send_finished"])
def test_processes_that_die_leave_their_work_to_this_one(
    corpus: Path, dies: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = _findings(_check(corpus, jobs=1))
    monkeypatch.setattr(workers, "START_METHOD", "fork")
    monkeypatch.setattr(workers, dies, lambda *args: os._exit(3))
    assert _findings(_check(corpus, jobs=2)) == one


@pytest.mark.parametrize("method", START_METHODS)
def test_files_that_keep_their_trees_report_the_same_with_two_jobs(
    tmp_path: Path, method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each module calls a function of the project: it keeps its tree for linking, whichever
    # process prepares it; SC204's finding reads the model's statement nodes.
    root = tmp_path / "project"
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "extensions.py").write_text(
        "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n\n\n"
        "def slug(text: str) -> str:\n    return text.lower()\n"
    )
    for number in range(24):
        (root / "app" / f"model_{number}.py").write_text(
            "from sqlalchemy import String\n"
            "from sqlalchemy.orm import Mapped, mapped_column\n\n"
            "from app.extensions import db, slug\n\n\n"
            f"class Thing{number}(db.Model):\n"
            f'    __tablename__ = "thing_{number}"\n\n'
            "    id: Mapped[int] = mapped_column(primary_key=True)\n"
            "    name: Mapped[str] = mapped_column(String(40), nullable=True)\n\n"
            "    def slug(self) -> str:\n"
            "        return slug(self.name)\n"
        )
    one = _check(root, jobs=1)
    assert runner.may_need_links(*_names_and_text(root / "app" / "model_0.py"), frozenset({"app"}))
    monkeypatch.setattr(workers, "START_METHOD", method)
    two = _check(root, jobs=2)
    assert "SC204" in {d.code for d in one.diagnostics}
    assert _findings(two) == _findings(one)
    assert two.errors == one.errors == []


def _names_and_text(path: Path) -> tuple[Names, str]:
    text = path.read_text()
    parsed = parse_text(text, path.name, make_settings(Config(root=path.parent), Selection()))
    assert isinstance(parsed, Parsed)
    return parsed.names, text


@pytest.mark.parametrize("method", START_METHODS)
def test_two_jobs_fix_exactly_what_one_does(
    corpus: Path, method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(
        Config(root=corpus), Selection(select=["ALL"]), fix=True, unsafe_fixes=True
    )
    one = run([corpus], settings, write=False, jobs=1)
    monkeypatch.setattr(workers, "START_METHOD", method)
    two = run([corpus], settings, write=False, jobs=2)
    fixed = [(f.path, f.source, f.fixed_codes) for f in one.files if f.changed]
    assert fixed and [(f.path, f.source, f.fixed_codes) for f in two.files if f.changed] == fixed
    assert _findings(two) == _findings(one)
    assert two.errors == one.errors == []


def _laid_out_project(root: Path) -> None:
    """Model files whose calls span lines, indented differently from file to file: each
    process meets the (line break and indent, comma) pairs around their insertion points in
    its own order."""
    for number in range(40):
        indent = " " * (2 + number % 7)
        columns = "".join(
            f"    c{i} = db.Column(\n{indent}db.String({10 + i}),\n{indent}index=True,\n    )\n"
            for i in range(1 + number % 5)
        )
        (root / f"m{number:02}.py").write_text(
            "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n\n\n"
            f"class T{number}(db.Model):\n    __tablename__ = 't{number}s'\n"
            f"    id = db.Column(db.Integer, primary_key=True)\n{columns}",
            encoding="utf-8",
        )


def test_fix_text_of_laid_out_calls_is_the_same_in_every_process(tmp_path: Path) -> None:
    """Insertion points carry their surrounding text whichever process made them: a model
    prepared by a worker, or loaded from the cache in a later run, gives the fixes one
    process gives. Each run is a fresh process, as on the command line: each process numbers
    the (line break and indent, comma) pairs in the order it meets them, and a call packs
    those numbers into one int."""
    root = tmp_path / "project"
    root.mkdir()
    _laid_out_project(root)

    def edits(*args: str) -> list[Any]:
        result = run_cli("--select", "ALL", "--output-format", "json", *args, ".", cwd=root)
        assert result.returncode == 1 and not result.stderr, result.stderr
        return [(d["path"], d["code"], d["line"], d["fix"]) for d in json.loads(result.stdout)]

    one = edits("--no-cache", "-j1")
    laid_out = [e for *_, fix in one if fix for e in fix["edits"] if "\n" in e["content"]]
    assert laid_out  # insertions laid out over lines
    assert edits("--no-cache", "-j2") == one
    assert edits("-j2") == one  # the cache written from what the workers sent
    target = root / "m07.py"
    target.write_text(target.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert edits("-j1") == one
    target.write_text(target.read_text(encoding="utf-8") + "\n# edited again\n", encoding="utf-8")
    assert edits("-j2") == one


def test_files_cached_as_workers_pickled_them_serve_the_next_run(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two jobs store what the workers sent; a run after one edit rebuilds the project from it."""
    root = tmp_path / "project"
    shutil.copytree(corpus, root)
    _check(root, jobs=2, cache=True)
    target = sorted(root.rglob("*.py"))[5]
    target.write_text(target.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    prepared: list[Path] = []
    real = workers.prepare_file

    def counting(path: Path, settings: Settings) -> object:
        prepared.append(path)
        return real(path, settings)

    monkeypatch.setattr(workers, "prepare_file", counting)
    cached = _check(root, jobs=1, cache=True)
    assert prepared == [target]
    monkeypatch.undo()
    shutil.rmtree(root / ".cache")
    assert _findings(cached) == _findings(_check(root))


def test_a_warm_run_parses_nothing_and_reports_the_same(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "project"
    shutil.copytree(corpus, root)
    plain = _check(corpus)
    cold = _check(root, cache=True)
    assert (root / ".cache" / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"

    def no_parsing(*args: object) -> object:
        raise AssertionError("a file was prepared on a warm run")

    monkeypatch.setattr(workers, "prepare_file", no_parsing)
    warm = _check(root, cache=True)
    assert _findings(warm) == _findings(cold) == _findings(plain)
    assert [f.source for f in warm.files] == [f.source for f in cold.files]


_EDITS = [
    # (what, replacement): realistic edits that change findings here and elsewhere
    ("    __tablename__ = ", "    __tablename__ = 'renamed_' + "),
    (", index=True", ""),
    ('ondelete="CASCADE"', 'ondelete="SET NULL"'),
    ("BigInteger", "Integer"),
    ("class ", "# a comment\n\nclass "),
    ("down_revision = ", "down_revision = None  # "),
    ("back_populates=", "backref="),
]


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.randoms(use_true_random=False), st.integers(min_value=1, max_value=3))
def test_after_edits_the_cache_reports_what_a_cold_run_does(
    corpus: Path, tmp_path_factory: pytest.TempPathFactory, rnd: random.Random, edits: int
) -> None:
    root = tmp_path_factory.mktemp("edited") / "project"
    shutil.copytree(corpus, root)
    _check(root, cache=True)
    files = sorted(p for p in root.rglob("*.py") if ".cache" not in p.parts)
    for _ in range(edits):
        path = rnd.choice(files)
        text = path.read_text(encoding="utf-8")
        old, new = rnd.choice(_EDITS)
        if old in text:
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
        else:
            path.unlink()  # a file removed from the project
            files.remove(path)
    cached = _check(root, cache=True)
    shutil.rmtree(root / ".cache")
    assert _findings(cached) == _findings(_check(root))


def test_a_run_after_one_change_pickles_only_the_results_it_made(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Results taken from the run record go back into the next record as they were pickled;
    the report is still a cold run's."""
    root = tmp_path / "project"
    shutil.copytree(corpus, root)
    _check(root, cache=True)
    made: list[str] = []
    recorded = pipeline._recorded

    def counted(result: FileResult) -> bytes:
        made.append(result.path)
        return recorded(result)

    monkeypatch.setattr(pipeline, "_recorded", counted)
    leaf = sorted(root.rglob("*.py"))[-1]
    leaf.write_text(leaf.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    cached = _check(root, cache=True)
    assert 0 < len(made) < len(cached.files) // 4, (len(made), len(cached.files))
    assert any(path.endswith(leaf.name) for path in made)
    monkeypatch.undo()
    again = _check(root, cache=True)  # answered from the record just written
    shutil.rmtree(root / ".cache")
    assert _findings(cached) == _findings(again) == _findings(_check(root))


def test_files_linked_with_project_aliases_come_linked_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``from blog.database import Column`` (an alias of ``db.Column``) is linked once: after
    one file changes, only that file is parsed; after the alias changes, its importers are."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "projects" / "blog", root)
    parsed: list[Path] = []

    def counting(text: str, display: str, settings: object) -> object:
        parsed.append(Path(display).resolve())
        return parse_text(text, display, settings)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "parse_text", counting)
    _check(root, cache=True)
    user = root / "blog" / "user" / "models.py"
    articles = root / "blog" / "articles" / "models.py"
    assert {user.resolve(), articles.resolve()} <= set(parsed)

    parsed.clear()
    user.write_text(user.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    cached = _check(root, cache=True)
    assert parsed == [user.resolve()]
    assert _findings(cached) == _findings(_check(root))

    parsed.clear()
    database = root / "blog" / "database.py"
    text = database.read_text(encoding="utf-8")
    database.write_text(
        text.replace("Column = db.Column", "from sqlalchemy.orm import mapped_column as Column"),
        encoding="utf-8",
    )
    cached = _check(root, cache=True)
    assert {user.resolve(), articles.resolve()} <= set(parsed)
    shutil.rmtree(root / ".cache")
    assert _findings(cached) == _findings(_check(root))


def test_a_damaged_cache_is_a_miss(corpus: Path, tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(corpus, root)
    cold = _check(root, cache=True)
    for path in (root / ".cache").rglob("*.pickle"):
        path.write_bytes(path.read_bytes()[:20])
    assert _findings(_check(root, cache=True)) == _findings(cold)


@pytest.mark.parametrize("edited", [False, True])
def test_recorded_results_that_no_longer_load_are_checked_again(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edited: bool
) -> None:
    """A record written by another build of the same version may hold results this one cannot
    unpickle: each is a miss, never a crash, whether nothing changed or one file did."""
    root = tmp_path / "project"
    shutil.copytree(corpus, root)
    _check(root, cache=True)
    load_run = Cache.load_run

    def stale(self: Cache, paths: list[str]) -> RunRecord | None:
        record = load_run(self, paths)
        if record is not None:
            record.results = dict.fromkeys(record.results, b"\x80\x05garbage")
        return record

    monkeypatch.setattr(Cache, "load_run", stale)
    if edited:
        leaf = sorted(root.rglob("*.py"))[-1]
        leaf.write_text(leaf.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    cached = _check(root, cache=True)
    shutil.rmtree(root / ".cache")
    assert _findings(cached) == _findings(_check(root))


def test_cache_options_on_the_command_line(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "projects" / "shop", tmp_path / "shop")
    runner = CliRunner()
    outside = tmp_path / "elsewhere"
    args = ["check", str(tmp_path / "shop"), "--cache-dir", str(outside)]
    first = runner.invoke(cli, args)
    second = runner.invoke(cli, args)
    assert first.exit_code == second.exit_code == 1
    assert first.output == second.output
    assert (outside / ".gitignore").is_file() and (outside / "CACHEDIR.TAG").is_file()
    none = tmp_path / "none"
    result = runner.invoke(cli, ["check", str(tmp_path / "shop"), "--no-cache", "-j", "2"])
    assert result.output == first.output and not none.exists()
    bad = runner.invoke(cli, ["check", str(tmp_path / "shop"), "--jobs", "0"])
    assert bad.exit_code == 2


def test_context_files_are_read_as_themselves_when_the_context_changes(tmp_path: Path) -> None:
    # Checking some files (as pre-commit does) reads their packages and directories as
    # context. When a checked file stops being a model file, the context shrinks, and every
    # context file must still be read for what it is, not for what stood in its place.
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "projects" / "shop", root)
    scripts = root / "scripts"
    scripts.mkdir()
    (scripts / "audit.py").write_text(
        "from sqlalchemy import BigInteger, ForeignKey\n"
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\n"
        "class Base(DeclarativeBase):\n    pass\n\n\n"
        "class Audit(Base):\n"
        '    __tablename__ = "audits"\n'
        "    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)\n"
        '    entry_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("entries.id"))\n',
        encoding="utf-8",
    )
    (scripts / "entries.py").write_text(
        "from sqlalchemy import Column, MetaData, String, Table\n\n"
        'entries = Table("entries", MetaData(), Column("id", String(36), primary_key=True))\n',
        encoding="utf-8",
    )
    order = root / "app" / "models" / "order.py"
    checked = [order, scripts / "audit.py"]
    settings = make_settings(Config(root=root), Selection(select=["ALL"]))

    def check(cache: bool) -> RunResult:
        store = Cache(root / ".cache", settings_fingerprint(settings)) if cache else None
        return run(checked, settings, write=False, cache=store)

    check(cache=True)
    order.write_text("def total(lines):\n    return sum(lines)\n", encoding="utf-8")
    after = check(cache=True)
    assert _findings(after) == _findings(check(cache=False))
    # Only entries.py, read as context, says the key is a string.
    assert any(d.code == "SC104" for d in after.diagnostics)


# What a run that checks files needs, and a run answered from the cache does not: importing it
# all was two thirds of a cached run's time.
_CHECKING_MODULES = (
    "libcst",
    "schemacheck.rules",
    "schemacheck.runner",
    "schemacheck.pipeline",
    "schemacheck.project",
    "schemacheck.schema",
    "schemacheck.extract",
)


# The command line in a fresh process, with the script's arguments; then what follows.
_RUN_THEN = (
    "import sys\n"
    "from schemacheck.cli import main\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "except SystemExit:\n"
    "    pass\n"
)


def test_a_warm_run_loads_neither_the_parser_nor_the_model_nor_the_rules(
    corpus: Path, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    shutil.copytree(corpus, project)
    script = _RUN_THEN + (
        f"wanted = {_CHECKING_MODULES!r}\n"
        "print(sorted(w for w in wanted if any(m == w or m.startswith(w + '.') "
        "for m in sys.modules)), file=sys.stderr)\n"
    )
    options = ["--cache-dir", str(tmp_path / "cache"), "-j1", "--exit-zero", "-q", str(project)]
    loaded = []
    reports = []
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", script, *options],
            capture_output=True,
            text=True,
            check=True,
        )
        loaded.append(done.stderr.strip().splitlines()[-1])
        reports.append(done.stdout)
    assert loaded == [repr(sorted(_CHECKING_MODULES)), "[]"]
    assert reports[0] and reports[1] == reports[0]


def test_a_few_changed_files_are_parsed_by_a_worker_while_the_rest_load(
    corpus: Path, tmp_path: Path
) -> None:
    """With two jobs, the files that changed are parsed in a worker, and this process never
    imports the parser; the report is a cold run's."""
    project = tmp_path / "project"
    shutil.copytree(corpus, project)
    script = _RUN_THEN + "print('libcst' in sys.modules, file=sys.stderr)\n"
    options = ["--exit-zero", "--select", "ALL", "--output-format", "json", str(project)]

    def report(*flags: str) -> tuple[str, str]:
        done = subprocess.run(
            [sys.executable, "-c", script, *flags, *options],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout, done.stderr.strip().splitlines()[-1]

    cache = ["--cache-dir", str(tmp_path / "cache"), "-j2"]
    assert report(*cache)[1] == "True"  # a cold run parses here
    models = sorted(p for p in project.rglob("*.py") if "__tablename__" in p.read_text("utf-8"))
    for path, (old, new) in zip(models[::7], _EDITS):
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    cached, parser_here = report(*cache)
    assert parser_here == "False"
    assert json.loads(cached) == json.loads(report("--no-cache", "-j1")[0])


def test_the_console_command_flushes_its_report_and_keeps_the_exit_code(corpus: Path) -> None:
    """``python -m schemacheck`` ends without the interpreter's teardown: nothing may be lost."""
    command = [sys.executable, "-m", "schemacheck", "--no-cache", "--output-format", "json"]
    done = subprocess.run([*command, str(corpus)], capture_output=True, text=True)
    in_process = CliRunner().invoke(cli, ["--no-cache", "--output-format", "json", str(corpus)])
    assert done.returncode == in_process.exit_code == 1
    assert json.loads(done.stdout) == json.loads(in_process.output)
    missing = subprocess.run([*command, str(corpus / "missing")], capture_output=True, text=True)
    assert missing.returncode == 2
    assert missing.stderr.startswith("schemacheck: error:") and missing.stdout == ""


def _matches_one_by_one(relative: str, name: str, patterns: list[str]) -> bool:
    """Exclude matching as defined: each glob on its own, with ``fnmatch``."""
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if fnmatch.fnmatchcase(relative, pattern) or fnmatch.fnmatchcase(name, pattern):
            return True
        if pattern.startswith("**/") and fnmatch.fnmatchcase(relative, pattern[3:]):
            return True
        if fnmatch.fnmatchcase(relative, pattern + "/*"):
            return True
    return False


_GLOB_PART = st.sampled_from(["a", "b", "models", "*", "?", "[ab]", "**", ".py", "_"])
_GLOBS = st.lists(st.lists(_GLOB_PART, min_size=1, max_size=3).map("".join), max_size=3).map(
    "/".join
)
_PATH_PART = st.lists(st.sampled_from(["a", "b", "models", ".py", "_", "x"]), min_size=1).map(
    "".join
)


@settings(max_examples=300, deadline=None)
@example(["a"], ["a", "x"])  # a plain name: the path's first part, or the name itself
@example(["models/"], ["b", "models"])
@example(["models", "*_"], ["models", "b", "x"])
@example(["a", "b"], ["x", "ab"])
@given(st.lists(_GLOBS, max_size=4), st.lists(_PATH_PART, min_size=1, max_size=4))
def test_excludes_match_as_each_glob_does_alone(patterns: list[str], parts: list[str]) -> None:
    root = Path("/project")
    path = root.joinpath(*parts)
    relative = "/".join(parts)
    assert matches(path, root, patterns) == _matches_one_by_one(relative, parts[-1], patterns)


def _discovered_one_by_one(top: Path, root: Path, patterns: list[str]) -> list[Path]:
    """Discovery as defined: a walk where every directory and file is matched on its own."""
    found: list[Path] = []
    seen: set[tuple[int, int]] = set()
    for directory, dirnames, filenames in os.walk(top):
        current = Path(directory)
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not matches(current / d, root, patterns)
            and not (current / d / "pyvenv.cfg").is_file()
        )
        for name in sorted(filenames):
            path = current / name
            if name.endswith((".py", ".pyi")) and not matches(path, root, patterns):
                stat = path.stat()
                if (stat.st_dev, stat.st_ino) not in seen:
                    seen.add((stat.st_dev, stat.st_ino))
                    found.append(path)
    return found


_TREE_NAMES = st.sampled_from(
    ["a", "b", "models", "build", "venv", "x.py", "y.pyi", "z.txt", "pyvenv.cfg", "m_test.py"]
)


@settings(max_examples=60, deadline=None)
@example([["a", "b", "x.py"], ["a", "x.py"], ["b", "a", "b", "x.py"]], ["a/b"], [])
@example([["a", "models", "b", "x.py"], ["models", "y.pyi"]], ["**/models", "a/*"], [])
@example([["a", "x.py"], ["b", "y.pyi"]], ["*_test.py"], [(1, "m_test.py", 0), (0, "z.py", -1)])
# From outside the root (``a``), a link into it matches as its target: ``b/x.py`` is excluded.
@example([["a", "b", "x.py"]], ["b"], [(0, "l.py", 0)])
@given(
    st.lists(st.lists(_TREE_NAMES, min_size=1, max_size=4), max_size=12),
    st.lists(st.sampled_from(["*_test.py", "a/b", "**/models", "b", "*.pyi", "a/*"]), max_size=3),
    # Symlinks to files: (a directory of the tree, the link's name, a file of the tree, or -1
    # for a file outside it)
    st.lists(
        st.tuples(
            st.integers(0, 12), st.sampled_from(["l.py", "l_test.py", "m.pyi"]), st.integers(-1, 12)
        ),
        max_size=3,
    ),
)
def test_discovery_matches_each_path_on_its_own(
    tree: list[list[str]], excludes: list[str], links: list[tuple[int, str, int]]
) -> None:
    """Files found by the walk, with excludes read once per directory, are those found by
    matching every path alone (default excludes, virtualenvs, symlinks and order included),
    from inside the root and from outside it."""
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory, "tree")
        root.mkdir()
        outside = Path(directory, "outside_test.py")
        outside.write_text("", encoding="utf-8")
        for parts in tree:
            path = root.joinpath(*parts)
            if any(p.is_file() for p in [path, *path.parents] if root in p.parents):
                continue  # a file stands where a directory would go
            if path.exists():
                continue
            if "." in parts[-1]:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text("", encoding="utf-8")
            else:
                path.mkdir(parents=True, exist_ok=True)
        directories = sorted(p for p in root.rglob("*") if p.is_dir() and not p.is_symlink())
        files = sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())
        for where, name, target in links:
            link = [root, *directories][where % (len(directories) + 1)] / name
            if not link.exists() and not link.is_symlink():
                link.symlink_to(files[target % len(files)] if files and target >= 0 else outside)
        patterns = [*DEFAULT_EXCLUDES, *excludes]
        alias = Path(directory, "alias")  # outside the root as written, inside it in fact
        alias.symlink_to(root / "a")
        for top, base in ((root, root), (root / "a", root), (root, root / "a"), (alias, root)):
            if top.is_dir():
                assert list(discover([top], base, excludes)) == _discovered_one_by_one(
                    top, base, patterns
                )


def _decoded_by_the_tokenizer(data: bytes) -> tuple[str, str] | str:
    """What a file's bytes decode to when the tokenizer always detects the encoding."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        return str(error)
    try:
        return data.decode(encoding), encoding
    except (UnicodeDecodeError, LookupError) as error:
        return f"cannot decode as {encoding}: {error}"


_FILE_PIECES = st.sampled_from(
    [
        b"# -*- coding: latin-1 -*-",
        b"# coding=utf-8",
        b"# vim: set fileencoding=ascii :",
        b"# coding: no-such-codec",
        b"#!/usr/bin/env python",
        b"\xef\xbb\xbf",
        b"x = 1",
        b"'\xc3\xa9'",
        b"\xe9",
        b"coding",
        b"\n",
        b"\r\n",
        b"\r",
    ]
)


@settings(max_examples=300, deadline=None)
@example([b"x = 1", b"\r", b"# coding: latin-1", b"\n", b"\xe9"])
@example([b"\n", b"\n", b"# coding: latin-1", b"\xe9"])
@given(st.lists(_FILE_PIECES, max_size=8))
def test_files_decode_as_the_tokenizer_decodes_them(pieces: list[bytes]) -> None:
    """Files without a BOM or a coding line skip the detection: same text, encoding or error."""
    data = b"".join(pieces)
    try:
        source = SourceFile.from_bytes(data)
        decoded: tuple[str, str] | str = (source.text, source.encoding)
    except SourceDecodeError as error:
        decoded = str(error)
    assert decoded == _decoded_by_the_tokenizer(data)


_EVERY_MODEL_FIXTURE = sorted(
    p
    for p in [*(FIXTURES / "rules").glob("SC*/*.py"), *(FIXTURES / "inputs").glob("*.py")]
    if not p.name.endswith(".fixed.py")
)


@pytest.mark.parametrize("source", _EVERY_MODEL_FIXTURE, ids=lambda p: p.parent.name + "/" + p.name)
def test_fixes_are_the_same_without_the_tree(source: Path) -> None:
    """A file checked from its model alone (as cached files are) gets the very findings and
    fixes it gets with its tree: statements a fix rewrites are parsed on their own."""
    settings = all_rules_fixing(source)
    try:
        text = SourceFile.from_bytes(source.read_bytes()).text
    except SourceDecodeError:
        pytest.skip("not source text")
    display = source.name
    parsed = parse_text(text, display, settings)
    if not isinstance(parsed, Parsed):
        pytest.skip("not parsed (a syntax error, or newer syntax than this Python's)")
    kept = check_text(text, str(source), display, settings.rules, settings)
    release(parsed)
    alone = check_text(text, str(source), display, settings.rules, settings, parsed=parsed)
    assert alone[2] == kept[2] == []
    assert alone[0] == kept[0]


def test_ranges_of_nodes_the_offsets_pass_leaves_out_are_measured_on_request() -> None:
    import libcst

    from schemacheck.extract.models import ModelExtractor
    from schemacheck.source import LineIndex

    text = "x = sa . f( a , b )  # note\n"
    module = libcst.parse_module(text)
    extractor = ModelExtractor(module, text, "m.py", LineIndex(text))
    call = module.body[0].body[0].value  # type: ignore[attr-defined]
    dot = call.func.dot
    assert id(dot) not in extractor.offsets  # whitespace and punctuation are not measured
    start, end = extractor.offsets_of(dot)
    assert text[start:end] == "."
    assert extractor.code(call) == "sa . f( a , b )"


_PIECES = [
    *("db", "app", "x1", "_", "é", "9", ".", "Column", "mapped_column", "Model", "(", " ", "\n"),
    *("db.Column(", "app.db.Column(", "x1.mapped_column (", "db.Model", "é.Model)", ".Column("),
]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(_PIECES), max_size=14).map("".join))
def test_flask_handles_are_read_back_as_a_lookbehind_pattern_reads_them(text: str) -> None:
    import re

    from schemacheck.extract.names import _COLUMN_CALL, _MODEL_ATTRIBUTE, receivers

    column_calls = re.compile(r"(?<![\w.])(\w+)\.(?:Column|mapped_column)\s*\(")
    model_bases = re.compile(r"(?<![\w.])(\w+)\.Model\b")
    assert receivers(text, _COLUMN_CALL) == set(column_calls.findall(text))
    assert receivers(text, _MODEL_ATTRIBUTE) == set(model_bases.findall(text))


def test_every_node_of_a_statement_parsed_alone_has_its_range_in_the_file() -> None:
    import libcst

    from schemacheck.context import FileContext
    from schemacheck.extract.names import Names
    from schemacheck.schema import FileSchema
    from schemacheck.source import LineIndex

    text = "class A(Base):\n    id = sa . Column( Integer )\n"
    ctx = FileContext("m.py", "m.py", text, LineIndex(text), None, FileSchema("m.py"), Names())
    start = text.index("id")
    statement = ctx.parse_alone(start, len(text) - 1)
    assert isinstance(statement, libcst.Assign)
    call = statement.value
    assert isinstance(call, libcst.Call) and isinstance(call.func, libcst.Attribute)
    # Punctuation too: the tree pass leaves it out, a statement parsed alone may not.
    (dot_start, dot_end), (arg_start, arg_end) = ctx.node_range(call.func.dot, call.args[0])
    assert text[dot_start:dot_end] == "."
    assert text[arg_start:arg_end] == "Integer"
    assert ctx.node_range(call)[0] == (text.index("sa"), text.rindex(")") + 1)


@pytest.mark.parametrize("jobs", [1, 2])
def test_trees_let_go_before_the_rules_change_nothing(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """Files whose linking the project cannot change give up their trees once extracted; every
    finding is what keeping every tree until the rules run reports."""
    roots = [corpus]
    for project in sorted((FIXTURES / "projects").iterdir()):
        roots.append(tmp_path / project.name / "project")
        shutil.copytree(project, roots[-1])
    released = _count_releases(monkeypatch)
    let_go = [_findings(_check(root, jobs=jobs)) for root in roots]
    assert jobs > 1 or released  # (worker processes count their own)
    monkeypatch.setattr(workers._Files, "_kept", lambda self, item: True)
    kept = [_findings(_check(root, jobs=jobs)) for root in roots]
    assert let_go == kept


def _count_releases(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    released: list[object] = []

    def counting(parsed: Parsed) -> None:
        released.append(parsed.schema.path)
        release(parsed)

    monkeypatch.setattr(workers, "release", counting)
    return released


def test_a_file_linked_after_its_tree_went_is_parsed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``String`` imported from the application and never called looks unlinkable, but is
    SQLAlchemy's: the file is parsed again to be linked, and gets its findings."""
    root = tmp_path / "project"
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "types.py").write_text("from sqlalchemy import String\n")
    (root / "app" / "models.py").write_text(
        "from sqlalchemy import Column, Integer\n"
        "from sqlalchemy.orm import declarative_base\n"
        "from app.types import String\n\n"
        "Base = declarative_base()\n\n\n"
        "class User(Base):\n"
        '    __tablename__ = "users"\n'
        "    id = Column(Integer, primary_key=True)\n"
        "    name = Column(String, nullable=False)\n"
    )
    released = _count_releases(monkeypatch)
    found = _findings(_check(root))
    assert any(path.endswith("models.py") for path in map(str, released))
    assert ("app/models.py", "SC202") in {(path, code) for path, code, *_ in found}
    monkeypatch.setattr(workers._Files, "_kept", lambda self, item: True)
    assert found == _findings(_check(root))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from app.extensions import db\ndb.session.execute(x)\n", True),
        ("from .core import sessionmaker\nSession = sessionmaker()\n", True),
        ("from app.base import Base, Mixin\nclass A(Base, Mixin): ...\n", False),
        ("from app.models import User\nx = User.id\n", False),
        ("from logging import getLogger\nlog = getLogger(__name__)\n", False),  # not the app
        ("from sqlalchemy import Column\nx = Column()\n", False),  # the library itself
        ("from app.extensions import db\nx = 1  # db.session\n", True),  # a guess, on the safe side
    ],
)
def test_which_files_keep_their_trees_for_linking(source: str, expected: bool) -> None:
    parsed = parse_text(source, "m.py", all_rules_fixing(Path("m.py")))
    assert isinstance(parsed, Parsed)
    modules = runner.module_words([Path("app/models.py"), Path("m.py")])
    assert runner.may_need_links(parsed.names, source, modules) is expected


def _needs_links_name_by_name(names: Names, text: str, modules: frozenset[str]) -> bool:
    """``may_need_links`` as it was first written: one search of the text per imported name."""
    for local, target in names.bindings.items():
        root = target.split(".")[0]
        if local in names.handles or root in runner._LIBRARIES or root not in ("", *modules):
            continue
        after = r"\s*[.(]" if local[:1].islower() else r"\s*\("
        if re.search(rf"(?<![\w.]){re.escape(local)}{after}", text):
            return True
    return False


_IMPORTED = ["db", "sess", "session", "Session", "S", "maker", "make_table", "Column", "ab", "a"]
_USES = ["{}(", "{} (", "{}.x", "{} .x", "x.{}(", "{}_x(", "x{}(", "{}", "# {}(", "'{}.q'"]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(_IMPORTED), min_size=1, max_size=5, unique=True),
    st.sampled_from(["app.core", ".core", "sqlalchemy.orm", "logging"]),
    st.lists(st.tuples(st.sampled_from(_IMPORTED), st.sampled_from(_USES)), max_size=4),
)
def test_files_keep_their_trees_for_the_names_each_search_would_find(
    imported: list[str], home: str, uses: list[tuple[str, str]]
) -> None:
    """All the imported names searched at once, as each was searched alone."""
    source = f"from {home} import {', '.join(imported)}\n" + "".join(
        "y = " + use.format(name) + (")" if use.endswith("(") else "") + "\n" for name, use in uses
    )
    parsed = parse_text(source, "m.py", all_rules_fixing(Path("m.py")))
    if not isinstance(parsed, Parsed):
        return
    modules = runner.module_words([Path("app/core.py"), Path("m.py")])
    assert runner.may_need_links(parsed.names, source, modules) is _needs_links_name_by_name(
        parsed.names, source, modules
    )


def test_files_without_a_per_file_ignore_share_the_runs_rules(tmp_path: Path) -> None:
    """Every prepared file holds its rules: one tuple for all files that ignore none."""
    config = Config(root=tmp_path, per_file_ignores={"legacy/*": ["SC201"]})
    run_settings = make_settings(config, Selection(select=["ALL"]))
    assert runner._rules_for(tmp_path / "models.py", run_settings) is run_settings.rules
    kept = runner._rules_for(tmp_path / "legacy" / "models.py", run_settings)
    assert [r.code for r in kept] == [r.code for r in run_settings.rules if r.code != "SC201"]


def test_a_relative_path_is_resolved_from_the_directory_of_the_moment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Resolved paths are remembered by their absolute path: ``models.py`` in one project is
    not ``models.py`` in the next one a process checks (or reports on, without a run)."""
    from schemacheck.files import resolved

    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        monkeypatch.chdir(tmp_path / name)
        assert resolved(Path("models.py")) == tmp_path.resolve() / name / "models.py"


def test_a_files_own_items_are_let_go_after_its_rules_and_found_again() -> None:
    """Which items a file defines itself is asked only by its own rules: the set goes once they
    have run (the mapping stays for the project rules), and comes back if asked again."""
    from schemacheck.mapping import Mapping
    from schemacheck.project import Project, ProjectFile

    run_settings = make_settings(Config(root=FIXTURES), Selection(select=["ALL"]))
    text = (
        "from sqlalchemy import Column, Integer\n"
        "from sqlalchemy.orm import declarative_base\n\n"
        "Base = declarative_base()\n\n\n"
        "class User(Base):\n"
        "    __tablename__ = 'users'\n"
        "    id = Column(Integer, primary_key=True)\n"
    )
    parsed = parse_text(text, "models.py", run_settings)
    other = parse_text(text, "other.py", run_settings)
    assert isinstance(parsed, Parsed) and isinstance(other, Parsed)
    mapping = Mapping(parsed.schema)
    own, foreign = parsed.schema.classes[0].columns[0], other.schema.classes[0].columns[0]
    assert mapping.is_own(own) and not mapping.is_own(foreign)
    mapping.settle()
    assert mapping._own_ids is None
    assert mapping.is_own(own) and not mapping.is_own(foreign)
    project = Project()
    file = ProjectFile("models.py", parsed.schema, True, "models")
    project.add(file)
    found, _, _ = check_text(
        text,
        "models.py",
        "models.py",
        run_settings.rules,
        run_settings,
        parsed=parsed,
        project=project,
        file=file,
    )
    assert found  # the rules ran, asking which columns are the file's own
    assert Mapping.for_project(project, parsed.schema)._own_ids is None
