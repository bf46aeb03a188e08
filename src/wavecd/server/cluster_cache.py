"""The controller's view of the cluster: the live objects of the kinds the tree tracks, kept current by one
watch per kind, as Argo CD's cluster cache keeps them (gitops-engine `pkg/cache/cluster.go`).

A refresh then reads memory instead of listing every kind again, and a change in the cluster reaches the
controller as an event (`on_change`) it can turn into the refresh of the app that tracks the object — or,
for a Pod or ReplicaSet, of the app whose tracked object owns it (`tracking_instance_of`).

One lock guards everything; every object handed out is a copy the caller may keep or change (`get_with` hands
out what a caller's function made of it, under the lock).
"""

from __future__ import annotations

import builtins
import copy
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from wavecd.common import api_group
from wavecd.kube import ApiResource, CacheTiming, KindWatch, KubeClient, stop_watches
from wavecd.server.live_index import Change, GroupKind, LiveIndex
from wavecd.sync.inventory import KnownTracked
from wavecd.sync.live import get_live

__all__ = ["CacheTiming", "ClusterCache", "OnChange"]

T = TypeVar("T")

OnChange = Callable[[str, dict[str, Any]], None]

_log = logging.getLogger(__name__)
# How long stop() waits for each watch thread; a list request in flight cannot be interrupted, only waited on.
_STOP_TIMEOUT = 10.0


