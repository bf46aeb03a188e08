"""Health gates read their objects from one watch per kind instead of polling each object with a GET, as
Argo CD's controller reads health from its watch-fed cluster cache.

A kind is watched from the first time a gate waits on one of its objects until the sync ends: one list,
then one long-lived watch (two requests per kind for the whole rollout, however many objects wait). A read
must never see the object as it was before the apply the gate waits on, so the cache answers for an object
only once it has caught up with that apply: its list was sent after the apply was answered, or its watch
has delivered the resourceVersion the apply answered with. The gate gives a watch a few polls to catch up,
and settles from it what it shows done or still waiting; a failure, and every few polls an object the watch
shows unchanged, are read with a GET. A kind whose watch fails is read with GETs from then on.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from wavecd.kube import ExpiredError, KubeClient, Watch

__all__ = ["KindWatches", "Observed"]

# resourceVersions remembered per object: enough for the writes that can race one apply.
_HISTORY = 8

Key = tuple[str, str]  # (namespace, name)


@dataclass(frozen=True)
class Observed:
    """What a gate waits on, as the cache needs it: the object, and the apply it must not read past."""

    api_version: str
    kind: str
    namespace: str
    name: str
    resource_version: str  # as the apply answered
    since: float  # time.monotonic() when the apply was answered


@dataclass
class _Kind:
    objects: dict[Key, dict[str, Any]] = field(default_factory=dict)
    versions: dict[Key, deque[str]] = field(default_factory=dict)
    listed_at: float = float("-inf")  # when the list now held was sent
    failed: bool = False
    watch: Watch | None = None


class KindWatches:
    """The sync's watches, one per kind a gate has waited on; `stop()` ends them all."""

    def __init__(self, client: KubeClient):
        self._client = client
        self._lock = threading.Condition()
        self._kinds: dict[tuple[str, str], _Kind] = {}
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()

    def read(self, item: Observed) -> tuple[bool, dict[str, Any] | None]:
        """(caught up, the object as the kind's watch has it: None when it does not exist). Not caught up yet,
        the watch has nothing to say about the object."""
        state = self._watched(item.api_version, item.kind)
        key = (item.namespace, item.name)
        with self._lock:
            seen = item.resource_version in state.versions.get(key, ())
            if state.failed or not (seen or state.listed_at >= item.since):
                return False, None
            return True, state.objects.get(key)

    def stop(self) -> None:
        """End every watch and wait for its thread (a list in flight is waited on)."""
        self._stopping.set()
        with self._lock:
            watches = [state.watch for state in self._kinds.values() if state.watch is not None]
            self._lock.notify_all()
        for watch in watches:
            watch.stop()
        for thread in self._threads:
            thread.join(timeout=10)

    def watch(self, api_version: str, kind: str) -> None:
        """Start watching the kind, unless it is watched already."""
        self._watched(api_version, kind)

    def _watched(self, api_version: str, kind: str) -> _Kind:
        with self._lock:
            state = self._kinds.get((api_version, kind))
            if state is None:
                state = self._kinds[(api_version, kind)] = _Kind()
                if self._stopping.is_set():
                    state.failed = True
                    return state
                thread = threading.Thread(
                    target=self._run, args=(api_version, kind, state), name=f"wavecd-gate-{kind}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
            return state

    def _run(self, api_version: str, kind: str, state: _Kind) -> None:
        try:
            while not self._stopping.is_set():
                try:
                    self._list_and_watch(api_version, kind, state)
                except ExpiredError:
                    continue  # the server no longer has the version: list again
        except Exception:  # a failed watch costs requests, never a gate's verdict:
            pass  # the gates read this kind with GETs from now on
        finally:
            with self._lock:
                state.failed = True
                state.watch = None
                self._lock.notify_all()

    def _list_and_watch(self, api_version: str, kind: str, state: _Kind) -> None:
        sent = time.monotonic()
        items, version = self._client.list_for_watch(api_version, kind)
        with self._lock:
            state.objects = {_key(obj): obj for obj in items}
            state.versions = {}
            state.listed_at = sent
            self._lock.notify_all()
        watch = self._client.watch(api_version, kind, resource_version=version)
        with self._lock:
            state.watch = watch
        if self._stopping.is_set():
            watch.stop()
        with watch as events:
            for event_type, obj in events:
                key = _key(obj)
                with self._lock:
                    if event_type == "DELETED":
                        state.objects.pop(key, None)
                    else:
                        state.objects[key] = obj
                    rv = str((obj.get("metadata") or {}).get("resourceVersion") or "")
                    state.versions.setdefault(key, deque(maxlen=_HISTORY)).append(rv)
                    self._lock.notify_all()


def _key(obj: dict[str, Any]) -> Key:
    meta = obj.get("metadata") or {}
    return str(meta.get("namespace") or ""), str(meta.get("name") or "")
