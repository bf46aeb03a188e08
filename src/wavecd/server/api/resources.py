"""An app's resources: its tree (what it manages and what those own), its managed resources with the
desired and live manifests and their diff, and the Events of any object of its tree.

Shapes are Argo CD's `ResourceNode` and `ResourceDiff`; `targetState` and `liveState` are JSON strings, as
Argo CD sends them (`"null"` for an absent side). Every manifest is masked (`wavecd.diff.secrets`) before
anything is made from it, the diff included, so no Secret value can leave by this route. wavecd adds
`version`, `status`, `health` and `diff` (a unified diff of the masked YAML, live to desired) to each
`ResourceDiff`; Argo CD's deprecated JSON-patch `diff` is not sent. Hooks are left out, as Argo CD leaves
them out of managed resources.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from wavecd.diff.secrets import mask_secret_pair
from wavecd.diff.text import manifest_diff
from wavecd.goyaml.gojson import marshal
from wavecd.server.api.auth import Action, authorize
from wavecd.server.api.context import ApiContext
from wavecd.server.errors import InvalidArgument
from wavecd.server.view import ManagedResource, ResourceNode, ResourceRef

__all__ = ["managed_resources", "resource_events", "resource_tree"]


async def resource_tree(request: Request) -> Response:
    context = ApiContext.of(request)
    name = request.path_params["name"]
    await authorize(request, context.tokens, context.view, Action.GET, name)
    nodes = await run_in_threadpool(context.view.resource_tree, name)
    return JSONResponse({"nodes": [_node_json(node) for node in nodes]})


async def managed_resources(request: Request) -> Response:
    context = ApiContext.of(request)
    name = request.path_params["name"]
    await authorize(request, context.tokens, context.view, Action.GET, name)
    resources = await run_in_threadpool(context.view.managed_resources, name)
    items = await run_in_threadpool(lambda: [_diff_json(r) for r in resources if not r.hook])
    return JSONResponse({"items": items})


async def resource_events(request: Request) -> Response:
    """Argo CD's `ListResourceEvents`: the Events of one object of the app's resource tree, named by
    `resourceNamespace`, `resourceName` and `resourceUID` (all three must match a node of the tree, so no
    one reads another app's objects through this app), or without them, of the Application itself. The
    cluster is asked each time; the answer is a core/v1 EventList."""
    context = ApiContext.of(request)
    name = request.path_params["name"]
    await authorize(request, context.tokens, context.view, Action.GET, name)
    query = request.query_params
    wanted = (query.get("resourceNamespace", ""), query.get("resourceName", ""), query.get("resourceUID", ""))
    if wanted == ("", "", ""):
        entry = await run_in_threadpool(context.view.application, name)
        metadata = entry.application.get("metadata") or {}
        about = (entry.namespace, name, str(metadata.get("uid") or ""))
    else:
        nodes = await run_in_threadpool(context.view.resource_tree, name)
        if not any((node.namespace, node.name, node.uid) == wanted for node in nodes):
            raise InvalidArgument(f"{wanted[1]} not found as part of application {name}")
        about = wanted
    items = await run_in_threadpool(context.view.object_events, *about)
    return JSONResponse({"metadata": {}, "items": list(items)})


def _ref_json(ref: ResourceRef) -> dict[str, Any]:
    return {"group": ref.group, "kind": ref.kind, "namespace": ref.namespace, "name": ref.name}


def _node_json(node: ResourceNode) -> dict[str, Any]:
    out: dict[str, Any] = {
        "group": node.group,
        "version": node.version,
        "kind": node.kind,
        "namespace": node.namespace,
        "name": node.name,
        "uid": node.uid,
        "resourceVersion": node.resource_version,
        "parentRefs": [_ref_json(ref) for ref in node.parent_refs],
    }
    if node.health is not None:
        out["health"] = {"status": node.health, "message": node.health_message}
    if node.created_at:
        out["createdAt"] = node.created_at
    return out


def _diff_json(resource: ManagedResource) -> dict[str, Any]:
    target, live = mask_secret_pair(resource.target, resource.live)
    group = f"{resource.group}/" if resource.group else ""
    label = f"{group}{resource.kind}/{resource.namespace + '/' if resource.namespace else ''}{resource.name}"
    out: dict[str, Any] = {
        "group": resource.group,
        "version": resource.version,
        "kind": resource.kind,
        "namespace": resource.namespace,
        "name": resource.name,
        "targetState": marshal(target),
        "liveState": marshal(live),
        "modified": resource.status != "Synced",
        "status": resource.status,
        "diff": manifest_diff(target, live, label),
    }
    if resource.health is not None:
        out["health"] = {"status": resource.health}
    return out
