"""Whatever a repository holds gets a finding or a clean pass, never an internal error.

``fixtures/inputs/<name>.py`` are models written with every syntax and structure Python allows
(``<name>.expected``: findings of every rule; ``<name>.fixed.py``: after every fix). The byte-level
variants and file-system oddities are made here, because a checkout could not keep them intact.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import libcst
import pytest

from schemacheck.source import SourceFile
from tests.helpers import FIXTURES, check, compare_or_update, fix_copy, import_models, render
from tests.test_cli import run

INPUTS = sorted(p for p in (FIXTURES / "inputs").glob("*.py") if not p.name.endswith(".fixed.py"))


@pytest.mark.parametrize("source", INPUTS, ids=lambda p: p.stem)
def test_every_syntax_and_structure(source: Path, tmp_path: Path) -> None:
    result = check(source, ["ALL"])
    assert not result.errors
    assert not [d for d in result.diagnostics if d.code == "SC001"]
    compare_or_update(source.with_suffix(".expected"), render(result.diagnostics))
    target, fixed = fix_copy(source, tmp_path, ["ALL"])
    assert not fixed.errors
    libcst.parse_module(target.read_bytes())
    compare_or_update(source.with_name(source.stem + ".fixed.py"), target.read_bytes())
    again = check(target, ["ALL"], fix=True, unsafe=True)
    assert not again.changed and not again.errors


MODEL = """\
# café: a comment with non-ASCII text
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Post(Base):
    __tablename__ = "posts"
    id: Mapped[int] = mapped_column(primary_key=True)
    title = sa.Column(sa.String(80))
    author_id = sa.Column(sa.Integer, sa.ForeignKey("posts.id"))
