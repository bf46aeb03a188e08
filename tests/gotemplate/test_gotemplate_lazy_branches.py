"""A large `if`/`with`/`else` body is compiled only when it first runs (`compiler.LazyBlock`): what it reads
from outside (the dot, variables, their interface-ness, `$`) and what it writes must be as if it were
compiled in place, on the first execution and after a dump/load round trip that keeps compiled and
uncompiled bodies side by side.

Expected texts are what Go's text/template (go1.26, `missingkey=zero` as Helm sets it) printed for the same
templates and data (JSON data, so maps of interfaces); an error is written `detail at node`.
"""

from __future__ import annotations

from typing import Any

import pytest
import template_outcome

from wavecd.gotemplate import TemplateExecError, TemplateSet, template_set

DATA: dict[str, Any] = {"a": {"b": {"c": "deep"}, "s": "text"}, "f": False, "x": 5, "l": [1, None, "z"]}
# the other branch of each template
FLIPPED: dict[str, Any] = {"a": {"b": {"c": "deep"}, "s": "text"}, "f": True, "x": 0, "l": [None, "z"]}

CASES = [
    # text, Go's output for DATA, Go's output for FLIPPED
    (
        "{{ $x := .a.s }}{{ if .f }}A{{ $x }}B{{ .x }}C{{ else }}D{{ $x }}E{{ .x }}F{{ end }}",
        "DtextE5F",
        "AtextB0C",
    ),
    (
        "{{ range $i, $v := .l }}{{ if $i }}[{{ $v }}|{{ $i }}|{{ . }}]{{ else }}<{{ $v }}>{{ end }}{{ end }}",
        "<1>[<no value>|1|<no value>][z|2|z]",
        "<<no value>>[z|1|z]",
    ),
    (
        "{{ if .x }}a{{ $y := .a.s }}{{ $y }}b{{ if $y }}c{{ $y }}d{{ .x }}e{{ $.f }}{{ end }}{{ end }}",
        "atextbctextd5efalse",
        "",
    ),
    (
        "{{ if and .x .f }}yes{{ . | len }}{{ .x }}{{ .f }}{{ else }}no{{ .x }}{{ .f }}{{ .a.s }}{{ end }}",
        "no5falsetext",
        "no0truetext",
    ),
    (
        "{{ if or .x .f }}yes{{ .a | len }}{{ .x }}{{ .f }}{{ else }}no{{ .x }}{{ .f }}{{ .a.s }}{{ end }}",
        "yes25false",
        "yes20true",
    ),
    (
        "{{ if .f }}a{{ .a.s.y }}b{{ .x }}c{{ end }}",
        "",
        "can't evaluate field y in type interface {} at .a.s.y",
    ),
]


@pytest.mark.parametrize("reload", [False, True])
@pytest.mark.parametrize(("text", "result", "_flipped"), CASES)
def test_a_lazy_body_reads_what_an_inline_one_reads(text: str, result: str, _flipped: str, reload: bool) -> None:
    assert template_outcome.outcome(text, DATA, reload=reload) == result


@pytest.mark.parametrize(("text", "result", "flipped"), CASES)
def test_bodies_compiled_by_one_execution_and_left_for_the_next_survive_a_reload(
    text: str, result: str, flipped: str
) -> None:
    first = TemplateSet(dict(template_outcome.FUNCS))
    first.parse("t", text)
    assert _run(first, DATA) == result
    second = TemplateSet(dict(template_outcome.FUNCS))
    second.load_state(first.dump_state())
    assert _run(second, FLIPPED) == flipped
    assert _run(second, DATA) == result


@pytest.mark.parametrize(
    ("text", "result"),
    [
        ("{{ with .a }}{{ .s }}-{{ .b.c }}-{{ $.x }}{{ end }}", "text-deep-5"),
        ("{{ with true }}{{ . }}-{{ . }}-{{ . }}{{ end }}", "true-true-true"),  # a constant as the dot
        ("{{ with $w := .a.s }}{{ $w }}-{{ . }}-{{ $w }}-{{ $.x }}{{ end }}", "text-text-text-5"),
        (
            "{{ range .l }}{{ if . }}[{{ . }}|{{ . }}|{{ . }}]{{ else }}<{{ . }}>{{ end }}{{ end }}",
            "[1|1|1]<<no value>>[z|z|z]",
        ),
        ("{{ with .a }}a{{ with .b }}b{{ .c }}c{{ .d }}d{{ end }}{{ end }}", "abdeepc<no value>d"),
        (
            "{{ with .a }}a{{ with .b }}b{{ .c }}c{{ .d.e }}d{{ end }}{{ end }}",
            "nil pointer evaluating interface {}.e at .d.e",
        ),
        # a nil element of a list of interfaces, as the dot and as a variable
        (
            "{{ range .l }}{{ if not . }}a{{ .x }}b{{ . }}c{{ end }}{{ end }}",
            "nil pointer evaluating interface {}.x at .x",
        ),
        (
            "{{ range $v := .l }}{{ if not $v }}a{{ $v.x }}b{{ $v }}c{{ end }}{{ end }}",
            "nil pointer evaluating interface {}.x at $v.x",
        ),
        # bodies that assign an outer variable or leave a loop stay inline
        ("{{ $v := 1 }}{{ if .x }}a{{ $v = 2 }}b{{ $v }}c{{ end }}{{ $v }}", "ab2c2"),
        ("{{ range .l }}{{ if . }}a{{ . }}b{{ break }}c{{ end }}{{ end }}", "a1b"),
        ("{{ range .l }}{{ if not . }}a{{ . }}b{{ continue }}c{{ end }}{{ . }}{{ end }}", "1a<no value>bz"),
    ],
)
def test_dots_variables_and_loops_around_lazy_bodies(text: str, result: str) -> None:
    assert template_outcome.outcome(text, DATA) == result


