"""What schemacheck must never do: lose a file's content when a write fails or the process dies,
write a file that is read-only or that changed since it was read, or run the code it checks."""

from __future__ import annotations

import hashlib
import os
import pickle
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from schemacheck.config import Config, Selection
from schemacheck.results import make_settings
from schemacheck.runner import check_file, write_atomically, write_fixes
from tests.test_cli import BAD, run

# A model whose import would leave a marker file and fail: checking must do neither.
_TRAP = """\
import pathlib
pathlib.Path(__file__).with_name("{marker}").write_text("imported")
import sqlalchemy as sa
from sqlalchemy.orm import declarative_base
{extra}
Base = declarative_base()

class Trap(Base):
    __tablename__ = "traps"
    id = sa.Column(sa.Integer, primary_key=True)
    owner_id = sa.Column(sa.ForeignKey("traps.id"))

raise SystemExit("TRAP" + "-EXECUTED")
"""


def _intact(path: Path, content: bytes) -> None:
    assert path.read_bytes() == content
    assert sorted(p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")) == []


def _failing(name: str) -> object:
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(28, f"No space left on device ({name})")

    return fail


@pytest.mark.parametrize("step", ["fsync", "replace", "chmod", "mkstemp"])
def test_a_failing_write_leaves_the_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    path = tmp_path / "models.py"
    path.write_text(BAD)
    target = "tempfile.mkstemp" if step == "mkstemp" else f"os.{step}"
    monkeypatch.setattr(target, _failing(step))
    problem = write_atomically(path, BAD.encode(), b"new content")
    assert problem is not None and problem.startswith(f"{path}: cannot write:")
    _intact(path, BAD.encode())


def test_a_failing_write_is_reported_by_the_cli(tmp_path: Path) -> None:
    """A full disk, simulated in the schemacheck process: one line, exit 2, file unchanged."""
    path = tmp_path / "models.py"
    path.write_text(BAD)
    script = (
        "import os, sys\n"
        "def full(fd): raise OSError(28, 'No space left on device')\n"
        "os.fsync = full\n"
        "from schemacheck.cli import main\n"
        "sys.argv = ['schemacheck', '--fix', '--unsafe-fixes', '--no-cache', '.']\n"
        "main()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2, result.stderr
    assert "schemacheck: error: models.py: cannot write: No space left on device" in result.stderr
    assert "Traceback" not in result.stderr
    # What is reported is the file as it still is: every finding, none counted as fixed.
    unfixed = run("--no-cache", "--unsafe-fixes", ".", cwd=tmp_path)
    assert result.stdout == unfixed.stdout
    assert "fixed" not in result.stdout
    _intact(path, BAD.encode())


@pytest.mark.parametrize("moment", ["during-write", "before-rename"])
def test_killed_mid_write_the_original_is_intact(tmp_path: Path, moment: str) -> None:
    """The process is killed (SIGKILL) half-way through writing the fixed file, or after the
    data is written but before it replaces the original: the original is still there, whole."""
    path = tmp_path / "models.py"
    path.write_text(BAD)
    kill = "os.kill(os.getpid(), signal.SIGKILL)"
    if moment == "during-write":
        patch = textwrap.dedent(f"""\
            real_fdopen = os.fdopen
            class Half:
                def __init__(self, stream): self.stream = stream
                def __enter__(self): return self
                def __exit__(self, *exc): return False
                def write(self, data):
                    self.stream.write(data[: len(data) // 2]); self.stream.flush(); {kill}
                def __getattr__(self, name): return getattr(self.stream, name)
            os.fdopen = lambda fd, mode: Half(real_fdopen(fd, mode))
            """)
    else:
        patch = f"os.replace = lambda a, b: {kill}\n"
    script = (
        "import os, signal, sys\n" + patch + "from schemacheck.cli import main\n"
        "sys.argv = ['schemacheck', '--fix', '--unsafe-fixes', '--no-cache', '-j1', '.']\n"
        "main()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert path.read_bytes() == BAD.encode()
    # The interrupted temporary file is a hidden .tmp next to it, never a .py that gets checked.
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "models.py"]
    assert all(name.startswith(".models.py.") and name.endswith(".tmp") for name in leftovers)
    again = run("--no-cache", ".", cwd=tmp_path)
    assert again.returncode == 1 and "Traceback" not in again.stderr


def test_read_only_file_is_reported_not_written(tmp_path: Path) -> None:
    path = tmp_path / "models.py"
    path.write_text(BAD)
    other = tmp_path / "other.py"
    other.write_text(BAD.replace("users", "people").replace("posts", "notes"))
    path.chmod(0o444)
    result = run("--fix", "--unsafe-fixes", "--no-cache", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert "schemacheck: error: models.py: read-only; fixes not written" in result.stderr
    assert "Traceback" not in result.stderr
    assert path.read_text() == BAD
    assert oct(path.stat().st_mode & 0o777) == oct(0o444)
    assert other.read_text() != BAD.replace("users", "people").replace("posts", "notes")


def test_file_changed_since_it_was_read_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "models.py"
    path.write_text(BAD)
    settings = make_settings(
        Config(root=tmp_path), Selection(select=["ALL"]), fix=True, unsafe_fixes=True
    )
    result = check_file(path, settings)
    assert result.changed
    edited = BAD + "# a line the user added meanwhile\n"
    path.write_text(edited)
    problem = write_fixes(path, result)
    assert problem == f"{path}: changed on disk while being checked; not written"
    assert path.read_text() == edited


def _trap_project(root: Path) -> list[str]:
    """Model files, a package __init__, a conftest, an Alembic env.py and a migration, each of
    which would write its marker and exit if imported or run."""
    files = {
        "app/__init__.py": "",
        "app/models.py": "",
        "app/mixins.py": "",
        "conftest.py": "",
        "setup.py": "",
        "migrations/env.py": "from alembic import context\n",
        "migrations/versions/0001_init.py": (
            'revision = "0001"\ndown_revision = None\nfrom alembic import op\n'
            "def upgrade():\n    op.drop_table('traps')\n"
        ),
    }
    markers = []
    for index, (name, extra) in enumerate(files.items()):
        marker = f"marker-{index}.txt"
        markers.append(marker)
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_TRAP.format(marker=marker, extra=extra))
    return markers


def test_checking_never_imports_or_runs_the_checked_code(tmp_path: Path) -> None:
    markers = _trap_project(tmp_path)
    before = set(sys.modules)
    from schemacheck import check_paths

    result = check_paths([tmp_path], Config(root=tmp_path), select=["ALL"])
    assert result.diagnostics, "the trap files are checked"
    assert not result.errors
    for args in (["--select", "ALL"], ["--select", "ALL", "--fix", "--unsafe-fixes", "-j2"]):
        cli = run(*args, "--no-cache", ".", cwd=tmp_path)
        assert cli.returncode in (0, 1), cli.stderr
        assert "TRAP-EXECUTED" not in cli.stdout + cli.stderr
    assert [m for m in markers if any(p.name == m for p in tmp_path.rglob(m))] == []
    new_modules = set(sys.modules) - before
    assert not {m for m in new_modules if m.split(".")[0] in {"app", "conftest", "setup", "env"}}
    assert os.listdir(tmp_path / "app")  # the files are still there, fixed at most


class _Planted:
    """A pickle that, once loaded, leaves a marker file: what a repository could commit."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.mkdir, (str(self.marker),))


def test_cache_files_a_repository_commits_are_never_unpickled(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "models.py").write_text(BAD)
    home = {"XDG_CACHE_HOME": str(tmp_path / "home")}  # where this user's key is kept
    first = run("--output-format", "json", ".", cwd=project, env=home)
    files = sorted((project / ".schemacheck_cache").rglob("*.pickle"))
    assert files, "the run was cached"
    key = (tmp_path / "home" / "schemacheck" / "key").read_bytes()
    assert (tmp_path / "home" / "schemacheck" / "key").stat().st_mode & 0o077 == 0
    marker = tmp_path / "marker"
    planted = pickle.dumps(_Planted(marker))

    def signed(secret: bytes) -> bytes:
        return hashlib.blake2b(planted, key=secret, digest_size=16).digest() + planted

    # As a repository would plant them: bare, behind a made-up MAC, signed with another key.
    for attempt in (planted, bytes(16) + planted, signed(b"another user's key")):
        for path in files:
            path.write_bytes(attempt)
        again = run("--output-format", "json", ".", cwd=project, env=home)
        assert not marker.exists()
        assert again.stdout == first.stdout and again.returncode == first.returncode == 1
    # Signed with this user's key, the same file would be unpickled: the MAC is what stops it.
    for path in files:
        path.write_bytes(signed(key))
    run("--output-format", "json", ".", cwd=project, env=home)
    assert marker.is_dir()


def test_a_damaged_cache_key_is_made_again(tmp_path: Path) -> None:
    """A truncated key (a full disk, a killed process) is replaced, not trusted nor fatal."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "models.py").write_text(BAD)
    key = tmp_path / "home" / "schemacheck" / "key"
    key.parent.mkdir(parents=True)
    key.write_bytes(b"short")
    home = {"XDG_CACHE_HOME": str(tmp_path / "home")}
    first = run("--output-format", "json", ".", cwd=project, env=home)
    assert first.returncode == 1 and "Traceback" not in first.stderr, first.stderr
    assert len(key.read_bytes()) == 32 and key.stat().st_mode & 0o077 == 0
    again = run("--output-format", "json", ".", cwd=project, env=home)
    assert again.stdout == first.stdout and len(key.read_bytes()) == 32
