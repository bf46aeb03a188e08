"""Discovery documents, aggregated (apidiscovery.k8s.io/v2) and legacy, derived from the registry.

kubectl asks for aggregated discovery first and decides by the response Content-Type; the Python clients use
the legacy documents. Both are built from the same registry so they never disagree.
"""

from __future__ import annotations

from wavecd.sim.registry import PREFERRED_ORDER, Kind, Registry

AGGREGATED_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
SUB_VERBS = ["get", "patch", "update"]


def wants_aggregated(accept: str) -> bool:
    return "as=APIGroupDiscoveryList" in accept and "v=v2;" in accept.replace(" ", "") + ";"


def _group_order(registry: Registry) -> list[str]:
    groups = list(registry.group_versions())
    return sorted(groups, key=lambda g: (PREFERRED_ORDER.index(g) if g in PREFERRED_ORDER else 99, g))


def _subresources(kind: Kind) -> list[tuple[str, dict]]:
    subs = []
    if kind.status:
        subs.append(("status", {"group": kind.group, "version": kind.version, "kind": kind.kind}))
    if kind.scale:
        subs.append(("scale", {"group": "autoscaling", "version": "v1", "kind": "Scale"}))
    return subs


def _aggregated_resource(kind: Kind) -> dict:
    resource = {
        "resource": kind.plural,
        "responseKind": {"group": kind.group, "version": kind.version, "kind": kind.kind},
        "scope": "Namespaced" if kind.namespaced else "Cluster",
        "singularResource": kind.singular,
        "verbs": VERBS,
    }
    if kind.short_names:
        resource["shortNames"] = list(kind.short_names)
    if kind.categories:
        resource["categories"] = list(kind.categories)
    subs = [{"subresource": name, "responseKind": rk, "verbs": SUB_VERBS} for name, rk in _subresources(kind)]
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
            "verbs": VERBS,
        }
        if kind.short_names:
            entry["shortNames"] = list(kind.short_names)
        if kind.categories:
            entry["categories"] = list(kind.categories)
        resources.append(entry)
        for name, response_kind in _subresources(kind):
            sub = {
                "name": f"{kind.plural}/{name}",
                "singularName": "",
                "namespaced": kind.namespaced,
                "kind": response_kind["kind"],
                "verbs": SUB_VERBS,
            }
            if name == "scale":
                sub["group"], sub["version"] = "autoscaling", "v1"
            resources.append(sub)
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{group}/{version}" if group else version,
        "resources": resources,
    }
