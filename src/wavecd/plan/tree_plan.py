"""The tree's global order, a wavecd extension of Argo CD's app-of-apps.

wavecd syncs every Application of the tree itself, whatever its `syncPolicy`, in one order: the root
first (it has no wave), then apps grouped by tree wave, ascending. An app's tree wave is its sync-wave
in its parent; an ApplicationSet is only a container, and each Application it generates is placed by
its own sync-wave annotation (Argo CD's ApplicationSet controller ignores waves; wavecd does not).
The gate is the sync's job: no app of wave N+1 starts before every app of wave ≤ N is Healthy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from wavecd.apps.node import AppNode, Tree
from wavecd.common import APPLICATION
from wavecd.core import WavecdError
from wavecd.plan.app_plan import AppPlan, PlanOptions, plan_app
from wavecd.plan.options import app_sync_options


@dataclass(frozen=True)
class TreeWave:
    """The apps of one tree wave, in the tree's walk order."""

    wave: int
    apps: tuple[AppNode, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(app.name for app in self.apps)


@dataclass(frozen=True)
class TreePlan:
    """The root, then the tree waves in ascending order; each Application's own plan by name.

    Apps that failed to render or plan stay in their wave (the sync reports them) and are named in
    `errors`.
    """

    root: AppNode
    waves: tuple[TreeWave, ...]
    app_plans: dict[str, AppPlan] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def wave_of(self, name: str) -> int | None:
        """The tree wave of an app; None for the root (and for a name not in the plan)."""
        return self._waves_by_name.get(name)

    @cached_property
    def _waves_by_name(self) -> dict[str, int]:
        """Built once: the API lists every app with its wave, which a scan per app made quadratic."""
        return {app.name: wave.wave for wave in reversed(self.waves) for app in wave.apps}

    @property
    def order(self) -> tuple[AppNode, ...]:
        """Every Application in sync order, root first."""
        return (self.root, *(app for wave in self.waves for app in wave.apps))


class PlannedSyncPolicy(Protocol):
    """What `node_plan` reads of an Application's `syncPolicy`."""

    @property
    def sync_options(self) -> Sequence[str]: ...


class PlannedApplication(Protocol):
    """What `node_plan` reads of an Application."""

    @property
    def sync_policy(self) -> PlannedSyncPolicy: ...


class PlannedDestination(Protocol):
    """What `node_plan` reads of an Application's destination."""

    @property
    def namespace(self) -> str: ...


class PlannedNode(Protocol):
    """What `node_plan` reads of an app node: apps' `AppNode` is one, and so is the node as sync reads it
    (`wavecd.sync.app_tree`), which cannot name apps' types."""

    @property
    def name(self) -> str: ...

    @property
    def manifests(self) -> Sequence[dict[str, Any]]: ...

    @property
    def app(self) -> PlannedApplication | None: ...

    @property
    def destination(self) -> PlannedDestination | None: ...


def node_plan(
    node: PlannedNode, manifests: Sequence[dict[str, Any]] | None = None, live: Sequence[dict[str, Any]] = ()
) -> AppPlan:
    """One Application node's own sync plan, from its options and destination namespace.

    `manifests` defaults to the node's offline render; the sync passes the render made when the app's wave
    starts, and the tracked `live` objects when it prunes.
    """
    assert node.app is not None
    options = PlanOptions(
        sync_options=app_sync_options(node.app.sync_policy.sync_options),
        namespace=node.destination.namespace if node.destination else "",
        app=node.name,
    )
    return plan_app(node.manifests if manifests is None else manifests, options=options, live=live)


def plan_tree(tree: Tree) -> TreePlan:
    """Group the tree's Applications by tree wave; ApplicationSets contribute only their generated apps."""
    by_wave: dict[int, list[AppNode]] = {}
    plans: dict[str, AppPlan] = {}
    errors: dict[str, str] = {}
    for node in tree.nodes:
        if node.kind != APPLICATION:
            continue
        if node is not tree.root:
            by_wave.setdefault(node.wave or 0, []).append(node)
        if node.error:
            errors[node.name] = node.error
            continue
        if node.app is None:
            continue
        try:
            plans[node.name] = node_plan(node)
        except WavecdError as err:
            errors[node.name] = err.message
    waves = tuple(TreeWave(wave, tuple(apps)) for wave, apps in sorted(by_wave.items()))
    return TreePlan(root=tree.root, waves=waves, app_plans=plans, errors=errors)
