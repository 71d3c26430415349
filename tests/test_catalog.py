"""The rule catalog is data about the rule classes: it must say what the classes say."""

from __future__ import annotations

import importlib
import pkgutil

import schemacheck.rules
from schemacheck.catalog import BY_CODE, BY_NAME, ENTRIES
from schemacheck.rules import ALL_RULES
from schemacheck.rules.base import Rule


def _defined_rules() -> set[type[Rule]]:
    """Every concrete rule class in the rules package, found by walking its modules."""
    found: set[type[Rule]] = set()
    for module in pkgutil.walk_packages(schemacheck.rules.__path__, "schemacheck.rules."):
        for value in vars(importlib.import_module(module.name)).values():
            if isinstance(value, type) and issubclass(value, Rule) and "code" in vars(value):
                found.add(value)
    return found


def test_every_rule_class_is_in_the_catalog_once_in_code_order() -> None:
    missing = sorted(rule.code for rule in _defined_rules() - set(ALL_RULES))
    assert not missing, f"add these rules to src/schemacheck/catalog.py: {missing}"
    codes = [entry.code for entry in ENTRIES]
    assert codes == sorted(codes)
    assert len(BY_CODE) == len(BY_NAME) == len(ENTRIES) == len(ALL_RULES)


def test_each_entry_says_what_its_class_says() -> None:
    for entry in ENTRIES:
        rule = entry.load()
        assert (
            entry.code,
            entry.name,
            entry.default_enabled,
            entry.dialects,
            entry.for_async,
            entry.enabled_by_option,
        ) == (
            rule.code,
            rule.name,
            rule.default_enabled,
            rule.dialects,
            rule.for_async,
            rule.enabled_by_option,
        ), entry.code
