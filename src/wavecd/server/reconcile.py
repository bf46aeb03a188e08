"""One app reconciled: its desired objects compared with the live ones, and the `status` Argo CD would write.

The comparison is the one `wavecd status` makes (`sync.compare`: a server-side dry run of each desired
object against the live one, and the tracked objects nothing desires); health is gitops-engine's, per
resource and for the app. What this module adds is the shape: `application_status` is the Application's
`status` as Argo CD's controller persists it (`sync`, `health`, `resources`, `conditions`), so that
`kubectl get applications` and the API read the same fields they read from Argo CD.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from wavecd.common import ARGOCD_NAMESPACE, HealthStatus, SyncStatus
from wavecd.health import ManagedResource, assess, is_hook
from wavecd.kube import KubeClient
from wavecd.sync.compare import EXTRA, ComparisonError, DryRunMemo, ResourceComparison, compare
from wavecd.sync.live import LiveRead, app_health, identity, managed_resources
from wavecd.sync.tracking import instance_name

__all__ = ["Reconciled", "application_status", "failed_reconcile", "reconcile_app"]

ResourceKey = tuple[str, str, str, str]  # group, kind, namespace, name


@dataclass(frozen=True)
class Reconciled:
    """What one reconcile of an app found. `error` set: the app could not be rendered or compared, and
    sync and health are Unknown (Argo CD's ComparisonError)."""

    app: str
    sync: str
    health: str
    health_message: str = ""
    revisions: tuple[str, ...] = ()
    resources: tuple[ManagedResource, ...] = ()
    verdicts: dict[ResourceKey, ResourceComparison] = field(default_factory=dict)
    error: str = ""

    @property
    def out_of_sync(self) -> list[ResourceComparison]:
        return [v for v in self.verdicts.values() if v.status != SyncStatus.SYNCED]


def failed_reconcile(app: str, error: str, revisions: Sequence[str] = ()) -> Reconciled:
    return Reconciled(app, SyncStatus.UNKNOWN, HealthStatus.UNKNOWN.value, revisions=tuple(revisions), error=error)


def reconcile_app(
    client: KubeClient,
    app: str,
    app_namespace: str,
    targets: Sequence[dict[str, Any]],
    default_namespace: str,
    live_tracked: Sequence[dict[str, Any]],
    revisions: Sequence[str],
    *,
    read: LiveRead | None = None,
    memo: DryRunMemo | None = None,
) -> Reconciled:
    """Compare app `app`'s desired `targets` with the cluster; `live_tracked` are the objects its tracking
    annotation claims (the candidates for prune). The live objects are read with `read` — the controller's
    cluster cache, so a reconcile sends no GET for what the watches hold — and `memo` spares the dry runs of
    objects unchanged on both sides since the last reconcile."""
    namespace = app_namespace or ARGOCD_NAMESPACE
    resources = managed_resources(client, targets, default_namespace, read=read)
    health = app_health(resources, app=(namespace, app)).health
    instance = instance_name(app, namespace)
    try:
        comparison = compare(client, instance, targets, default_namespace, live_tracked, read=read, memo=memo)
    except ComparisonError as err:
        return Reconciled(
            app,
            SyncStatus.UNKNOWN,
            str(health.status),
            health.message,
            tuple(revisions),
            tuple(resources),
            error=err.message,
        )
    verdicts = {(v.group, v.kind, v.namespace, v.name): v for v in comparison.resources}
    for obj in live_tracked:
        extra = _extra(obj)
        verdict = verdicts.get(_key(extra))
        if verdict is not None and verdict.reason == EXTRA:
            resources.append(extra)
    return Reconciled(
        app, comparison.status, str(health.status), health.message, tuple(revisions), tuple(resources), verdicts
    )


def _key(resource: ManagedResource) -> ResourceKey:
    return (resource.group, resource.kind, resource.namespace, resource.name)


def _extra(live: dict[str, Any]) -> ManagedResource:
    group, kind, namespace, name = identity(live)
    return ManagedResource(group, kind, namespace, name, target=None, live=live)


def application_status(
    reconciled: Reconciled, sources: Sequence[dict[str, Any]], destination: dict[str, Any]
) -> dict[str, Any]:
    """The Application's `status` fields this reconcile decides (Argo CD `persistAppStatus`), without
    `reconciledAt`, which the controller stamps only when something here changed."""
    sync: dict[str, Any] = {"status": reconciled.sync, "comparedTo": {"destination": destination}}
    # One of `revision` and `revisions`, as Argo CD writes them; the other is removed (null in a merge patch)
    # in case the app changed from one source to several.
    if len(sources) > 1:
        sync["comparedTo"]["sources"] = list(sources)
        sync["revisions"] = list(reconciled.revisions)
        sync["revision"] = None
    else:
        sync["comparedTo"]["source"] = sources[0] if sources else {}
        sync["revision"] = reconciled.revisions[0] if reconciled.revisions else ""
        sync["revisions"] = None
    health: dict[str, Any] = {"status": reconciled.health}
    if reconciled.health_message and reconciled.health != HealthStatus.HEALTHY:
        health["message"] = reconciled.health_message
    status: dict[str, Any] = {"sync": sync, "health": health, "resources": _resources(reconciled)}
    conditions = []
    if reconciled.error:
        conditions.append({"type": "ComparisonError", "message": reconciled.error})
    status["conditions"] = conditions
    return status


def _resources(reconciled: Reconciled) -> list[dict[str, Any]]:
    """`status.resources`: every compared object with its sync status and health, sorted as Argo CD sorts
    them (group, kind, namespace, name). Health is included: wavecd has no separate cache for the UI to read
    it from (Argo CD's `--persist-resource-health`)."""
    out = []
    for resource in reconciled.resources:
        obj = resource.target if resource.target is not None else resource.live
        if obj is None or is_hook(obj):
            continue
        verdict = reconciled.verdicts.get(_key(resource))
        entry: dict[str, Any] = {
            "group": resource.group,
            "version": str(obj.get("apiVersion") or "").rsplit("/", 1)[-1],
            "kind": resource.kind,
            "name": resource.name,
            "status": verdict.status if verdict is not None else SyncStatus.SYNCED,
        }
        if resource.namespace:
            entry["namespace"] = resource.namespace
        health = assess(resource.live) if resource.live is not None else None
        if resource.live is None:
            entry["health"] = {"status": HealthStatus.MISSING.value}
        elif health is not None:
            entry["health"] = {"status": health.status.value, **({"message": health.message} if health.message else {})}
        if verdict is not None and verdict.reason == EXTRA:
            entry["requiresPruning"] = True
        out.append(entry)
    return sorted(out, key=lambda r: (r["group"], r["kind"], r.get("namespace", ""), r["name"]))
