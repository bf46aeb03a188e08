"""Discovery documents, aggregated (apidiscovery.k8s.io/v2) and legacy, derived from the registry.

kubectl asks for aggregated discovery first and decides by the response Content-Type; the Python clients use
the legacy documents. Both are built from the same registry so they never disagree.
"""

from __future__ import annotations

import base64
import hashlib

from wavecd.sim.registry import PREFERRED_ORDER, Kind, Registry

AGGREGATED_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
# A namespace goes with everything in it, so the apiserver offers no deletecollection of namespaces.
NAMESPACE_VERBS = [v for v in VERBS if v != "deletecollection"]
SUB_VERBS = ["get", "patch", "update"]


def _verbs(kind: Kind) -> list[str]:
    return NAMESPACE_VERBS if (kind.group, kind.kind) == ("", "Namespace") else VERBS


def _response_kind(kind: Kind) -> dict:
    """The apiserver leaves group and version empty where they are the resource's own, for built-in kinds;
    a CRD's resources name theirs."""
    if kind.schema is None:
        return {"group": "", "version": "", "kind": kind.kind}
    return {"group": kind.group, "version": kind.version, "kind": kind.kind}


# Built-in kinds whose objects the apiserver still stores at an older version than the one it serves.
STORAGE_VERSIONS = {("apiextensions.k8s.io", "CustomResourceDefinition"): "v1beta1"}


def storage_version_hash(kind: Kind) -> str:
    """The apiserver's `storageVersionHash`: the first 8 bytes of SHA-256 of `group/version/Kind` at the
    storage version, base64 (the sim keeps one stored version per kind: the served one stands for it)."""
    version = STORAGE_VERSIONS.get((kind.group, kind.kind), kind.version)
    digest = hashlib.sha256(f"{kind.group}/{version}/{kind.kind}".encode()).digest()
    return base64.b64encode(digest[:8]).decode()


def wants_aggregated(accept: str) -> bool:
    return "as=APIGroupDiscoveryList" in accept and "v=v2;" in accept.replace(" ", "") + ";"


def _group_order(registry: Registry) -> list[str]:
    groups = list(registry.group_versions())
    return sorted(groups, key=lambda g: (PREFERRED_ORDER.index(g) if g in PREFERRED_ORDER else 99, g))


def _subresources(kind: Kind) -> list[tuple[str, dict, list[str]]]:
    """(name, response kind, verbs) in the apiserver's order: by name. A namespace's `finalize` only updates."""
    scale = {"group": "autoscaling", "version": "v1", "kind": "Scale"}
    return [
        (name, scale if name == "scale" else _response_kind(kind), ["update"] if name == "finalize" else SUB_VERBS)
        for name in kind.subresources
    ]


def _aggregated_resource(kind: Kind) -> dict:
    resource: dict = {
        "resource": kind.plural,
        "responseKind": _response_kind(kind),
        "scope": "Namespaced" if kind.namespaced else "Cluster",
        "singularResource": kind.singular,
        "verbs": _verbs(kind),
    }
    if kind.short_names:
        resource["shortNames"] = list(kind.short_names)
    if kind.categories:
        resource["categories"] = list(kind.categories)
    subs = [{"subresource": name, "responseKind": rk, "verbs": verbs} for name, rk, verbs in _subresources(kind)]
    if subs:
        resource["subresources"] = subs
    return resource


def aggregated(registry: Registry, core: bool) -> dict:
    """`/api` (core=True) or `/apis` as an APIGroupDiscoveryList."""
    kinds = registry.kinds()
    versions = registry.group_versions()
    items = []
    for group in _group_order(registry):
        if (group == "") != core:
            continue
        items.append(
            {
                "metadata": {"name": group, "creationTimestamp": None},
                "versions": [
                    {
                        "version": version,
                        "resources": [
                            _aggregated_resource(k)
                            for k in sorted(kinds, key=lambda k: k.plural)
                            if k.group == group and k.version == version
                        ],
                        "freshness": "Current",
                    }
                    for version in versions[group]
                ],
            }
        )
    return {
        "kind": "APIGroupDiscoveryList",
        "apiVersion": "apidiscovery.k8s.io/v2",
        "metadata": {},
        "items": items,
    }


def api_versions(server_address: str) -> dict:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    }


def _group(group: str, versions: list[str]) -> dict:
    entries = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
    return {"name": group, "versions": entries, "preferredVersion": dict(entries[0])}


def api_group_list(registry: Registry) -> dict:
    versions = registry.group_versions()
    groups = [_group(g, versions[g]) for g in _group_order(registry) if g]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_group(registry: Registry, group: str) -> dict | None:
    versions = registry.group_versions().get(group)
    if not versions or not group:
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group(group, versions)}


def resource_list(registry: Registry, group: str, version: str) -> dict | None:
    kinds = sorted((k for k in registry.kinds() if k.group == group and k.version == version), key=lambda k: k.plural)
    if not kinds:
        return None
    resources = []
    for kind in kinds:
        entry = {
            "name": kind.plural,
            "singularName": kind.singular,
            "namespaced": kind.namespaced,
            "kind": kind.kind,
            "verbs": _verbs(kind),
        }
        if kind.short_names:
            entry["shortNames"] = list(kind.short_names)
        if kind.categories:
            entry["categories"] = list(kind.categories)
        entry["storageVersionHash"] = storage_version_hash(kind)
        resources.append(entry)
        for name, response_kind, verbs in _subresources(kind):
            sub = {
                "name": f"{kind.plural}/{name}",
                "singularName": "",
                "namespaced": kind.namespaced,
                "kind": response_kind["kind"],
                "verbs": verbs,
            }
            if name == "scale":
                sub["group"], sub["version"] = "autoscaling", "v1"
            resources.append(sub)
    listing = {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{group}/{version}",
        "resources": resources,
    }
    if not group:  # the apiserver's /api/v1 names no apiVersion
        del listing["apiVersion"]
        listing["groupVersion"] = version
    return listing
