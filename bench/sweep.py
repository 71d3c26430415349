"""Run schemacheck with every rule and ``--diff`` over a large body of real Python.

Real repositories hold every odd file there is; the sweep is how we learn that no file makes
schemacheck fail. Default targets: the standard library and every installed site-packages
directory; any other directories can be passed (each is checked as one project, the way
``schemacheck --select ALL --unsafe-fixes --diff DIR`` would). Nothing is written.

Reports, per target and in total: files, files parsed as possible model files, findings,
internal errors (must be 0), fixes whose result does not parse (must be 0), other errors (such as
unreadable files), and time. Exit 1 when an internal error or a broken fix was found.

    python bench/sweep.py [--jobs N] [DIR ...]
"""

from __future__ import annotations

import argparse
import site
import sys
import sysconfig
import time
from dataclasses import dataclass, field
from pathlib import Path

import libcst

from schemacheck.config import Config, Selection
from schemacheck.results import make_settings
from schemacheck.session import default_jobs, run


@dataclass
class Tally:
    files: int = 0
    parsed: int = 0
    findings: int = 0
    fixed_files: int = 0
    internal: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, other: Tally) -> None:
        self.files += other.files
        self.parsed += other.parsed
        self.findings += other.findings
        self.fixed_files += other.fixed_files
        self.internal += other.internal
        self.broken += other.broken
        self.other += other.other
        self.seconds += other.seconds


def default_targets() -> list[Path]:
    candidates = [sysconfig.get_paths()["stdlib"], *site.getsitepackages()]
    if site.ENABLE_USER_SITE and Path(site.getusersitepackages()).is_dir():
        candidates.append(site.getusersitepackages())
    targets: list[Path] = []
    for candidate in candidates:
        path = Path(candidate).resolve()
        if path.is_dir() and path not in targets:
            targets.append(path)
    return targets


def sweep(target: Path, jobs: int) -> Tally:
    # Installed packages are swept as their own target, not again inside the standard library.
    nested = [] if target.name == "site-packages" else ["site-packages", "dist-packages"]
    config = Config(root=target, exclude=nested)
    settings = make_settings(config, Selection(select=["ALL"]), fix=True, unsafe_fixes=True)
    started = time.perf_counter()
    result = run([target], settings, write=False, jobs=jobs, cache=None)
    tally = Tally(seconds=time.perf_counter() - started)
    for file in result.files:
        tally.files += 1
        tally.findings += len(file.diagnostics) + file.fixed
        if file.schema is not None:
            tally.parsed += 1
        for error in file.errors:
            (tally.internal if "internal error" in error else tally.other).append(error)
        if file.changed and file.source is not None:
            tally.fixed_files += 1
            try:
                libcst.parse_module(file.source)
            except libcst.ParserSyntaxError as error:
                tally.broken.append(f"{file.path}: fixed text does not parse: {error}")
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", type=Path)
    parser.add_argument("--jobs", type=int, default=default_jobs())
    arguments = parser.parse_args()
    targets = [t.resolve() for t in arguments.targets] or default_targets()
    total = Tally()
    print(
        f"{'target':<60} {'files':>6} {'parsed':>6} {'findings':>8} {'internal':>8} "
        f"{'broken':>6} {'seconds':>8}"
    )
    for target in targets:
        tally = sweep(target, arguments.jobs)
        total.add(tally)
        print(
            f"{str(target)[-60:]:<60} {tally.files:>6} {tally.parsed:>6} {tally.findings:>8} "
            f"{len(tally.internal):>8} {len(tally.broken):>6} {tally.seconds:>8.1f}"
        )
    for error in [*total.internal, *total.broken, *total.other]:
        print(error, file=sys.stderr)
    print(
        f"total: {total.files} files, {total.parsed} parsed as possible model files, "
        f"{total.findings} findings, {total.fixed_files} files with fixes, "
        f"{len(total.internal)} internal errors, {len(total.broken)} fixes that do not parse, "
        f"{len(total.other)} other errors, {total.seconds:.1f} s "
        f"(Python {sys.version.split()[0]}, {arguments.jobs} jobs)"
    )
    return 1 if total.internal or total.broken else 0


if __name__ == "__main__":
    raise SystemExit(main())
