"""Go's `time.ParseDuration` syntax (`90s`, `1m30s`, `1.5h`, `300ms`), the one Argo CD, kubectl and wavecd's
flags use for durations."""

from __future__ import annotations

import re

_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


def parse_go_duration(text: str) -> float:
    """Seconds in `text`; ValueError with Go's message (`time: invalid duration "x"`) when it is not one."""
    body = text
    sign = 1.0
    if body[:1] in "+-" and body:
        sign = -1.0 if body[0] == "-" else 1.0
        body = body[1:]
    if body == "0":
        return 0.0
    if not body:
        raise ValueError(f'time: invalid duration "{text}"')
    pos, total = 0, 0.0
    for match in _PART.finditer(body):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if pos != len(body):
        if re.fullmatch(r"\d+(?:\.\d*)?", body):
            raise ValueError(f'time: missing unit in duration "{text}"')
        raise ValueError(f'time: invalid duration "{text}"')
    return sign * total


def parse_positive_duration(text: str) -> float:
    """Seconds in a Go duration that bounds something (a time limit), so zero or less is refused too;
    ValueError with Go's message, or saying it must be positive. Surrounding blanks are ignored."""
    seconds = parse_go_duration(text.strip())
    if seconds <= 0:
        raise ValueError(f"must be a positive duration, not {text!r}")
    return seconds
