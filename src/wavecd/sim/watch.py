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
BOOKMARK_INTERVAL = 5.0
DEFAULT_TIMEOUT = 1800.0


@dataclass
class WatchRequest:
    kind: Kind
    namespace: str | None
    resource_version: str
    send_initial: bool
    bookmarks: bool
    timeout: float
    labels: Predicate
    fields: Predicate

    @classmethod
    def from_query(cls, kind: Kind, namespace: str | None, query: dict[str, str]) -> WatchRequest:
        send_initial = query.get("sendInitialEvents") == "true"
        if send_initial and query.get("resourceVersionMatch") != "NotOlderThan":
            raise apierrors.ApiError(
                422,
                "Invalid",
                'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: '
                "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
            )
        timeout = query.get("timeoutSeconds") or ""
        return cls(
            kind=kind,
            namespace=namespace,
            resource_version=query.get("resourceVersion", ""),
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
        if request.send_initial or request.resource_version in ("", "0"):
            items, rv = api.list(kind, request.namespace)
            initial = [o for o in items if request.labels(o) and request.fields(o)]
        else:
            try:
                rv = int(request.resource_version)
            except ValueError:
                rv = -1
            initial = []
            if rv < store.oldest_resumable():
                status = apierrors.ApiError(
                    410, "Expired", f"too old resource version: {request.resource_version} ({store.rv})"
                ).status()
                write(_line("ERROR", status))
                return
    for obj in initial:
        emit("ADDED", obj)
    if request.send_initial:
        write(_line("BOOKMARK", _bookmark(kind, rv, initial_end=True)))
    last_bookmark = time.monotonic()
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
        if api.registry.by_plural(kind.group, kind.version, kind.plural) is None:
            return  # its CRD was deleted: the apiserver ends the watches of a custom resource it stops serving
        if request.bookmarks and time.monotonic() - last_bookmark >= BOOKMARK_INTERVAL:
            write(_line("BOOKMARK", _bookmark(kind, rv)))
            last_bookmark = time.monotonic()


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
