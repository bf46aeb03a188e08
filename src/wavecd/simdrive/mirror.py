"""Another API server's objects kept in a sim `Store`, so that the sim controllers read them as they read the
sim's own, and are told of each change as the sim tells them (its `listeners`).

One `KindWatch` per kind (list, then watch; 410 Gone lists again), as Argo CD's cluster cache and client-go's
informers keep their copies. A CustomResourceDefinition that the server establishes teaches the mirror's
registry its kinds and starts watching them; Events are not watched (the controllers only write them).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from wavecd.kube import ApiResource, CacheTiming, GroupKind, KindWatch, KubeClient, KubeError, stop_watches
from wavecd.sim.registry import Kind, kinds_from_crd
from wavecd.simdrive.remote_api import RemoteApi

__all__ = ["Mirror"]

_log = logging.getLogger(__name__)

# Kinds nobody reconciles or reads: each would cost a watch for nothing.
_UNWATCHED = frozenset({("", "Event"), ("events.k8s.io", "Event"), ("", "ComponentStatus")})
_CRD = ("apiextensions.k8s.io", "CustomResourceDefinition")
_STOP_TIMEOUT = 5.0


class Mirror:
    """The watches that fill `api`'s store; `start` lists every kind the server serves, `stop` ends them."""

    def __init__(self, api: RemoteApi, client: KubeClient, *, timing: CacheTiming | None = None):
        self._api = api
        self._client = client
        self._timing = timing or CacheTiming()
        self._stopping = threading.Event()
        self._lock = threading.Condition()
        self._watches: dict[GroupKind, KindWatch] = {}
        self._kinds: dict[GroupKind, Kind] = {}  # each watched kind, at the version its watch reads
        self._listed: set[GroupKind] = set()

    def start(self, timeout: float = 60.0) -> bool:
        """Watch every kind the server serves, and wait until each has been listed once (as an informer waits
        for HasSynced): controllers started earlier would take a missing list for missing objects — a
        ReplicaSet would make its pods again. False when some kind was not listed within `timeout` seconds."""
        for resource in self._client.resources():
            self._watch(resource)
        with self._lock:
            return self._lock.wait_for(lambda: self._watches.keys() <= self._listed, timeout)

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            watches = list(self._watches.values())
        stop_watches(watches, _STOP_TIMEOUT)

    def _watch(self, resource: ApiResource) -> None:
        """Watch `resource`, unless the controllers cannot know its kind (the sim's registry does not serve it):
        its events would have nowhere to go."""
        group_kind = (resource.group, resource.kind)
        kind = self._api.registry.for_api_version(resource.api_version, resource.kind)
        if kind is None or group_kind in _UNWATCHED or "watch" not in resource.verbs:
            return
        with self._lock:
            if group_kind in self._watches or self._stopping.is_set():
                return
            self._kinds[group_kind] = kind
            watch = self._watches[group_kind] = KindWatch(self._client, resource, self, self._stopping, self._timing)
        watch.thread.start()

    # -- KindSink ----------------------------------------------------------------------------------------------------
    def listed(self, group_kind: GroupKind, items: list[dict[str, Any]], resource_version: str) -> None:
        kind = self._kinds.get(group_kind)
        if kind is not None:
            seen = set()
            for obj in items:
                self.changed(group_kind, "ADDED", obj)
                seen.add(_where(obj))
            kept = self._api.store.list(kind.group, kind.plural, copy=False)
            for gone in [obj for obj in kept if _where(obj) not in seen and _older(obj, resource_version)]:
                self._api.observed(kind, "DELETED", gone)
        with self._lock:
            self._listed.add(group_kind)
            self._lock.notify_all()

    def changed(self, group_kind: GroupKind, event_type: str, obj: dict[str, Any]) -> None:
        kind = self._kinds.get(group_kind)
        if kind is None:
            return
        self._api.observed(kind, event_type, obj)
        if group_kind == _CRD:
            self._crd_changed(event_type, obj)

    def gone(self, group_kind: GroupKind) -> None:
        with self._lock:
            self._watches.pop(group_kind, None)
            self._kinds.pop(group_kind, None)

    # -- custom kinds ------------------------------------------------------------------------------------------------
    def _crd_changed(self, event_type: str, crd: dict[str, Any]) -> None:
        name = (crd.get("metadata") or {}).get("name", "")
        if event_type == "DELETED":
            self._api.registry.unregister_crd(name)
            return
        established = any(
            c.get("type") == "Established" and c.get("status") == "True"
            for c in (crd.get("status") or {}).get("conditions") or []
        )
        if not established:
            return
        kinds = kinds_from_crd(crd)
        self._api.registry.register_crd(name, kinds, served_from=self._api.store.rv)
        for kind in kinds:
            try:
                resource = self._client.resource_for(kind.api_version, kind.kind)
            except KubeError as err:
                _log.warning("cannot watch %s %s yet: %s", kind.api_version, kind.kind, err)
                continue
            self._watch(resource)


def _older(obj: dict[str, Any], resource_version: str) -> bool:
    """Whether `obj`, missing from a list read at `resource_version`, was stored before that list: then the list
    says it is gone. One the controllers wrote after the list was read is kept (its watch event decides). The
    versions are compared as the integers kube-apiserver gives (etcd revisions); any other form keeps it."""
    stored = str((obj.get("metadata") or {}).get("resourceVersion", ""))
    return stored.isdigit() and resource_version.isdigit() and int(stored) <= int(resource_version)


def _where(obj: dict[str, Any]) -> tuple[str, str]:
    meta = obj.get("metadata") or {}
    return str(meta.get("namespace") or ""), str(meta.get("name") or "")
