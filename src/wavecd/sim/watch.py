"""Watch streams with resourceVersion semantics, watch-list (`sendInitialEvents`) and bookmarks, as the
apiserver's watch cache serves them (kubernetes `staging/src/k8s.io/apiserver/pkg/storage/cacher/`).

Events are read from the store's log under its lock and written to the socket outside it, so a slow client
never blocks writers.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from wavecd.sim import apierrors
from wavecd.sim.api import Api
from wavecd.sim.registry import Kind
from wavecd.sim.selectors import Predicate, field_selector, label_selector
from wavecd.sim.store import Event, clone
from wavecd.sim.versions import present

INITIAL_EVENTS_END = "k8s.io/initial-events-end"
# The watch cache's bookmarks: about every minute, and once 2 s before the watch's timeout (`cache_watcher.go`
# nextBookmarkTime), each only when the resource moved past what the watcher has seen.
BOOKMARK_INTERVAL = 60.0
BOOKMARK_BEFORE_TIMEOUT = 2.0
DEFAULT_TIMEOUT = 1800.0
LIST_OPTIONS = Kind("meta.k8s.io", "v1", "ListOptions", "listoptions", False)


@dataclass
class WatchRequest:
    kind: Kind
    namespace: str | None
    resource_version: str
    initial: bool  # starts with ADDED events for the objects there
    send_initial: bool  # a watch-list: the initial events end with a bookmark
    bookmarks: bool
    timeout: float
    labels: Predicate
    fields: Predicate

    @classmethod
    def from_query(cls, kind: Kind, namespace: str | None, query: dict[str, str]) -> WatchRequest:
        send_initial = query.get("sendInitialEvents") == "true"
        match = query.get("resourceVersionMatch") or ""
        causes = []
        if send_initial and match != "NotOlderThan":
            causes.append(
                (
                    "FieldValueForbidden",
                    "resourceVersionMatch",
                    "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
                )
            )
        if match and match != "NotOlderThan":
            causes.append(
                (
                    "FieldValueNotSupported",
                    "resourceVersionMatch",
                    f'Unsupported value: "{match}": supported values: "NotOlderThan"',
                )
            )
        if causes:
            raise apierrors.invalid(LIST_OPTIONS, "", causes)
        timeout = query.get("timeoutSeconds") or ""
        resource_version = query.get("resourceVersion", "")
        return cls(
            kind=kind,
            namespace=namespace,
            resource_version=resource_version,
            # without sendInitialEvents, a watch from no version (or "0") starts with the current objects
            initial=send_initial or (query.get("sendInitialEvents") is None and resource_version in ("", "0")),
            send_initial=send_initial,
            bookmarks=query.get("allowWatchBookmarks") == "true",
            timeout=float(timeout) if timeout.isdigit() else DEFAULT_TIMEOUT,
            labels=label_selector(query.get("labelSelector")),
            fields=field_selector(query.get("fieldSelector")),
        )

    def matches(self, key: tuple[str, str, str, str], obj: dict) -> bool:
        if (key[0], key[1]) != (self.kind.group, self.kind.plural):
            return False
        if self.namespace is not None and key[2] != self.namespace:
            return False
        return self.labels(obj) and self.fields(obj)


def _line(event_type: str, obj: dict) -> bytes:
    return json.dumps({"type": event_type, "object": obj}, separators=(",", ":")).encode() + b"\n"


def _bookmark(kind: Kind, rv: int, initial_end: bool = False) -> dict:
    meta: dict = {"resourceVersion": str(rv)}
    if initial_end:
        meta["annotations"] = {INITIAL_EVENTS_END: "true"}
    return {"kind": kind.kind, "apiVersion": kind.api_version, "metadata": meta}


def serve_watch(
    api: Api,
    request: WatchRequest,
    write: Callable[[bytes], None],
    stopping: threading.Event,
    started: float,
    transform: Callable[[dict, bool], dict] | None = None,
) -> None:
    """Stream events until the timeout, the client leaving, or server shutdown. `transform(obj, first)` turns
    each event's object into what the client asked for (a Table for `kubectl get -w`)."""
    sent = 0

    def emit(event_type: str, obj: dict) -> None:
        nonlocal sent
        write(_line(event_type, transform(obj, sent == 0) if transform else obj))
        sent += 1

    store, kind = api.store, request.kind
    deadline = started + request.timeout
    with store.lock:
        if request.initial:
            items, rv = api.list(kind, request.namespace)
            initial = [o for o in items if request.labels(o) and request.fields(o)]
        elif request.resource_version in ("", "0"):
            rv, initial = store.rv, []
        else:
            try:
                rv = int(request.resource_version)
            except ValueError:
                rv = -1
            initial = []
            oldest = max(store.oldest_resumable(), api.registry.served_from(kind))
            if rv < oldest:
                status = apierrors.ApiError(
                    410, "Expired", f"too old resource version: {request.resource_version} ({oldest})"
                ).status()
                write(_line("ERROR", status))
                return
    for obj in initial:
        emit("ADDED", obj)
    if request.send_initial:
        write(_line("BOOKMARK", _bookmark(kind, rv, initial_end=True)))
    seen = rv  # the version the watcher has seen: a bookmark is sent only past it
    next_bookmark = _next_bookmark(time.monotonic(), deadline)
    while not stopping.is_set():
        now = time.monotonic()
        if now >= deadline:
            return
        with store.changed:
            events = list(store.events_after(rv))
            if not events:
                store.changed.wait(timeout=min(0.5, deadline - now))
                events = list(store.events_after(rv))
        for event in events:
            rv = event.rv
            kind_of_change = _as_seen(request, event)
            if kind_of_change is not None:
                emit(kind_of_change, present(kind, clone(event.object)))
                seen = rv
        if api.registry.by_plural(kind.group, kind.version, kind.plural) is None:
            return  # its CRD was deleted: the apiserver ends the watches of a custom resource it stops serving
        now = time.monotonic()
        if request.bookmarks and next_bookmark is not None and now >= next_bookmark:
            if rv > seen:
                write(_line("BOOKMARK", _bookmark(kind, rv)))
                seen = rv
            next_bookmark = _next_bookmark(now, deadline)


def _next_bookmark(now: float, deadline: float) -> float | None:
    """When the next bookmark is due: a minute on, or 2 s before the timeout if sooner; None once past that."""
    due = min(now + BOOKMARK_INTERVAL, deadline - BOOKMARK_BEFORE_TIMEOUT)
    return due if due > now else None


def _as_seen(request: WatchRequest, event: Event) -> str | None:
    """The event type a watcher with selectors sees: an object that starts matching is ADDED, one that stops
    matching is DELETED (as the apiserver's watch cache reports them); None when it never concerns the watcher."""
    was = event.previous is not None and request.matches(event.key, event.previous)
    if event.type == "DELETED":
        return "DELETED" if was else None
    now = request.matches(event.key, event.object)
    if now:
        return "MODIFIED" if was else "ADDED"
    return "DELETED" if was else None
