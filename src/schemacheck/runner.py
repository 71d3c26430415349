"""Checking files: read, parse once, extract, run the rules, filter, fix, write back.

Per-file work is a pure function of the file's text and the settings and returns plain data
(:class:`FileResult`), so that files can later be checked in parallel or served from a cache.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import dataclasses
import os
import re
import stat
import tempfile
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from schemacheck import codecache
from schemacheck.catalog import BY_CODE
from schemacheck.context import FileContext
from schemacheck.diagnostics import Diagnostic, Level
from schemacheck.extract.names import Names, canonical
from schemacheck.files import display_path, resolved
from schemacheck.fixes import apply_fixes
from schemacheck.hollow import BODY_WORDS, Hollowed, for_parser, touches
from schemacheck.noqa import Directives, read_directives
from schemacheck.pickling import EMPTY, EMPTY_DICT
from schemacheck.prefilter import may_hold_schema
from schemacheck.project import Handle, LibraryName, Project, ProjectFile
from schemacheck.results import FileResult, Settings
from schemacheck.rules.base import Rule
from schemacheck.schema import BOUND, ColumnDef, FileSchema
from schemacheck.source import LineIndex, NodeRanges, SourceDecodeError, SourceFile

if TYPE_CHECKING:
    import libcst as cst
else:
    from schemacheck.lazy import libcst as cst

MAX_FIX_ROUNDS = 100


def _syntax_error(display: str, text: str, message: str, line: int, column: int) -> Diagnostic:
    rule = BY_CODE["SC001"]  # its entry: the rule itself may not be selected
    lines = LineIndex(text)
    line = max(1, min(line, lines.line_count))
    start = min(lines.line_start(line) + max(column - 1, 0), len(text))
    span = lines.span(start, start)
    return Diagnostic(rule.code, rule.name, message, Level.ERROR, display, span)


def _syntax_diagnostic(display: str, text: str, error: cst.ParserSyntaxError) -> Diagnostic:
    """Python's own parser words and places syntax errors best; libcst's is the fallback."""
    if "\0" in text:  # Python refuses these before parsing, without a position
        lines = LineIndex(text)
        line, column = lines.position(text.index("\0"))
        return _syntax_error(
            display, text, "Syntax error: a null byte (binary data?)", line, column
        )
    try:
        compile(text, display, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as python_error:
        if python_error.lineno is not None:
            return _syntax_error(
                display,
                text,
                f"Syntax error: {python_error.msg}",
                python_error.lineno,
                python_error.offset or 1,
            )
    except (ValueError, RecursionError, MemoryError):
        pass
    detail = re.sub(r"^(parser error: )?error at \d+:\d+: ", "", error.message)
    return _syntax_error(
        display, text, f"Syntax error: {detail}", error.raw_line, error.raw_column + 1
    )


def _rules_for(path: Path, settings: Settings) -> tuple[Rule, ...]:
    codes = settings.codes_for(path)
    if len(codes) == len(settings.rules):  # no per-file ignore: the run's tuple, one for all
        return settings.rules
    return tuple(rule for rule in settings.rules if rule.code in codes)


@dataclass
class Parsed:
    """A file parsed and extracted once, for the rules and the project to share."""

    module: cst.Module | None  # None once released (see ``release``)
    lines: LineIndex
    schema: FileSchema
    names: Names
    offsets: NodeRanges
    literals: tuple[tuple[int, int], ...] = ()  # large literals the tree holds empty (hollow.py)
    refs: list[ColumnDef] = field(default_factory=list)  # the columns holding nodes of the tree
    calls: list[cst.Call] = field(default_factory=list)  # every call of the tree, in order
    bodies: tuple[tuple[int, int], ...] = ()  # function bodies the tree holds empty (hollow.py)


def parse_text(text: str, display: str, settings: Settings) -> Parsed | Diagnostic | str:
    """The parsed file, or its syntax error (SC001), or an internal error message."""
    codecache.save()  # the parser's classes, made once
    lines = LineIndex(text)
    return _parse_and_extract(text, display, settings, lines, for_parser(text, lines))


def _parse_and_extract(
    text: str,
    display: str,
    settings: Settings,
    lines: LineIndex,
    hollowed: Hollowed,
) -> Parsed | Diagnostic | str:
    from schemacheck.parsing import parse_module  # with libcst: only when parsing

    try:
        module = parse_module(hollowed.text)
    except cst.ParserSyntaxError as error:
        return _syntax_diagnostic(display, text, error)
    except Exception as error:
        return _syntax_error(display, text, f"Cannot parse: {error}", 1, 1)
    from schemacheck.extract.models import extract_models  # with libcst: only when parsing

    try:
        schema, names, (offsets, calls), refs = extract_models(module, text, display, lines)
    except Exception as error:
        return _internal(display, "extracting models", error, settings.verbose)
    return Parsed(
        module, lines, schema, names, offsets, hollowed.literals, refs, calls, hollowed.bodies
    )


def release(parsed: Parsed) -> None:
    """Let a file's tree go once its model is extracted, when no rule needs it (a context file,
    a migration): a tree costs about a hundred times its source in memory."""
    parsed.module = None
    parsed.lines.settle()
    parsed.offsets = {}  # keyed by the ids of the tree's nodes: meaningless once it is gone
    for column in parsed.refs:
        column.statement = BOUND
    parsed.refs = EMPTY
    parsed.calls = EMPTY


_LIBRARIES = ("sqlalchemy", "sqlmodel", "flask_sqlalchemy", "typing")


def may_need_links(names: Names, text: str, modules: frozenset[str]) -> bool:
    """Whether :func:`linked_names` may change this file's bindings: it imports, from a module
    of the project (a relative import, or one named with ``modules``, see ``module_words``), a
    name it calls, or a lowercase name it reads an attribute of (``sessionmaker()``,
    ``db.session``).

    A guess made before the project exists, to decide whether a file keeps its tree for
    linking: a wrong one costs a parse, never a finding.
    """
    # An alias of a library construct is called; a handle is a lowercase object whose
    # attributes are read. ``User.id`` or ``Base.metadata`` is neither.
    called: list[str] = []
    read: list[str] = []
    for local, target in names.bindings.items():
        root = target.split(".")[0]  # "" for a relative import
        if local in names.handles or root in _LIBRARIES or not (root == "" or root in modules):
            continue
        (read if local[:1].islower() else called).append(local)
    # One scan of the text for each kind: a file importing many names of its project (a
    # service module) scanned it once per name, a third of a second in a profile of polar.
    return any(
        _used(words, after).search(text)
        for words, after in ((called, r"\s*\("), (read, r"\s*[.(]"))
        if words
    )


def _used(names: Iterable[str], after: str) -> re.Pattern[str]:
    """Any of ``names`` written as a name of its own (not after a dot, not inside a longer
    word), followed by ``after``."""
    return re.compile(rf"(?<![\w.])(?:{'|'.join(map(re.escape, names))}){after}")


def module_words(paths: Iterable[Path]) -> frozenset[str]:
    """Every directory and file name of these files' paths: whatever names a module among them
    (in full or, as the project also resolves imports, by a tail of its name) starts with one."""
    words: set[str] = set()
    for path in paths:
        words.update(str(resolved(path)).removesuffix(".py").split(os.sep))
    return frozenset(words)


def linked_names(names: Names, project: Project, file: ProjectFile) -> Names | None:
    """A file's import bindings with the project's aliases of library constructs, if any.

    ``from app.database import Column`` where ``app/database.py`` says ``Column = db.Column`` is
    SQLAlchemy's ``Column``; only the project can tell. None when the project adds nothing.
    """
    patched: Names | None = None
    for local, target in names.bindings.items():
        if target.split(".")[0] in _LIBRARIES:
            continue
        found = project.resolve(file, target)
        if isinstance(found, LibraryName) and found.qualname != canonical(target):
            patched = patched or copy.deepcopy(names)
            patched.bindings[local] = found.qualname
        elif isinstance(found, Handle) and local not in names.handles:
            patched = patched or copy.deepcopy(names)
            patched.handles |= {local}
    return patched


def without_tree(pending: PendingFile, settings: Settings) -> PendingFile:
    """A file from the cache, made ready for its rules without parsing it again."""
    if pending.text is not None and pending.result.schema is not None and pending.names is not None:
        text = pending.text
        pending.rules = _rules_for(pending.path, settings)
        pending.parsed = Parsed(
            None, LineIndex(text), pending.result.schema, pending.names, {}, pending.literals
        )
    return pending


def relink(parsed: Parsed, text: str, names: Names) -> Parsed:
    """The file extracted again with ``names``: extraction is cheap beside parsing."""
    from schemacheck.extract.models import extract_models
    from schemacheck.parsing import parse_module

    module = parsed.module
    measured = None
    bodies = parsed.bodies
    whole = _calls_new_names(parsed, text, names)
    if module is None or whole:
        # Released (only files that import project aliases), or an emptied function body calls
        # a name the project reveals as a construct's alias: parse again, that body included.
        hollowed = for_parser(text, parsed.lines, bodies=not whole)
        try:
            module = parse_module(hollowed.text)
        except cst.ParserSyntaxError:  # syntax in that body libcst does not know: read as before
            hollowed = for_parser(text, parsed.lines)
            module = parse_module(hollowed.text)
        bodies = hollowed.bodies
    else:  # the same tree: its nodes' ranges and its calls are already known
        measured = parsed.offsets, parsed.calls
    path = parsed.schema.path
    schema, _, (offsets, calls), refs = extract_models(
        module, text, path, parsed.lines, names, measured
    )
    relinked = Parsed(
        module, parsed.lines, schema, names, offsets, parsed.literals, refs, calls, bodies
    )
    if parsed.module is None:
        release(relinked)
    return relinked


def _calls_new_names(parsed: Parsed, text: str, names: Names) -> bool:
    """Whether an emptied body names what ``names`` newly binds to a construct extraction reads
    in bodies (``sql_text`` for ``text``). A new handle (``db``) needs no look: what extraction
    reads through one is called by a name it looks for anyway (``db.session.execute``)."""
    if not parsed.bodies:
        return False
    before = parsed.names.bindings
    new = {
        name
        for name, target in names.bindings.items()
        if before.get(name) != target
        and name not in BODY_WORDS
        and target.rpartition(".")[2] in BODY_WORDS
    }
    if not new:
        return False
    word = _used(sorted(new), r"(?!\w)")
    return any(word.search(text, start, end) for start, end in parsed.bodies)


def link(parsed: Parsed, text: str, project: Project, file: ProjectFile) -> Parsed:
    """Re-read a file whose imports name the project's aliases of library constructs."""
    names = linked_names(parsed.names, project, file)
    return parsed if names is None else relink(parsed, text, names)


