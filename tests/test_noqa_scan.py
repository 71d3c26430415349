"""``# noqa`` directives are read without ``tokenize``, as ``tokenize`` reads them.

The reference below is how directives were read before: every token of the file, from Python's
pure-Python tokenizer. The scan must give the same lines, codes, columns and statement starts on
every text Python accepts: the fixtures, a sample of the standard library (every statement's
continuation lines, whether or not the file says ``noqa``), and random modules mixing strings,
comments, brackets, backslashes and line endings.
"""

from __future__ import annotations

import ast
import io
import re
import sysconfig
import tokenize
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from schemacheck import noqa
from schemacheck.noqa import Directives, read_directives
from tests.helpers import fixture_texts


def _by_tokens(text: str) -> Directives:
    """Directives as read token by token."""
    lines: dict[int, frozenset[str] | None] = {}
    file: frozenset[str] | bool | None = False
    starts: dict[int, int] = {}
    columns: dict[int, tuple[int, int]] = {}
    if re.search("noqa", text, re.IGNORECASE) is None:
        return Directives(lines, file, starts, columns)
    line_noqa, file_noqa = noqa._patterns()
    layout = {tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT, tokenize.NEWLINE}
    try:
        # Lines end at CR, LF or CRLF, as for the parser. ``tokenize`` ends them at LF only:
        # it read a file with CR line endings as one line, with every directive on line 1.
        # Columns and comments do not change when line endings do.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return Directives(lines, file, starts, columns)
    current: int | None = None
    for token in tokens:
        if token.type == tokenize.NEWLINE and current is not None:
            for line in range(current + 1, token.end[0] + 1):
                starts[line] = current
            current = None
        elif current is None and token.type not in layout:
            current = token.start[0]
        if token.type != tokenize.COMMENT:
            continue
        file_match = file_noqa.match(token.string)
        if file_match:
            codes = noqa._codes(file_match)
            if codes is None:
                file = None
            elif file is not None:
                file = (file if isinstance(file, frozenset) else frozenset()) | codes
            continue
        match = line_noqa.search(token.string)
        if match:
            lines[token.start[0]] = noqa._codes(match)
            column = token.start[1] + match.start()
            columns[token.start[0]] = (column, token.start[1] + match.end())
    return Directives(lines, file, starts, columns)


def _python(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except (SyntaxError, ValueError):
        return False
    return True


def _same(text: str) -> None:
    assert read_directives(text) == _by_tokens(text)


@pytest.mark.parametrize("path, text", list(fixture_texts()), ids=lambda x: getattr(x, "name", ""))
def test_fixtures_read_as_the_tokenizer_reads_them(path: Path, text: str) -> None:
    if _python(text):
        _same(text)


def _standard_library_sample() -> list[Path]:
    files = sorted(Path(sysconfig.get_paths()["stdlib"]).glob("*.py"))
    return files[::4]


@pytest.mark.parametrize("path", _standard_library_sample(), ids=lambda p: p.name)
def test_standard_library_statements_start_where_the_tokenizer_says(path: Path) -> None:
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        pytest.skip("not UTF-8")
    if not _python(text):
        pytest.skip("not Python this interpreter reads")
    text += "\nx = 1  # NoQA: SC101, sc201\n"  # so that the file is read at all
    _same(text)


_PIECES = st.sampled_from(
    [
        "x = 1",
        "y = f(a,\n      b)",
        "z = [\n    1,  # noqa: SC101\n    2,\n]",
        "w = 1 + \\\n    2",
        's = "# noqa"',
        "t = '''\n# noqa\n'''",
        'u = """a\\\nb"""',
        "v = 'a\\\nb'",
        "def f():\n    return (1,\n            2)  # noqa",
        "class C:\n    a = {'k': (1,\n          2)}",
        "# schemacheck: noqa: SC101",
        "#noqa:SC201,SC301",
        "if x:\n    pass  # NOQA",
        "a = 1; b = (2,\n3)",
        "@dec(\n    1)\ndef g(): pass",
        "",
        "    ",
        "q = r'\\'  # noqa'",
        "h = b'x' # noqa: X1",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(["z = [\n    1,  # noqa: SC101\n    2,\n]", "x = 1"], "\r\n")
@example(["w = 1 + \\\n    2", "t = '''\n# noqa\n'''"], "\r")
@given(st.lists(_PIECES, max_size=8), st.sampled_from(["\n", "\r\n", "\r"]))
def test_random_modules_read_as_the_tokenizer_reads_them(pieces: list[str], newline: str) -> None:
    text = "\n".join(pieces).replace("\n", newline) + "\n# noqa: SC001"
    if _python(text):
        _same(text)
