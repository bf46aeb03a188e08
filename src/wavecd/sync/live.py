"""The live side of an app: its desired objects as the cluster has them now, and the health that makes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from wavecd.common import api_group
from wavecd.health import AppHealth, ManagedResource, aggregate
from wavecd.kube import KubeClient, NoKindMatchError


def identity(obj: dict[str, Any], default_namespace: str = "") -> tuple[str, str, str, str]:
    """(group, kind, namespace, name) as Argo CD names a resource."""
    meta = obj.get("metadata") or {}
    group = api_group(str(obj.get("apiVersion") or ""))
    namespace = str(meta.get("namespace") or default_namespace)
    return group, str(obj.get("kind") or ""), namespace, str(meta.get("name") or "")


def get_live(client: KubeClient, obj: dict[str, Any], default_namespace: str = "") -> dict[str, Any] | None:
    """The live counterpart of a desired object, or None when it does not exist (or its kind is not served)."""
    meta = obj.get("metadata") or {}
    namespace = meta.get("namespace") or default_namespace or None
    try:
        if not client.is_namespaced(str(obj["apiVersion"]), str(obj["kind"])):
            namespace = None
        return client.get(str(obj["apiVersion"]), str(obj["kind"]), str(meta.get("name") or ""), namespace)
    except NoKindMatchError:
        return None


# How the live counterpart of a desired object is read: (target, default namespace) -> the object or None.
# `get_live` asks the API server; the controller reads its watch-fed cluster cache instead.
LiveRead = Callable[[dict[str, Any], str], dict[str, Any] | None]


def managed_resources(
    client: KubeClient,
    targets: Sequence[dict[str, Any]],
    default_namespace: str = "",
    known: Mapping[tuple[str, str, str, str], dict[str, Any]] | None = None,
    *,
    read: LiveRead | None = None,
) -> list[ManagedResource]:
    """Each desired object paired with its live one (None when missing), read with `read` (default: a GET).

    `known` holds objects as the sync just saw them, by identity — the gate's last read, or its apply's
    answer when that settled the gate — used as they are; the others are read.
    """
    out = []
    for target in targets:
        group, kind, namespace, name = identity(target, default_namespace)
        seen = (known or {}).get((group, kind, namespace, name))
        if seen is not None:
            live: dict[str, Any] | None = seen
        else:
            live = read(target, default_namespace) if read is not None else get_live(client, target, default_namespace)
        if live is not None and not (live.get("metadata") or {}).get("namespace"):
            namespace = ""
        out.append(ManagedResource(group, kind, namespace, name, target=target, live=live))
    return out


def app_health(resources: Iterable[ManagedResource], app: tuple[str, str] | None = None) -> AppHealth:
    """Argo CD's app health over the resources (hooks, kinds without health and skipped objects do not count)."""
    return aggregate(resources, app=app)
