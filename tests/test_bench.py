"""The benchmark's floor for a mixed tree is measured on exactly the files a run parses."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).parent.parent / "bench" / "run.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_floor_lists_the_files_that_pass_the_prefilter(tmp_path: Path) -> None:
    files = {
        "models.py": "from sqlalchemy import Column\n\nclass A:\n    x = Column()\n",
        "versions/0001.py": 'revision = "1"\n\ndef upgrade():\n    pass\n',
        "plain.py": "import os\n\nprint(os.sep)\n",
        # The signs only inside a docstring and a comment: blanked, so not parsed.
        "docs.py": '"""Use sqlalchemy: __tablename__ = "x"."""\n# Column(Integer)\nx = 1\n',
    }
    paths = []
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    listed = tmp_path / "listing.txt"
    listed.write_text("\0".join(paths), encoding="utf-8")

    kept, count = _bench().with_model_code(listed)

    names = kept.read_text(encoding="utf-8").split("\0")
    kept.unlink()
    assert names == [str(tmp_path / "models.py"), str(tmp_path / "versions/0001.py")]
    assert count == 2
