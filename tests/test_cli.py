"""The command line as users drive it: exit codes, formats, config errors, --fix and --diff."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BAD = """from sqlalchemy import Column, ForeignKey, Integer
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)


class Post(Base):
    __tablename__ = "posts"
    id = Column(Integer, primary_key=True)
    author_id = Column(Integer, ForeignKey("users.id"))  # noqa: SC302
"""


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "schemacheck", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "models.py").write_text(BAD)
    (tmp_path / "pyproject.toml").write_text('[tool.schemacheck]\nignore = ["SC302", "SC308"]\n')
    return tmp_path


def test_findings_exit_1_with_ruff_style_output(project: Path) -> None:
    result = run("models.py", "--select", "SC101,SC102", cwd=project)
    assert result.returncode == 1, result.stderr
    assert 'models.py:15:33: SC101 Foreign key to "users.id" has no `ondelete` action' in (
        result.stdout
    )
    assert '15 |     author_id = Column(Integer, ForeignKey("users.id"))' in result.stdout
    assert "^" * 22 + " SC101" in result.stdout
    assert result.stdout.rstrip().endswith(
        "Found 2 problems (1 fixable with --fix, 1 more with --fix --unsafe-fixes)."
    )


def test_concise_and_json(project: Path) -> None:
    concise = run("--output-format", "concise", "--select", "SC101", cwd=project)
    assert concise.stdout.splitlines()[0] == (
        'models.py:15:33: SC101 Foreign key to "users.id" has no `ondelete` action'
    )
    result = run("models.py", "--output-format", "json", cwd=project)
    data = json.loads(result.stdout)
    assert {d["code"] for d in data} == {"SC101", "SC102", "SC201", "SC203", "SC309"}
    first = next(d for d in data if d["code"] == "SC101")
    assert first == {
        **first,
        "name": "fk-missing-ondelete",
        "level": "warning",
        "path": "models.py",
        "line": 15,
        "column": 33,
        "end_line": 15,
        "end_column": 55,
    }
    assert first["fix"]["applicability"] == "unsafe"


def test_clean_exit_0_and_exit_zero(project: Path) -> None:
    assert run("--select", "SC001", cwd=project).returncode == 0
    assert run("--exit-zero", cwd=project).returncode == 0


def test_fix_then_nothing_left(project: Path) -> None:
    result = run("--fix", "--unsafe-fixes", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    text = (project / "models.py").read_text()
    assert (
        'author_id: Mapped[Optional[int]] = mapped_column(Integer, ForeignKey("users.id", '
        'ondelete="CASCADE"), index=True)  # noqa: SC302' in text
    )
    again = run("--fix", "--unsafe-fixes", cwd=project)
    assert again.returncode == 0
    assert (project / "models.py").read_text() == text


def test_diff_writes_nothing(project: Path) -> None:
    before = (project / "models.py").read_bytes()
    result = run("--diff", cwd=project)
    assert result.returncode == 1
    assert result.stdout.startswith("--- a/models.py\n+++ b/models.py\n")
    assert "+    id: Mapped[int] = mapped_column(Integer, primary_key=True)" in result.stdout
    assert (project / "models.py").read_bytes() == before


def test_exit_non_zero_on_fix(project: Path) -> None:
    result = run("--fix", "--select", "SC102", "--exit-non-zero-on-fix", cwd=project)
    assert result.returncode == 1
    assert "index=True" in (project / "models.py").read_text()


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('[tool.schemacheck]\nselct = ["SC1"]\n', "unknown key `tool.schemacheck.selct`"),
        (
            '[tool.schemacheck]\nselect = ["SC999"]\n',
            "`tool.schemacheck.select`: unknown rule or prefix `SC999`",
        ),
        (
            '[tool.schemacheck]\nselect = "SC1"\n',
            "`tool.schemacheck.select` must be a list of strings, not a string ('SC1')",
        ),
        (
            '[tool.schemacheck.rules.string-without-length]\ndefault-length = "long"\n',
            "`tool.schemacheck.rules.string-without-length.default-length`: expected an integer",
        ),
        (
            '[tool.schemacheck.rules.fk-missing-ondelete]\ndefault = "DELETE"\n',
            "expected one of 'CASCADE'",
        ),
        (
            '[tool.schemacheck.rules.SC101]\ndefalt = "CASCADE"\n',
            "unknown option `tool.schemacheck.rules.SC101.defalt`",
        ),
        ("[tool.schemacheck.rules.no-such-rule]\nx = 1\n", "unknown rule `no-such-rule`"),
        ("[tool.schemacheck\n", "invalid TOML"),
    ],
)
def test_config_errors_are_one_line_exit_2(project: Path, config: str, message: str) -> None:
    (project / "pyproject.toml").write_text(config)
    result = run(cwd=project)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_rule_options_apply(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.schemacheck]\nselect = ["fk-missing-ondelete"]\n'
        '[tool.schemacheck.rules.fk-missing-ondelete]\ndefault = "RESTRICT"\n'
    )
    result = run("--fix", "--unsafe-fixes", cwd=project)
    assert result.returncode == 0
    assert 'ondelete="RESTRICT"' in (project / "models.py").read_text()


def test_per_file_ignores_and_exclude(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.schemacheck]\nexclude = ["generated"]\n'
        '[tool.schemacheck.per-file-ignores]\n"models.py" = ["SC1", "SC2", "SC3"]\n'
    )
    (project / "generated").mkdir()
    (project / "generated" / "m.py").write_text(BAD)
    assert run(cwd=project).returncode == 0


def test_usage_errors(project: Path) -> None:
    missing = run("nope.py", cwd=project)
    assert missing.returncode == 2 and "nope.py: no such file or directory" in missing.stderr
    bad_select = run("--select", "XYZ", cwd=project)
    assert bad_select.returncode == 2 and "unknown rule or prefix `XYZ`" in bad_select.stderr


def test_rule_and_rules_commands(project: Path) -> None:
    explained = run("rule", "SC101", cwd=project)
    assert explained.returncode == 0
    assert "# fk-missing-ondelete (SC101)" in explained.stdout
    assert "## Why is this bad?" in explained.stdout
    listing = run("rules", cwd=project).stdout
    assert "SC102  fk-missing-index" in listing
    assert run("rule", "SC999", cwd=project).returncode == 2


def test_unreadable_file_reported_and_run_goes_on(project: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    locked = project / "locked.py"
    locked.write_text(BAD)
    locked.chmod(0)
    result = run(cwd=project)
    assert result.returncode == 2
    assert "locked.py: cannot read" in result.stderr


def test_rule_docs_are_generated_and_current() -> None:
    """docs/rules.md and docs/rules/<CODE>.md match the rules' docstrings."""
    from schemacheck.ruledocs import pages

    docs = Path(__file__).resolve().parent.parent / "docs"
    for relative, text in pages().items():
        path = docs / relative
        assert path.exists(), f"{relative} missing: run python scripts/generate_docs.py"
        assert path.read_text(encoding="utf-8") == text, (
            f"{relative} is stale: run python scripts/generate_docs.py"
        )


