"""``[tool.schemacheck]`` settings: found, read, checked, and turned into the rules to run.

Every key is validated against its type, and rule selectors against the registry: a typo in a
config file is an error naming the key, never a silently ignored setting.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schemacheck.catalog import BY_CODE, BY_NAME, ENTRIES, RuleEntry
from schemacheck.files import resolved
from schemacheck.toml_lines import key_line


class ConfigError(Exception):
    """A configuration problem, reported in one line with exit code 2.

    ``key`` is the path of the offending key in the file, so that the line it is written on can be
    added to the message once the file's text is at hand.
    """

    def __init__(self, message: str, *, key: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.key = key

    def __str__(self) -> str:
        return self.message

    def at_line(self, where: str, line: int) -> ConfigError:
        """The same error, its location ``where`` followed by ``:line``."""
        message = self.message
        if message.startswith(f"{where}: "):
            message = f"{where}:{line}: {message[len(where) + 2 :]}"
        return ConfigError(message, key=self.key)


_TOP_LEVEL_KEYS: dict[str, type | tuple[type, ...]] = {
    "select": list,
    "extend-select": list,
    "ignore": list,
    "exclude": list,
    "extend-exclude": list,
    "per-file-ignores": dict,
    "target-version": str,
    "dialect": (str, list),
    "async": bool,
    "src": list,
    "rules": dict,
}
_KINDS: dict[type | tuple[type, ...], str] = {
    list: "a list of strings",
    dict: "a table",
    str: "a string",
    bool: "a boolean",
}
DIALECTS = ("postgresql", "sqlite", "mysql", "mariadb", "mssql", "oracle")
_TARGET = re.compile(r"^py3(\d{1,2})$")


@dataclass
class Config:
    root: Path = field(default_factory=Path.cwd)  # relative paths in the config start here
    source: Path | None = None
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    extend_exclude: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    target_version: tuple[int, int] = (3, 9)
    dialects: list[str] = field(default_factory=list)
    is_async: bool = False  # an asyncio project: async-specific rules are on
    src: list[str] = field(default_factory=list)  # directories that hold top-level packages
    rule_settings: dict[str, dict[str, Any]] = field(default_factory=dict)  # by code

    @property
    def excludes(self) -> list[str]:
        return [*self.exclude, *self.extend_exclude]


def find_config(start: Path) -> Path | None:
    """The nearest ``schemacheck.toml``, or ``pyproject.toml`` with a ``[tool.schemacheck]``."""
    start = resolved(start)
    for directory in [start, *start.parents]:
        own = directory / "schemacheck.toml"
        if own.is_file():
            return own
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and _mentions_schemacheck(pyproject):
            try:
                data = _read_toml(pyproject)
            except ConfigError:
                return pyproject  # report the error when it is loaded
            if "schemacheck" in data.get("tool", {}):
                return pyproject
    return None


def _mentions_schemacheck(pyproject: Path) -> bool:
    """Whether a ``pyproject.toml`` can hold our section: its key is spelled out in the text
    however the table is written (``[tool.schemacheck]``, dotted keys, an inline table). Most
    projects' files are then not parsed at all, which a run answered from the cache notices."""
    try:
        return b"schemacheck" in pyproject.read_bytes()
    except OSError:
        return True  # reported when it is read


def _read_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on older Pythons only
        import tomli as tomllib
    try:
        text = path.read_bytes().decode("utf-8")
        data: dict[str, Any] = tomllib.loads(text)
        return data
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 ({error.reason})") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(
            f"{path}:{_toml_error_place(str(error), text)}: invalid TOML: "
            f"{_TOML_PLACE.sub('', str(error))}"
        ) from None


_TOML_PLACE = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)$")


def _toml_error_place(message: str, text: str) -> str:
    """``line:column`` of a TOML syntax error, from the parser's message."""
    found = _TOML_PLACE.search(message)
    if found and found.group(1):
        return f"{found.group(1)}:{found.group(2)}"
    lines = text.splitlines() or [""]
    return f"{len(lines)}:{len(lines[-1]) + 1}"


