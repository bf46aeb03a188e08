"""Carrying out one task of a step: apply a resource or hook, create the destination namespace, prune.

Every write is a server-side apply with field manager `wavecd` and conflicts forced — Argo CD forces them
too when it applies server-side — so an object another manager took over is brought back to Git's state.
With `--dry-run` every write is a server-side dry run: nothing changes, every resourceVersion stays.
"""

from __future__ import annotations

import time
from typing import Any, TypedDict

from wavecd.common import APPLICATION, ARGO_GROUP, ResultCode, sync_wave
from wavecd.kube import AlreadyExistsError, KubeError, NoKindMatchError, NotFoundError
from wavecd.kube.client import Propagation
from wavecd.plan import Task
from wavecd.plan.annotations import annotations_of
from wavecd.sync.context import SyncContext
from wavecd.sync.events import ResourceApplied, ResourcePruned
from wavecd.sync.finalize import cascade_finalizers, cascade_propagation, should_be_deleted
from wavecd.sync.gate import Watched
from wavecd.sync.live import identity
from wavecd.sync.tracking import instance_name, is_tracked_by, strip_server_fields, with_tracking

CRD_READY_SECONDS = 3.0  # gitops-engine's crdReadinessTimeout


class _TaskFields(TypedDict):
    """The fields every event about one task carries, whatever its result (a `ResourcePruned` has no more)."""

    app: str
    wave: int | None
    resource_wave: int
    group: str
    kind: str
    namespace: str
    resource: str


class _AppliedFields(_TaskFields):
    """The fields a `ResourceApplied` event of one task shares whatever its result."""

    phase: str
    hook: bool | None


class ApplyFailed(Exception):
    def __init__(self, message: str, blocking: dict[str, str]):
        super().__init__(message)
        self.message = message
        self.blocking = blocking


def _blocking(task: Task, message: str) -> dict[str, str]:
    return {"group": task.group, "kind": task.kind, "namespace": task.namespace, "name": task.name, "message": message}


def _watched(obj: dict[str, Any], task: Task, namespaced: bool) -> Watched:
    meta = obj.get("metadata") or {}
    return Watched(
        str(obj.get("apiVersion")),
        str(obj.get("kind")),
        str(meta.get("namespace") or task.namespace) if namespaced else "",
        str(meta.get("name") or task.name),
        hook=task.is_hook,
        seen=obj,
        since=time.monotonic(),
    )


def _namespaced(ctx: SyncContext, obj: dict[str, Any]) -> bool:
    try:
        return ctx.client.is_namespaced(str(obj["apiVersion"]), str(obj["kind"]))
    except NoKindMatchError:
        return bool((obj.get("metadata") or {}).get("namespace"))


def hook_name(generate_name: str, revision: str, phase: str, started: int) -> str:
    """gitops-engine's name for a hook that has only a `generateName`: the prefix, then the revision's first
    7 characters, the phase and the sync's start time (Unix seconds), lower-cased."""
    short = revision[:7] if len(revision) >= 8 else revision
    return generate_name + f"{short}-{phase}-{started}".lower()


def desired(
    task: Task, instance: str, default_namespace: str, hook_stamp: tuple[str, int] | None = None
) -> dict[str, Any]:
    """The object as wavecd sends it: Git's manifest, its namespace defaulted, the tracking annotation added,
    and — for a hook with only a `generateName`, given `hook_stamp` (revision, start time) — its name.

    The namespace CreateNamespace adds is not tracked: Argo CD never prunes it, and neither does wavecd.
    """
    assert task.target is not None
    obj = dict(task.target) if task.auto_namespace else with_tracking(task.target, instance, default_namespace)
    meta = obj["metadata"] = dict(obj.get("metadata") or {})
    if task.namespace and not meta.get("namespace"):
        meta["namespace"] = task.namespace
    if task.is_hook and not meta.get("name") and meta.get("generateName") and hook_stamp is not None:
        meta["name"] = hook_name(str(meta.pop("generateName")), hook_stamp[0], task.phase, hook_stamp[1])
        obj = with_tracking(obj, instance, default_namespace)
    return obj


