"""An app's resources as the API shows them: the managed objects with desired and live state, and the
resource tree (what they own, down to Pods), built from the last reconcile and the cluster cache."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

from wavecd.common import SyncStatus, api_group
from wavecd.health import assess, is_hook
from wavecd.server.reconcile import Reconciled
from wavecd.server.view import ManagedResource, ResourceNode, ResourceRef

__all__ = ["managed_resources", "resource_tree"]

# The deepest owner chain the tree follows (Deployment → ReplicaSet → Pod is 3; CronJob → Job → Pod too).
_MAX_DEPTH = 8


def managed_resources(reconciled: Reconciled) -> list[ManagedResource]:
    """Every object the app manages (hooks left out, as Argo CD's `ManagedResources` leaves them)."""
    out = []
    for resource in reconciled.resources:
        obj = resource.target if resource.target is not None else resource.live
        if obj is None or is_hook(obj):
            continue
        verdict = reconciled.verdicts.get((resource.group, resource.kind, resource.namespace, resource.name))
        health = assess(resource.live) if resource.live is not None else None
        out.append(
            ManagedResource(
                group=resource.group,
                version=str(obj.get("apiVersion") or "").rsplit("/", 1)[-1],
                kind=resource.kind,
                namespace=resource.namespace,
                name=resource.name,
                target=copy.deepcopy(resource.target),
                live=copy.deepcopy(resource.live),
                status=verdict.status if verdict is not None else SyncStatus.SYNCED,
                health=health.status.value if health is not None else None,
            )
        )
    return sorted(out, key=lambda r: (r.group, r.kind, r.namespace, r.name))


def _node(obj: dict[str, Any], parents: Sequence[ResourceRef]) -> ResourceNode:
    meta = obj.get("metadata") or {}
    api_version = str(obj.get("apiVersion") or "")
    health = assess(obj)
    return ResourceNode(
        group=api_group(api_version),
        version=api_version.rsplit("/", 1)[-1],
        kind=str(obj.get("kind") or ""),
        namespace=str(meta.get("namespace") or ""),
        name=str(meta.get("name") or ""),
        uid=str(meta.get("uid") or ""),
        resource_version=str(meta.get("resourceVersion") or ""),
        parent_refs=tuple(parents),
        health=health.status.value if health is not None else None,
        health_message=health.message if health is not None else "",
        created_at=str(meta.get("creationTimestamp") or ""),
    )


def _ref(obj: dict[str, Any]) -> ResourceRef:
    meta = obj.get("metadata") or {}
    return ResourceRef(
        api_group(str(obj.get("apiVersion") or "")),
        str(obj.get("kind") or ""),
        str(meta.get("name") or ""),
        str(meta.get("namespace") or ""),
    )


def resource_tree(reconciled: Reconciled, owned_by: Callable[[str], Sequence[dict[str, Any]]]) -> list[ResourceNode]:
    """The live managed objects, then what each owns (by ownerReferences, through `owned_by(uid)`), each
    node naming its owners as `parentRefs`: Argo CD's resource tree of an app."""
    out: list[ResourceNode] = []
    seen: set[str] = set()
    frontier: list[tuple[dict[str, Any], tuple[ResourceRef, ...]]] = [
        (r.live, ()) for r in reconciled.resources if r.live is not None
    ]
    for _ in range(_MAX_DEPTH):
        following: list[tuple[dict[str, Any], tuple[ResourceRef, ...]]] = []
        for obj, parents in frontier:
            uid = str((obj.get("metadata") or {}).get("uid") or "")
            if uid and uid in seen:
                continue
            seen.add(uid)
            out.append(_node(obj, parents))
            if uid:
                following.extend((child, (_ref(obj),)) for child in owned_by(uid))
        if not following:
            break
        frontier = following
    return out