def load_config(path: Path | None = None, start: Path | None = None) -> Config:
    """Read the config at ``path``, or the nearest one above ``start`` (default: cwd)."""
    if path is None:
        path = find_config(start or Path.cwd())
        if path is None:
            return Config(root=resolved(start or Path.cwd()))
    elif not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        section = data.get("tool", {}).get("schemacheck", {})
        prefix: tuple[str, ...] = ("tool", "schemacheck")
        requires_python = data.get("project", {}).get("requires-python")
    else:
        section = data
        prefix = ()
        requires_python = None
    config = Config(root=resolved(path.parent), source=path)
    if isinstance(requires_python, str):
        found = re.search(r">=?\s*3\.(\d+)", requires_python)
        if found:
            config.target_version = (3, int(found.group(1)))
    try:
        parse_section(config, section, prefix, str(path))
    except ConfigError as error:
        line = key_line(path.read_text(encoding="utf-8", errors="replace"), error.key)
        raise error if line is None else error.at_line(str(path), line) from None
    return config


def _name(keys: tuple[str, ...]) -> str:
    """A key path as TOML writes it: ``tool.schemacheck.per-file-ignores."*.py"``."""
    return ".".join(k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else f'"{k}"' for k in keys)


def parse_section(
    config: Config, section: Mapping[str, Any], prefix: tuple[str, ...], where: str
) -> None:
    for key, value in section.items():
        expected = _TOP_LEVEL_KEYS.get(key)
        keys = (*prefix, key)
        name = _name(keys)
        if expected is None:
            known = ", ".join(sorted(_TOP_LEVEL_KEYS))
            raise ConfigError(f"{where}: unknown key `{name}` (known keys: {known})", key=keys)
        if not isinstance(value, expected):
            kind = _KINDS.get(expected, "a string or a list of strings")
            raise ConfigError(f"{where}: `{name}` must be {kind}, not {_describe(value)}", key=keys)
        if isinstance(value, list):
            _check_strings(value, keys, where)
    if "select" in section:
        config.select = list(section["select"])
        resolve_selectors(config.select, (*prefix, "select"), where)
    for key, attribute in (("extend-select", "extend_select"), ("ignore", "ignore")):
        if key in section:
            setattr(config, attribute, list(section[key]))
            resolve_selectors(section[key], (*prefix, key), where)
    config.exclude = list(section.get("exclude", []))
    config.extend_exclude = list(section.get("extend-exclude", []))
    for pattern, selectors in section.get("per-file-ignores", {}).items():
        keys = (*prefix, "per-file-ignores", pattern)
        if not isinstance(selectors, list):
            raise ConfigError(
                f"{where}: `{_name(keys)}` must be a list of strings, not {_describe(selectors)}",
                key=keys,
            )
        _check_strings(selectors, keys, where)
        resolve_selectors(selectors, keys, where)
        config.per_file_ignores[pattern] = list(selectors)
    if "target-version" in section:
        match = _TARGET.match(section["target-version"])
        if not match:
            raise ConfigError(
                f'{where}: `{_name((*prefix, "target-version"))}` must look like "py39" or '
                f'"py312", not "{section["target-version"]}"',
                key=(*prefix, "target-version"),
            )
        config.target_version = (3, int(match.group(1)))
    if "dialect" in section:
        value = section["dialect"]
        dialects = [value] if isinstance(value, str) else list(value)
        for dialect in dialects:
            if dialect not in DIALECTS:
                raise ConfigError(
                    f'{where}: `{_name((*prefix, "dialect"))}`: unknown dialect "{dialect}" '
                    f"(one of {', '.join(DIALECTS)})",
                    key=(*prefix, "dialect"),
                )
        config.dialects = dialects
    config.is_async = bool(section.get("async", False))
    config.src = list(section.get("src", []))
    for rule_key, options in section.get("rules", {}).items():
        _parse_rule_options(config, rule_key, options, (*prefix, "rules"), where)