def _send(ctx: SyncContext, task: Task, obj: dict[str, Any], *, dry_run: bool) -> dict[str, Any]:
    """Create a hook by `generateName`, replace with `Replace=true` (create when there is nothing to replace),
    else server-side apply (conflicts forced)."""
    client = ctx.client
    if not obj["metadata"].get("name"):
        return client.create(obj, dry_run=dry_run)
    if task.options.replace:
        try:
            return client.replace(obj, dry_run=dry_run)
        except NotFoundError as err:
            if err.details.get("kind") == "namespaces":
                raise
            return client.create(obj, dry_run=dry_run)
    return client.apply(obj, force=True, dry_run=dry_run)


def _prepared(
    ctx: SyncContext, task: Task, instance: str, default_namespace: str, hook_stamp: tuple[str, int] | None = None
) -> tuple[dict[str, Any], bool]:
    """The object to send and whether its kind is namespaced."""
    obj = desired(task, instance, default_namespace, hook_stamp)
    namespaced = ctx.client.is_namespaced(str(obj["apiVersion"]), str(obj["kind"]))
    if not namespaced:
        obj["metadata"].pop("namespace", None)
    return obj, namespaced


def preflight(
    ctx: SyncContext,
    task: Task,
    *,
    instance: str,
    default_namespace: str,
    own_namespaces: frozenset[str],
    hook_stamp: tuple[str, int] | None = None,
) -> dict[str, Any] | None:
    """gitops-engine's first step: a dry run of every task before anything of the app is applied, so an
    object the server would refuse (an unknown kind, a bad field) fails the app (`ApplyFailed`) while nothing
    has changed. Returns the server's dry-run answer, which the apply compares its own answer with instead
    of reading the object; None when the task was not checked.

    A kind whose CRD this app installs (`skip_dry_run`) and an object in a namespace this app or an earlier
    wave creates cannot be checked yet and are left to the apply.
    """
    if task.is_prune or task.auto_namespace:
        return None
    try:
        obj, _ = _prepared(ctx, task, instance, default_namespace, hook_stamp)
        return _send(ctx, task, obj, dry_run=True)
    except NoKindMatchError as err:
        if task.options.skip_dry_run:
            return None
        raise ApplyFailed(err.message, _blocking(task, err.message)) from None
    except NotFoundError as err:
        if task.namespace in own_namespaces or task.namespace in ctx.planned_namespaces:
            return None
        raise ApplyFailed(err.message, _blocking(task, err.message)) from None
    except KubeError as err:
        raise ApplyFailed(err.message, _blocking(task, err.message)) from None


def _version(obj: dict[str, Any] | None) -> str:
    return str(((obj or {}).get("metadata") or {}).get("resourceVersion") or "")


def _result(applied: dict[str, Any], preview: dict[str, Any] | None) -> str:
    """created, configured or unchanged, told from the pre-flight dry run's answer and the apply's, without
    reading the object: a dry run stores nothing, so its answer carries the resourceVersion the object had
    then (none when it did not exist), and an apply that changes nothing keeps it. An object the pre-flight
    could not check (its CRD or its namespace did not exist yet) did not exist either."""
    if not _version(preview):
        return ResultCode.CREATED
    return ResultCode.UNCHANGED if _version(applied) == _version(preview) else ResultCode.CONFIGURED


def _dry_run_result(ctx: SyncContext, obj: dict[str, Any], task: Task, answer: dict[str, Any]) -> str:
    """`--dry-run`'s verdict: the dry-run answer against the live object (its one read)."""
    name = obj["metadata"].get("name")
    live = ctx.client.get(str(obj["apiVersion"]), task.kind, name, obj["metadata"].get("namespace")) if name else None
    if live is None:
        return ResultCode.CREATED
    same = strip_server_fields(answer) == strip_server_fields(live)
    return ResultCode.UNCHANGED if same else ResultCode.CONFIGURED


def _in_sync(task: Task, preview: dict[str, Any] | None, instance: str) -> bool:
    """ApplyOutOfSyncOnly's test: the app tracks the object, and the pre-flight's answer (what the apply
    would make of it) is the object as the rollout found it (Argo CD compares with its cache)."""
    live = task.live
    if task.is_hook or preview is None or live is None or not is_tracked_by(live, instance):
        return False
    return strip_server_fields(preview) == strip_server_fields(live)