def check_text(
    text: str,
    path: str,
    display: str,
    rules: Sequence[Rule],
    settings: Settings,
    *,
    parsed: Parsed | None = None,
    project: Project | None = None,
    file: ProjectFile | None = None,
) -> tuple[list[Diagnostic], FileSchema | None, list[str]]:
    """Diagnostics of one text (after noqa), its model, and internal errors.

    With a ``project``, ``file`` is this text's entry in it: its model is replaced by this
    text's before the rules run, so that they see the file as it is now.
    """
    wants_syntax = any(rule.code == "SC001" for rule in rules)
    if parsed is None:
        outcome = parse_text(text, display, settings)
        if isinstance(outcome, Diagnostic):
            return ([outcome] if wants_syntax else []), None, []
        if isinstance(outcome, str):
            return [], None, [outcome]
        parsed = outcome
        if project is not None and file is not None:
            try:
                parsed = link(parsed, text, project, file)
            except Exception as error:
                return [], None, [_internal(display, "extracting models", error, settings.verbose)]
    if project is not None and file is not None and file.schema is not parsed.schema:
        project.replace(file.schema, parsed.schema)
    schema = parsed.schema
    lines = parsed.lines
    errors: list[str] = []
    ctx = FileContext(
        path=path,
        display_path=display,
        text=text,
        lines=lines,
        module=parsed.module,
        schema=schema,
        names=parsed.names,
        offsets=parsed.offsets,
        target_version=settings.config.target_version,
        project=project,
    )
    diagnostics: list[Diagnostic] = []
    if schema.migration is not None:
        # Tables and classes inside a migration are snapshots for moving data, not the schema.
        rules = [rule for rule in rules if not rule.models_only]
    for rule in rules:
        try:
            diagnostics.extend(rule.check(ctx))
        except Exception as error:
            errors.append(_internal(display, f"rule {rule.code}", error, settings.verbose))
    ctx.mapping.settle()
    wants_unused = any(rule.code == "SC002" for rule in rules)
    if diagnostics or (wants_unused and "noqa" in text):
        directives = read_directives(text)
        used: set[tuple[int, str]] = set()
        kept = []
        for d in diagnostics:
            line = directives.suppressor(d.code, (d.span.line, *d.noqa_lines))
            if line is None:
                kept.append(d)
            else:
                used.add((line, d.code))
        diagnostics = kept
        if wants_unused:
            enabled = {rule.code for rule in rules}
            diagnostics.extend(unused_noqa(display, lines, directives, used, enabled))
    if parsed.literals and any(d.fix is not None for d in diagnostics):
        diagnostics = [_outside(d, parsed.literals) for d in diagnostics]
    diagnostics.sort(key=lambda d: d.sort_key)
    return diagnostics, schema, errors