# defines in one text, each with large nested branches: which ones a first execution compiles depends on
# the data, the others are loaded without their bodies and found again in the text when they first run
DEFINES = (
    '{{ define "a" }}{{ if .f }}1{{ .x }}2{{ .a.s }}3{{ if .x }}4{{ .x }}5{{ .x }}6{{ .x }}{{ end }}'
    "{{ else }}7{{ .x }}8{{ .a.s }}9{{ with .a.b }}[{{ .c }}|{{ .c }}|{{ .c }}]{{ end }}{{ end }}{{ end }}"
    '{{ define "b" }}{{ range $i, $v := .l }}{{ if $v }}<{{ $i }}:{{ $v }}:{{ $.x }}>{{ else }}'
    '({{ $i }}{{ $i }}{{ $i }}{{ template "a" $ }}){{ end }}{{ end }}{{ end }}'
    '{{ template "b" . }}/{{ template "a" . }}'
)
# what Go's text/template (go1.26, missingkey=zero) printed for DEFINES with FLIPPED and with DATA
GO_DEFINES = (
    "(000102text3)<1:z:0>/102text3",
    "<0:1:5>(111758text9[deep|deep|deep])<2:z:5>/758text9[deep|deep|deep]",
)


def test_bodies_of_defines_loaded_without_their_trees_print_what_they_printed_compiled_at_once() -> None:
    """Both the reloaded sets and a set that never went through the cache print what Go printed. (Compiled
    code is shared by every set parsing the same text: each set here starts from none.)"""
    template_set.clear_cache()
    first = TemplateSet(dict(template_outcome.FUNCS))
    first.parse("t", DEFINES)
    _run(first, DATA)
    blob = first.dump_state()
    second = TemplateSet(dict(template_outcome.FUNCS))
    second.load_state(blob)
    third = TemplateSet(dict(template_outcome.FUNCS))
    third.load_state(second.dump_state())  # never run: its blocks are stored where they were found
    template_set.clear_cache()
    fresh = TemplateSet(dict(template_outcome.FUNCS))
    fresh.parse("t", DEFINES)
    expected = (_run(fresh, FLIPPED), _run(fresh, DATA))
    assert (_run(second, FLIPPED), _run(second, DATA)) == expected
    assert (_run(third, FLIPPED), _run(third, DATA)) == expected
    assert expected == GO_DEFINES


# two defines whose bodies generate the same code (as subcharts repeat a chart's helpers under other names)
TWINS = (
    '{{ define "a" }}{{ if .f }}1{{ .x.y }}2{{ .x }}3{{ .x }}{{ end }}{{ end }}'
    '{{ define "b" }}{{ if .f }}1{{ .x.y }}2{{ .x }}3{{ .x }}{{ end }}{{ end }}'
    '{{ template "a" .ok }}{{ template "b" . }}'
)
TWINS_DATA: dict[str, Any] = {"f": True, "x": "s", "ok": {"f": True, "x": {"y": 1}}}


def test_templates_sharing_generated_code_each_report_their_own_errors() -> None:
    """What Go's text/template (go1.26) printed: each error names its own template and position, whichever
    of the twins was compiled first."""
    template_set.clear_cache()
    ts = TemplateSet({})
    ts.parse("t", TWINS)
    with pytest.raises(TemplateExecError) as error:
        ts.execute("t", TWINS_DATA)  # "a" runs first and compiles the code "b" then runs
    assert str(error.value) == (
        'template: t:1:107: executing "b" at <.x.y>: can\'t evaluate field y in type interface {}'
    )
    ts = TemplateSet({})
    ts.parse("t", TWINS)
    with pytest.raises(TemplateExecError) as error:
        ts.execute("a", TWINS_DATA)
    assert str(error.value) == 'template: t:1:33: executing "a" at <.x.y>: can\'t evaluate field y in type interface {}'


@pytest.mark.parametrize(
    "blob",
    [b"", b"\x80\x05}\x94.", b"wavecd template state 2\n\x80\x05", b"wavecd template state 2\nnot a pickle"],
    ids=["empty", "older-layout", "cut-short", "garbage"],
)
def test_a_state_of_another_layout_or_damaged_is_refused_with_a_clear_error(blob: bytes) -> None:
    ts = TemplateSet(dict(template_outcome.FUNCS))
    with pytest.raises(ValueError, match="unusable compiled template state"):
        ts.load_state(blob)


def _run(ts: TemplateSet, data: dict[str, Any]) -> str:
    try:
        return ts.execute("t", data)
    except TemplateExecError as e:
        return f"{e.detail} at {e.node}"
