"""Fuzzing: whatever the text, parsing fails only with TemplateParseError and executing only with
TemplateExecError – never another exception, never a hang."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wavecd.gotemplate import TemplateExecError, TemplateParseError, TemplateSet
from wavecd.gotemplate.funcs import GoFunc

PIECES = [
    "{{",
    "}}",
    "{{- ",
    " -}}",
    "{{/*",
    "*/}}",
    " ",
    "\n",
    "\t",
    ".",
    ".a",
    ".b.c",
    "$",
    "$x",
    "$y",
    ":=",
    "=",
    "|",
    "(",
    ")",
    ",",
    '"s"',
    '"\\n"',
    '"\\q',
    "`raw`",
    "`",
    "'a'",
    "'",
    "1",
    "-2",
    "0x1F",
    "1e3",
    ".5",
    "1i",
    "99999999999999999999",
    "if",
    "else",
    "end",
    "range",
    "with",
    "define",
    "template",
    "block",
    "break",
    "continue",
    "nil",
    "true",
    "false",
    "print",
    "printf",
    "len",
    "index",
    "and",
    "or",
    "not",
    "eq",
    "lt",
    "slice",
    "call",
    "html",
    "js",
    "urlquery",
    "f",
    '"d"',
    "text",
    "é",
    "\r",
    "#",
    ";",
    "}",
    "{",
]

DATA = {"a": {"x": 1.0, "l": [1.0, "two", None, {"k": "v"}]}, "b": {"c": "str"}, "n": None, "l": [1, 2]}


def make_set() -> TemplateSet:
    return TemplateSet({"f": GoFunc("f", lambda *a: "F", (), "interface {}")})


def check(text: str) -> None:
    ts = make_set()
    try:
        ts.parse("fuzz", text)
    except TemplateParseError:
        return
    for name in ("fuzz", "d"):
        if ts.has_template(name):
            with contextlib.suppress(TemplateExecError):
                ts.execute(name, DATA)


@pytest.mark.slow
@given(st.text(max_size=200))
def test_gotemplate_arbitrary_text(text: str) -> None:
    check(text)


@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_gotemplate_template_like_text(text: str) -> None:
    check(text)


@given(st.lists(st.sampled_from(PIECES), max_size=25).map(lambda p: "{{" + "".join(p) + "}}"))
def test_gotemplate_single_actions(text: str) -> None:
    check(text)