def _outside(diagnostic: Diagnostic, hollow: tuple[tuple[int, int], ...]) -> Diagnostic:
    """The finding without its fix when the fix would write over a hollowed literal."""
    fix = diagnostic.fix
    if fix is None or not any(touches(hollow, edit.start, edit.end) for edit in fix.edits):
        return diagnostic
    return dataclasses.replace(diagnostic, fix=None)


def unused_noqa(
    display: str,
    lines: LineIndex,
    directives: Directives,
    used: set[tuple[int, str]],
    enabled: set[str],
) -> list[Diagnostic]:
    """SC002: ``# noqa: SC...`` codes of enabled rules that suppressed nothing on their line."""
    rule = BY_CODE["SC002"].load()
    found = []
    for line, codes in sorted(directives.lines.items()):
        if codes is None:
            continue  # a bare noqa may serve other tools
        unused = sorted(
            c for c in codes if c in enabled and c.startswith("SC") and (line, c) not in used
        )
        if not unused:
            continue
        start_column, end_column = directives.columns.get(line, (0, 0))
        base = lines.line_start(line)
        span = lines.span(base + start_column, base + end_column)
        message = f"Unused `noqa` for {', '.join(unused)}: nothing to suppress here"
        found.append(Diagnostic(rule.code, rule.name, message, rule.level, display, span))
    return found


