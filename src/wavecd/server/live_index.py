"""The live objects the cluster cache holds, and the lookups the controller needs from them.

Objects are kept by group and kind, as Argo CD's cluster cache keys them, so two versions of one kind never
hold two copies. Beside them, three indexes answer the controller's questions without a scan: which app an
object's tracking annotation names, which objects an owner's uid owns (the resource tree's Deployment →
ReplicaSet → Pod), and which object a uid is (to walk ownerReferences up to the tracked root).

Nothing here locks: the cache calls it under its one lock. A stored object is never changed in place, only
replaced, so a reader may take a reference under the lock and copy it after.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from wavecd.kube import GroupKind
from wavecd.sync.tracking import owner_of

__all__ = ["MAX_OWNER_DEPTH", "Change", "GroupKind", "LiveIndex", "slim"]

ObjectKey = tuple[GroupKind, str, str]  # group-kind, namespace ("" when cluster-scoped), name
Change = tuple[str, dict[str, Any]]  # a watch event's type and object

# ownerReferences followed from an object towards the tracked root (Pod → ReplicaSet → Deployment is 2);
# the bound stops a cycle that a broken or hostile set of references could make.
MAX_OWNER_DEPTH = 10


def slim(obj: dict[str, Any]) -> dict[str, Any]:
    """`obj` without `metadata.managedFields`: often the largest part of an object, and nothing the controller
    compares or shows reads it (the comparison strips it from both sides, `sync.tracking.strip_server_fields`)."""
    meta = obj.get("metadata")
    if not isinstance(meta, dict) or "managedFields" not in meta:
        return obj
    return {**obj, "metadata": {k: v for k, v in meta.items() if k != "managedFields"}}


def _meta(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, dict) else {}


def _owner_uids(obj: dict[str, Any]) -> Iterator[str]:
    refs = _meta(obj).get("ownerReferences")
    for ref in refs if isinstance(refs, list) else []:
        uid = ref.get("uid") if isinstance(ref, dict) else None
        if isinstance(uid, str) and uid:
            yield uid


class LiveIndex:
    """The objects of the watched kinds, by group-kind, namespace and name, with their indexes."""

    def __init__(self) -> None:
        self._objects: dict[GroupKind, dict[tuple[str, str], dict[str, Any]]] = {}
        self._uids: dict[str, ObjectKey] = {}
        self._children: dict[str, set[ObjectKey]] = {}
        self._instances: dict[str, set[ObjectKey]] = {}

    # -- writes --------------------------------------------------------------------------------------------------
    def record(self, group_kind: GroupKind, event_type: str, obj: dict[str, Any]) -> dict[str, Any]:
        """One watch event applied; returns the object as stored (or as it was last seen, for DELETED)."""
        obj = slim(obj)
        key = self._key(group_kind, obj)
        if event_type == "DELETED":
            self._remove(key)
        else:
            self._put(key, obj)
        return obj

    def replace(self, group_kind: GroupKind, items: Iterable[dict[str, Any]]) -> list[Change]:
        """A fresh list of a kind replaces what was held of it; returns the changes that amounts to: ADDED and
        MODIFIED (a new resourceVersion) objects, and DELETED for those the list no longer has."""
        changes: list[Change] = []
        old = dict(self._objects.get(group_kind, {}))
        for item in items:
            obj = slim(item)
            key = self._key(group_kind, obj)
            before = old.pop((key[1], key[2]), None)
            if before is None:
                changes.append(("ADDED", obj))
            elif _meta(before).get("resourceVersion") != _meta(obj).get("resourceVersion"):
                changes.append(("MODIFIED", obj))
            self._put(key, obj)
        for (namespace, name), gone in old.items():
            self._remove((group_kind, namespace, name))
            changes.append(("DELETED", gone))
        return changes

    def drop_kind(self, group_kind: GroupKind) -> list[Change]:
        """Forget a kind the server no longer serves; DELETED for each object it had."""
        return self.replace(group_kind, [])

    # -- reads ---------------------------------------------------------------------------------------------------
    def get(self, group_kind: GroupKind, namespace: str, name: str) -> dict[str, Any] | None:
        return self._objects.get(group_kind, {}).get((namespace, name))

    def of_kind(self, group_kind: GroupKind, namespace: str | None) -> list[dict[str, Any]]:
        held = self._objects.get(group_kind, {})
        return [obj for (ns, _), obj in held.items() if namespace is None or ns == namespace]

    def tracked_by(self, instance: str) -> list[dict[str, Any]]:
        return self._all(self._instances.get(instance, ()))

    def owned_by(self, uid: str) -> list[dict[str, Any]]:
        return self._all(self._children.get(uid, ()))

    def instance_of(self, obj: dict[str, Any]) -> str | None:
        """The app that tracks `obj` or, when it carries no tracking annotation of its own, the first tracked
        object found up its ownerReferences (within `MAX_OWNER_DEPTH` steps)."""
        frontier, seen = [obj], set()
        for _ in range(MAX_OWNER_DEPTH + 1):
            owners = []
            for current in frontier:
                instance = owner_of(current)
                if instance is not None:
                    return instance
                for uid in _owner_uids(current):
                    key = self._uids.get(uid)
                    if key is not None and uid not in seen:
                        seen.add(uid)
                        owners.append(self._objects[key[0]][(key[1], key[2])])
            if not owners:
                return None
            frontier = owners
        return None

    # -- plumbing ------------------------------------------------------------------------------------------------
    @staticmethod
    def _key(group_kind: GroupKind, obj: dict[str, Any]) -> ObjectKey:
        meta = _meta(obj)
        return group_kind, str(meta.get("namespace") or ""), str(meta.get("name") or "")

    def _all(self, keys: Iterable[ObjectKey]) -> list[dict[str, Any]]:
        return [self._objects[gk][(namespace, name)] for gk, namespace, name in sorted(keys)]

    def _put(self, key: ObjectKey, obj: dict[str, Any]) -> None:
        self._remove(key)
        self._objects.setdefault(key[0], {})[(key[1], key[2])] = obj
        uid = _meta(obj).get("uid")
        if isinstance(uid, str) and uid:
            self._uids[uid] = key
        for owner in _owner_uids(obj):
            self._children.setdefault(owner, set()).add(key)
        instance = owner_of(obj)
        if instance is not None:
            self._instances.setdefault(instance, set()).add(key)

    def _remove(self, key: ObjectKey) -> None:
        held = self._objects.get(key[0], {})
        obj = held.pop((key[1], key[2]), None)
        if obj is None:
            return
        if not held:
            del self._objects[key[0]]
        uid = _meta(obj).get("uid")
        if isinstance(uid, str) and self._uids.get(uid) == key:
            del self._uids[uid]
        for owner in _owner_uids(obj):
            _discard(self._children, owner, key)
        instance = owner_of(obj)
        if instance is not None:
            _discard(self._instances, instance, key)


def _discard(index: dict[str, set[ObjectKey]], name: str, key: ObjectKey) -> None:
    keys = index.get(name)
    if keys is not None:
        keys.discard(key)
        if not keys:
            del index[name]