def _create_namespace(ctx: SyncContext, obj: dict[str, Any]) -> dict[str, Any] | None:
    """CreateNamespace=true: create the namespace unless it exists (an existing one is left as it is, and
    None returned) — one request, where reading it first would take two."""
    try:
        return ctx.client.create(obj, dry_run=ctx.dry_run)
    except AlreadyExistsError:
        return None


def apply_task(
    ctx: SyncContext,
    task: Task,
    *,
    app: str,
    wave: int | None,
    instance: str,
    default_namespace: str,
    out_of_sync_only: bool,
    preview: dict[str, Any] | None = None,
    hook_stamp: tuple[str, int] | None = None,
) -> Watched | None:
    """Apply one task's target; the object the gate must then watch, or None when there is nothing to wait on.
    `preview` is the pre-flight dry run's answer for the task (None when it was not checked)."""
    assert task.target is not None
    # Cluster-scoped objects carry the destination namespace in the plan (as gitops-engine keys them); the
    # events show where the object really lives.
    shown_namespace = task.namespace if _namespaced(ctx, task.target) else ""
    event: _AppliedFields = {
        "app": app,
        "wave": wave,
        "resource_wave": task.wave,
        "phase": task.phase,
        "group": task.group,
        "kind": task.kind,
        "namespace": shown_namespace,
        "resource": task.name,
        "hook": True if task.is_hook else None,
    }
    try:
        obj, namespaced = _prepared(ctx, task, instance, default_namespace, hook_stamp)
        if task.auto_namespace:
            created = _create_namespace(ctx, obj)
            if created is None:
                ctx.emit(ResourceApplied(**event, result=ResultCode.UNCHANGED, message="namespace exists"))
                return None
            ctx.emit(ResourceApplied(**event, result=ResultCode.CREATED, message="dry run" if ctx.dry_run else None))
            if ctx.dry_run:
                ctx.note_change(app)
                return None
            return _watched(created, task, namespaced)
        if out_of_sync_only and _in_sync(task, preview, instance):
            # gitops-engine drops in-sync tasks altogether: not applied, not gated
            ctx.emit(ResourceApplied(**event, result=ResultCode.UNCHANGED, message="in sync (ApplyOutOfSyncOnly)"))
            return None
        applied = _send(ctx, task, obj, dry_run=ctx.dry_run)
    except NoKindMatchError as err:
        if ctx.dry_run and f"{task.group}/{task.kind}" in ctx.planned_crd_kinds:
            ctx.note_change(app)
            ctx.emit(
                ResourceApplied(
                    **event,
                    result=ResultCode.SKIPPED,
                    message="its CRD is applied earlier in this sync; the server cannot check it yet",
                )
            )
            return None
        raise ApplyFailed(err.message, _blocking(task, err.message)) from None
    except NotFoundError as err:
        if ctx.dry_run and task.namespace in ctx.planned_namespaces:
            ctx.note_change(app)
            ctx.emit(
                ResourceApplied(
                    **event,
                    result=ResultCode.SKIPPED,
                    message=f"namespace {task.namespace} is created earlier in this sync",
                )
            )
            return None
        raise ApplyFailed(err.message, _blocking(task, err.message)) from None
    except KubeError as err:
        raise ApplyFailed(err.message, _blocking(task, err.message)) from None
    event["resource"] = str((applied.get("metadata") or {}).get("name") or task.name)
    if ctx.dry_run:
        result = _dry_run_result(ctx, obj, task, applied)
        ctx.emit(ResourceApplied(**event, result=result, message="dry run"))
        if result != ResultCode.UNCHANGED:
            ctx.note_change(app)
        return None
    ctx.emit(ResourceApplied(**event, result=_result(applied, preview), message=None))
    ctx.note_served_kinds(task.group, task.kind)
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