def _internal(display: str, what: str, error: BaseException, verbose: bool) -> str:
    message = f"{display}: internal error while {what}: {type(error).__name__}: {error}"
    if verbose:
        message += "\n" + "".join(traceback.format_exception(error))
    return message


def check_file(path: Path, settings: Settings) -> FileResult:
    """Check one file on its own; whatever goes wrong inside is reported, never raised."""
    pending = prepare_file(path, settings)
    return finish_file(pending, settings)


@dataclass
class PendingFile:
    """A file read and parsed, waiting for the project to be complete before its rules run."""

    path: Path
    result: FileResult
    rules: tuple[Rule, ...] = ()
    text: str | None = None  # None: nothing more to do (unreadable, not a model file, error)
    parsed: Parsed | None = None
    file: ProjectFile | None = None  # its entry in the project
    names: Names | None = None  # its import bindings as extracted (before linking)
    cached: bool = False  # read from the cache: no tree until parsed again
    # The large literals its model was read with emptied (hollow.py), kept with the model: a
    # fix must not write over one, and finding them again takes CPython's parse of the file.
    literals: tuple[tuple[int, int], ...] = ()

    def __getstate__(self) -> dict[str, object]:
        # The tree stays in the process that parsed it; the project entry is rebuilt there.
        # Rules are the run's settings, chosen again wherever the file is checked.
        return {**self.__dict__, "parsed": None, "file": None, "rules": ()}


def prepare_file(path: Path, settings: Settings) -> PendingFile:
    display = display_path(path, settings.config.root)
    try:
        return _prepare_file(path, display, settings)
    except Exception as error:  # an internal error is a bug, not a crash
        result = FileResult(path=display)
        result.errors.append(_internal(display, "checking", error, settings.verbose))
        return PendingFile(path, result)


def _prepare_file(path: Path, display: str, settings: Settings) -> PendingFile:
    result = FileResult(path=display)
    pending = PendingFile(path, result)
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            # A FIFO or device named like a module: reading it could wait forever.
            result.errors.append(f"{display}: cannot read: not a regular file")
            return pending
        data = path.read_bytes()
    except OSError as error:
        result.errors.append(f"{display}: cannot read: {error.strerror or error}")
        return pending
    pending.rules = rules = _rules_for(path, settings)
    try:
        source = SourceFile.from_bytes(data)
    except SourceDecodeError as error:
        if any(rule.code == "SC001" for rule in rules):
            message = f"Cannot read the file as Python source: {error}"
            result.diagnostics.append(_syntax_error(display, "", message, 1, 1))
        return pending
    text = source.text
    if not may_hold_schema(text):
        return pending
    result.source = text
    outcome = parse_text(text, display, settings)
    if isinstance(outcome, Diagnostic):
        if any(rule.code == "SC001" for rule in rules):
            result.diagnostics.append(outcome)
        return pending
    if isinstance(outcome, str):
        result.errors.append(outcome)
        return pending
    pending.text, pending.parsed, pending.names = text, outcome, outcome.names
    pending.literals = outcome.literals
    result.schema = outcome.schema
    return pending


