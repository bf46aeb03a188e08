"""The compiler puts a one-line value inside its consumer and leaves out positions no error reads; Go's
results, order of evaluation and error positions must not change.

Expected texts are those of Go's text/template (go1.26, a map[string]interface{} as the dot). An error is
written `detail at node`, the node being where Go's executor was last (`executing "t" at <node>`).
"""

from __future__ import annotations

from typing import Any

import pytest
import template_outcome

DATA: dict[str, Any] = {"a": {"b": {"c": "deep"}, "s": "text"}, "f": False, "x": 5}


def outcome(text: str, *, reload: bool = False, missingkey: str = "zero") -> str:
    return template_outcome.outcome(text, DATA, reload=reload, missingkey=missingkey)


@pytest.mark.parametrize("reload", [False, True])
@pytest.mark.parametrize(
    ("text", "result"),
    [
        # an and/or whose argument is an and/or: a later error is where the inner one stopped
        ("{{ (and 1 (or 3 .x)).y }}", "can't evaluate field y in type int at 3"),
        ("{{ (and 1 (or 0 .x)).y }}", "can't evaluate field y in type int at .x"),
        ("{{ (and 1 (or 0 .f) 7).y }}", "can't evaluate field y in type bool at .f"),
        ("{{ (or 0 (and 1 .f) 7).y }}", "can't evaluate field y in type int at 7"),
        ("{{ (and (or 0 .f) 1).y }}", "can't evaluate field y in type bool at .f"),
        ("{{ (or (and 0 .x) (and .f 1)).y }}", "can't evaluate field y in type bool at .f"),
        ("{{ range (and 1 (or 0 .f)) }}{{ end }}", "range can't iterate over false at .f"),
        ("{{ range (or 0 (and 1 .f)) }}{{ end }}", "range can't iterate over false at .f"),
        ("{{ $v := and 1 (or 0 .f) }}{{ $v.y }}", "can't evaluate field y in type bool at $v.y"),
        # tested by an if, no error reads where they stopped
        ("{{ if and 1 (or 0 .x) }}yes{{ end }}", "yes"),
        ("{{ if or (and 1 .f) (and .x 0) }}yes{{ else }}no{{ end }}", "no"),
        # a call's arguments read the dot a with bound
        ('{{ with .a }}{{ printf "%v %v" .s . }}{{ end }}', "text map[b:map[c:deep] s:text]"),
        ('{{ with .a }}{{ printf "%v|%v" . .s }}{{ end }}', "map[b:map[c:deep] s:text]|text"),
        # the arity check comes before the arguments; a pipeline's earlier stage before the later's check
        ("{{ echo .a.s.x 2 }}", "wrong number of args for echo: want 1 got 2 at echo"),
        ("{{ echo (.a.s.x) (echo 1 2) }}", "wrong number of args for echo: want 1 got 2 at echo"),
        ("{{ .a.s.x | echo 1 }}", "can't evaluate field x in type interface {} at .a.s.x"),
    ],
)
def test_folded_code_keeps_gos_results(text: str, result: str, reload: bool) -> None:
    assert outcome(text, reload=reload) == result


@pytest.mark.parametrize(
    "text",
    [
        "{{ .a.s" + " | echo" * 250 + " }}",  # each stage takes the one before it inside its call
        "{{ " + "echo (" * 150 + ".a.s" + ")" * 150 + " }}",  # each call takes its argument inside
    ],
)
def test_values_put_inside_each_other_stop_before_python_refuses_the_nesting(text: str) -> None:
    assert outcome(text) == "text"
