"""The application routes: list, get (and refresh), sync, rollback, terminate.

An Application leaves as the object the cluster holds, plus one top-level `wavecd` key beside `apiVersion`
and `kind` with where it sits in the tree (`parent`, `wave`, `generatedBy`). Not in `metadata.annotations`,
which are the cluster's and strings only, nor in `status`, which is Argo CD's schema and written by the
controller: a key of its own says plainly that it is wavecd's, and Argo CD's own clients, decoding into
their `Application` type, drop it.
"""

from __future__ import annotations

import copy
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from wavecd.server.api.auth import Action, authorize
from wavecd.server.api.bodies import read_json_object, rollback_request, sync_request
from wavecd.server.api.context import ApiContext
from wavecd.server.api.fields import FieldSelector
from wavecd.server.api.positions import tree_position
from wavecd.server.api.progress import resource_progress, wavecd_key
from wavecd.server.view import AppEntry

__all__ = [
    "application_json",
    "get_application",
    "list_applications",
    "rollback",
    "sync",
    "terminate",
]


def application_json(entry: AppEntry, progress: dict[str, Any] | None = None) -> dict[str, Any]:
    """The Application with the `wavecd` key; `progress` when it was taken before the object was cut down."""
    return {**entry.application, "wavecd": wavecd_key(tree_position(entry), entry.application, progress)}


async def list_applications(request: Request) -> Response:
    """With `?fields=` (`wavecd.server.api.fields`) each app is cut down as the controller reads it, so a
    lean list never copies what it leaves out (the resources are most of an app)."""
    context = ApiContext.of(request)
    await authorize(request, context.tokens, context.view, Action.GET, "*")
    selector = FieldSelector.parse(request.query_params.get("fields"))
    if selector is None:
        entries = await run_in_threadpool(context.view.applications)
        return JSONResponse({"items": [application_json(e) for e in sorted(entries, key=lambda e: e.name)]})
    item = selector.below("items")
    progress: dict[int, dict[str, Any]] = {}  # by the id of the cut-down object

    def read(application: dict[str, Any]) -> dict[str, Any]:
        lean = copy.deepcopy(application if item is None else item.apply(application))
        progress[id(lean)] = resource_progress(application)
        return lean

    def listed() -> Any:
        entries = sorted(context.view.applications(read), key=lambda e: e.name)
        return selector.apply({"items": [application_json(e, progress.get(id(e.application))) for e in entries]})

    return JSONResponse(await run_in_threadpool(listed))


async def get_application(request: Request) -> Response:
    """`?refresh=hard` reconciles bypassing the render cache; any other value, even empty, a normal refresh
    (Argo CD's reading); without it the app is returned as it is."""
    context = ApiContext.of(request)
    name = request.path_params["name"]
    refresh = request.query_params.get("refresh")
    if refresh is None:
        await authorize(request, context.tokens, context.view, Action.GET, name)
        entry = await run_in_threadpool(context.view.application, name)
    else:
        await authorize(request, context.tokens, context.view, Action.REFRESH, name)
        entry = await run_in_threadpool(
            lambda: context.view.refresh(name, hard=refresh == "hard", timeout=context.refresh_timeout)
        )
    return JSONResponse(application_json(entry))


async def sync(request: Request) -> Response:
    context = ApiContext.of(request)
    name = request.path_params["name"]
    caller = await authorize(request, context.tokens, context.view, Action.SYNC, name)
    sync_req = sync_request(await read_json_object(request), caller.username)
    entry = await run_in_threadpool(context.view.sync, name, sync_req)
    return JSONResponse(application_json(entry))


async def rollback(request: Request) -> Response:
    context = ApiContext.of(request)
    name = request.path_params["name"]
    caller = await authorize(request, context.tokens, context.view, Action.SYNC, name)
    req = rollback_request(await read_json_object(request))
    entry = await run_in_threadpool(
        lambda: context.view.rollback(
            name, req.history_id, dry_run=req.dry_run, prune=req.prune, username=caller.username
        )
    )
    return JSONResponse(application_json(entry))


async def terminate(request: Request) -> Response:
    """Argo CD answers an empty `TerminateOperationResponse`: `{}`."""
    context = ApiContext.of(request)
    name = request.path_params["name"]
    await authorize(request, context.tokens, context.view, Action.SYNC, name)
    await run_in_threadpool(context.view.terminate, name)
    return JSONResponse({})
