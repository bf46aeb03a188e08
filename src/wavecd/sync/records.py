"""The Application and ApplicationSet objects in the cluster, kept as Argo CD's controllers keep them.

wavecd records the tree where Argo CD would have it: each Application (and ApplicationSet) is applied to
its namespace (`argocd`) when its tree wave starts, tracked by the app that declares it, and `wavecd sync`
writes its `status.health`, `status.sync` and `status.operationState` when the app's sync ends (under the
controller, its reconcile and operation runner write them instead). So
`kubectl get applications -n argocd` shows the rollout, and a parent app's health follows its children
through the Application health rule, as with Argo CD.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wavecd.common import (
    APPLICATION,
    APPLICATION_SET,
    ARGO_API_VERSION,
    ARGOCD_NAMESPACE,
    HealthStatus,
    OperationPhase,
    SyncStatus,
    kube_now,
)
from wavecd.kube import KubeClient, KubeError
from wavecd.sync.context import SyncContext
from wavecd.sync.settings import AppResult
from wavecd.sync.tracking import with_tracking


def record(ctx: SyncContext, obj: dict[str, Any], tracked_by: str | None) -> dict[str, Any] | None:
    """Apply an Application or ApplicationSet (tracked by its parent app, when it has one); the object as the
    server answered (its status included), or None when nothing was recorded."""
    if not ctx.settings.record_applications:
        return None
    return apply_record(ctx.client, obj, tracked_by, dry_run=ctx.dry_run)


def apply_record(
    client: KubeClient, obj: dict[str, Any], tracked_by: str | None, *, dry_run: bool = False
) -> dict[str, Any]:
    """`record` outside a sync: the controller creates a new app's Application before its first operation,
    as the parent's sync would in Argo CD, so the operation has an object to be recorded on."""
    body = with_tracking(obj, tracked_by, ARGOCD_NAMESPACE) if tracked_by else dict(obj)
    meta = dict(body.get("metadata") or {})
    meta.setdefault("namespace", ARGOCD_NAMESPACE)
    body["metadata"] = meta
    body.pop("status", None)
    return client.apply(body, force=True, dry_run=dry_run)


