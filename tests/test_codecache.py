"""Dataclass methods run from kept code behave as freshly compiled ones, and a bad file is none."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from schemacheck import codecache


@pytest.fixture
def methods(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[codecache._Methods]:
    kept = codecache._Methods(tmp_path / "__pycache__" / "methods.marshal")
    monkeypatch.setattr(dataclasses, "exec", kept.exec, raising=False)
    yield kept


def _make() -> type:
    @dataclasses.dataclass(frozen=True, order=True)
    class Point:
        x: int
        y: int = 0
        tags: list[str] = dataclasses.field(default_factory=list, compare=False)

    return Point


def _plain() -> type:
    """The class as ``dataclasses`` makes it without kept code."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delattr(dataclasses, "exec", raising=False)
        return _make()


_METHODS = ("__init__", "__repr__", "__eq__", "__lt__", "__hash__", "__setattr__")


def _codes(cls: type) -> list[object]:
    return [getattr(cls, name).__code__ for name in _METHODS]


def test_kept_code_is_what_dataclasses_compiles(
    methods: codecache._Methods, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = _plain()
    compiled = _make()
    assert methods.compiled and methods.kept == {}
    methods.save()
    again = codecache._Methods(methods.path)
    monkeypatch.setattr(dataclasses, "exec", again.exec, raising=False)
    kept = _make()
    assert not again.compiled and again.kept  # every method came from the file
    assert _codes(kept) == _codes(compiled) == _codes(plain)
    for cls in (plain, kept):
        point = cls(1, tags=["a"])
        assert point == cls(1) and point < cls(2) and hash(point) == hash(cls(1, 0))
        assert repr(point).endswith("Point(x=1, y=0, tags=['a'])")
        with pytest.raises(dataclasses.FrozenInstanceError):
            point.x = 2


def test_a_damaged_or_unwritable_file_is_no_cache(methods: codecache._Methods) -> None:
    methods.path.parent.mkdir()
    methods.path.write_bytes(b"\x00not marshal")
    assert _codes(_make()) == _codes(_plain())
    assert methods.compiled
    methods.path.parent.chmod(0o500)  # a package installed read-only
    try:
        methods.save()  # nothing written (unless the user is root), nothing raised
    finally:
        methods.path.parent.chmod(0o700)
    assert not list(methods.path.parent.glob("*.tmp"))


def test_the_parsers_methods_are_kept_for_the_next_process() -> None:
    script = (
        "from schemacheck import codecache\n"
        "codecache.install()\n"
        "import libcst\n"
        "print(codecache._CHECKING.compiled)\n"
        "codecache.save()\n"
    )
    runs = [
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
        for _ in range(2)
    ]
    assert runs[1].stdout.strip() == "False"  # nothing compiled: all of it came from the file
    assert codecache._path("checking").is_file()


def test_importing_the_package_leaves_dataclasses_as_it_was() -> None:
    script = "import dataclasses, schemacheck\nprint(hasattr(dataclasses, 'exec'))\n"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr
