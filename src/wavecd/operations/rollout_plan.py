"""`wavecd plan ROOT`: the whole rollout laid out before it happens, in the order `wavecd sync` follows.

The order is not worked out here: the tree's waves are `plan.plan_tree`'s, each app's steps are
`plan.node_plan`'s narrowed by `sync.app_sync.app_steps` — the very calls the sync makes — so the plan and the
rollout cannot drift apart. Offline, each app is planned from the tree's own render (no prunes: nothing is
known of the cluster). With a cluster, each app is rendered with the cluster's version and API versions (as
`wavecd status` renders it), planned with the live objects it tracks (so prune candidates take their
mirrored waves), and every object gets a verdict from `wavecd status`'s server-side dry-run comparison
(`sync.compare.compare_one`): create, change or unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from wavecd.apps.kinds import KindTable, crd_entries
from wavecd.apps.node import AppNode
from wavecd.apps.session import TreeRequest, open_session
from wavecd.common import ARGOCD_NAMESPACE, SyncPhase
from wavecd.core import WavecdError
from wavecd.kube import KubeClient
from wavecd.plan import AppPlan, Task, TreePlan, node_plan, plan_tree
from wavecd.plan.gates import gate_of
from wavecd.sync.app_sync import AppJob, app_steps
from wavecd.sync.compare import DIFFERS, MISSING, NOT_TRACKED, ComparisonError, compare_one
from wavecd.sync.inventory import tracked_by_instance
from wavecd.sync.live import get_live
from wavecd.sync.status import cluster_facts
from wavecd.sync.tracking import instance_name
from wavecd.sync.tree_sync import tree_objects

__all__ = ["ROOT_GATE", "TREE_GATE", "PlannedApp", "PlannedObject", "PlannedStep", "RolloutPlan", "plan_rollout"]

TREE_GATE = "every app of this wave and the ones before Healthy (Application health)"
ROOT_GATE = "the root app Healthy"

CREATE, CHANGE, UNCHANGED, DELETE, UNKNOWN = "create", "change", "unchanged", "delete", "unknown"
_VERDICTS = {MISSING: CREATE, NOT_TRACKED: CHANGE, DIFFERS: CHANGE, "": UNCHANGED}


@dataclass(frozen=True)
class PlannedObject:
    """One task: `role` is resource, hook, namespace (added by CreateNamespace=true) or prune; `change` is
    set only with a cluster."""

    kind: str
    group: str
    namespace: str
    name: str
    role: str
    gate: str
    hook_types: tuple[str, ...] = ()
    delete_policies: tuple[str, ...] = ()
    change: str | None = None
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "group": self.group,
            "namespace": self.namespace,
            "name": self.name,
            "role": self.role,
            "gate": self.gate,
        }
        if self.role == "hook":
            out["hookTypes"] = list(self.hook_types)
            out["deletePolicies"] = list(self.delete_policies)
        if self.change is not None:
            out["change"] = self.change
            out["reason"] = self.reason
        return out


@dataclass(frozen=True)
class PlannedStep:
    """One (phase, wave) of an app: applied together, then gated on each object's `gate`."""

    phase: str
    wave: int
    objects: tuple[PlannedObject, ...]

    def to_json(self) -> dict[str, Any]:
        return {"phase": self.phase, "wave": self.wave, "objects": [o.to_json() for o in self.objects]}


@dataclass(frozen=True)
class PlannedApp:
    """One Application's sync: its steps in order, the SyncFail hooks, the objects it never applies (hook
    Skip), and the Applications/ApplicationSets it declares, which the tree applies at their own waves."""

    name: str
    wave: int | None
    namespace: str
    steps: tuple[PlannedStep, ...] = ()
    sync_fail: tuple[PlannedObject, ...] = ()
    skipped: tuple[str, ...] = ()
    children: tuple[str, ...] = ()
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "wave": self.wave,
            "namespace": self.namespace,
            "steps": [s.to_json() for s in self.steps],
            "syncFail": [o.to_json() for o in self.sync_fail],
            "skipped": list(self.skipped),
            "children": list(self.children),
            "error": self.error,
        }


