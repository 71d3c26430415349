"""What a run is given and what it gives back: settings in, findings per file out.

Kept apart from the runner so that a run answered from the cache (and the command line that
reports it) needs neither the parser, nor the model, nor the rule modules: :attr:`Settings.rules`
imports the selected rules the first time a file is checked.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from schemacheck.catalog import BY_CODE
from schemacheck.config import Config, Selection, enabled_codes, resolve_selectors
from schemacheck.diagnostics import Applicability, Diagnostic
from schemacheck.files import matches
from schemacheck.pickling import EMPTY_DICT

if TYPE_CHECKING:
    from schemacheck.rules.base import Rule
    from schemacheck.schema import FileSchema


@dataclass(frozen=True)
class Settings:
    """What a run does to each file."""

    codes: tuple[str, ...]  # the selected rules, in code order
    config: Config
    fix: bool = False
    unsafe_fixes: bool = False
    verbose: bool = False

    @functools.cached_property
    def rules(self) -> tuple[Rule, ...]:
        """The selected rules, configured."""
        settings = self.config.rule_settings
        dialects = self.config.dialects
        return tuple(BY_CODE[code].load()(settings.get(code), dialects) for code in self.codes)

    def allows(self, applicability: Applicability) -> bool:
        return applicability is Applicability.SAFE or self.unsafe_fixes

    def codes_for(self, path: Path) -> frozenset[str]:
        """The selected rules that apply to ``path``, after ``per-file-ignores``."""
        config = self.config
        ignored: set[str] = set()
        for pattern, selectors in config.per_file_ignores.items():
            if matches(path, config.root, [pattern]):
                ignored |= resolve_selectors(selectors, "per-file-ignores", "config")
        return frozenset(self.codes) - ignored


def make_settings(
    config: Config,
    selection: Selection | None = None,
    *,
    fix: bool = False,
    unsafe_fixes: bool = False,
    verbose: bool = False,
) -> Settings:
    return Settings(
        codes=enabled_codes(config, selection or Selection()),
        config=config,
        fix=fix,
        unsafe_fixes=unsafe_fixes,
        verbose=verbose,
    )


@dataclass
class FileResult:
    path: str  # as reported
    diagnostics: list[Diagnostic] = field(default_factory=list)
    schema: FileSchema | None = None
    source: str | None = None  # the text the diagnostics refer to (after fixes)
    original: str | None = None  # the text as read, when fixes changed it
    fixed_codes: dict[str, int] = field(default_factory=lambda: EMPTY_DICT)  # fixes applied
    errors: list[str] = field(default_factory=list)  # unreadable file, internal error, ...
    unfixed: list[Diagnostic] | None = None  # the findings in ``original``, when fixes changed it

    @property
    def fixed(self) -> int:
        return sum(self.fixed_codes.values())

    @property
    def changed(self) -> bool:
        return self.original is not None and self.original != self.source


@dataclass
class RunResult:
    files: list[FileResult]

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return sorted((d for f in self.files for d in f.diagnostics), key=lambda d: d.sort_key)

    @property
    def errors(self) -> list[str]:
        return [e for f in self.files for e in f.errors]

    @property
    def fixed(self) -> int:
        return sum(f.fixed for f in self.files)
