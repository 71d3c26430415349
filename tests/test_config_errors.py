"""Every configuration mistake is one line naming the file, the key and the line to edit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from schemacheck.config import _TOP_LEVEL_KEYS, ConfigError, load_config
from schemacheck.rules import ALL_RULES
from schemacheck.toml_lines import key_line

# A value of the wrong type for each kind a key can have.
_WRONG: dict[Any, str] = {
    list: '"SC1"',
    dict: '["x"]',
    str: "3",
    bool: '"yes"',
    int: '"long"',
    (str, list): "true",
}

_PADDING = '[project]\nname = "demo"\ndescription = """\n[tool.schemacheck]\nselect = 1\n"""\n\n'


def _error(tmp_path: Path, text: str) -> str:
    path = tmp_path / "pyproject.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    message = str(raised.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("key", sorted(_TOP_LEVEL_KEYS))
def test_every_top_level_key_with_a_wrong_type(tmp_path: Path, key: str) -> None:
    value = _WRONG[_TOP_LEVEL_KEYS[key]]
    text = f"{_PADDING}[tool.schemacheck]\n# a comment\n{key} = {value}\n"
    message = _error(tmp_path, text)
    assert message.startswith(f"{tmp_path / 'pyproject.toml'}:10: `tool.schemacheck.{key}` must be")


_OPTIONS = [(rule.name, option.name, option.type) for rule in ALL_RULES for option in rule.options]


@pytest.mark.parametrize(("rule", "option", "kind"), _OPTIONS)
def test_every_rule_option_with_a_wrong_type(
    tmp_path: Path, rule: str, option: str, kind: type
) -> None:
    text = f'{_PADDING}[tool.schemacheck.rules.{rule}]\n\n"{option}" = {_WRONG[kind]}\n'
    message = _error(tmp_path, text)
    expected = f"{tmp_path / 'pyproject.toml'}:10: `tool.schemacheck.rules.{rule}.{option}`: "
    assert message.startswith(expected), message


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ('[tool.schemacheck]\nselect = [\n  "SC1",\n  "SC999",\n]\n', 2, "unknown rule or prefix"),
        ("[tool.schemacheck]\nextend-select = ['nope']\n", 2, "`tool.schemacheck.extend-select`"),
        ("[tool.schemacheck]\nselct = []\n", 2, "unknown key `tool.schemacheck.selct`"),
        ("[tool.schemacheck.rules.no-such-rule]\nx = 1\n", 1, "unknown rule `no-such-rule`"),
        ("[tool.schemacheck.rules]\nSC101 = { defalt = 1 }\n", 2, "unknown option"),
        ("[tool.schemacheck.rules]\nSC101 = 1\n", 2, "must be a table"),
        ('[tool.schemacheck]\ntarget-version = "3.9"\n', 2, 'must look like "py39"'),
        ('[tool.schemacheck]\ndialect = ["postgres"]\n', 2, 'unknown dialect "postgres"'),
        ("[tool]\nschemacheck.async = 1\n", 2, "must be a boolean"),
        ('[tool.schemacheck.per-file-ignores]\n"a b.py" = [1]\n', 2, '."a b.py"` must be a list'),
    ],
)
def test_mistakes_name_file_key_and_line(
    tmp_path: Path, text: str, line: int, fragment: str
) -> None:
    message = _error(tmp_path, _PADDING + text)
    assert message.startswith(f"{tmp_path / 'pyproject.toml'}:{line + 7}: "), message
    assert fragment in message


def test_schemacheck_toml_keys_have_lines(tmp_path: Path) -> None:
    path = tmp_path / "schemacheck.toml"
    path.write_text('# settings\nselect = ["ALL"]\n\n[rules.SC202]\ndefault-length = 0\n')
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert str(raised.value) == (
        f"{path}:5: `rules.SC202.default-length`: expected a positive integer, not an integer (0)"
    )


def test_malformed_toml_names_file_and_line(tmp_path: Path) -> None:
    message = _error(tmp_path, "[tool.schemacheck]\nselect = [\n")
    assert message == f"{tmp_path / 'pyproject.toml'}:2:11: invalid TOML: Invalid value"
    other = _error(tmp_path, "[tool.schemacheck]\nselect = [\n]\nselect = []\n")
    assert other == f"{tmp_path / 'pyproject.toml'}:4:12: invalid TOML: Cannot overwrite a value"
    (tmp_path / "pyproject.toml").write_bytes(b'[tool.schemacheck]\nselect = ["\xff"]\n')
    with pytest.raises(ConfigError, match=r"pyproject.toml: invalid TOML: not UTF-8"):
        load_config(tmp_path / "pyproject.toml")


_KEY = st.one_of(
    st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True),
    st.text(st.sampled_from('ab .#=[]"'), min_size=1, max_size=6),
)
_VALUE = st.sampled_from(
    [
        "1",
        '"a = b"',
        "'[not.a.table]'",
        '"""\nx = 1\n[fake]\n"""',
        "[\n  1,\n  2, # ]\n]",
        '{ inner = "}" }',
        "'''\n''quoted''\n'''",
    ]
)


def _spell(key: str) -> str:
    if key.replace("-", "").replace("_", "").isalnum() and key.isascii():
        return key
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


@settings(max_examples=60, deadline=None)
@given(
    tables=st.lists(
        st.tuples(
            st.lists(_KEY, min_size=1, max_size=3),
            st.lists(st.tuples(st.lists(_KEY, min_size=1, max_size=2), _VALUE), max_size=4),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_key_line_finds_every_assignment(
    tables: list[tuple[list[str], list[tuple[list[str], str]]]],
) -> None:
    """Whatever the strings, arrays and quoted keys around it, each key is found on its line."""
    lines: list[str] = []
    expected: list[tuple[tuple[str, ...], int]] = []
    seen: set[tuple[str, ...]] = set()

    def clashes(path: tuple[str, ...]) -> bool:
        return any(path[: len(p)] == p or p[: len(path)] == path for p in seen)

    for header, assignments in tables:
        lines.append("# " + "=" * 3)
        lines.append("[" + ".".join(_spell(k) for k in header) + "]")
        seen.add(tuple(header))
        for keys, value in assignments:
            path = (*header, *keys)
            line = "\n".join(lines).count("\n") + 2
            if not clashes(path):
                expected.append((path, line))
            seen.add(path)
            lines.append(" . ".join(_spell(k) for k in keys) + " = " + value)
    text = "\n".join(lines) + "\n"
    for path, line in expected:
        assert key_line(text, path) == line, (path, text)
