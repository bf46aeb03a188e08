"""Carrying out one task of a step: apply a resource or hook, create the destination namespace, prune.

Every write is a server-side apply with field manager `wavecd` and conflicts forced — Argo CD forces them
too when it applies server-side — so an object another manager took over is brought back to Git's state.
With `--dry-run` every write is a server-side dry run: nothing changes, every resourceVersion stays.
"""

from __future__ import annotations

from typing import Any

from wavecd.kube import KubeError, NoKindMatchError, NotFoundError
from wavecd.plan import Task
from wavecd.sync.context import SyncContext
from wavecd.sync.events import ResourceApplied, ResourcePruned
from wavecd.sync.gate import Watched
from wavecd.sync.tracking import is_tracked_by, strip_server_fields, with_tracking

CRD_READY_SECONDS = 3.0  # gitops-engine's crdReadinessTimeout


class ApplyFailed(Exception):
    def __init__(self, message: str, blocking: dict[str, str]):
        super().__init__(message)
        self.message = message
        self.blocking = blocking


def _blocking(task: Task, message: str) -> dict[str, str]:
    return {"group": task.group, "kind": task.kind, "namespace": task.namespace, "name": task.name,
            "message": message}


def _watched(obj: dict[str, Any], task: Task, namespaced: bool) -> Watched:
    meta = obj.get("metadata") or {}
    return Watched(str(obj.get("apiVersion")), str(obj.get("kind")),
                   str(meta.get("namespace") or task.namespace) if namespaced else "",
                   str(meta.get("name") or task.name), hook=task.is_hook)


def _namespaced(ctx: SyncContext, obj: dict[str, Any]) -> bool:
    try:
        return ctx.client.is_namespaced(str(obj["apiVersion"]), str(obj["kind"]))
    except NoKindMatchError:
        return bool((obj.get("metadata") or {}).get("namespace"))


def desired(task: Task, instance: str, default_namespace: str) -> dict[str, Any]:
    """The object as wavecd sends it: Git's manifest, its namespace defaulted, the tracking annotation added."""
    assert task.target is not None
    obj = with_tracking(task.target, instance, default_namespace)
    meta = obj["metadata"]
    if task.namespace and not meta.get("namespace"):
        meta["namespace"] = task.namespace
    return obj


def apply_task(ctx: SyncContext, task: Task, *, app: str, wave: int | None, instance: str,
               default_namespace: str, out_of_sync_only: bool) -> Watched | None:
    """Apply one task's target; the object the gate must then watch, or None when there is nothing to wait on."""
    assert task.target is not None
    obj = desired(task, instance, default_namespace)
    # Cluster-scoped objects carry the destination namespace in the plan (as gitops-engine keys them); the
    # events show where the object really lives.
    shown_namespace = task.namespace if _namespaced(ctx, task.target) else ""
    event = {"app": app, "wave": wave, "resource_wave": task.wave, "phase": task.phase, "group": task.group,
             "kind": task.kind, "namespace": shown_namespace, "resource": task.name,
             "hook": True if task.is_hook else None}
    client = ctx.client
    try:
        namespaced = client.is_namespaced(str(obj["apiVersion"]), str(obj["kind"]))
        if not namespaced:
            obj["metadata"].pop("namespace", None)
        name = obj["metadata"].get("name")
        live = client.get(str(obj["apiVersion"]), task.kind, name, obj["metadata"].get("namespace")) if name else None
        if task.auto_namespace and live is not None:
            ctx.emit(ResourceApplied(**event, result="unchanged", message="namespace exists"))
            return None
        if out_of_sync_only and live is not None and not task.is_hook and is_tracked_by(live, instance):
            preview = client.apply(obj, force=True, dry_run=True)
            if strip_server_fields(preview) == strip_server_fields(live):
                ctx.emit(ResourceApplied(**event, result="unchanged", message="in sync (ApplyOutOfSyncOnly)"))
                return _watched(obj, task, namespaced)
        if name:
            applied = client.apply(obj, force=True, dry_run=ctx.dry_run)
        else:
            applied = client.create(obj, dry_run=ctx.dry_run)
    except NoKindMatchError as err:
        if ctx.dry_run and f"{task.group}/{task.kind}" in ctx.planned_crd_kinds:
            ctx.emit(ResourceApplied(**event, result="skipped",
                                     message="its CRD is applied earlier in this sync; the server cannot check it yet"))
            return None
        raise ApplyFailed(err.message, _blocking(task, err.message)) from None
    except NotFoundError as err:
        if ctx.dry_run and task.namespace in ctx.planned_namespaces:
            ctx.emit(ResourceApplied(**event, result="skipped",
                                     message=f"namespace {task.namespace} is created earlier in this sync"))
            return None
        raise ApplyFailed(err.message, _blocking(task, err.message)) from None
    except KubeError as err:
        raise ApplyFailed(err.message, _blocking(task, err.message)) from None
    if live is None:
        result = "created"
    elif (applied.get("metadata") or {}).get("resourceVersion") == (live.get("metadata") or {}).get("resourceVersion"):
        result = "unchanged"
    else:
        result = "configured"
    ctx.emit(ResourceApplied(**event, result=result, message="dry run" if ctx.dry_run else None))
    if ctx.dry_run:
        return None
    if task.kind == "CustomResourceDefinition" and task.group == "apiextensions.k8s.io":
        _await_established(ctx, applied)
    return _watched(applied, task, namespaced)


def _await_established(ctx: SyncContext, crd: dict[str, Any]) -> None:
    """Give a new CRD up to 3 s to be Established, then read discovery again so its kind can be applied."""
    name = (crd.get("metadata") or {}).get("name")
    deadline = ctx.clock.now() + CRD_READY_SECONDS
    while ctx.clock.now() < deadline:
        live = ctx.client.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", str(name))
        conditions = ((live or {}).get("status") or {}).get("conditions") or []
        if any(c.get("type") == "Established" and c.get("status") == "True" for c in conditions):
            break
        ctx.sleep(min(0.1, ctx.settings.poll_interval))
    ctx.client.refresh_discovery()


def prune_task(ctx: SyncContext, task: Task, *, app: str, wave: int | None, allowed: bool,
               propagation: str = "foreground") -> Watched | None:
    """Delete a tracked object Git no longer has — only when pruning is on and the object does not opt out."""
    live = task.live or {}
    event = {"app": app, "wave": wave, "resource_wave": task.wave, "group": task.group, "kind": task.kind,
             "namespace": str((live.get("metadata") or {}).get("namespace") or ""), "resource": task.name}
    if not allowed:
        ctx.emit(ResourcePruned(**event, result="skipped", message="ignored (requires pruning)"))
        return None
    if task.options.prune_disabled:
        ctx.emit(ResourcePruned(**event, result="skipped", message="ignored (no prune)"))
        return None
    if task.options.prune_confirm:
        ctx.emit(ResourcePruned(**event, result="skipped", message="waiting for pruning confirmation"))
        return None
    policy = {"background": "Background", "orphan": "Orphan"}.get(propagation, "Foreground")
    api_version = str(live.get("apiVersion"))
    try:
        gone = not ctx.client.delete(api_version, task.kind, task.name, task.namespace or None,
                                     propagation=policy, dry_run=ctx.dry_run)
    except KubeError as err:
        raise ApplyFailed(err.message, _blocking(task, err.message)) from None
    ctx.emit(ResourcePruned(**event, result="pruned", message="already gone" if gone else
                            ("dry run" if ctx.dry_run else None)))
    if ctx.dry_run or gone:
        return None
    return Watched(api_version, task.kind, task.namespace, task.name, gone=True)
