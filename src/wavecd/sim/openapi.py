"""OpenAPI documents, just enough for kubectl's validation (kubernetes
`staging/src/k8s.io/cli-runtime/pkg/resource/query_param_verifier_v3.go`).

kubectl `apply`/`create` read `/openapi/v3` and the document of each group/version they write to; a kind whose
`PATCH` operation declares its GVK and a `fieldValidation` parameter tells kubectl the server validates fields,
so kubectl sends `fieldValidation=Strict` instead of validating itself. `/openapi/v2` answers with the smallest
valid protobuf document (`swagger: "2.0"`), which makes kubectl's fallbacks behave as against a real cluster.
"""

from __future__ import annotations

from wavecd.common import DEFAULT_KUBE_VERSION
from wavecd.sim.registry import Registry

V2_STUB = b"\x0a\x032.0"
V2_TYPE = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"


def _gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def root(registry: Registry) -> dict:
    digest = f"H{registry.generation:04d}"
    paths = {}
    for group, versions in registry.group_versions().items():
        for version in versions:
            path = _gv_path(group, version)
            paths[path] = {"serverRelativeURL": f"/openapi/v3/{path}?hash={digest}"}
    return {"paths": dict(sorted(paths.items()))}


def group_version(registry: Registry, group: str, version: str) -> dict | None:
    kinds = [k for k in registry.kinds() if k.group == group and k.version == version]
    if not kinds:
        return None
    paths = {}
    prefix = "/" + _gv_path(group, version)
    for kind in kinds:
        scope = (
            f"{prefix}/namespaces/{{namespace}}/{kind.plural}/{{name}}"
            if kind.namespaced
            else (f"{prefix}/{kind.plural}/{{name}}")
        )
        gvk = {"group": kind.group, "version": kind.version, "kind": kind.kind}
        paths[scope] = {
            "patch": {
                "operationId": f"patch{kind.kind}",
                "x-kubernetes-action": "patch",
                "x-kubernetes-group-version-kind": gvk,
                "parameters": [
                    {
                        "name": "fieldValidation",
                        "in": "query",
                        "schema": {"type": "string", "uniqueItems": True},
                    },
                    {
                        "name": "fieldManager",
                        "in": "query",
                        "schema": {"type": "string", "uniqueItems": True},
                    },
                    {"name": "dryRun", "in": "query", "schema": {"type": "string", "uniqueItems": True}},
                    {"name": "force", "in": "query", "schema": {"type": "boolean", "uniqueItems": True}},
                ],
                "responses": {"200": {"description": "OK"}},
            }
        }
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": ".".join(DEFAULT_KUBE_VERSION.lstrip("v").split(".")[:2])},
        "paths": paths,
        "components": {"schemas": {}},
    }
