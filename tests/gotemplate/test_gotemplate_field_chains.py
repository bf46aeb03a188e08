"""Field chains (`.a.b.c`) that are not printed compile to one call: same values, same errors.

A printed chain is compiled step by step, a chain feeding `if`, a function or a pipeline as one call; both
must give Go's results and texts (go1.25 exec.go: evalField), whether compiled here or loaded from a dump.
"""

from __future__ import annotations

from typing import Any

import pytest
import template_outcome

DATA: dict[str, Any] = {"a": {"b": {"c": "deep", "n": None}, "s": "text"}, "nil": None}


def outcome(text: str, *, reload: bool = False, missingkey: str = "zero") -> str:
    return template_outcome.outcome(text, DATA, reload=reload, missingkey=missingkey)


@pytest.mark.parametrize("reload", [False, True])
@pytest.mark.parametrize(
    ("chain", "value", "truth"),
    [
        (".a.b.c", "deep", "yes"),
        ("$.a.b.c", "deep", "yes"),
        ("(.a).b.c", "deep", "yes"),
        (".a.b.n", "<no value>", "no"),
        (".x.y", "nil pointer evaluating interface {}.y at .x.y", None),
        (".x.y.z", "nil pointer evaluating interface {}.y at .x.y.z", None),
        (".a.b.n.x", "nil pointer evaluating interface {}.x at .a.b.n.x", None),
        (".a.s.x", "can't evaluate field x in type interface {} at .a.s.x", None),
        (".a.s.x.y", "can't evaluate field x in type interface {} at .a.s.x.y", None),
        # after a parenthesized head Go is still at the last node it evaluated inside the parentheses
        ("(echo .a).s.x", "can't evaluate field x in type interface {} at .a", None),
    ],
)
def test_a_chain_reads_the_same_printed_or_not(chain: str, value: str, truth: str | None, reload: bool) -> None:
    assert outcome(f"{{{{ {chain} }}}}", reload=reload) == value
    assert outcome(f"{{{{ echo {chain} }}}}", reload=reload) == value
    assert outcome(f"{{{{ {chain} | echo }}}}", reload=reload) == value
    assert outcome(f"{{{{ if {chain} }}}}yes{{{{ else }}}}no{{{{ end }}}}", reload=reload) == (truth or value)


def test_a_chain_ending_in_a_call_walks_the_fields_before_it() -> None:
    assert outcome("{{ 1 | .a.b.c }}") == "c is not a method but has arguments at .a.b.c"
    assert outcome("{{ .a.b.c 1 }}") == "c is not a method but has arguments at .a.b.c"
    assert outcome("{{ 1 | .a.b.c.d }}") == "can't evaluate field d in type interface {} at .a.b.c.d"


def test_other_missingkey_modes_keep_their_own_rules() -> None:
    assert outcome("{{ if .x.y }}y{{ end }}", missingkey="default") == ""
    assert outcome("{{ if .a.b.z }}y{{ end }}", missingkey="error") == 'map has no entry for key "z" at .a.b.z'
