"""The comparisons a replica made on request for apps it does not reconcile, kept until what they read changes.

Every replica answers the resource tree and the managed resources of every app (as every Argo CD API server
does); for an app this replica does not reconcile — another shard's, or any app while it stands by — the
answer is a comparison made on request. Made again for each request, it cost a root app of a few dozen
children a few hundred milliseconds (reading and copying each child Application from the cluster cache
twice), for every view of every user. Kept here instead, it is dropped as soon as anything it read may
have changed: an event for one of its objects (by identity, so a desired object created by someone else
counts too), for an object the app tracks (its Pods through their owners), or a new walk of the tree.
"""

from __future__ import annotations

import threading
from typing import Any

from wavecd.server.reconcile import Reconciled
from wavecd.sync.live import identity

__all__ = ["ViewCache"]

ResourceKey = tuple[str, str, str, str]


class ViewCache:
    """Safe to share between the API's threads and the watch's."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: dict[str, tuple[object, Reconciled]] = {}
        self._apps_of: dict[ResourceKey, set[str]] = {}
        # Bumped by each drop: a comparison made while its app's objects changed is not kept.
        self._drops: dict[str, int] = {}

    def __bool__(self) -> bool:
        with self._lock:
            return bool(self._kept)

    def get(self, app: str, walk: object) -> Reconciled | None:
        """The comparison kept for `app` from this walk, if nothing it read has changed since."""
        with self._lock:
            kept = self._kept.get(app)
        return kept[1] if kept is not None and kept[0] is walk else None

    def token(self, app: str) -> int:
        """Taken before comparing `app`; `put` keeps the comparison only if no drop came in between."""
        with self._lock:
            return self._drops.get(app, 0)

    def put(self, app: str, walk: object, result: Reconciled, token: int) -> None:
        with self._lock:
            if self._drops.get(app, 0) != token:
                return
            self._forget(app)
            self._kept[app] = (walk, result)
            for key in _keys(result):
                self._apps_of.setdefault(key, set()).add(app)

    def changed(self, obj: dict[str, Any], tracked_by: str | None) -> None:
        """A watched object changed: drop the comparisons that read it, and that of the app tracking it."""
        key = identity(obj)
        with self._lock:
            apps = set(self._apps_of.get(key, ()))
            if tracked_by is not None:
                apps.add(tracked_by)
            for app in apps:
                self._drops[app] = self._drops.get(app, 0) + 1
                self._forget(app)

    def _forget(self, app: str) -> None:
        kept = self._kept.pop(app, None)
        if kept is None:
            return
        for key in _keys(kept[1]):
            apps = self._apps_of.get(key)
            if apps is not None:
                apps.discard(app)
                if not apps:
                    del self._apps_of[key]


def _keys(result: Reconciled) -> set[ResourceKey]:
    """What a comparison read: its desired objects and the live ones it tracks."""
    return {*result.verdicts, *((r.group, r.kind, r.namespace, r.name) for r in result.resources)}
