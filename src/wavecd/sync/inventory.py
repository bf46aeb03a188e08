"""Which live objects each app tracks: the candidates for prune.

Argo CD keeps a cache of the whole cluster; wavecd lists every listable kind once per tree wave (only when
some app of the wave prunes) and sorts the objects by the app named in their tracking annotation. Kinds
Argo CD excludes by default (events, endpoints, leases, …) are not listed.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from wavecd.kube import KubeClient, KubeError
from wavecd.sync.tracking import owner_of

# (group, plural) never tracked: Argo CD's default `resource.exclusions` and derived objects.
EXCLUDED = frozenset(
    {
        ("", "events"),
        ("events.k8s.io", "events"),
        ("", "endpoints"),
        ("discovery.k8s.io", "endpointslices"),
        ("coordination.k8s.io", "leases"),
        ("", "componentstatuses"),
        ("", "bindings"),
        ("authentication.k8s.io", "tokenreviews"),
        ("authorization.k8s.io", "subjectaccessreviews"),
        ("authorization.k8s.io", "selfsubjectaccessreviews"),
        ("authorization.k8s.io", "localsubjectaccessreviews"),
        ("authorization.k8s.io", "selfsubjectrulesreviews"),
        ("cilium.io", "ciliumidentities"),
        ("metrics.k8s.io", "pods"),
        ("metrics.k8s.io", "nodes"),
    }
)


def tracked_by_instance(client: KubeClient) -> dict[str, list[dict[str, Any]]]:
    """Every tracked live object, grouped by the app instance its annotation names."""
    seen: set[tuple[str, str]] = set()
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for res in client.resources(refresh=True):
        if "list" not in res.verbs or (res.group, res.plural) in EXCLUDED or (res.group, res.kind) in seen:
            continue
        seen.add((res.group, res.kind))
        try:
            items = client.list(res.api_version, res.kind)
        except KubeError:
            continue
        for item in items:
            item.setdefault("apiVersion", res.api_version)
            item.setdefault("kind", res.kind)
            owner = owner_of(item)
            if owner is not None:
                out[owner].append(item)
    return dict(out)
