"""Measure schemacheck's speed and memory against its floors and peers, in one run.

Every figure is taken on the same files in the same run, so that ratios hold on a noisy
machine; each time is the best of ``--repeat`` runs of a fresh process (interpreter start and
imports included, as users see them), with every rule on. Prints a table and writes it to
``bench/RESULTS.md``.

    python bench/run.py                       # the generated corpus (1,000 + 1,000 files)
    python bench/run.py --project DIR ...     # also real project checkouts
    python bench/run.py --memory-files 10000  # the peak-memory corpus size

Targets (issue "Speed"): cold one process <= 1.3x a bare ``libcst.parse_module`` loop; two jobs
<= 0.6x one; warm <= 5% of cold and < 0.3 s for 1,000 files; one file changed <= 10% of cold;
a mixed tree <= 2x reading every file; peak memory < 300 MB for 10,000 files; >= 3x faster
than ``fixit lint``.
"""

from __future__ import annotations

import argparse
import ast
import compileall
import datetime
import importlib.util
import os
import platform
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import generate

HERE = Path(__file__).parent
PYTHON = sys.executable
# The console script, as pre-commit and CI run it (``python -m`` adds runpy's import, 2 ms).
_SCRIPT = Path(PYTHON).with_name("schemacheck")
SCHEMACHECK = [str(_SCRIPT)] if _SCRIPT.is_file() else [PYTHON, "-m", "schemacheck"]
# Every measured run has every rule on, as the targets say, and prints only a short report.
QUIET = ["--select", "ALL", "--exit-zero", "-q", "--output-format", "concise"]

# Each loop goes over the files schemacheck checks there, listed in a file (``listing``): the
# floors are measured on the same files, not on whatever ``*.py`` a tree holds (a nested
# ``site-packages``, which schemacheck skips, would count for it). A file the parser rejects
# costs its attempt and the loop goes on: CPython's parser stops at syntax newer than the
# running Python, which libcst's reads, and a real project may have both.
_LOOP = """
import sys, libcst
with open(sys.argv[1], encoding="utf-8") as listing:
    paths = listing.read().split("\\0")
for path in filter(None, paths):
    with open(path, "rb") as stream:
        text = stream.read().decode("utf-8", "replace")
    try:
        {body}
    except Exception:
        pass
"""
PARSE_LOOP = _LOOP.format(body="libcst.parse_module(text)")
AST_LOOP = _LOOP.format(body="compile(text, path, 'exec', 0x400)").replace(
    "import sys, libcst", "import sys"
)
READ_LOOP = _LOOP.format(body="pass").replace("import sys, libcst", "import sys")


