"""What a user of the engine observes of one template: its output, or its error as `detail at node`.

Shared by the tests that hold compiled code to Go's results; `reload` runs the template again after a
dump/load round trip, the path a cached template takes.
"""

from __future__ import annotations

from typing import Any

from wavecd.gotemplate import TemplateExecError, TemplateSet
from wavecd.gotemplate.funcs import GoFunc

FUNCS = {"echo": GoFunc("echo", lambda v: v, ("interface {}",))}


def outcome(text: str, data: dict[str, Any], *, reload: bool = False, missingkey: str = "zero") -> str:
    ts = TemplateSet(dict(FUNCS), missingkey=missingkey)
    ts.parse("t", text)
    if reload:
        blob = ts.dump_state()
        ts = TemplateSet(dict(FUNCS), missingkey=missingkey)
        ts.load_state(blob)
    try:
        return ts.execute("t", data)
    except TemplateExecError as e:
        return f"{e.detail} at {e.node}"
