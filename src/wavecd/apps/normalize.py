"""Argo CD's `NormalizeTargetObjects`: the destination namespace, cluster scope, and repeated resources.

Namespaced objects without a namespace get the destination's; cluster-scoped ones lose any namespace.
A kind the cluster does not know counts as namespaced (`IsNamespacedOrUnknown`) and is named in a
warning. When two sources render the same object, the last one is kept and a warning says so.
"""

from __future__ import annotations

from typing import Any

from wavecd.apps.kinds import KindTable
from wavecd.common import api_group


def with_namespace(obj: dict[str, Any], namespace: str, kinds: KindTable) -> dict[str, Any]:
    """`obj` with the namespace Argo CD gives it (a new dict where changed): the destination's when it is
    namespaced (or unknown) and names none, none when it is cluster-scoped."""
    metadata = obj.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    scoped = kinds.namespaced(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
    current = metadata.get("namespace") or ""
    if scoped is False and current:
        return {**obj, "metadata": {k: v for k, v in metadata.items() if k != "namespace"}}
    if scoped is not False and not current and namespace:
        return {**obj, "metadata": {**metadata, "namespace": namespace}}
    return obj


def normalize_objects(
    objects: list[dict[str, Any]], namespace: str, kinds: KindTable
) -> tuple[list[dict[str, Any]], list[str]]:
    """The objects Argo CD would sync (new dicts where changed), and its warnings."""
    warnings: list[str] = []
    unknown: set[tuple[str, str]] = set()
    by_key: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
    for index, obj in enumerate(objects):
        api_version, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
        metadata = obj.get("metadata")
        metadata = metadata if isinstance(metadata, dict) else {}
        if kinds.namespaced(api_version, kind) is None:
            unknown.add((api_version, kind))
        obj = with_namespace(obj, namespace, kinds)
        name = str(metadata.get("name") or "")
        if not name and metadata.get("generateName"):
            name = f"{metadata['generateName']}{index}"
        key = (api_group(api_version), kind, str((obj.get("metadata") or {}).get("namespace") or ""), name)
        by_key.setdefault(key, []).append(obj)
    result = []
    for key, targets in by_key.items():
        if len(targets) > 1:
            warnings.append(f"Resource {'/'.join(key)} appeared {len(targets)} times among application resources.")
        result.append(targets[-1])
    for api_version, kind in sorted(unknown):
        warnings.append(
            f"unknown kind {kind} ({api_version}): not built into Kubernetes and no CRD in the tree "
            "defines it; treated as namespaced"
        )
    return result, warnings
