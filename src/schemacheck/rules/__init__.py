"""The rule classes, by code and by name: every module in :mod:`schemacheck.catalog` imported.

For listing and documenting rules. A run imports only the rules it selects (see the catalog).
"""

from __future__ import annotations

from schemacheck.catalog import ENTRIES
from schemacheck.rules.base import Option, Rule

ALL_RULES: tuple[type[Rule], ...] = tuple(entry.load() for entry in ENTRIES)
BY_CODE: dict[str, type[Rule]] = {rule.code: rule for rule in ALL_RULES}
BY_NAME: dict[str, type[Rule]] = {rule.name: rule for rule in ALL_RULES}

__all__ = ["ALL_RULES", "BY_CODE", "BY_NAME", "Option", "Rule"]