@dataclass(frozen=True)
class RolloutPlan:
    """The root app, then the tree waves in order; `cluster` names the cluster compared with (None offline)."""

    root: PlannedApp
    waves: tuple[tuple[int, tuple[PlannedApp, ...]], ...]
    cluster: str | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def apps(self) -> tuple[PlannedApp, ...]:
        return (self.root, *(app for _, apps in self.waves for app in apps))

    def to_json(self) -> dict[str, Any]:
        return {
            "root": self.root.name,
            "cluster": self.cluster,
            "rootGate": ROOT_GATE,
            "waves": [
                {"wave": wave, "gate": TREE_GATE, "apps": [app.name for app in apps]} for wave, apps in self.waves
            ],
            "apps": [app.to_json() for app in self.apps],
        }


def _role(task: Task) -> str:
    if task.is_prune:
        return "prune"
    if task.auto_namespace:
        return "namespace"
    return "hook" if task.is_hook else "resource"


def _label(obj: dict[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    name = meta.get("name") or meta.get("generateName") or ""
    return f"{obj.get('kind')} {meta['namespace']}/{name}" if meta.get("namespace") else f"{obj.get('kind')} {name}"


Verdict = Callable[[Task], tuple[str, str]]


def _planned(task: Task, kinds: KindTable, verdict: Verdict | None) -> PlannedObject:
    change, reason = verdict(task) if verdict is not None else (None, "")
    cluster_scoped = kinds.namespaced(str(task.obj.get("apiVersion") or ""), task.kind) is False
    return PlannedObject(
        kind=task.kind,
        group=task.group,
        namespace="" if cluster_scoped else task.namespace,
        name=task.name,
        role=_role(task),
        gate=gate_of(task),
        hook_types=task.hook.types if task.is_hook else (),
        delete_policies=task.delete_policies,
        change=change,
        reason=reason,
    )


def _kinds(plan: TreePlan) -> KindTable:
    """Which kinds are cluster-scoped: the built-in ones and those of every CRD the tree installs. A
    cluster-scoped object is shown without the destination namespace the plan gives every target."""
    return KindTable(entry for node in plan.order for obj in node.manifests for entry in crd_entries(obj))


def _planned_app(
    node: AppNode,
    wave: int | None,
    app_plan: AppPlan,
    is_tree_object: Callable[[Task], bool],
    kinds: KindTable,
    verdict: Verdict | None,
) -> PlannedApp:
    namespace = node.destination.namespace if node.destination else ""
    excluded = {t.key for t in app_plan.tasks if is_tree_object(t)}
    job = AppJob(
        node.name, wave, app_plan, instance_name(node.name, node.namespace), namespace, prune=False, excluded=excluded
    )
    steps = tuple(
        PlannedStep(step.phase, step.wave, tuple(_planned(t, kinds, verdict) for t in step.tasks))
        for step in app_steps(job)
    )
    return PlannedApp(
        name=node.name,
        wave=wave,
        namespace=namespace,
        steps=steps,
        sync_fail=tuple(_planned(t, kinds, verdict) for t in app_plan.sync_fail),
        skipped=tuple(_label(obj) for obj in app_plan.skipped),
        children=tuple(f"{t.kind} {t.name}" for t in app_plan.tasks if t.key in excluded),
    )


def _assemble(plan: TreePlan, app_of: Callable[[AppNode, int | None], PlannedApp], cluster: str | None) -> RolloutPlan:
    root = app_of(plan.root, None)
    waves = tuple((w.wave, tuple(app_of(node, w.wave) for node in w.apps)) for w in plan.waves)
    errors = {app.name: app.error for app in (root, *(a for _, apps in waves for a in apps)) if app.error}
    return RolloutPlan(root, waves, cluster, errors)


def _offline(plan: TreePlan) -> RolloutPlan:
    is_tree_object, kinds = tree_objects(plan), _kinds(plan)

    def app_of(node: AppNode, wave: int | None) -> PlannedApp:
        namespace = node.destination.namespace if node.destination else ""
        if node.name in plan.errors or node.name not in plan.app_plans:
            return PlannedApp(node.name, wave, namespace, error=plan.errors.get(node.name, "not an Application"))
        return _planned_app(node, wave, plan.app_plans[node.name], is_tree_object, kinds, None)

    return _assemble(plan, app_of, None)


def _verdict(client: KubeClient, instance: str, namespace: str, prune: bool) -> Verdict:
    """The comparison `wavecd status` makes, said per task as what a sync would do to the object."""

    def verdict(task: Task) -> tuple[str, str]:
        if task.is_prune:
            if task.options.prune_disabled:
                return UNCHANGED, "Prune=false: kept"
            if not prune:
                return UNCHANGED, "no longer rendered; kept without --prune or automated.prune"
            return DELETE, "no longer rendered" + (
                " (Prune=confirm: once deletion is approved)" if task.options.prune_confirm else ""
            )
        if task.phase == SyncPhase.SYNC_FAIL:
            return CREATE, "a SyncFail hook: created only when the sync fails"
        if task.is_hook:
            return CREATE, "a hook is created at every sync"
        assert task.target is not None
        if task.auto_namespace:
            exists = get_live(client, task.target) is not None
            return (UNCHANGED, "namespace exists") if exists else (CREATE, "CreateNamespace=true")
        try:
            comparison = compare_one(client, instance, task.target, namespace)
        except ComparisonError as err:
            return UNKNOWN, err.message
        return _VERDICTS.get(comparison.reason, CHANGE), comparison.reason

    return verdict


def _against_cluster(
    plan: TreePlan, render: Callable[[str, str, Sequence[str]], list[dict[str, Any]]], client: KubeClient, prune: bool
) -> RolloutPlan:
    is_tree_object, kinds = tree_objects(plan), _kinds(plan)
    facts = cluster_facts(client)
    tracked = tracked_by_instance(client)

    def app_of(node: AppNode, wave: int | None) -> PlannedApp:
        namespace = node.destination.namespace if node.destination else ""
        instance = instance_name(node.name, node.namespace or ARGOCD_NAMESPACE)
        try:
            if node.name in plan.errors:
                raise WavecdError(plan.errors[node.name])
            manifests = render(node.name, facts.kube_version, facts.api_versions)
            app_plan = node_plan(node, manifests, tracked.get(instance, []))
        except WavecdError as err:
            return PlannedApp(node.name, wave, namespace, error=err.render())
        # as `wavecd sync` decides: --prune, or the app's own `automated.prune`
        automated = (node.app.sync_policy.automated if node.app is not None else None) or {}
        app_prune = prune or automated.get("prune") is True
        verdict = _verdict(client, instance, namespace, app_prune)
        return _planned_app(node, wave, app_plan, is_tree_object, kinds, verdict)

    return _assemble(plan, app_of, client.server)


def plan_rollout(
    request: TreeRequest,
    kubeconfig: str | None = None,
    context: str | None = None,
    *,
    cluster: bool = False,
    prune: bool = False,
) -> RolloutPlan:
    """The rollout of ROOT's tree; with `cluster`, compared with the cluster `kubeconfig`/`context` points at
    (`prune` says whether the sync would run with --prune, so prune candidates would be deleted)."""
    if not cluster:
        return _offline(plan_tree(open_session(request).tree))
    # The kubeconfig first: it is read in an instant, the tree may take seconds to render.
    client = KubeClient.from_kubeconfig(kubeconfig, context)
    with client:
        session = open_session(request)
        return _against_cluster(plan_tree(session.tree), session.render_at, client, prune)
