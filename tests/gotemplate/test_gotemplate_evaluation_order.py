"""A variable read as an argument or a pipeline stage is read where Go reads it, before a later argument
assigns it; and `$` assigned does not move the dot.

Expected texts are go1.26 text/template's, executed on the same data (`template.New("t").Parse(…)`,
`Execute` with a map[string]interface{}).
"""

from __future__ import annotations

from typing import Any

import pytest
import template_outcome

DATA: dict[str, Any] = {"l": [5, 6], "a": 1}


@pytest.mark.parametrize("reload", [False, True])
@pytest.mark.parametrize(
    ("text", "result"),
    [
        ("{{ $x := 1 }}{{ print $x ($x = 2) }}", "1 2"),
        ("{{ $x := 1 }}{{ $x | print ($x = 2) }}", "2 1"),
        ("{{ $x := 1 }}{{ $x | or ($x = 0) }}", "1"),
        ("{{ $x := 1 }}{{ $x | eq ($x = 0) }}", "false"),
        ("{{ range $i, $e := .l }}{{ print $i $e ($i = 9) }}{{ end }}", "0 5 91 6 9"),
        ("{{ $ = 1 }}{{ . }}", "map[a:1 l:[5 6]]"),
        ("{{ $ = 1 }}{{ .a }}", "1"),
        ("{{ with .l }}{{ $ = 3 }}{{ end }}{{ . }}", "map[a:1 l:[5 6]]"),
        ("{{ $ = 2 }}{{ $ }}", "2"),
    ],
)
def test_evaluation_order_is_gos(text: str, result: str, reload: bool) -> None:
    assert template_outcome.outcome(text, DATA, reload=reload) == result
