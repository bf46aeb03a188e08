"""What the API serves: every group/version/kind with its plural, scope and verbs.

lightkube has no discovery, so the documents are read here (through lightkube's authenticated session): the
aggregated form (`apidiscovery.k8s.io/v2`, two requests for the whole API) when the server offers it, else the
legacy per-group/version documents, as client-go does. The result is cached; a sync that has just established
CRDs calls `refresh()`, and a lookup that misses refreshes once by itself before answering "no matches".
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from wavecd.kube.errors import KubeError, NoKindMatchError

AGGREGATED_ACCEPT = (
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"
)
LEGACY_ACCEPT = "application/json"

# fetch(path, accept) -> (content type, decoded JSON body); raises KubeError.
Fetch = Callable[[str, str], tuple[str, Any]]


@dataclass(frozen=True)
class ApiResource:
    """One kind the server serves at one group/version."""

    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    verbs: tuple[str, ...]
    subresources: tuple[str, ...] = ()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


@dataclass(frozen=True)
class Snapshot:
    """One reading of discovery: the resources, and the kinds (subresource kinds included) per group/version,
    which is what Helm's capabilities are made of."""

    resources: tuple[ApiResource, ...]
    kinds_by_group_version: dict[str, frozenset[str]]
    by_kind: dict[tuple[str, str], ApiResource]

    @classmethod
    def build(cls, resources: Iterable[ApiResource], kinds: dict[str, set[str]]) -> Snapshot:
        ordered = tuple(resources)
        by_kind: dict[tuple[str, str], ApiResource] = {}
        for res in ordered:
            by_kind.setdefault((res.api_version, res.kind), res)
        return cls(ordered, {gv: frozenset(k) for gv, k in kinds.items()}, by_kind)

    def api_versions(self) -> list[str]:
        """Helm's `--api-versions` set from a live cluster: every group/version, and `group/version/Kind` for
        every resource and subresource it lists (so `apps/v1/Scale` is there, as with `helm template`
        against a cluster)."""
        out = set(self.kinds_by_group_version)
        for gv, kinds in self.kinds_by_group_version.items():
            out.update(f"{gv}/{k}" for k in kinds)
        return sorted(out)


class Discovery:
    """The cached discovery of one API server; thread-safe."""

    def __init__(self, fetch: Fetch):
        self._fetch = fetch
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._aggregated: bool | None = None

    def snapshot(self) -> Snapshot:
        current = self._snapshot
        return current if current is not None else self.refresh()

    def refresh(self) -> Snapshot:
        """Read discovery again (after CRDs are established, or APIServices became available)."""
        with self._lock:
            snapshot = self._read()
            self._snapshot = snapshot
            return snapshot

    def resolve(self, api_version: str, kind: str) -> ApiResource:
        """The resource serving `kind` at `api_version`; refreshes once on a miss, then `NoKindMatchError`."""
        key = (api_version, kind)
        found = self.snapshot().by_kind.get(key)
        if found is None:
            found = self.refresh().by_kind.get(key)
        if found is None:
            raise NoKindMatchError(api_version, kind)
        return found

    def _read(self) -> Snapshot:
        if self._aggregated is not False:
            content_type, core = self._fetch("/api", AGGREGATED_ACCEPT)
            if "as=APIGroupDiscoveryList" in content_type:
                _, groups = self._fetch("/apis", AGGREGATED_ACCEPT)
                self._aggregated = True
                return _from_aggregated([core, groups])
            self._aggregated = False
        return self._read_legacy()

    def _read_legacy(self) -> Snapshot:
        _, core = self._fetch("/api", LEGACY_ACCEPT)
        _, groups = self._fetch("/apis", LEGACY_ACCEPT)
        paths = [f"/api/{v}" for v in core.get("versions") or []]
        for group in groups.get("groups") or []:
            paths.extend(f"/apis/{v['groupVersion']}" for v in group.get("versions") or [])
        documents = []
        for path in paths:
            try:
                documents.append(self._fetch(path, LEGACY_ACCEPT)[1])
            except KubeError as err:
                # client-go tolerates one failing group/version (an unavailable APIService); so do we.
                if err.code not in (404, 503):
                    raise
        return _from_legacy(documents)


def _from_aggregated(lists: list[dict[str, Any]]) -> Snapshot:
    resources: list[ApiResource] = []
    kinds: dict[str, set[str]] = {}
    for doc in lists:
        for item in doc.get("items") or []:
            group = (item.get("metadata") or {}).get("name") or ""
            for version_entry in item.get("versions") or []:
                version = version_entry.get("version") or ""
                gv = f"{group}/{version}" if group else version
                gv_kinds = kinds.setdefault(gv, set())
                for entry in version_entry.get("resources") or []:
                    kind = (entry.get("responseKind") or {}).get("kind") or ""
                    subs = entry.get("subresources") or []
                    resources.append(
                        ApiResource(
                            group=group,
                            version=version,
                            kind=kind,
                            plural=entry.get("resource") or "",
                            namespaced=entry.get("scope") == "Namespaced",
                            verbs=tuple(entry.get("verbs") or ()),
                            subresources=tuple(s.get("subresource") or "" for s in subs),
                        )
                    )
                    sub_kinds = ((s.get("responseKind") or {}).get("kind") for s in subs)
                    gv_kinds.update(k for k in (kind, *sub_kinds) if k)
    return Snapshot.build(resources, kinds)


def _from_legacy(documents: list[dict[str, Any]]) -> Snapshot:
    resources: list[ApiResource] = []
    kinds: dict[str, set[str]] = {}
    for doc in documents:
        gv = doc.get("groupVersion") or ""
        group, _, version = gv.rpartition("/")
        gv_kinds = kinds.setdefault(gv, set())
        entries = doc.get("resources") or []
        subresources: dict[str, list[str]] = {}
        for entry in entries:
            name = entry.get("name") or ""
            if entry.get("kind"):
                gv_kinds.add(entry["kind"])
            if "/" in name:
                parent, _, sub = name.partition("/")
                subresources.setdefault(parent, []).append(sub)
        for entry in entries:
            name = entry.get("name") or ""
            if "/" in name:
                continue
            resources.append(
                ApiResource(
                    group=group,
                    version=version,
                    kind=entry.get("kind") or "",
                    plural=name,
                    namespaced=bool(entry.get("namespaced")),
                    verbs=tuple(entry.get("verbs") or ()),
                    subresources=tuple(subresources.get(name, ())),
                )
            )
    return Snapshot.build(resources, kinds)
