"""The pre-commit hook as users install it: the real ``pre-commit`` against this repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BAD_MODEL = """from sqlalchemy import Column, ForeignKey, Integer
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Post(Base):
    __tablename__ = "posts"
    id = Column(Integer, primary_key=True)
    author_id = Column(Integer, ForeignKey("posts.id", ondelete="CASCADE"))  # noqa: SC201
"""


def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One hook environment for the module: pre-commit builds it once."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def user_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "user"
    repo.mkdir()
    _git("init", "-q", cwd=repo)
    _git("config", "user.email", "dev@example.invalid", cwd=repo)
    _git("config", "user.name", "dev", cwd=repo)
    (repo / "models.py").write_text(BAD_MODEL)
    (repo / "pyproject.toml").write_text('[tool.schemacheck]\nignore = ["SC302", "SC308"]\n')
    _git("add", ".", cwd=repo)
    return repo


def _pre_commit(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )


def test_try_repo_reports_the_finding(user_repo: Path, pre_commit_home: Path) -> None:
    assert (REPO / ".git").exists(), "the hook is tried from this repository's git checkout"
    result = _pre_commit(
        "try-repo",
        str(REPO),
        "schemacheck",
        "--files",
        "models.py",
        cwd=user_repo,
        home=pre_commit_home,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "schemacheck" in output and "Failed" in output
    assert 'models.py:10:17: SC102 [*] Foreign key column "author_id" has no index' in output
    assert (user_repo / "models.py").read_text() == BAD_MODEL


def test_hook_with_fix_rewrites_the_file(user_repo: Path, pre_commit_home: Path) -> None:
    head = _git("rev-parse", "HEAD", cwd=REPO).strip()
    (user_repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {REPO}\n  rev: {head}\n  hooks:\n  - id: schemacheck\n    args: [--fix]\n"
    )
    _git("add", ".", cwd=user_repo)
    first = _pre_commit("run", "--all-files", cwd=user_repo, home=pre_commit_home)
    assert first.returncode == 1, first.stdout + first.stderr  # files were modified
    assert "files were modified by this hook" in first.stdout
    fixed = (user_repo / "models.py").read_text()
    assert 'ForeignKey("posts.id", ondelete="CASCADE"), index=True' in fixed
    second = _pre_commit("run", "--all-files", cwd=user_repo, home=pre_commit_home)
    assert second.returncode == 0, second.stdout + second.stderr
