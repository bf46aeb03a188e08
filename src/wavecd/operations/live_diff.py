"""`wavecd diff ROOT --live`: each app's desired state against a cluster, as `argocd app diff` shows it.

The comparison is `wavecd status`'s own (`sync.compare`): every desired object is sent as a server-side
dry-run apply, so defaults, admission and fields other managers own never show as differences; what the
dry run says the object would become is diffed against the live object (`live/` before `target/`). A
desired object with no live counterpart shows whole as added; a tracked live object the app no longer
renders (one a sync with prune deletes) shows as removed. Apps are rendered with the cluster's version
and API versions, as a sync would render them.
"""

from __future__ import annotations

from typing import Any

from wavecd.apps.errors import AppError
from wavecd.apps.session import TreeRequest, open_session
from wavecd.common import ARGOCD_NAMESPACE
from wavecd.diff.normalize import ignore_rules
from wavecd.diff.tree_diff import AppDiff, TreeDiff, object_change
from wavecd.kube import KubeClient
from wavecd.plan import plan_tree
from wavecd.sync.compare import ComparisonError, compare
from wavecd.sync.inventory import tracked_by_instance
from wavecd.sync.status import cluster_facts
from wavecd.sync.tracking import instance_name

__all__ = ["diff_live"]


def _without_generation(obj: dict[str, Any] | None) -> dict[str, Any] | None:
    """`metadata.generation` left out: the server counts it up on every change a dry run predicts, so it
    would show beside every real difference without saying anything of its own."""
    if obj is None or not isinstance(obj.get("metadata"), dict):
        return obj
    return {**obj, "metadata": {k: v for k, v in obj["metadata"].items() if k != "generation"}}


def diff_live(request: TreeRequest, kubeconfig: str | None, context: str | None) -> TreeDiff:
    """Every app of ROOT's tree that differs from the cluster `kubeconfig`/`context` points at."""
    client = KubeClient.from_kubeconfig(kubeconfig, context)
    with client:
        session = open_session(request)
        plan = plan_tree(session.tree)
        facts = cluster_facts(client)
        tracked = tracked_by_instance(client)
        apps: list[AppDiff] = []
        unchanged = 0
        for node in plan.order:
            rules, warnings = ignore_rules(node.obj)
            app = AppDiff(
                node.name, node.kind, "changed", node.wave, node.wave, warnings=warnings, namespace=node.namespace
            )
            namespace = node.destination.namespace if node.destination else ""
            instance = instance_name(node.name, node.namespace or ARGOCD_NAMESPACE)
            try:
                if node.name in plan.errors:
                    raise ComparisonError(plan.errors[node.name])
                targets = session.render_at(node.name, facts.kube_version, facts.api_versions)
                comparison = compare(client, instance, targets, namespace, tracked.get(instance, []))
            except (AppError, ComparisonError) as err:  # a render that fails now, a dry run the server refuses
                app.error_after = err.message
                apps.append(app)
                continue
            for resource in comparison.out_of_sync:
                key = (resource.group, resource.kind, resource.namespace, resource.name)
                live, predicted = _without_generation(resource.live), _without_generation(resource.predicted)
                change = object_change(key, live, predicted, rules, ("live", "target"))
                if change is not None:
                    app.objects.append(change)
            if app.objects:
                apps.append(app)
            else:
                unchanged += 1
    label = context or "the current context"
    return TreeDiff("live", f"desired ({label})", apps, unchanged)
