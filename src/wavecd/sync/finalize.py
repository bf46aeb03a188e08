"""What an Application's deletion takes with it, as Argo CD's controller decides it.

An Application carrying `resources-finalizer.argocd.argoproj.io` (or its `/foreground` or `/background`
form) cascades: before the finalizer is lifted, the objects the app tracks are deleted, one sync wave at a
time, the highest first (Argo CD `controller/appcontroller.go` `finalizeApplicationDeletion`,
`shouldBeDeleted`; `controller/sort_delete.go` `FilterObjectsForDeletion`). Without it the objects are
orphaned. The rules live here, below both the sync's prune of a child Application and the controller's
finalizer passes, so the two cannot disagree about what an app's deletion removes.
"""

from __future__ import annotations

from typing import Any

from wavecd.common import (
    APPLICATION,
    ARGO_GROUP,
    DELETION_APPROVED,
    HELM_RESOURCE_POLICY,
    RESOURCES_FINALIZER,
    parse_kube_time,
    sync_wave,
)
from wavecd.kube.client import Propagation
from wavecd.plan.annotations import csv_values
from wavecd.plan.options import SyncOptions, resource_sync_options
from wavecd.sync.live import identity

__all__ = [
    "BACKGROUND_FINALIZER",
    "FOREGROUND_FINALIZER",
    "cascade_finalizers",
    "cascade_propagation",
    "deletion_approved",
    "needs_confirmation",
    "next_deletion_wave",
    "should_be_deleted",
]

FOREGROUND_FINALIZER = f"{RESOURCES_FINALIZER}/foreground"
BACKGROUND_FINALIZER = f"{RESOURCES_FINALIZER}/background"
_CASCADE = (RESOURCES_FINALIZER, FOREGROUND_FINALIZER, BACKGROUND_FINALIZER)
_CRD = ("apiextensions.k8s.io", "CustomResourceDefinition")


def _meta(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, dict) else {}


def _annotations(obj: dict[str, Any]) -> dict[str, str]:
    found = _meta(obj).get("annotations")
    return {k: v for k, v in found.items() if isinstance(v, str)} if isinstance(found, dict) else {}


def cascade_finalizers(app: dict[str, Any]) -> list[str]:
    """The app's finalizers that make its deletion cascade (exact names, as Argo CD's
    `isPropagationPolicyFinalizer` matches them), in the order the app lists them."""
    return [f for f in _meta(app).get("finalizers") or [] if f in _CASCADE]


def cascade_propagation(app: dict[str, Any]) -> Propagation | None:
    """How the app's resources are deleted: Foreground for the plain and `/foreground` finalizers, Background
    for `/background` (the first cascading finalizer decides, `GetPropagationPolicy`); None when the app has
    none, and its resources are left in place."""
    found = cascade_finalizers(app)
    if not found:
        return None
    return "Background" if found[0] == BACKGROUND_FINALIZER else "Foreground"


def _delete_option(app: dict[str, Any], obj: dict[str, Any]) -> str | None:
    """`Delete=` from the object's sync-options, else from the app's `syncPolicy.syncOptions`."""
    value = resource_sync_options(_annotations(obj)).delete
    if value is None:
        policy = (app.get("spec") or {}).get("syncPolicy") or {}
        options = policy.get("syncOptions") if isinstance(policy, dict) else None
        value = SyncOptions(tuple(o for o in options or () if isinstance(o, str))).delete
    return value


def _is_app_itself(app: dict[str, Any], obj: dict[str, Any]) -> bool:
    group, kind, namespace, name = identity(obj)
    meta = _meta(app)
    return (group, kind, name) == (ARGO_GROUP, APPLICATION, meta.get("name")) and namespace == str(
        meta.get("namespace") or ""
    )


def should_be_deleted(app: dict[str, Any], obj: dict[str, Any]) -> bool:
    """Argo CD's `shouldBeDeleted`: never a CRD (its custom resources would go with it), never the app's own
    Application, nothing marked `Delete=false` or `helm.sh/resource-policy: keep`."""
    group, kind, _, _ = identity(obj)
    return (
        (group, kind) != _CRD
        and not _is_app_itself(app, obj)
        and _delete_option(app, obj) != "false"
        and "keep" not in csv_values(_annotations(obj), HELM_RESOURCE_POLICY)
    )


def needs_confirmation(app: dict[str, Any], obj: dict[str, Any]) -> bool:
    """`Delete=confirm`: the object is deleted only once the app's deletion is approved."""
    return _delete_option(app, obj) == "confirm"


def deletion_approved(app: dict[str, Any]) -> bool:
    """Argo CD's `IsDeletionConfirmed`: the app's `argocd.argoproj.io/deletion-approved` holds a time no
    earlier than its deletionTimestamp."""
    approved = parse_kube_time(_annotations(app).get(DELETION_APPROVED))
    since = parse_kube_time(_meta(app).get("deletionTimestamp"))
    return approved is not None and since is not None and approved >= since


def next_deletion_wave(objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`FilterObjectsForDeletion`: the objects of the highest sync-wave among `objs`, the ones to delete in
    this pass; the lower waves wait until these are gone."""
    if not objs:
        return []
    top = max(sync_wave(_annotations(o)) for o in objs)
    return [o for o in objs if sync_wave(_annotations(o)) == top]
