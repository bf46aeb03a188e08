"""The base of wavecd's typed progress events: plain data that any front end can render or serialise.

A long operation (a sync, later the server's loop) reports what it does as a stream of events and knows
nothing of who listens: the CLI draws them with rich or prints one JSON object per line, the server forwards
them to the UI.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, ClassVar


@dataclasses.dataclass(frozen=True)
class Event:
    """One thing that happened. `name` is the `event` key of its JSON form; fields left None are omitted."""

    name: ClassVar[str] = "event"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"event": self.name}
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if value is not None:
                out[item.name] = value
        return out


Emit = Callable[[Event], None]


def discard(event: Event) -> None:
    """An `Emit` that drops every event, for callers that want only the result."""
