"""Run schemacheck with every rule and every fix over a large body of real Python.

Default targets: the standard library and the installed ``sqlalchemy`` package. Any other
directories can be passed. Reports files, findings, internal errors (must be 0), fixes that do not
parse again (must be 0) and files per second. Nothing is written: fixes are computed in memory.

    python bench/sweep.py [DIR ...]
"""

from __future__ import annotations

import sys
import sysconfig
import time
from pathlib import Path

import libcst

from schemacheck.config import Config, Selection
from schemacheck.files import discover
from schemacheck.runner import check_file, make_settings


def main() -> int:
    targets = [Path(a) for a in sys.argv[1:]]
    if not targets:
        import sqlalchemy

        targets = [Path(sysconfig.get_paths()["stdlib"]), Path(sqlalchemy.__file__).parent]
    config = Config(root=Path.cwd())
    settings = make_settings(config, Selection(select=["ALL"]), fix=True, unsafe_fixes=True,
                             verbose=True)
    files = findings = parsed = broken = 0
    errors: list[str] = []
    started = time.perf_counter()
    for target in targets:
        for path in discover([target], config.root, ()):
            files += 1
            result = check_file(path, settings)
            findings += len(result.diagnostics) + result.fixed
            errors.extend(result.errors)
            if result.source is not None:
                parsed += 1
            if result.changed and result.source is not None:
                try:
                    libcst.parse_module(result.source)
                except libcst.ParserSyntaxError:
                    broken += 1
                    errors.append(f"{path}: fixed text does not parse")
    elapsed = time.perf_counter() - started
    for error in errors:
        print(error, file=sys.stderr)
    print(f"targets:           {', '.join(map(str, targets))}")
    print(f"files:             {files} ({parsed} parsed as possible model files)")
    print(f"findings:          {findings}")
    print(f"internal errors:   {len(errors) - broken}")
    print(f"fixes not parsing: {broken}")
    print(f"time:              {elapsed:.1f} s ({files / elapsed:.0f} files/s)")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
