"""Helm's error texts: the `HelmError` raised by `render_chart`, and the rewriting of template errors.

Helm post-processes Go's template errors from their text (it splits on `": "`), so we do the same with the
text our template engine produces, which is Go's. v3 and v4 differ only for execution errors: v4 turns a
chain of nested template errors into a multi-line trace, unless some link in the chain is not a template
error (a function's own error such as `error calling eq: …`), in which case the Go text is kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from wavecd.core.errors import WavecdError
from wavecd.helm.time_limit import RENDER_TIMEOUT_ENV

WARN_START = "HELM_ERR_START"
WARN_END = "HELM_ERR_END"
_WARN = re.compile(WARN_START + r"(.*)" + WARN_END, re.DOTALL)
DEBUG_HINT = "\n\nUse --debug flag to render out invalid YAML"
_START = 4096  # characters of a link's text read first to decide its trace


class HelmError(WavecdError):
    """A failed `helm template`; `message` is exactly what helm prints on stderr (starting `Error: `).

    `log_lines` are the structured log lines Helm prints before the error (v4 `level=ERROR …`).
    """

    def __init__(self, message: str, *, log_lines: list[str] | None = None, context: list[str] | None = None):
        super().__init__(message, context=context)
        self.log_lines = list(log_lines or [])

    @property
    def stderr(self) -> str:
        lines = [*self.log_lines, self.message, *(f"  {c}" for c in self.context)]
        return "".join(line + "\n" for line in lines)


class HelmCrash(HelmError):
    """Where Helm's process dies instead of returning an error (Go's runtime ends it): `message` is the
    text Go prints first, and the exit status is Go's for a fatal error."""

    exit_code = 2


class RenderTimeLimitExceeded(HelmError):
    """A chart's templates ran past the render time limit. It depends on the machine's load as much as on
    the chart, so a cache of rendered apps must not keep it."""

    def __init__(self, timeout: float):
        super().__init__(
            f"Error: rendering the chart's templates took longer than the render time limit ({timeout:g}s)",
            context=[f"(the limit is `--render-timeout`, `render.timeout` in wavecd.yaml or {RENDER_TIMEOUT_ENV})"],
        )


def warn_wrap(message: str) -> str:
    """How `fail` and `required` mark their message so the final error can show it bare."""
    return WARN_START + message + WARN_END


def parse_error_text(filename: str, go_text: str) -> str:
    """cleanupParseError: `parse error at (<file>:<line>): <last part of Go's message>`."""
    tokens = go_text.split(": ")
    if len(tokens) == 1:
        return f"parse error in ({filename}): {go_text}"
    return f"parse error at ({tokens[1]}): {tokens[-1]}"


def exec_error_text(filename: str, chain: Sequence[str], helm_major: int) -> str:
    """cleanupExecError (v3) / reformatExecErrorMsg (v4) from the texts of the error chain, outermost first.
    The chain may build each text as it is read; then it also gives the start of a text (`start(index,
    size)`), and a link's trace is read from the start of its text when that decides it."""
    go_text = chain[0]
    tokens = go_text.split(": ", 2)
    if len(tokens) != 3:
        return f"execution error in ({filename}): {go_text}"
    found = _WARN.search(tokens[2])
    if found:
        return f"execution error at ({tokens[1]}): {found.group(1)}"
    if helm_major < 4:
        return go_text
    inner_first: list[_Trace] = []
    for index in reversed(range(len(chain))):  # the innermost texts are the shortest: a link that is no
        trace = _link_trace(chain, index)  # template error (an `include` cycle's end) is found first
        if trace is None:
            return go_text
        inner_first.append(trace)
    traces: list[_Trace] = []
    for trace in reversed(inner_first):
        if not traces or traces[-1] != trace:
            traces.append(trace)
    return "".join(t.render() for t in traces).strip(" \t\n\r\v\f")


@dataclass(frozen=True)
class _Trace:
    """One step of a template error's trace: where, what failed, what was executing."""

    location: str = ""
    message: str = ""
    executed: str = ""

    def render(self) -> str:
        out = ""
        if self.location:
            out += f"{self.location}\n  "
        if self.executed:
            out += f"{self.executed}\n    "
        if self.message:
            out += f"{self.message}\n"
        return out


def _link_trace(chain: Sequence[str], index: int) -> _Trace | None:
    """_parse_trace of one link. Most links of a deep chain are a node's error followed by a nested
    template's error, decided by the first few hundred characters of a text that may be megabytes long:
    the trace of the start is taken when its message ends before the start does (at ` template:`), so
    every step of the parse found what it looked for within the start; otherwise the whole text is read."""
    start = getattr(chain, "start", None)
    if start is not None:
        head: str = start(index, _START)
        if len(head) == _START:
            trace = _parse_trace(head)
            message_at = len("template: ") + len(trace.location) + len(": ") + len(trace.executed) + 1 if trace else 0
            if trace is not None and trace.executed and head.find(" template:", message_at) != -1:
                return trace
    return _parse_trace(chain[index])


def _cut_chained(message: str) -> str:
    cut = message.find(" template:")
    return message if cut == -1 else message[:cut]


def _parse_trace(text: str) -> _Trace | None:
    """parseTemplateExecErrorString: one link of the chain, or None when it is not a template error."""
    prefix = "template: "
    if not text.startswith(prefix):
        return None
    rest = text[len(prefix) :]
    if rest.startswith("no template "):
        return _Trace(message=text)
    idx = rest.find(": executing ")
    if idx != -1:
        name = rest[:idx]
        after = rest[idx + len(": executing ") :]
        if not after.startswith('"'):
            return None
        end_quote = after.find('"', 1)
        if end_quote == -1:
            return None
        function = after[1:end_quote]
        after_func = after[end_quote + 1 :]
        if not after_func.startswith(" at <"):
            return None
        after_at = after_func[len(" at <") :]
        end_loc = after_at.find(">: ")
        if end_loc == -1:
            return None
        node = after_at[:end_loc]
        message = _cut_chained(after_at[end_loc + 3 :])
        return _Trace(location=name, message=message, executed=f'executing "{function}" at <{node}>:')
    sep = rest.rfind(": ")
    if sep == -1:
        return None
    return _Trace(location=rest[:sep], message=_cut_chained(rest[sep + 2 :]))
