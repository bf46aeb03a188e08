"""Each app's place in the tree (the `wavecd` key) for the stream's events, kept for every stream of the API.

The controller's events carry the Application alone; its place comes from `ControllerView.application`,
which copies the whole app. Asking once per app for the life of the API, not once per event or per stream,
keeps a page load (which opens a stream that replays every app) from copying every app a second time. An
app is asked again when its annotations change (a new `sync-wave`, a move comes with a new object); a
deleted app keeps the place it had.
"""

from __future__ import annotations

import threading
from typing import Any

from wavecd.goyaml.gojson import marshal
from wavecd.server.errors import NotFound
from wavecd.server.view import AppEntry, ApplicationEvent, ControllerView

__all__ = ["TreePositions", "tree_position"]


def tree_position(entry: AppEntry) -> dict[str, Any]:
    """The `wavecd` key: where the app sits in the tree."""
    return {"parent": entry.parent, "wave": entry.wave, "generatedBy": entry.generated_by}


class TreePositions:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: dict[str, tuple[str, dict[str, Any] | None]] = {}

    def of(self, view: ControllerView, event: ApplicationEvent) -> dict[str, Any] | None:
        metadata = event.application.get("metadata")
        metadata = metadata if isinstance(metadata, dict) else {}
        name = metadata.get("name")
        name = name if isinstance(name, str) else ""
        annotations = marshal(metadata.get("annotations"))
        with self._lock:
            known = self._known.get(name)
        if event.type == "DELETED":
            return known[1] if known else None
        if known is None or known[0] != annotations:
            try:
                position: dict[str, Any] | None = tree_position(view.application(name))
            except NotFound:
                position = None  # not (or no longer) in the tree
            known = (annotations, position)
            with self._lock:
                self._known[name] = known
        return known[1]
