"""URL → what is addressed: discovery, OpenAPI, or a resource (kind, namespace, name, subresource).

Trap handled here: `/api/v1/namespaces/x` is the Namespace `x`, while `/api/v1/namespaces/x/pods` is the pods
collection in it. A trailing `/` is ignored (kr8s sends `/version/`).
"""

from __future__ import annotations

from dataclasses import dataclass

from wavecd.sim import apierrors
from wavecd.sim.registry import Kind, Registry


@dataclass(frozen=True)
class ResourceRoute:
    kind: Kind
    namespace: str | None  # None: cluster-scoped kind, or all namespaces
    name: str | None
    subresource: str | None


@dataclass(frozen=True)
class GroupVersionRoute:
    group: str
    version: str


def parse_resource(registry: Registry, segments: list[str]) -> ResourceRoute | GroupVersionRoute | None:
    """Segments after `/api` or `/apis`; None when the path is not a resource path."""
    if not segments:
        return None
    if segments[0] == "v1":
        group, version, rest = "", segments[0], segments[1:]
    elif len(segments) >= 2:
        group, version, rest = segments[0], segments[1], segments[2:]
    else:
        return None
    if not rest:
        return GroupVersionRoute(group, version)
    namespace = None
    if rest[0] == "namespaces" and len(rest) >= 3:
        candidate = registry.by_plural(group, version, rest[2])
        if candidate is not None and candidate.namespaced:
            namespace, rest = rest[1], rest[2:]
    kind = registry.by_plural(group, version, rest[0])
    if kind is None:
        raise apierrors.no_route()
    name = rest[1] if len(rest) > 1 else None
    sub = rest[2] if len(rest) > 2 else None
    if len(rest) > 3 or (sub is not None and sub not in kind.subresources):
        raise apierrors.no_route()
    return ResourceRoute(kind, namespace, name, sub)
