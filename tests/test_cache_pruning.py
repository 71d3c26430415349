"""The cache removes what no run uses any more, and only that, at most once a day."""

from __future__ import annotations

import os
import pickle
import shutil
import sys
import time
from pathlib import Path

from schemacheck.cache import Cache, RunRecord
from schemacheck.config import Config, Selection
from schemacheck.pruning import DAY, prune, prune_daily
from schemacheck.results import RunResult, make_settings
from schemacheck.session import run, settings_fingerprint

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
from corpus import generate

NOW = 2_000_000_000.0


def _age(path: Path, days: float) -> None:
    os.utime(path, (NOW - days * DAY, NOW - days * DAY))


def _entry(cache: Cache, key: str) -> Path:
    cache.store_entry(key, pickle.dumps(key))
    return Path(cache._entry_path(key))


def _record(cache: Cache, paths: list[str], record: RunRecord) -> Path:
    cache.store_run(paths, record)
    return cache._run_path(paths)


def test_what_no_record_names_goes_and_the_rest_stays(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache", "settings")
    named, linked, orphaned, fresh = (_entry(cache, k * 40) for k in "abcd")
    used = _record(cache, ["a.py"], RunRecord(keys={"a.py": "a" * 40}, linked={"b" * 40}))
    unused = _record(cache, ["c.py"], RunRecord(keys={"c.py": "c" * 40}))
    foreign = cache.base / "runs" / "planted.pickle"
    foreign.write_bytes(b"not a record of this user")
    leftover = cache.base / "runs" / "x.pickle.123.456.tmp"
    leftover.write_bytes(b"half")
    old_version = tmp_path / "cache" / "0.0.9-3"
    (old_version / "runs").mkdir(parents=True)
    (old_version / "runs" / "r.pickle").write_bytes(b"")
    recent_version = tmp_path / "cache" / "0.0.8-3"
    (recent_version / "runs").mkdir(parents=True)
    (recent_version / "runs" / "r.pickle").write_bytes(b"")
    unrelated = tmp_path / "cache" / "notes"
    unrelated.mkdir()
    for path in (named, linked, orphaned, leftover, used, foreign):
        _age(path, 2)
    _age(fresh, 0.5)
    _age(unused, 8)
    for path in (old_version / "runs" / "r.pickle", old_version / "runs", old_version, unrelated):
        _age(path, 30)
    _age(recent_version / "runs" / "r.pickle", 1)

    prune(cache, NOW)

    kept = {named, linked, fresh, used, recent_version, unrelated}
    gone = {orphaned, unused, foreign, leftover, old_version}
    assert all(path.exists() for path in kept)
    assert not any(path.exists() for path in gone)


def test_pruning_runs_once_a_day_and_only_in_schemacheck_caches(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache", "settings")
    orphan = _entry(cache, "e" * 40)
    _age(orphan, 3)
    assert prune_daily(cache, NOW)
    assert not orphan.exists()
    orphan = _entry(cache, "f" * 40)
    _age(orphan, 3)
    assert not prune_daily(cache, NOW + DAY / 2)
    assert orphan.exists()
    assert prune_daily(cache, NOW + 1.5 * DAY)
    assert not orphan.exists()

    # ``--cache-dir`` naming a directory schemacheck did not make: nothing is removed there.
    elsewhere = Cache(tmp_path / "mine", "settings")
    orphan = _entry(elsewhere, "g" * 40)
    _age(orphan, 3)
    (tmp_path / "mine" / "CACHEDIR.TAG").unlink()
    other = tmp_path / "mine" / "0.0.1-1"
    other.mkdir()
    _age(other, 30)
    assert not prune_daily(elsewhere, NOW)
    assert orphan.exists() and other.exists()


def _findings(result: RunResult) -> list[tuple[object, ...]]:
    return [(d.path, d.span, d.code, d.message) for d in result.diagnostics]


def test_a_pruned_cache_reports_what_a_cold_run_does(tmp_path: Path) -> None:
    root = tmp_path / "project"
    generate(root, models=12, migrations=6, seed=5)
    settings = make_settings(Config(root=root), Selection(select=["ALL"]))

    def check(cache: bool) -> RunResult:
        store = Cache(root / ".cache", settings_fingerprint(settings)) if cache else None
        return run([root], settings, write=False, jobs=1, cache=store)

    check(True)
    model = sorted(root.rglob("*.py"))[3]
    text = model.read_text(encoding="utf-8")
    for number in range(3):  # three contents of one file: three entries for it
        model.write_text(text + f"\n# edit {number}\n", encoding="utf-8")
        check(True)
    entries = list((root / ".cache").rglob("files/*/*.pickle"))
    later = time.time() + 2 * DAY
    for path in entries:
        os.utime(path, (later - 2 * DAY, later - 2 * DAY))
    marker = next((root / ".cache").glob("*/pruned"))
    os.utime(marker, (later - 2 * DAY, later - 2 * DAY))
    assert prune_daily(Cache(root / ".cache", settings_fingerprint(settings)), later)
    left = list((root / ".cache").rglob("files/*/*.pickle"))
    assert len(left) == len(entries) - 3  # the file's first three contents
    assert _findings(check(True)) == _findings(check(False))
    shutil.rmtree(root / ".cache")