class ClusterCache:
    """Live objects of the watched kinds. Start watching with `ensure_kinds`; `stop()` ends every thread.

    `on_change(type, obj)` runs in a watch thread for every ADDED, MODIFIED or DELETED seen after the kind's
    first list (that first fill is what `wait_synced` waits for, not news); a relist reports what changed
    since the previous one, DELETED included. It should return quickly and must not raise (if it does, the
    error is logged and the watch goes on).
    """

    def __init__(self, client: KubeClient, *, on_change: OnChange | None = None, timing: CacheTiming | None = None):
        self._client = client
        self._on_change = on_change
        self._timing = timing or CacheTiming()
        self._lock = threading.Condition()
        self._index = LiveIndex()
        self._watches: dict[GroupKind, KindWatch] = {}
        self._resources: dict[GroupKind, ApiResource] = {}
        self._synced: set[GroupKind] = set()
        self._stopping = threading.Event()
        self._discovered_at = float("-inf")

    # -- watching --------------------------------------------------------------------------------------------------
    def ensure_kinds(self, kinds: Iterable[tuple[str, str]]) -> None:
        """Watch each `(apiVersion, kind)` not watched yet. A kind the server does not serve (a custom resource
        whose CRD a later wave installs) is skipped; it is looked for again when asked again — discovery is
        read again for it at most once per `retry_delay`. Raises `KubeError` when discovery fails."""
        wanted = {(api_group(api_version), kind): (api_version, kind) for api_version, kind in kinds}
        with self._lock:
            missing = {gk: ref for gk, ref in wanted.items() if gk not in self._watches}
        if not missing or self._stopping.is_set():
            return
        served = self._served(set(missing.values()))
        with self._lock:
            for resource in served:
                group_kind = (resource.group, resource.kind)
                if group_kind in self._watches or self._stopping.is_set():
                    continue
                watch = KindWatch(self._client, resource, self, self._stopping, self._timing)
                self._watches[group_kind] = watch
                self._resources[group_kind] = resource
                watch.thread.start()

    def wait_synced(self, timeout: float) -> bool:
        """True once every watched kind has been listed (at once when it has); False after `timeout` seconds."""
        with self._lock:
            return self._lock.wait_for(lambda: self._watches.keys() <= self._synced, timeout)

    def stop(self) -> None:
        """End every watch thread and wait for them."""
        self._stopping.set()
        with self._lock:
            watches = list(self._watches.values())
        stop_watches(watches, _STOP_TIMEOUT)

    # -- reads -----------------------------------------------------------------------------------------------------
    def get(self, api_version: str, kind: str, namespace: str | None, name: str) -> dict[str, Any] | None:
        """The object as last seen, or None (absent, or its kind not watched). A cluster-scoped kind ignores
        `namespace`."""
        group_kind = (api_group(api_version), kind)
        with self._lock:
            resource = self._resources.get(group_kind)
            scoped = resource is None or resource.namespaced
            found = self._index.get(group_kind, (namespace or "") if scoped else "", name)
        return copy.deepcopy(found)

    def get_with(
        self, api_version: str, kind: str, namespace: str | None, name: str, read: Callable[[dict[str, Any]], T]
    ) -> T | None:
        """`read(object)` under the lock instead of a copy of the object (None when absent): for a caller that
        needs a little of a big object, such as the API's list cut down to a few fields. `read` must neither
        keep nor change what it is given."""
        group_kind = (api_group(api_version), kind)
        with self._lock:
            resource = self._resources.get(group_kind)
            scoped = resource is None or resource.namespaced
            found = self._index.get(group_kind, (namespace or "") if scoped else "", name)
            return None if found is None else read(found)

    def read(self, target: dict[str, Any], default_namespace: str = "") -> dict[str, Any] | None:
        """The live counterpart of desired object `target` (a `sync.live.LiveRead`): from memory when its kind
        is watched at the version `target` names and has been listed, else with a GET (a kind not watched yet,
        or one the cache holds at another version, whose fields would not compare)."""
        api_version, kind = str(target.get("apiVersion") or ""), str(target.get("kind") or "")
        meta = target.get("metadata") or {}
        group_kind = (api_group(api_version), kind)
        cached, found = False, None
        with self._lock:
            resource = self._resources.get(group_kind)
            if resource is not None and resource.api_version == api_version and group_kind in self._synced:
                namespace = str(meta.get("namespace") or default_namespace) if resource.namespaced else ""
                cached = bool(namespace) or not resource.namespaced
                found = self._index.get(group_kind, namespace, str(meta.get("name") or "")) if cached else None
        if cached:
            return copy.deepcopy(found)
        return get_live(self._client, target, default_namespace)

    def annotation(self, api_version: str, kind: str, namespace: str | None, name: str, key: str) -> str | None:
        """One annotation of the object as last seen (None: absent), read without copying anything."""
        group_kind = (api_group(api_version), kind)
        with self._lock:
            resource = self._resources.get(group_kind)
            scoped = resource is None or resource.namespaced
            found = self._index.get(group_kind, (namespace or "") if scoped else "", name)
            if found is None:
                return None
            value = ((found.get("metadata") or {}).get("annotations") or {}).get(key)
            return value if isinstance(value, str) else None

    def names_having(self, api_version: str, kind: str, field: str) -> set[tuple[str, str]]:
        """(namespace, name) of every object of a kind whose top-level `field` is set: one pass under one
        lock, nothing copied — what the operation loop asks for the whole tree every few seconds."""
        with self._lock:
            held = self._index.of_kind((api_group(api_version), kind), None)
            return {
                (str(obj["metadata"].get("namespace") or ""), str(obj["metadata"].get("name") or ""))
                for obj in held
                if obj.get(field)
            }

    def list(self, api_version: str, kind: str, namespace: str | None = None) -> builtins.list[dict[str, Any]]:
        """The objects of a kind, in one namespace or (None) all of them."""
        with self._lock:
            found = self._index.of_kind((api_group(api_version), kind), namespace)
        return copy.deepcopy(found)

    def by_tracking_instance(self, instance: str) -> builtins.list[dict[str, Any]]:
        """The objects whose `argocd.argoproj.io/tracking-id` names app `instance` (and is not a copy)."""
        with self._lock:
            found = self._index.tracked_by(instance)
        return copy.deepcopy(found)

    def owned_by(self, uid: str) -> builtins.list[dict[str, Any]]:
        """The objects that list `uid` among their ownerReferences (a Deployment's ReplicaSets, their Pods)."""
        with self._lock:
            found = self._index.owned_by(uid)
        return copy.deepcopy(found)

    def known_tracked(self) -> KnownTracked:
        """The kinds listed so far and a reader of what each app instance tracks among them: what a rollout
        needs not list again (`sync.inventory`)."""
        with self._lock:
            kinds = frozenset(self._synced)
        return KnownTracked(kinds, self.by_tracking_instance)

    def tracking_instance_of(self, obj: dict[str, Any]) -> str | None:
        """The app `obj` belongs to: its own tracking annotation, else that of the first tracked object up its
        ownerReferences, as far as the cache holds them; None when no app tracks it."""
        with self._lock:
            return self._index.instance_of(obj)

    # -- what the watch threads deliver (KindSink) ----------------------------------------------------------------
    def listed(self, group_kind: GroupKind, items: builtins.list[dict[str, Any]], resource_version: str) -> None:
        with self._lock:
            changes = self._index.replace(group_kind, items)
            first = group_kind not in self._synced
            self._synced.add(group_kind)
            self._lock.notify_all()
        if not first:
            self._notify(changes)

    def changed(self, group_kind: GroupKind, event_type: str, obj: dict[str, Any]) -> None:
        with self._lock:
            stored = self._index.record(group_kind, event_type, obj)
        self._notify([(event_type, stored)])

    def gone(self, group_kind: GroupKind) -> None:
        with self._lock:
            changes = self._index.drop_kind(group_kind)
            self._watches.pop(group_kind, None)
            self._resources.pop(group_kind, None)
            self._synced.discard(group_kind)
            self._lock.notify_all()
        self._notify(changes)

    # -- plumbing --------------------------------------------------------------------------------------------------
    def _served(self, refs: set[tuple[str, str]]) -> builtins.list[ApiResource]:
        """The resources serving `refs` that can be listed and watched; discovery is read again when some are
        missing from what the client knows, unless it was read less than `retry_delay` ago."""
        resources = self._client.resources()
        found = _matching(resources, refs)
        now = time.monotonic()
        if len(found) < len(refs) and now - self._discovered_at >= self._timing.retry_delay:
            self._discovered_at = now
            found = _matching(self._client.resources(refresh=True), refs)
        return found

    def _notify(self, changes: builtins.list[Change]) -> None:
        if self._on_change is None:
            return
        for event_type, obj in changes:
            try:
                self._on_change(event_type, copy.deepcopy(obj))
            except Exception:
                _log.exception("the cluster cache's on_change failed for a %s event", event_type)


def _matching(resources: Iterable[ApiResource], refs: set[tuple[str, str]]) -> builtins.list[ApiResource]:
    """One resource per asked group and kind: the version asked for when it is served, else the first one
    discovery lists (its preferred), since the cache keeps a kind once, whatever version the tree names."""
    asked = {(api_group(api_version), kind): api_version for api_version, kind in refs}
    chosen: dict[GroupKind, ApiResource] = {}
    for res in resources:
        group_kind = (res.group, res.kind)
        if group_kind not in asked or "list" not in res.verbs or "watch" not in res.verbs:
            continue
        if group_kind not in chosen or res.api_version == asked[group_kind]:
            chosen[group_kind] = res
    return list(chosen.values())