def test_every_rule_documents_the_ruff_sections() -> None:
    from schemacheck.rules import ALL_RULES

    for rule in ALL_RULES:
        doc = rule.documentation()
        for section in ("## What it does", "## Why is this bad?", "## Example", "## Fix safety"):
            assert section in doc, f"{rule.code} lacks {section}"
        if rule.options:
            assert "## Options" in doc, f"{rule.code} lacks ## Options"
            for option in rule.options:
                assert f"`{option.name}`" in doc, f"{rule.code} does not document {option.name}"


def test_schemacheck_toml_and_config_flag(project: Path) -> None:
    (project / "pyproject.toml").unlink()
    (project / "schemacheck.toml").write_text('select = ["SC101"]\n')
    result = run("--output-format", "concise", cwd=project)
    assert {line.split()[1] for line in result.stdout.splitlines()[:-1]} == {"SC101"}
    (project / "ci").mkdir()
    (project / "ci" / "pyproject.toml").write_text('[tool.schemacheck]\nselect = ["SC102"]\n')
    result = run("--config", "ci/pyproject.toml", "--output-format", "concise", cwd=project)
    assert {line.split()[1] for line in result.stdout.splitlines()[:-1]} == {"SC102"}
    assert run("--config", "missing.toml", cwd=project).returncode == 2


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ("", "bio: Mapped[Optional[str]] = mapped_column(Text)"),
        ('target-version = "py310"\n', "bio: Mapped[str | None] = mapped_column(Text)"),
    ],
)
def test_optional_style_follows_target_version(project: Path, settings: str, expected: str) -> None:
    (project / "models.py").write_text(
        "from sqlalchemy import Column, Integer, Text\n"
        "from sqlalchemy.orm import declarative_base\n"
        "Base = declarative_base()\n"
        "class User(Base):\n"
        "    __tablename__ = 'users'\n"
        "    id = Column(Integer, primary_key=True)\n"
        "    bio = Column(Text)\n"
    )
    (project / "pyproject.toml").write_text(f"[tool.schemacheck]\n{settings}")
    assert run("--fix", "--select", "SC201", cwd=project).returncode == 0
    assert expected in (project / "models.py").read_text()


