"""One app's status as Argo CD shows it: its health and its sync status, read from the cluster.

Glue only: `compare` decides Synced, `live` and `health` decide health, `inventory` finds the live objects
each app tracks (listed once for the whole tree, as the sync lists them). Nothing here prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from wavecd.common import ARGOCD_NAMESPACE, HealthStatus, SyncStatus
from wavecd.core import WavecdError
from wavecd.kube import KubeClient
from wavecd.sync.app_tree import TreePlanView, is_appset_root
from wavecd.sync.compare import ComparisonError, ResourceComparison, compare
from wavecd.sync.inventory import tracked_by_instance
from wavecd.sync.live import app_health, managed_resources
from wavecd.sync.settings import ClusterFacts, Renderer
from wavecd.sync.tracking import instance_name


@dataclass(frozen=True)
class AppStatus:
    """`sync` is Synced, OutOfSync or Unknown (the comparison itself failed: `error` says why)."""

    app: str
    health: str
    health_message: str
    sync: str
    out_of_sync: list[ResourceComparison] = field(default_factory=list)
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "app": self.app,
            "health": self.health,
            "healthMessage": self.health_message,
            "sync": self.sync,
            "outOfSync": [r.to_json() for r in self.out_of_sync],
            "error": self.error,
        }


def unknown_status(app: str, error: str) -> AppStatus:
    """An app that could not be rendered: nothing to compare, so neither health nor sync is known."""
    return AppStatus(app, HealthStatus.UNKNOWN, "", SyncStatus.UNKNOWN, error=error)


def app_status(
    client: KubeClient,
    app: str,
    targets: Sequence[dict[str, Any]],
    default_namespace: str,
    app_namespace: str = ARGOCD_NAMESPACE,
    live_tracked: Sequence[dict[str, Any]] = (),
) -> AppStatus:
    """The status of the Application `app` (in `app_namespace`) whose desired objects are `targets`;
    `live_tracked` (the objects its tracking annotation claims) adds the ones left to prune.

    A server that refuses a dry run makes the sync status Unknown, as Argo CD's ComparisonError does; other
    errors (the connection lost, reads forbidden) are not about this app and propagate.
    """
    health = app_health(managed_resources(client, targets, default_namespace), app=(app_namespace, app)).health
    try:
        comparison = compare(client, instance_name(app, app_namespace), targets, default_namespace, live_tracked)
    except ComparisonError as err:
        return AppStatus(app, str(health.status), health.message, SyncStatus.UNKNOWN, error=err.message)
    return AppStatus(app, str(health.status), health.message, comparison.status, comparison.out_of_sync)


def cluster_facts(client: KubeClient) -> ClusterFacts:
    """What the cluster tells a render, read once: status renders every app as a sync would right now."""
    return ClusterFacts(client.server_version().git_version, tuple(client.api_versions()))


def tree_status(plan: TreePlanView, client: KubeClient, render: Renderer) -> list[AppStatus]:
    """Every Application of the plan in sync order (root first, then by tree wave). An app that failed to
    render (in the tree, or now with the cluster's facts) is Unknown with the error; connection and server
    errors other than a refused dry run propagate."""
    facts = cluster_facts(client)
    tracked = tracked_by_instance(client)
    out = []
    for node in plan.order:
        if is_appset_root(node):  # nothing of its own to compare: the apps it generates follow
            continue
        if node.name in plan.errors:
            out.append(unknown_status(node.name, plan.errors[node.name]))
            continue
        try:
            targets = render(node.name, facts)
        except WavecdError as err:
            out.append(unknown_status(node.name, err.render()))
            continue
        namespace = node.destination.namespace if node.destination else ""
        app_namespace = node.namespace or ARGOCD_NAMESPACE
        out.append(
            app_status(
                client,
                node.name,
                targets,
                namespace,
                app_namespace,
                tracked.get(instance_name(node.name, app_namespace), []),
            )
        )
    return out
