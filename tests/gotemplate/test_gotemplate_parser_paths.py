"""The parser's one-loop path for common commands (`simple_command`) must build exactly the trees of the
general path (`command` token by token, the one checked against Go's messages and helm's goldens): the
same nodes at the same positions, the same functions noted, the same errors with the same lines. Whenever
the fast path declines, the general path decides."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wavecd.gotemplate import nodes, parser
from wavecd.gotemplate.errors import TemplateParseError

PIECES = [
    "{{",
    "}}",
    "{{- ",
    " -}}",
    " ",
    "\n",
    ".",
    ".a",
    ".b.c",
    "$",
    "$x",
    "$y.z",
    ":=",
    "=",
    "|",
    "(",
    ")",
    '"s"',
    '"\\q"',
    "`raw`",
    "1",
    "true",
    "nil",
    "if",
    "with",
    "range",
    "else",
    "end",
    "include",
    "quote",
    "nofunc",
    ",",
    "#",
]
FUNCTIONS = {"include", "quote", "default", "nindent", "toYaml", "printf", "tpl", "index", "len", "not", "and"}
CHARTS = Path(__file__).resolve().parent.parent / "conformance" / "charts"
TEMPLATES = sorted(p for p in CHARTS.glob("*/templates/*") if p.is_file())


def _shape(obj: Any) -> Any:
    """A node tree as plain data: every field of every node (positions included), sources by name."""
    if isinstance(obj, nodes.Source):
        return ("source", obj.parse_name)
    if dataclasses.is_dataclass(obj):
        return (type(obj).__name__, *(_shape(getattr(obj, f.name)) for f in dataclasses.fields(obj)))
    if isinstance(obj, list | tuple):
        return [_shape(item) for item in obj]
    if isinstance(obj, dict):
        return {key: _shape(value) for key, value in obj.items()}
    return obj


def _parse(text: str, functions: Any = FUNCTIONS.__contains__) -> Any:
    try:
        trees, identifiers = parser.parse_templates("t", text, functions)
    except TemplateParseError as e:
        return str(e)
    return _shape(trees), sorted(identifiers)


def _parse_token_by_token(text: str, functions: Any = FUNCTIONS.__contains__) -> Any:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parser._TreeParser, "simple_command", lambda self: None)
        return _parse(text, functions)


@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_the_fast_path_builds_the_general_path_s_trees(text: str) -> None:
    assert _parse(text) == _parse_token_by_token(text)


@pytest.mark.parametrize(
    "text",
    [
        '{{ include "x" . | nindent 4 }}{{ .Values.a.b | default "z" | quote }}',
        "{{ $v := .a }}{{ $v.b.c }}{{ $.x }}{{ (include .).f.g }}",
        "{{ if and .a (not .b) }}x{{ else }}{{ .c }}{{ end }}",
        "{{ .a.b}}{{.c }}{{  .d  -}}   {{- .e}}",
        '{{ .a"x" }}',  # two operands without a space: the general path's error
        "{{ $u }}",  # an undefined variable
        "{{ nofunc .a }}",  # an undefined function
        '{{ . .a "\\q" }}',  # a bad escape
        "{{ .a | }}",
        '{{ .a | "x"\n}}',  # an error after the command names the line of the last token read
    ],
)
def test_common_and_broken_commands_parse_the_same_both_ways(text: str) -> None:
    assert _parse(text) == _parse_token_by_token(text)


@pytest.mark.parametrize("template", TEMPLATES, ids=[f"{p.parent.parent.name}/{p.name}" for p in TEMPLATES])
def test_the_conformance_charts_templates_parse_the_same_both_ways(template: Path) -> None:
    text = template.read_text(encoding="utf-8", errors="surrogateescape")
    every_function = bool  # any name but "" is a function: the charts use Sprig's and Helm's
    assert _parse(text, every_function) == _parse_token_by_token(text, every_function)