def test_directory_walk_skips_tool_directories(project: Path) -> None:
    for skipped in (".git", "node_modules", "build", ".venv", "__pycache__"):
        (project / skipped).mkdir()
        (project / skipped / "models.py").write_text(BAD)
    venv = project / "myenv"
    venv.mkdir()
    (venv / "pyvenv.cfg").write_text("home = /usr\n")
    (venv / "models.py").write_text(BAD)
    (project / "pkg").mkdir()
    (project / "pkg" / "models.py").write_text(BAD)
    result = run("--output-format", "concise", "--select", "SC101", cwd=project)
    paths = {line.split(":")[0] for line in result.stdout.splitlines()[:-1]}
    assert paths == {"models.py", "pkg/models.py"}


def test_click_usage_errors_are_one_line(project: Path) -> None:
    result = run("--output-format", "xml", cwd=project)
    assert result.returncode == 2
    assert result.stderr.startswith("schemacheck: error: Invalid value for '--output-format'")
    assert len(result.stderr.strip().splitlines()) == 1
    assert run("--no-such-flag", cwd=project).returncode == 2


def test_configuration_reference_documents_every_key_and_option() -> None:
    from schemacheck.config import _TOP_LEVEL_KEYS
    from schemacheck.files import DEFAULT_EXCLUDES
    from schemacheck.rules import ALL_RULES

    text = (Path(__file__).resolve().parent.parent / "docs" / "configuration.md").read_text()
    for key in _TOP_LEVEL_KEYS:
        assert f"| `{key}` |" in text, key
    for rule in ALL_RULES:
        for option in rule.options:
            assert f"| {rule.code} {rule.name} | `{option.name}` |" in text, option.name
    for name in DEFAULT_EXCLUDES:
        assert f"`{name}`" in text, name


def test_readme_configuration_example_loads(tmp_path: Path) -> None:
    """The configuration shown in the README is valid, key for key."""
    import re

    from schemacheck.config import load_config

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    found = re.search(r"```toml\n(\[tool\.schemacheck\].*?)```", readme, re.S)
    assert found is not None
    (tmp_path / "pyproject.toml").write_text(found.group(1), encoding="utf-8")
    config = load_config(tmp_path / "pyproject.toml")
    assert config.dialects == ["postgresql"] and config.is_async and config.src == ["src"]
    assert config.rule_settings["SC307"]["columns"] == ["tenant_id"]
