"""The lexer's one-regex path for common actions (`simple_action`) must produce exactly the tokens of its
rune-by-rune scan, which is the one checked against Go's messages and helm's goldens; whenever the fast
path declines, the rune scan decides."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wavecd.gotemplate import lexer

PIECES = [
    "{{",
    "}}",
    "{{- ",
    " -}}",
    "{{-",
    "-}}",
    " ",
    "  ",
    "\t",
    "\n",
    ".",
    ".a",
    ".b.c",
    ".Values.x_1",
    "$",
    "$x",
    "$_1",
    ":=",
    "=",
    ":",
    "|",
    "(",
    ")",
    '"s"',
    '"a\\"b"',
    '"\\q',
    '"',
    "`raw`",
    "1",
    "42",
    "0x1F",
    "1.5",
    "1e3",
    "-2",
    "if",
    "else",
    "end",
    "range",
    "break",
    "continue",
    "true",
    "false",
    "nil",
    "include",
    "x",
    "é",
    "#",
    ",",
    "}",
    "/*",
    "*/",
]


def lex_by_runes(text: str, **options: bool) -> list[lexer.Token]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lexer._Lexer, "simple_action", lambda self: False)
        return lexer.lex(text, **options)


@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join), st.booleans())
def test_the_fast_path_yields_the_rune_scan_s_tokens(text: str, loops: bool) -> None:
    assert lexer.lex(text, break_ok=loops, continue_ok=loops) == lex_by_runes(text, break_ok=loops, continue_ok=loops)


@pytest.mark.parametrize(
    "text",
    [
        'a {{ .Values.a.b | default "x" | quote }} b',
        '{{- include "n" . | nindent 4 -}}\n  x',
        "{{ $v := (index .l 0) }}{{ trunc 63 $v }}",
        "line1\n{{ if and .a (not .b) }}\n{{ end }}",
        "{{ .a}}{{.b }}{{  .c  -}}   {{- .d}}",
        "{{ break }}{{ continue }}",
    ],
)
def test_common_actions_lex_the_same_both_ways(text: str) -> None:
    fast = lexer.lex(text)
    assert fast == lex_by_runes(text)
    assert fast[-1].typ == lexer.EOF