def finish_file(
    pending: PendingFile, settings: Settings, project: Project | None = None
) -> FileResult:
    """Run the rules (and fixes) of a prepared file; the tree is released afterwards."""
    result = pending.result
    if pending.text is None or pending.parsed is None:
        return result
    try:
        _finish_file(pending, settings, project)
    except Exception as error:  # an internal error is a bug, not a crash
        result.errors.append(_internal(result.path, "checking", error, settings.verbose))
    pending.parsed = None
    return result


def _finish_file(pending: PendingFile, settings: Settings, project: Project | None) -> None:
    result, text, path = pending.result, pending.text, pending.path
    assert text is not None
    display = result.path
    original = text
    diagnostics, schema, errors = check_text(
        text,
        str(path),
        display,
        pending.rules,
        settings,
        parsed=pending.parsed,
        project=project,
        file=pending.file,
    )
    if settings.fix:
        first = diagnostics
        text, diagnostics, schema, errors = _fix_loop(
            result, text, diagnostics, schema, errors, pending, settings, project
        )
        if result.fixed and text != original:
            result.original = original
            result.source = text
            result.unfixed = first
    result.diagnostics, result.schema, result.errors = diagnostics, schema, errors


def _fix_loop(
    result: FileResult,
    text: str,
    diagnostics: list[Diagnostic],
    schema: FileSchema | None,
    errors: list[str],
    pending: PendingFile,
    settings: Settings,
    project: Project | None,
) -> tuple[str, list[Diagnostic], FileSchema | None, list[str]]:
    display = result.path
    for _ in range(MAX_FIX_ROUNDS):
        fixable = [d for d in diagnostics if d.fix and settings.allows(d.fix.applicability)]
        if not fixable:
            break
        new_text, applied = apply_fixes(text, fixable)
        if not applied or new_text == text:
            break
        previous = pending.file.schema if pending.file is not None else None
        new = check_text(
            new_text,
            str(pending.path),
            display,
            pending.rules,
            settings,
            project=project,
            file=pending.file,
        )
        if any(d.code == "SC001" for d in new[0]) or new[1] is None:
            if project is not None and pending.file is not None and previous is not None:
                project.replace(pending.file.schema, previous)
            errors.append(
                f"{display}: internal error: a fix for "
                + ", ".join(sorted({d.code for d in fixable}))
                + " produced code that does not parse; the file was not changed by it"
            )
            break
        fixed = result.fixed_codes = dict(result.fixed_codes)  # the shared empty one at first
        for diagnostic in applied:
            fixed[diagnostic.code] = fixed.get(diagnostic.code, 0) + 1
        text = new_text
        diagnostics, schema, errors = new[0], new[1], errors + new[2]
    return text, diagnostics, schema, errors


def write_atomically(path: Path, original: bytes, data: bytes) -> str | None:
    """Replace ``path``'s content, unless it changed since it was read. An error or None."""
    try:
        current = path.read_bytes()
    except OSError as error:
        return f"{path}: cannot read before writing: {error.strerror or error}"
    if current != original:
        return f"{path}: changed on disk while being checked; not written"
    try:
        mode = path.stat().st_mode
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
    except OSError as error:
        return f"{path}: cannot write: {error.strerror or error}"
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode & 0o7777)
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return f"{path}: cannot write: {error.strerror or error}"
    return None


def write_fixes(path: Path, result: FileResult) -> str | None:
    """Write the fixed text; when it cannot be written, the result goes back to the findings
    of the file as it is on disk, and the error is returned."""
    problem = _write_fixes(path, result)
    if problem is not None:
        result.fixed_codes = EMPTY_DICT
        if result.unfixed is not None:
            result.diagnostics, result.source = result.unfixed, result.original
    return problem


def _write_fixes(path: Path, result: FileResult) -> str | None:
    if not result.changed or result.source is None or result.original is None:
        return None
    try:
        original = path.read_bytes()
        source = SourceFile.from_bytes(original)
        mode = path.stat().st_mode
    except (OSError, SourceDecodeError) as error:
        return f"{path}: cannot read before writing: {error}"
    if source.text != result.original:
        return f"{path}: changed on disk while being checked; not written"
    if not os.access(path, os.W_OK) or not mode & 0o222:
        # Also when running as root, which may write anyway: read-only means "do not touch".
        return f"{path}: read-only; fixes not written"
    return write_atomically(path, original, source.to_bytes(result.source))


def extract_only(settings: Settings) -> Settings:
    """Settings for a context file: read for the project, never reported on or fixed."""
    return dataclasses.replace(settings, codes=(), fix=False)
