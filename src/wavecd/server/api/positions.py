"""Each app's place in the tree (the `wavecd` key) for the stream's events, kept for every stream of the API.

The controller's events carry the Application alone; its place comes from `ControllerView.application`,
which copies the whole app. Asking once per app for the life of the API, not once per event or per stream,
keeps a page load (which opens a stream that replays every app) from copying every app a second time.

A place is asked again when it may have moved:
- the app's own annotations or labels changed (a new `sync-wave`; a move to another parent re-tracks it);
- a parent's Applications changed (the Applications in its `status.resources`): each app that came or went
  is asked again, so a move that leaves the app's own object as it was is seen too;
- an app's place turned out to differ from the one kept: the tree's waves are one order, so a parent's new
  wave can move every app below it, and every kept place is asked again on its app's next event.
A deleted app keeps the place it had.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from wavecd.goyaml.gojson import marshal
from wavecd.server.errors import NotFound
from wavecd.server.view import AppEntry, ApplicationEvent, ControllerView

__all__ = ["TreePositions", "tree_position"]

_ARGO_GROUP = "argoproj.io"


def tree_position(entry: AppEntry) -> dict[str, Any]:
    """The `wavecd` key: where the app sits in the tree."""
    return {"parent": entry.parent, "wave": entry.wave, "generatedBy": entry.generated_by}


@dataclass(frozen=True)
class _Known:
    key: str  # the app's annotations and labels when its place was asked
    position: dict[str, Any] | None


class TreePositions:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: dict[str, _Known] = {}
        self._children: dict[str, frozenset[str]] = {}  # app → the Applications of its status.resources

    def of(self, view: ControllerView, event: ApplicationEvent) -> dict[str, Any] | None:
        metadata = event.application.get("metadata")
        metadata = metadata if isinstance(metadata, dict) else {}
        name = metadata.get("name")
        name = name if isinstance(name, str) else ""
        key = marshal([metadata.get("annotations"), metadata.get("labels")])
        with self._lock:
            known = self._known.get(name)
            if event.type != "DELETED":
                self._forget_moved_children(name, _child_applications(event.application))
        if event.type == "DELETED":
            return known.position if known else None
        if known is None or known.key != key:
            try:
                position: dict[str, Any] | None = tree_position(view.application(name))
            except NotFound:
                position = None  # not (or no longer) in the tree
            with self._lock:
                if known is not None and known.position != position:
                    self._known.clear()  # the app moved: the places below it may have moved with it
                self._known[name] = _Known(key, position)
            return position
        return known.position

    def _forget_moved_children(self, parent: str, children: frozenset[str]) -> None:
        """Under the lock: the apps that came to or left `parent` are asked for their place again."""
        before = self._children.get(parent)
        self._children[parent] = children
        if before is not None and before != children:
            for child in before ^ children:
                self._known.pop(child, None)


def _child_applications(application: dict[str, Any]) -> frozenset[str]:
    status = application.get("status")
    resources = status.get("resources") if isinstance(status, dict) else None
    if not isinstance(resources, list):
        return frozenset()
    return frozenset(
        str(r.get("name"))
        for r in resources
        if isinstance(r, dict) and r.get("kind") == "Application" and r.get("group") == _ARGO_GROUP
    )
