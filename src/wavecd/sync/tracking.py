"""Argo CD 3's resource tracking: the `argocd.argoproj.io/tracking-id` annotation that says which app owns
an object (Argo CD `util/argo/resource_tracking.go`).

Prune and status trust only this annotation, checked as Argo CD checks it: an object whose annotation was
copied from another object (its group, kind, namespace or name do not match) belongs to no app.
"""

from __future__ import annotations

import copy
from typing import Any

from wavecd.common import ARGOCD_NAMESPACE, TRACKING_ID, api_group


def instance_name(app: str, app_namespace: str = ARGOCD_NAMESPACE) -> str:
    """The app part of the value: the name, or `<namespace>_<name>` outside the control-plane namespace."""
    if not app_namespace or app_namespace == ARGOCD_NAMESPACE:
        return app
    return f"{app_namespace}_{app}"


def _group(obj: dict[str, Any]) -> str:
    return api_group(str(obj.get("apiVersion") or ""))


def tracking_value(instance: str, obj: dict[str, Any], default_namespace: str = "") -> str:
    """`<app>:<group>/<kind>:<namespace>/<name>`; a cluster-scoped object takes the destination namespace."""
    meta = obj.get("metadata") or {}
    namespace = meta.get("namespace") or default_namespace
    return f"{instance}:{_group(obj)}/{obj.get('kind', '')}:{namespace}/{meta.get('name', '')}"


def with_tracking(obj: dict[str, Any], instance: str, default_namespace: str = "") -> dict[str, Any]:
    """A copy of `obj` carrying the tracking annotation; the caller's manifest is left as it was."""
    out = dict(obj)
    meta = dict(out.get("metadata") or {})
    annotations = dict(meta.get("annotations") or {})
    annotations[TRACKING_ID] = tracking_value(instance, obj, default_namespace)
    meta["annotations"] = annotations
    out["metadata"] = meta
    return out


def owner_of(live: dict[str, Any]) -> str | None:
    """The app instance a live object belongs to, or None when its annotation is absent or copied."""
    meta = live.get("metadata") or {}
    value = (meta.get("annotations") or {}).get(TRACKING_ID)
    if not isinstance(value, str):
        return None
    parts = value.split(":", 2)
    if len(parts) != 3:
        return None
    instance, group_kind, namespace_name = parts
    group_kind_parts, namespace_name_parts = group_kind.split("/"), namespace_name.split("/")
    if len(group_kind_parts) != 2 or len(namespace_name_parts) != 2:
        return None
    group, kind = group_kind_parts
    namespace, name = namespace_name_parts
    live_namespace = meta.get("namespace") or ""
    if group != _group(live) or kind != live.get("kind") or name != meta.get("name"):
        return None
    if live_namespace and namespace != live_namespace:
        return None
    return instance


def is_tracked_by(live: dict[str, Any], instance: str) -> bool:
    return owner_of(live) == instance


def strip_server_fields(obj: dict[str, Any]) -> dict[str, Any]:
    """`obj` without what the server alone writes on every change (resourceVersion, managedFields), for
    comparing a dry-run result with the live object."""
    out = copy.deepcopy(obj)
    meta = out.get("metadata") or {}
    for key in ("resourceVersion", "managedFields"):
        meta.pop(key, None)
    return out
