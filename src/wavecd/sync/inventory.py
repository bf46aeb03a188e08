"""Which live objects each app tracks: the candidates for prune.

Argo CD keeps a cache of the whole cluster; `wavecd sync` lists every listable kind once per rollout and
sorts the objects by the app named in their tracking annotation. The controller has such a cache for the
kinds it watches (`KnownTracked`): only the other kinds are listed then, so what a rollout costs does not
grow with the objects of the whole tree. Kinds Argo CD excludes by default (events, endpoints, leases, …)
are not listed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass
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


# app instance -> the live objects it tracks
Tracked = Callable[[str], list[dict[str, Any]]]


@dataclass(frozen=True)
class KnownTracked:
    """Tracked objects a reader already holds: the (group, kind)s it holds every object of, and `of`, which
    reads those an app instance tracks (the controller's cluster cache)."""

    kinds: frozenset[tuple[str, str]]
    of: Tracked


def inventory(client: KubeClient, known: KnownTracked | None = None) -> Tracked:
    """The objects each app instance tracks now: `known`'s kinds from it, every other kind listed once, by
    the discovery the rollout has just read."""
    listed = tracked_by_instance(client, skip=known.kinds if known is not None else frozenset(), refresh=False)
    if known is None:
        return lambda instance: list(listed.get(instance, []))
    of = known.of
    return lambda instance: [*of(instance), *listed.get(instance, [])]


def tracked_by_instance(
    client: KubeClient, skip: Collection[tuple[str, str]] = frozenset(), *, refresh: bool = True
) -> dict[str, list[dict[str, Any]]]:
    """Every tracked live object, grouped by the app instance its annotation names; the (group, kind)s in
    `skip` are not listed. The kinds are discovery's, read again unless `refresh` is False."""
    seen: set[tuple[str, str]] = set(skip)
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for res in client.resources(refresh=refresh):
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