def timed(
    command: list[str],
    cwd: Path,
    repeat: int,
    env: dict[str, str] | None = None,
    *,
    check: bool = True,
) -> float:
    """The best time of ``repeat`` runs; a run that fails (unless ``check`` is false, for a
    peer whose exit code reports findings) stops the benchmark rather than time a crash."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(
            command,
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE if check else subprocess.DEVNULL,
            env=env,
            check=check,
        )
        best = min(best, time.perf_counter() - started)
    return best


def peak_memory_mb(command: list[str], cwd: Path) -> float:
    """The peak resident memory of a child process (its largest process, workers included)."""
    code = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run([PYTHON, "-c", code, *command], cwd=cwd, capture_output=True, text=True)
    return int(out.stdout.strip()) / 1024


def output(command: list[str], cwd: Path) -> str:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True).stdout


def listing(roots: list[Path], cwd: Path) -> tuple[Path, int]:
    """A file listing the files schemacheck finds under ``roots`` (run from ``cwd``), for the
    loops, and how many there are."""
    from schemacheck.files import discover

    found = [str(path.resolve()) for path in discover(roots, cwd)]
    handle, name = tempfile.mkstemp(prefix="schemacheck-bench-files-", suffix=".txt")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write("\0".join(found))
    return Path(name), len(found)


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str]] = []

    def add(self, corpus: str, what: str, figure: str, target: str, met: bool | None) -> None:
        verdict = "" if met is None else ("met" if met else "missed")
        self.rows.append((corpus, what, figure, target, verdict))
        print(f"{corpus:<28} {what:<44} {figure:>24}  {target:<22} {verdict}", flush=True)

    def markdown(self) -> str:
        lines = [
            "| corpus | measure | figure | target | |",
            "|---|---|---|---|---|",
            *(f"| {' | '.join(row)} |" for row in self.rows),
        ]
        return "\n".join(lines)


def measure_corpus(name: str, root: Path, table: Table, repeat: int, jobs: int) -> None:
    listed, files = listing([root], root)
    cache = Path(tempfile.mkdtemp(prefix="schemacheck-bench-cache-"))
    parse = timed([PYTHON, "-c", PARSE_LOOP, str(listed)], root, repeat)
    ast_loop = timed([PYTHON, "-c", AST_LOOP, str(listed)], root, repeat)
    listed.unlink()
    cold = timed([*SCHEMACHECK, "--no-cache", "-j1", *QUIET, "."], root, repeat)
    parallel = timed([*SCHEMACHECK, "--no-cache", f"-j{jobs}", *QUIET, "."], root, repeat)
    label = f"{name} ({files} files)"
    table.add(label, "libcst.parse_module loop", f"{parse:.2f} s", "", None)
    table.add(label, "ast parse loop", f"{ast_loop:.2f} s", "", None)
    table.add(
        label,
        "cold, 1 process / parse loop",
        f"{cold:.2f} s = {cold / parse:.2f}x",
        "<= 1.3x",
        cold <= 1.3 * parse,
    )
    table.add(
        label,
        "cold, 1 process / ast loop",
        f"{cold / ast_loop:.2f}x",
        "<= 3x (stretch)",
        cold <= 3 * ast_loop,
    )
    table.add(
        label,
        f"cold, {jobs} jobs / 1 process",
        f"{parallel:.2f} s = {parallel / cold:.2f}x",
        "<= 0.6x",
        parallel <= 0.6 * cold,
    )
    with_cache = [*SCHEMACHECK, "--cache-dir", str(cache), *QUIET, "."]
    subprocess.run(with_cache, cwd=root, capture_output=True)
    warm = timed(with_cache, root, repeat)
    table.add(
        label,
        "warm (nothing changed) / cold",
        f"{warm:.2f} s = {warm / cold:.1%}",
        "<= 5%" + (", < 0.3 s" if files <= 1100 else ""),
        warm <= 0.05 * cold and (files > 1100 or warm < 0.3),
    )
    changed = one_file_changed(root, with_cache, repeat)
    if changed is not None:
        seconds, right = changed
        table.add(
            label,
            "one model file changed / cold",
            f"{seconds:.2f} s = {seconds / cold:.1%}",
            "<= 10%, same findings",
            seconds <= 0.1 * cold and right,
        )
    shutil.rmtree(cache, ignore_errors=True)
    if shutil.which("fixit") or (Path(PYTHON).parent / "fixit").exists():
        fixit = str(Path(PYTHON).parent / "fixit") if not shutil.which("fixit") else "fixit"
        peer = timed([fixit, "lint", "."], root, repeat, check=False)
        ours = timed([*SCHEMACHECK, "--no-cache", *QUIET, "."], root, repeat)
        table.add(
            label,
            "fixit lint / schemacheck (ALL rules, no cache)",
            f"{peer:.2f} s / {ours:.2f} s = {peer / ours:.1f}x",
            ">= 3x",
            peer >= 3 * ours,
        )


# A model's ``__tablename__ =`` line, where a new column can follow (not the word in a string
# or an expression: ``hasattr(c, "__tablename__")`` is CTFd's first mention).
_TABLENAME = re.compile(r"^([ \t]+)__tablename__\s*=.*$", re.MULTILINE)


def _parses(text: str) -> bool:
    try:
        compile(text, "<changed>", "exec", ast.PyCF_ONLY_AST)
    except (SyntaxError, ValueError):
        return False
    return True


def one_file_changed(root: Path, command: list[str], repeat: int) -> tuple[float, bool] | None:
    """Time a run after one model gains a column; its findings must equal a cold run's."""
    candidates = sorted(p for p in root.rglob("*.py") if _TABLENAME.search(p.read_text("utf-8")))
    if not candidates:
        return None
    target = candidates[len(candidates) // 2]
    original = target.read_bytes()
    best = float("inf")
    right = True
    try:
        for attempt in range(repeat):
            subprocess.run(command, cwd=root, capture_output=True)  # warm the cache
            text = original.decode("utf-8")
            line = _TABLENAME.search(text)
            assert line is not None
            column = f"{line.group(1)}bench_extra_{attempt} = Column(String(20))\n"
            changed = text[: line.end() + 1] + column + text[line.end() + 1 :]
            if _parses(text) and not _parses(changed):  # (newer syntax than this Python's)
                raise RuntimeError(f"{target}: the added column does not parse")
            target.write_text(changed)
            started = time.perf_counter()
            cached = output(command, root)
            best = min(best, time.perf_counter() - started)
            fresh = output([*command[:-1], "--no-cache", "."], root)
            right = right and cached == fresh
            target.write_bytes(original)
    finally:
        target.write_bytes(original)
    return best, right


def measure_mixed(table: Table, roots: list[Path], repeat: int) -> None:
    listed, files = listing(roots, Path.cwd())
    read = timed([PYTHON, "-c", READ_LOOP, str(listed)], Path.cwd(), repeat)
    holding, held = with_model_code(listed)
    listed.unlink()
    floor = timed([PYTHON, "-c", AST_LOOP, str(holding)], Path.cwd(), repeat)
    holding.unlink()
    ours = timed([*SCHEMACHECK, "--no-cache", *QUIET, *map(str, roots)], Path.cwd(), repeat)
    label = f"stdlib + site-packages ({files} files)"
    table.add(
        label,
        "cold / reading every file",
        f"{ours:.2f} s / {read:.2f} s = {ours / read:.1f}x",
        "<= 2x",
        ours <= 2 * read,
    )
    # What no checker of these files avoids: CPython's own parser, on only the files whose code
    # uses the constructs a model is made of (SQLAlchemy's and Alembic's own source among them).
    table.add(
        label,
        f"ast parse loop over the {held} files with model code / reading every file",
        f"{floor:.2f} s / {read:.2f} s = {floor / read:.1f}x",
        "",
        None,
    )


def with_model_code(listed: Path) -> tuple[Path, int]:
    """A listing of the files of ``listed`` whose code passes schemacheck's prefilter (those a
    run parses), and how many there are."""
    from schemacheck.prefilter import may_hold_schema

    kept = []
    for path in filter(None, listed.read_text(encoding="utf-8").split("\0")):
        text = Path(path).read_bytes().decode("utf-8", "replace")
        if may_hold_schema(text):
            kept.append(path)
    handle, name = tempfile.mkstemp(prefix="schemacheck-bench-files-", suffix=".txt")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write("\0".join(kept))
    return Path(name), len(kept)


def measure_memory(table: Table, files: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory) / "corpus"
        generate(root, models=files // 2, migrations=files - files // 2)
        peak = peak_memory_mb([*SCHEMACHECK, "--no-cache", "-j1", *QUIET, "."], root)
        table.add(
            f"generated ({files} files)",
            "peak memory, 1 process",
            f"{peak:.0f} MB",
            "< 300 MB",
            peak < 300,
        )


def _command(args: argparse.Namespace) -> str:
    """The command as run, with each project shown by its last two path parts."""
    words = ["python bench/run.py", f"--repeat {args.repeat}"]
    words += [f"--project <{'/'.join(p.resolve().parts[-2:])}>" for p in args.project]
    if args.no_mixed:
        words.append("--no-mixed")
    if args.memory_files != 10000:
        words.append(f"--memory-files {args.memory_files}")
    return " ".join(words)


def compile_bytecode() -> None:
    """Compile schemacheck's modules, as installing a package does.

    An editable install compiles them on first import, unless ``PYTHONDONTWRITEBYTECODE`` is
    set; then every run would compile them all again, which no installed copy does.
    """
    spec = importlib.util.find_spec("schemacheck")
    if spec is None or spec.origin is None:
        raise SystemExit("bench: schemacheck is not installed")
    compileall.compile_dir(Path(spec.origin).parent, quiet=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, action="append", default=[])
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--migrations", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--memory-files", type=int, default=10000)
    parser.add_argument(
        "--no-mixed", action="store_true", help="Skip the stdlib + site-packages run."
    )
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    compile_bytecode()
    table = Table()
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory) / "corpus"
        generate(root, args.models, args.migrations)
        measure_corpus("generated", root, table, args.repeat, args.jobs)
    for project in args.project:
        measure_corpus(project.resolve().name, project.resolve(), table, args.repeat, args.jobs)
    if not args.no_mixed:
        stdlib = Path(sysconfig.get_paths()["stdlib"])
        site = Path(sysconfig.get_paths()["purelib"])
        measure_mixed(table, [stdlib, site], min(args.repeat, 2))
    if args.memory_files:
        measure_memory(table, args.memory_files)
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("schemacheck", "libcst", "sqlalchemy", "fixit")
        if _installed(name)
    )
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    header = (
        "# Benchmark results\n\n"
        f"Measured {datetime.date.today().isoformat()} by `{_command(args)}` on "
        f"{platform.machine()} Linux, {cores} cores, {memory:.0f} GiB, "
        f"Python {platform.python_version()}; {versions}. Times are the best of "
        f"{args.repeat} fresh processes, with every module compiled to bytecode as an install "
        "does; ratios compare figures taken in the same run.\n\n"
    )
    args.output.write_text(header + table.markdown() + "\n", encoding="utf-8")
    print(f"\nwritten to {args.output}")
    return 0


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as error:
        said = (error.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        sys.exit(
            f"bench: {' '.join(map(str, error.cmd))[:120]} failed (exit {error.returncode})"
            + (f": {said[-1]}" if said else "")
        )