def _patch_status(
    ctx: SyncContext,
    kind: str,
    name: str,
    namespace: str,
    status: dict[str, Any],
    same: Callable[[dict[str, Any]], bool],
    known: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """Write `status` unless `same(live status)` says it already says that: a sync that changes nothing
    leaves every resourceVersion as it was, the Applications' included. `known` is the object as this sync
    last wrote it (its record's answer), read instead of the cluster's: wavecd is its only writer. Returns
    the object as it now is, when known."""
    if ctx.dry_run or not ctx.settings.record_applications:
        return known
    try:
        namespace = namespace or ARGOCD_NAMESPACE
        live = known if known is not None else ctx.client.get(ARGO_API_VERSION, kind, name, namespace)
        if live is None or same(live.get("status") or {}):
            return live
        return ctx.client.patch(ARGO_API_VERSION, kind, name, {"status": status}, namespace=namespace)
    except KubeError:
        # The object may not be recorded (the root applied by hand elsewhere, or recording failed): the
        # sync's own result is what counts.
        return None


def write_app_status(
    ctx: SyncContext,
    name: str,
    namespace: str,
    result: AppResult,
    revision: str = "",
    phase: str | None = None,
    known: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """The app's health, sync status and operation phase (Succeeded, Failed, or Terminated when the sync was
    stopped under it), written only when they change — by `wavecd sync` only: under the controller
    (`record_operations` off) its reconcile writes sync and health, and its operation runner the phase.
    `known`: the Application as this sync last wrote it (see `_patch_status`); returns it as it now is."""
    if not ctx.settings.record_operations:
        return known
    phase = phase or (OperationPhase.FAILED if result.sync == SyncStatus.FAILED else OperationPhase.SUCCEEDED)
    health: dict[str, Any] = {"status": result.health}
    if result.message and result.health != HealthStatus.HEALTHY:
        health["message"] = result.message
    sync = {"status": SyncStatus.OUT_OF_SYNC if result.sync == SyncStatus.FAILED else result.sync, "revision": revision}
    operation_state = {
        "phase": phase,
        "message": result.message or "successfully synced",
        "finishedAt": kube_now(),
        "operation": {"sync": {"revision": revision}},
    }
    status: dict[str, Any] = {"health": health, "sync": sync, "operationState": operation_state}

    def same(live: dict[str, Any]) -> bool:
        return (
            live.get("health") == health
            and all((live.get("sync") or {}).get(key) == value for key, value in sync.items())
            and (live.get("operationState") or {}).get("phase") == phase
        )

    return _patch_status(ctx, APPLICATION, name, namespace, status, same, known)


# The texts and reasons of Argo CD's ApplicationSet controller (`applicationset_controller.go`,
# `applicationset_types.go`).
APPSET_UP_TO_DATE = "All applications have been generated successfully"
PARAMETERS_GENERATED = "Successfully generated parameters for all Applications"


def appset_conditions(
    error: str | None = None, *, reason: str = "ErrorOccurred", parameters_generated: bool = True
) -> list[dict[str, Any]]:
    """The three conditions Argo CD's ApplicationSet controller writes at the end of a reconcile, sorted by
    type as it sorts them: all up to date, or `error` (its `reason`, e.g. `DeleteApplicationError`)
    reported in ErrorOccurred and ResourcesUpToDate — and in ParametersGenerated when the generators
    themselves failed (`parameters_generated=False`)."""
    if error is None:
        return [
            {
                "type": "ErrorOccurred",
                "status": "False",
                "reason": "ApplicationSetUpToDate",
                "message": APPSET_UP_TO_DATE,
            },
            {
                "type": "ParametersGenerated",
                "status": "True",
                "reason": "ParametersGenerated",
                "message": PARAMETERS_GENERATED,
            },
            {
                "type": "ResourcesUpToDate",
                "status": "True",
                "reason": "ApplicationSetUpToDate",
                "message": APPSET_UP_TO_DATE,
            },
        ]
    generated = (
        {
            "type": "ParametersGenerated",
            "status": "True",
            "reason": "ParametersGenerated",
            "message": PARAMETERS_GENERATED,
        }
        if parameters_generated
        else {"type": "ParametersGenerated", "status": "False", "reason": "ErrorOccurred", "message": error}
    )
    return [
        {"type": "ErrorOccurred", "status": "True", "reason": reason, "message": error},
        generated,
        {"type": "ResourcesUpToDate", "status": "False", "reason": "ErrorOccurred", "message": error},
    ]


def _same_condition(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return all(a.get(k) == b.get(k) for k in ("type", "status", "reason", "message"))


def write_appset_conditions(client: KubeClient, name: str, namespace: str, conditions: list[dict[str, Any]]) -> None:
    """Write `conditions` (from `appset_conditions`) on the ApplicationSet as Argo CD's `SetConditions` does:
    a condition that says what it said keeps its lastTransitionTime, conditions of other types stay, and
    nothing is written when nothing changed, so an idle reconcile leaves the resourceVersion alone."""
    namespace = namespace or ARGOCD_NAMESPACE
    live = client.get(ARGO_API_VERSION, APPLICATION_SET, name, namespace)
    if live is None:
        return
    previous = [c for c in (live.get("status") or {}).get("conditions") or [] if isinstance(c, dict)]
    now = kube_now()
    written = {c["type"] for c in conditions}
    merged = [c for c in previous if c.get("type") not in written]
    for condition in conditions:
        same = next((p for p in previous if _same_condition(p, condition)), None)
        merged.append(same if same is not None else {**condition, "lastTransitionTime": now})
    merged.sort(key=lambda c: (str(c.get("type")), str(c.get("status")), str(c.get("reason"))))
    if len(merged) == len(previous) and all(_same_condition(a, b) for a, b in zip(merged, previous, strict=True)):
        return
    client.patch(ARGO_API_VERSION, APPLICATION_SET, name, {"status": {"conditions": merged}}, namespace=namespace)


def write_appset_status(ctx: SyncContext, name: str, namespace: str) -> None:
    """ApplicationSet health reads its conditions: wavecd generated every Application, so they are up to date."""
    if ctx.dry_run or not ctx.settings.record_applications:
        return
    try:
        write_appset_conditions(ctx.client, name, namespace, appset_conditions())
    except KubeError:
        return  # as for an Application's status: the sync's own result is what counts
