"""OpenAPI v3 as kubectl reads it, and the list types the sim's server-side apply uses, read from the real
apiserver's schemas.

The sim serves an index and, per group/version, the PATCH operation of each kind: kubectl's field validation
(`query_param_verifier_v3.go`) looks there for the kind's GVK and a `fieldValidation` parameter. It serves no
schemas (docs/sim.md): `kubectl apply --server-side` and wavecd need none, client-side `kubectl apply` falls
back to its built-in types, `kubectl explain` does not work on the sim. What the schemas decide for a sync —
how server-side apply merges each list — is held here against the real schemas instead."""

from __future__ import annotations

import re
from typing import Any

import pytest

from support.differential import GROUP_VERSIONS, assert_no_differences
from wavecd.sim.schema import ListInfo, Schema

pytestmark = [pytest.mark.real_apiserver, pytest.mark.xdist_group("real-apiserver")]


def document_path(group_version: str) -> str:
    return "api/v1" if group_version == "v1" else f"apis/{group_version}"


def test_index_names_each_group_version(servers):
    real, sim = servers.both("GET", "/openapi/v3")
    assert real.status == sim.status == 200
    for gv in GROUP_VERSIONS:
        path = document_path(gv)
        for answer in (real, sim):
            url = answer.body["paths"][path]["serverRelativeURL"]
            assert re.fullmatch(rf"/openapi/v3/{re.escape(path)}\?hash=[0-9A-Za-z]+", url), url
    # Beside Argo CD's kinds, which the sim serves from the start, and the CRDs of other cases, which the real
    # apiserver publishes a moment after serving them, the sim lists nothing the real server does not.
    own = {p for p in sim.body["paths"] if not p.startswith(("apis/argoproj.io/", "apis/diff.example.com/"))}
    assert own <= set(real.body["paths"])


def patch_operations(document: dict) -> dict[str, Any]:
    """Path → what kubectl's field validation reads of its PATCH: the GVK, the action, the query parameters."""
    out = {}
    for path, item in document["paths"].items():
        patch = item.get("patch")
        if patch and "x-kubernetes-group-version-kind" in patch:
            params = sorted(p["name"] for p in patch.get("parameters", []) if p.get("in") == "query")
            out[path] = (patch["x-kubernetes-group-version-kind"], patch.get("x-kubernetes-action"), params)
    return out


@pytest.mark.parametrize("group_version", GROUP_VERSIONS)
def test_patch_operations_as_kubectl_reads_them(servers, group_version):
    real, sim = servers.both("GET", f"/openapi/v3/{document_path(group_version)}")
    assert real.status == sim.status == 200
    assert sim.body["openapi"] == real.body["openapi"]
    assert re.fullmatch(r"[0-9]+\.[0-9]+", sim.body["info"]["version"]), sim.body["info"]
    real_ops, sim_ops = patch_operations(real.body), patch_operations(sim.body)
    assert sim_ops, "the sim declares the PATCH of each kind"
    # The sim declares the object paths only (docs/sim.md): the real document's others are left out.
    assert_no_differences({p: real_ops.get(p) for p in sim_ops}, sim_ops)


# The kinds whose lists a sync writes, by their schema names in the real documents.
KINDS = {
    "apps/v1": ["Deployment", "StatefulSet", "DaemonSet"],
    "batch/v1": ["Job", "CronJob"],
    "v1": ["Service", "Pod", "ServiceAccount"],
    "networking.k8s.io/v1": ["Ingress", "NetworkPolicy"],
    "rbac.authorization.k8s.io/v1": ["ClusterRole", "RoleBinding"],
}


# docs/sim.md: the sim's table is by field name, not by kind; a Job's status conditions are atomic, every other
# kind's a map by type (only the sim's own Job controller writes them).
BY_KIND = {"Job": {"status.conditions"}}


def _resolve(node: dict, schemas: dict) -> dict:
    while True:
        ref = node.get("$ref") or next((a.get("$ref") for a in node.get("allOf", []) if "$ref" in a), None)
        if not ref:
            return node
        node = {**schemas[ref.rsplit("/", 1)[1]], **{k: v for k, v in node.items() if k not in ("$ref", "allOf")}}


def real_list_types(schema: dict, schemas: dict, path: tuple[str, ...] = (), seen: frozenset = frozenset()):
    """(path of a list, its ListInfo) for every list under `schema`, as the real schema marks it."""
    for field, node in sorted((schema.get("properties") or {}).items()):
        node = _resolve(node, schemas)
        where = (*path, field)
        if node.get("type") == "array":
            kind = node.get("x-kubernetes-list-type", "atomic")
            keys = tuple(node.get("x-kubernetes-list-map-keys", ())) if kind == "map" else ()
            yield where, ListInfo(kind, keys)
            if kind == "atomic":
                continue  # owned whole: the markers of its items decide nothing
            items = _resolve(node.get("items") or {}, schemas)
            name = (node.get("items") or {}).get("$ref", "") + items.get("x-kubernetes-group-version-kind", "")
            if items.get("properties") and name not in seen:
                yield from real_list_types(items, schemas, (*where, "[]"), seen | {name})
        elif node.get("properties"):
            ref = (schema.get("properties") or {})[field]
            name = ref.get("$ref") or next((a["$ref"] for a in ref.get("allOf", []) if "$ref" in a), "")
            if name not in seen:
                yield from real_list_types(node, schemas, where, seen | {name})


def sim_list_type(path: tuple[str, ...]) -> ListInfo:
    node = Schema()
    for field in path[:-1]:
        node = node.items() if field == "[]" else node.child(field)
    return node.list_info(path[-1])


@pytest.mark.parametrize(("group_version", "kind"), [(gv, kind) for gv, kinds in KINDS.items() for kind in kinds])
def test_list_types_of_built_in_kinds(servers, group_version, kind):
    """How server-side apply merges each list of `kind`: the sim's table against the real schema's markers."""
    document = servers.real.request("GET", f"/openapi/v3/{document_path(group_version)}").body
    schemas = document["components"]["schemas"]
    name = next(
        n
        for n, s in schemas.items()
        if any(g.get("kind") == kind for g in s.get("x-kubernetes-group-version-kind", []))
    )
    real = {p: i for p, i in real_list_types(schemas[name], schemas) if ".".join(p) not in BY_KIND.get(kind, ())}
    assert real, kind
    sim = {path: sim_list_type(path) for path in real}
    assert_no_differences(
        {".".join(p): (i.kind, list(i.keys)) for p, i in real.items()},
        {".".join(p): (i.kind, list(i.keys)) for p, i in sim.items()},
    )
