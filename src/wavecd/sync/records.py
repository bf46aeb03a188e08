"""The Application and ApplicationSet objects in the cluster, kept as Argo CD's controllers keep them.

wavecd records the tree where Argo CD would have it: each Application (and ApplicationSet) is applied to
its namespace (`argocd`) when its tree wave starts, tracked by the app that declares it, and wavecd writes
its `status.health`, `status.sync` and `status.operationState` when the app's sync ends. So
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
from wavecd.kube import KubeError
from wavecd.sync.context import SyncContext
from wavecd.sync.settings import AppResult
from wavecd.sync.tracking import with_tracking


def record(ctx: SyncContext, obj: dict[str, Any], tracked_by: str | None) -> None:
    """Apply an Application or ApplicationSet (tracked by its parent app, when it has one)."""
    if not ctx.settings.record_applications:
        return
    body = with_tracking(obj, tracked_by, ARGOCD_NAMESPACE) if tracked_by else dict(obj)
    meta = dict(body.get("metadata") or {})
    meta.setdefault("namespace", ARGOCD_NAMESPACE)
    body["metadata"] = meta
    body.pop("status", None)
    ctx.client.apply(body, force=True, dry_run=ctx.dry_run)


def _patch_status(
    ctx: SyncContext,
    kind: str,
    name: str,
    namespace: str,
    status: dict[str, Any],
    same: Callable[[dict[str, Any]], bool],
) -> None:
    """Write `status` unless `same(live status)` says it already says that: a sync that changes nothing
    leaves every resourceVersion as it was, the Applications' included."""
    if ctx.dry_run or not ctx.settings.record_applications:
        return
    try:
        live = ctx.client.get(ARGO_API_VERSION, kind, name, namespace or ARGOCD_NAMESPACE)
        if live is None or same(live.get("status") or {}):
            return
        ctx.client.patch(ARGO_API_VERSION, kind, name, {"status": status}, namespace=namespace or ARGOCD_NAMESPACE)
    except KubeError:
        # The object may not be recorded (the root applied by hand elsewhere, or recording failed): the
        # sync's own result is what counts.
        return


def write_app_status(
    ctx: SyncContext, name: str, namespace: str, result: AppResult, revision: str = "", phase: str | None = None
) -> None:
    """The app's health, sync status and operation phase (Succeeded, Failed, or Terminated when the sync was
    stopped under it), written only when they change."""
    phase = phase or (OperationPhase.FAILED if result.sync == SyncStatus.FAILED else OperationPhase.SUCCEEDED)
    health: dict[str, Any] = {"status": result.health}
    if result.message and result.health != HealthStatus.HEALTHY:
        health["message"] = result.message
    sync = {"status": SyncStatus.OUT_OF_SYNC if result.sync == SyncStatus.FAILED else result.sync, "revision": revision}

    def same(live: dict[str, Any]) -> bool:
        return (
            live.get("health") == health
            and live.get("sync") == sync
            and (live.get("operationState") or {}).get("phase") == phase
        )

    _patch_status(
        ctx,
        APPLICATION,
        name,
        namespace,
        {
            "health": health,
            "sync": sync,
            "operationState": {
                "phase": phase,
                "message": result.message or "successfully synced",
                "finishedAt": kube_now(),
                "operation": {"sync": {"revision": revision}},
            },
        },
        same,
    )


def write_appset_status(ctx: SyncContext, name: str, namespace: str) -> None:
    """ApplicationSet health reads its conditions: wavecd generated every Application, so they are up to date."""
    now = kube_now()

    def same(live: dict[str, Any]) -> bool:
        return any(
            c.get("type") == "ResourcesUpToDate" and c.get("status") == "True"
            for c in live.get("conditions") or []
            if isinstance(c, dict)
        )

    _patch_status(
        ctx,
        APPLICATION_SET,
        name,
        namespace,
        {
            "conditions": [
                {
                    "type": "ErrorOccurred",
                    "status": "False",
                    "reason": "ApplicationSetUpToDate",
                    "message": "Successfully generated parameters for all Applications",
                    "lastTransitionTime": now,
                },
                {
                    "type": "ParametersGenerated",
                    "status": "True",
                    "reason": "ParametersGenerated",
                    "message": "Successfully generated parameters for all Applications",
                    "lastTransitionTime": now,
                },
                {
                    "type": "ResourcesUpToDate",
                    "status": "True",
                    "reason": "ApplicationSetUpToDate",
                    "message": "ApplicationSet up to date",
                    "lastTransitionTime": now,
                },
            ]
        },
        same,
    )