"""


def _variants() -> dict[str, bytes]:
    plain = MODEL.encode()
    lines = MODEL.splitlines(keepends=True)
    mixed = "".join(line.replace("\n", ("\r\n", "\n", "\r")[i % 3]) for i, line in enumerate(lines))
    return {
        "plain": plain,
        "bom": b"\xef\xbb\xbf" + plain,
        "crlf": MODEL.replace("\n", "\r\n").encode(),
        "cr": MODEL.replace("\n", "\r").encode(),
        "mixed": mixed.encode(),
        "tabs": MODEL.replace("    ", "\t").encode(),
        "no-final-newline": plain.rstrip(b"\n"),
        "latin-1": ("# -*- coding: latin-1 -*-\n" + MODEL).encode("latin-1"),
        "cookie-and-bom": b"\xef\xbb\xbf# coding: utf-8\n" + plain,
        "form-feed": plain.replace(b"\n\n\nclass Post", b"\n\n\x0c\nclass Post"),
    }


VARIANTS = _variants()


def _shape(result_lines: list[str]) -> list[tuple[str, str]]:
    """Codes and messages in order (lines move with an added cookie; columns with tabs)."""
    return [(line.split(" ")[1], line.split(" ", 2)[2]) for line in result_lines]


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_encodings_and_line_endings(name: str, tmp_path: Path) -> None:
    """Each variant gets the plain file's findings, and its fixes keep its bytes' conventions."""
    path = tmp_path / "models.py"
    data = VARIANTS[name]
    path.write_bytes(data)
    plain = tmp_path / "plain" / "models.py"
    plain.parent.mkdir()
    plain.write_bytes(VARIANTS["plain"])
    found = check(path, ["ALL"])
    assert not found.errors
    expected = _shape(render(check(plain, ["ALL"]).diagnostics).splitlines())
    assert _shape(render(found.diagnostics).splitlines()) == expected
    (tmp_path / "out").mkdir()
    target, fixed = fix_copy(path, tmp_path / "out", ["ALL"])
    assert not fixed.errors and fixed.changed
    after = target.read_bytes()
    source = SourceFile.from_bytes(data)
    text = SourceFile.from_bytes(after).text
    libcst.parse_module(text)
    assert after.startswith(b"\xef\xbb\xbf") == data.startswith(b"\xef\xbb\xbf")
    if name == "latin-1":
        assert "café".encode("latin-1") in after and source.encoding == "iso-8859-1"
    if name in ("crlf", "cr"):
        newline = b"\r\n" if name == "crlf" else b"\r"
        assert after.count(newline) >= data.count(newline)
        assert b"\n" not in after.replace(b"\r\n", b"") if name == "crlf" else b"\n" not in after
    if name == "tabs":
        assert b"\n    " not in after  # new lines are indented with tabs as well
    assert not check(target, ["ALL"], fix=True, unsafe=True).changed


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty", b"", None),
        ("blank", b"\n\n   \n", None),
        ("comment-only", b"# sqlalchemy models go here\n", None),
        ("binary", bytes(range(256)) * 4, "Cannot read the file as Python source: cannot decode"),
        ("nul", b"import sqlalchemy\x00\n", "Syntax error: a null byte (binary data?)"),
        ("bad-utf8", b"import sqlalchemy\nx = '\xff\xfe'\n", "Cannot read the file as Python"),
        ("bad-cookie", b"# coding: klingon\nimport sqlalchemy\n", "Cannot read the file as"),
        ("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR sqlalchemy", "Cannot read the file as"),
        ("python2", b"import sqlalchemy\nprint 'x'\n", "Syntax error:"),
    ],
)
def test_odd_bytes(tmp_path: Path, name: str, data: bytes, message: str | None) -> None:
    path = tmp_path / f"{name}.py"
    path.write_bytes(data)
    result = run(
        "--select", "ALL", "--output-format", "concise", "--no-cache", path.name, cwd=tmp_path
    )
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    if message is None:
        assert (result.returncode, result.stdout) == (0, "All checks passed!\n"), result.stderr
        return
    assert result.returncode == 1, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"{name}.py:") and " SC001 " in first and message in first, first


def _tree(root: Path) -> Path:
    """A project whose directory holds every kind of entry a checkout can."""
    project = root / "my project ü"
    (project / "models dir").mkdir(parents=True)
    (project / "models dir" / "pöst models.py").write_text(MODEL, encoding="utf-8")
    (project / "real").mkdir()
    (project / "real" / "user.py").write_text(MODEL.replace("posts", "users"), encoding="utf-8")
    (project / "linked").symlink_to("real", target_is_directory=True)  # same files again
    (project / "real" / "loop").symlink_to("..", target_is_directory=True)  # a directory loop
    (project / "self.py").symlink_to("self.py")  # a symlink to itself
    (project / "a.py").symlink_to("b.py")
    (project / "b.py").symlink_to("a.py")  # a file loop: unreadable, even as root
    (project / "dangling.py").symlink_to("nowhere.py")
    os.mkfifo(project / "pipe.py")  # reading it would wait forever
    (project / "package.py").mkdir()  # a directory with a .py name
    (project / "package.py" / "inner.py").write_text(MODEL.replace("posts", "inners"))
    return project


def test_symlinks_fifos_and_odd_names(tmp_path: Path) -> None:
    project = _tree(tmp_path)
    outcome: list[object] = []
    worker = threading.Thread(
        target=lambda: outcome.append(
            run("--select", "SC101", "--output-format", "concise", "--no-cache", ".", cwd=project)
        ),
        daemon=True,
    )
    worker.start()
    worker.join(120)
    assert outcome, "the run hung"
    result = outcome[0]
    assert result.returncode == 2, result.stderr  # type: ignore[attr-defined]
    findings = sorted(result.stdout.splitlines()[:-1])  # type: ignore[attr-defined]
    assert findings == [
        'models dir/pöst models.py:14:39: SC101 Foreign key to "posts.id" has no `ondelete` action',
        'package.py/inner.py:14:39: SC101 Foreign key to "inners.id" has no `ondelete` action',
        'real/user.py:14:39: SC101 Foreign key to "users.id" has no `ondelete` action',
    ]
    errors = sorted(result.stderr.splitlines())  # type: ignore[attr-defined]
    assert errors == [
        "schemacheck: error: a.py: cannot read: Too many levels of symbolic links",
        "schemacheck: error: b.py: cannot read: Too many levels of symbolic links",
        "schemacheck: error: dangling.py: cannot read: No such file or directory",
        "schemacheck: error: pipe.py: cannot read: not a regular file",
        "schemacheck: error: self.py: cannot read: Too many levels of symbolic links",
    ]


def test_every_output_format_takes_odd_names(tmp_path: Path) -> None:
    project = tmp_path / "ünï cödé"
    project.mkdir()
    shutil.copyfile(FIXTURES / "inputs" / "modern_syntax.py", project / "mödels 1.py")
    for output in (
        "full",
        "concise",
        "json",
        "sarif",
        "github",
        "gitlab",
        "junit",
        "json-lines",
        "text",
    ):
        result = run("--output-format", output, "--no-cache", ".", cwd=project)
        assert result.returncode == 1, (output, result.stderr)
        text = result.stdout
        if output in ("json", "sarif", "gitlab"):
            text = json.dumps(json.loads(text), ensure_ascii=False)
        elif output == "json-lines":
            text = "".join(
                json.dumps(json.loads(line), ensure_ascii=False) for line in text.splitlines()
            )
        assert "mödels 1.py" in text or "m%C3%B6dels%201.py" in text, output


@pytest.mark.parametrize(
    "source", [p for p in INPUTS if p.stem != "modern_syntax"], ids=lambda p: p.stem
)
def test_inputs_and_their_fixes_create_tables(source: Path) -> None:
    """Every input but the 3.12+ syntax one imports here: before and after its fixes, SQLAlchemy
    maps its models and creates their tables on SQLite."""
    for path in (source, source.with_name(source.stem + ".fixed.py")):
        completed = import_models(path)
        assert completed.returncode == 0, completed.stderr[-3000:]
