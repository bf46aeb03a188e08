"""The app tree as plain data: what `wavecd tree` shows, `wavecd render` writes and `sync` will apply."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wavecd.apps.kinds import KindTable
from wavecd.apps.model import Application, Destination
from wavecd.common import APPLICATION, APPLICATION_SET, ARGO_GROUP, api_group

ObjectKey = tuple[str, str, str, str]


def origin_key(obj: dict[str, Any]) -> ObjectKey:
    """How `AppNode.origins` is keyed: an object's API group, kind, namespace and name, as the node's
    `manifests` hold it (after namespace defaulting), so two objects of one name in two namespaces differ."""
    metadata = obj.get("metadata")
    meta: dict[str, Any] = metadata if isinstance(metadata, dict) else {}
    return (
        api_group(str(obj.get("apiVersion", ""))),
        str(obj.get("kind", "")),
        str(meta.get("namespace") or ""),
        str(meta.get("name") or ""),
    )


def is_argo_object(obj: dict[str, Any]) -> bool:
    """An Application or ApplicationSet: the manifests that make the tree grow."""
    return obj.get("kind") in (APPLICATION, APPLICATION_SET) and str(obj.get("apiVersion", "")).startswith(
        f"{ARGO_GROUP}/"
    )


@dataclass
class AppNode:
    """One Application or ApplicationSet of the tree.

    `wave` is the sync-wave annotation of the manifest that declared it (None for the root);
    `manifests` are the objects Argo CD would sync for it, after namespace defaulting (for an
    ApplicationSet: the Applications it generates). `error` is set when it could not be rendered.
    """

    name: str
    kind: str
    namespace: str
    parent: str | None
    depth: int
    wave: int | None
    source: str
    obj: dict[str, Any]
    app: Application | None = None
    sources: list[dict[str, Any]] = field(default_factory=list)
    destination: Destination | None = None
    server: str | None = None  # the destination's server URL, resolved by cluster name if need be
    manifests: list[dict[str, Any]] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    error_location: str | None = None
    digest: str | None = None
    # a generated app: the generator kinds of its ApplicationSet's entries, as written (`matrix(git, clusters)`)
    generator: str | None = None
    # where each rendered object was written, by `origin_key`: (index of the app source it was rendered
    # from, file relative to that source's repository, 1-based line or None)
    origins: dict[ObjectKey, tuple[int, str, int | None]] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.namespace, self.name)

    @property
    def revisions(self) -> list[str]:
        return [s.get("revision", "") for s in self.sources]

    def to_json(self) -> dict[str, Any]:
        """The node as `wavecd tree -o json` prints it (no manifests, only their count)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "parent": self.parent,
            "wave": self.wave,
            "source": self.source,
            "namespace": self.destination.namespace if self.destination else None,
            "server": self.server,
            "resources": len(self.manifests),
            "project": self.app.project if self.app is not None else None,
            "sources": self.sources,
            "generator": self.generator,
            "children": self.children,
            "warnings": self.warnings,
            "error": self.error,
            "errorLocation": self.error_location,
        }


@dataclass
class Tree:
    """Every node in walk order (parents before children, siblings in declaration order)."""

    nodes: list[AppNode]
    kinds: KindTable
    # apps the walk rendered, and apps it took from the render cache (summed over its passes): what a
    # controller walking on every push reports, to show that an unchanged app costs no render
    rendered: int = 0
    from_cache: int = 0

    @property
    def root(self) -> AppNode:
        return self.nodes[0]

    def node(self, name: str) -> AppNode:
        for candidate in self.nodes:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    def children(self, node: AppNode) -> list[AppNode]:
        return [n for n in self.nodes if n.parent == node.name and n.depth == node.depth + 1]

    @property
    def broken(self) -> list[AppNode]:
        return [n for n in self.nodes if n.error]
