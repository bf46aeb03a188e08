"""The child process that runs jq for `wavecd.diff.jqpath`: one JSON request a line on stdin, one JSON answer a
line on stdout.

jq runs here, not in wavecd's own process, because libjq cannot be interrupted: an expression from a pull
request (`def f: f; f`, `[range(1e12)]`) may loop or allocate without end, and only a process can be killed
when Argo CD's time limit passes. Its address space is capped for the same reason, so a runaway allocation
ends this process, never the machine; and its environment is emptied before jq runs.

Request `{"program": "del(...)", "doc": {...}}` (no `doc`: compile only). Answer `{"results": [...]}` with
at most the first two outputs (Argo CD wants exactly one), or `{"error": "..."}` with libjq's message.
"""

from __future__ import annotations

import json
import os
import resource
import sys
from typing import Any

import jq

__all__ = ["MEMORY_LIMIT", "main"]

MEMORY_LIMIT = 1 << 30  # bytes of address space: far above a manifest's needs, far below a runaway's


def _answer(request: dict[str, Any], programs: dict[str, Any]) -> dict[str, Any]:
    text = request["program"]
    try:
        program = programs.get(text)
        if program is None:
            program = jq.compile(text)
            if len(programs) >= 256:
                programs.clear()
            programs[text] = program
        if "doc" not in request:
            return {"results": []}
        results: list[Any] = []
        for result in program.input_value(request["doc"]):
            results.append(result)
            if len(results) == 2:
                break
        return {"results": results}
    except ValueError as err:
        return {"error": str(err)}


def main() -> None:
    # jq's `$ENV` and `env` read this process's environment, and a patched document reaches the diff (and a
    # pull-request comment): a CI secret must not. gojq gives Argo CD's expressions no environment either.
    os.environ.clear()
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    programs: dict[str, Any] = {}
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    for line in sys.stdin:
        sys.stdout.write(json.dumps(_answer(json.loads(line), programs)) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
