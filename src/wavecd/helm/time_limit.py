"""How long one chart's templates may run: a render that loops or recurses without end (an exponential
`include` chain) stops with an error instead of holding a worker forever.

Argo CD's repo-server bounds each `helm template` it runs with `ARGOCD_EXEC_TIMEOUT` (90s by default,
`util/exec` in argoproj/argo-cd). wavecd renders in pure Python, a few times slower than Helm, so its
default is twice that. The limit is a flag (`--render-timeout`) or `render.timeout` in wavecd.yaml when
given, else `WAVECD_RENDER_TIMEOUT`, else the default; each is a Go duration (`90s`, `3m`).
"""

from __future__ import annotations

import os

from wavecd.core.durations import parse_positive_duration
from wavecd.core.errors import UserInputError

DEFAULT_RENDER_TIMEOUT = 180.0
RENDER_TIMEOUT_ENV = "WAVECD_RENDER_TIMEOUT"


def parse_render_timeout(text: str, where: str) -> float:
    """Seconds in a Go duration given by the user; a clear error naming `where` when it is not one."""
    try:
        return parse_positive_duration(text)
    except ValueError as err:
        raise UserInputError(f"{where}: {err}") from None


def render_timeout(explicit: float | None) -> float:
    """The limit in seconds: `explicit` (a flag or wavecd.yaml), else the environment's, else the default."""
    if explicit is not None:
        return explicit
    text = os.environ.get(RENDER_TIMEOUT_ENV, "")
    return parse_render_timeout(text, RENDER_TIMEOUT_ENV) if text else DEFAULT_RENDER_TIMEOUT