def delete_propagation(policy: str) -> Propagation:
    """An app's `PrunePropagationPolicy` value as the API's propagation policy (Foreground by default);
    gitops-engine deletes prunes and hooks with it."""
    return "Background" if policy == "background" else "Orphan" if policy == "orphan" else "Foreground"


def prune_task(
    ctx: SyncContext,
    task: Task,
    *,
    app: str,
    wave: int | None,
    allowed: bool,
    instance: str,
    propagation: str = "foreground",
) -> tuple[Watched | None, bool]:
    """Delete a tracked object Git no longer has — only when pruning is on and the object does not opt out.

    The object is read again first: one another app took over since the rollout began is left alone.
    Returns what the gate must wait on (the object's disappearance) and whether the object was kept, which
    leaves the app OutOfSync as in Argo CD.
    """
    live = task.live or {}
    event: _TaskFields = {
        "app": app,
        "wave": wave,
        "resource_wave": task.wave,
        "group": task.group,
        "kind": task.kind,
        "namespace": str((live.get("metadata") or {}).get("namespace") or ""),
        "resource": task.name,
    }
    reason = (
        "ignored (requires pruning)"
        if not allowed
        else "ignored (no prune)"
        if task.options.prune_disabled
        else "waiting for pruning confirmation"
        if task.options.prune_confirm
        else None
    )
    if reason is not None:
        ctx.emit(ResourcePruned(**event, result=ResultCode.SKIPPED, message=reason))
        return None, True
    policy = delete_propagation(propagation)
    api_version = str(live.get("apiVersion"))
    try:
        current = ctx.client.get(api_version, task.kind, task.name, task.namespace or None)
        if current is not None and not is_tracked_by(current, instance):
            ctx.emit(ResourcePruned(**event, result=ResultCode.SKIPPED, message="now tracked by another app"))
            return None, False
        if current is not None and task.group == ARGO_GROUP and task.kind == APPLICATION:
            _cascade(ctx, current, event)
        gone = current is None or not ctx.client.delete(
            api_version, task.kind, task.name, task.namespace or None, propagation=policy, dry_run=ctx.dry_run
        )
    except KubeError as err:
        raise ApplyFailed(err.message, _blocking(task, err.message)) from None
    if not ctx.dry_run:
        ctx.note_served_kinds(task.group, task.kind)
    ctx.emit(
        ResourcePruned(
            **event, result=ResultCode.PRUNED, message="already gone" if gone else ("dry run" if ctx.dry_run else None)
        )
    )
    if ctx.dry_run or gone:
        return None, False
    return Watched(api_version, task.kind, task.namespace, task.name, gone=True), False


def _cascade(ctx: SyncContext, application: dict[str, Any], event: _TaskFields) -> None:
    """An Application with Argo CD's resources finalizer takes its resources with it: wavecd plays the
    controller that would honour the finalizer — it deletes what the app tracks and may delete, highest
    sync-wave first, with the propagation the finalizer names (`sync/finalize.py`), then lifts the finalizer
    so the Application itself can go."""
    policy = cascade_propagation(application)
    if policy is None:
        return
    meta = application.get("metadata") or {}
    child = instance_name(str(meta.get("name")), str(meta.get("namespace") or ""))
    owned = sorted(
        (o for o in ctx.inventory(child) if should_be_deleted(application, o)),
        key=lambda o: -sync_wave(annotations_of(o, None)),
    )
    for obj in owned:
        group, kind, namespace, name = identity(obj)
        ctx.client.delete(
            str(obj.get("apiVersion")), kind, name, namespace or None, propagation=policy, dry_run=ctx.dry_run
        )
        ctx.emit(
            ResourcePruned(
                **(event | {"group": group, "kind": kind, "namespace": namespace, "resource": name}),
                result=ResultCode.PRUNED,
                message=f"with its Application {meta.get('name')}",
            )
        )
    if not ctx.dry_run:
        cascading = cascade_finalizers(application)
        kept = [f for f in meta.get("finalizers") or [] if f not in cascading]
        ctx.client.patch(
            str(application.get("apiVersion")),
            APPLICATION,
            str(meta.get("name")),
            {"metadata": {"finalizers": kept or None}},
            namespace=meta.get("namespace") or None,
        )