def _parse_rule_options(
    config: Config, rule_key: str, options: Any, prefix: tuple[str, ...], where: str
) -> None:
    entry = BY_CODE.get(rule_key) or BY_NAME.get(rule_key)
    keys = (*prefix, rule_key)
    name = _name(keys)
    if entry is None:
        raise ConfigError(f"{where}: `{name}`: unknown rule `{rule_key}`", key=keys)
    if not isinstance(options, dict):
        raise ConfigError(f"{where}: `{name}` must be a table, not {_describe(options)}", key=keys)
    rule = entry.load()  # only configured rules: their options say what values fit
    known = {option.name: option for option in rule.options}
    settings = config.rule_settings.setdefault(rule.code, {})
    for key, value in options.items():
        option = known.get(key)
        if option is None:
            names = ", ".join(f"`{n}`" for n in known) or "none"
            raise ConfigError(
                f"{where}: unknown option `{name}.{key}` "
                f"({rule.code} {rule.name} options: {names})",
                key=(*keys, key),
            )
        problem = option.validate(value)
        if problem:
            raise ConfigError(
                f"{where}: `{name}.{key}`: {problem}, not {_describe(value)}", key=(*keys, key)
            )
        settings[key] = value


def _check_strings(values: list[Any], keys: tuple[str, ...], where: str) -> None:
    for value in values:
        if not isinstance(value, str):
            raise ConfigError(
                f"{where}: `{_name(keys)}` must be a list of strings, found {_describe(value)}",
                key=keys,
            )


def _describe(value: Any) -> str:
    kind = {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)
    return f"{kind} ({value!r})" if not isinstance(value, (list, dict)) else kind


def resolve_selectors(
    selectors: Iterable[str], name: str | tuple[str, ...], where: str
) -> set[str]:
    """Codes selected by ``ALL``, codes, code prefixes (``SC1``) and rule names.

    ``name`` is the option (``--select``) or the key path in the config file."""
    codes: set[str] = set()
    keys = name if isinstance(name, tuple) else ()
    shown = _name(name) if isinstance(name, tuple) else name
    for selector in selectors:
        matched = match_selector(selector)
        if matched is None:
            raise ConfigError(f"{where}: `{shown}`: unknown rule or prefix `{selector}`", key=keys)
        codes |= matched
    return codes


def match_selector(selector: str) -> set[str] | None:
    selector = selector.strip()
    if selector == "ALL":
        return set(BY_CODE)
    upper = selector.upper()
    if upper in BY_CODE:
        return {upper}
    if selector in BY_NAME:
        return {BY_NAME[selector].code}
    if re.fullmatch(r"SC\d{0,2}", upper):
        # A prefix selects the rules that are on by default in that family.
        found = {code for code in BY_CODE if code.startswith(upper)}
        if found:
            return {code for code in found if BY_CODE[code].default_enabled} or found
    return None


@dataclass(frozen=True)
class Selection:
    """The CLI's additions to the config's rule selection."""

    select: Sequence[str] | None = None
    extend_select: Sequence[str] = ()
    ignore: Sequence[str] = ()


def _on_by_default(rule: RuleEntry, config: Config) -> bool:
    """On by default, or switched on by the dialect, the ``async`` setting or an option."""
    settings = config.rule_settings.get(rule.code, {})
    return (
        rule.default_enabled
        or bool(set(rule.dialects) & set(config.dialects))
        or (rule.for_async and config.is_async)
        or (rule.enabled_by_option is not None and bool(settings.get(rule.enabled_by_option)))
    )


def enabled_codes(config: Config, cli: Selection | None = None) -> tuple[str, ...]:
    """The codes of the rules to run, in code order."""
    cli = cli or Selection()
    where = "command line"
    if cli.select is not None:
        codes = resolve_selectors(cli.select, "--select", where)
    elif config.select is not None:
        codes = resolve_selectors(config.select, "select", "config")
    else:
        codes = {entry.code for entry in ENTRIES if _on_by_default(entry, config)}
    codes |= resolve_selectors(config.extend_select, "extend-select", "config")
    codes |= resolve_selectors(cli.extend_select, "--extend-select", where)
    codes -= resolve_selectors(config.ignore, "ignore", "config")
    codes -= resolve_selectors(cli.ignore, "--ignore", where)
    return tuple(entry.code for entry in ENTRIES if entry.code in codes)
