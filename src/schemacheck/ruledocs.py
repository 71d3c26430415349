"""A rule's documentation page, the same for ``schemacheck rule CODE`` and ``docs/rules/``."""

from __future__ import annotations

from pathlib import Path

from schemacheck.rules import ALL_RULES, Rule


def fix_sentence(rule: type[Rule]) -> str:
    if rule.fix_applicability is None:
        return "No fix is available."
    kind = rule.fix_applicability.value
    article = "An" if kind[0] in "aeiou" else "A"
    return f"{article} {kind} fix is available (`--fix`" + (
        ", with `--unsafe-fixes`)." if kind == "unsafe" else ")."
    )


def rule_page(rule: type[Rule]) -> str:
    default = "On" if rule.default_enabled else "Off"
    if rule.dialects:
        default += f" (on when `dialect` includes {', '.join(rule.dialects)})"
    lines = [
        f"# {rule.name} ({rule.code})",
        "",
        f"Family: {rule.family}. {default} by default. {fix_sentence(rule)}",
        "",
        rule.documentation(),
    ]
    return "\n".join(lines).rstrip() + "\n"


def index_page() -> str:
    lines = [
        "# Rules",
        "",
        "Generated from the rules' documentation (`python scripts/generate_docs.py`).",
        "",
        "| code | name | default | fix | what it reports |",
        "|---|---|---|---|---|",
    ]
    for rule in ALL_RULES:
        fix = rule.fix_applicability.value if rule.fix_applicability else "-"
        default = "on" if rule.default_enabled else "off"
        lines.append(
            f"| [{rule.code}](rules/{rule.code}.md) | {rule.name} | {default} | {fix} | "
            f"{rule.summary()} |"
        )
    return "\n".join(lines) + "\n"


def pages() -> dict[Path, str]:
    """Every generated page, by path relative to ``docs/``."""
    result = {Path("rules.md"): index_page()}
    for rule in ALL_RULES:
        result[Path("rules") / f"{rule.code}.md"] = rule_page(rule)
    return result
