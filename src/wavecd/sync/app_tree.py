"""The app tree as sync reads it: protocols that apps' nodes and plan's `TreePlan` satisfy structurally.

sync must not import apps (the layering contract), yet it reads app nodes all through a rollout; these
protocols name exactly what it reads, so mypy checks every read here and checks, where a caller hands sync
a plan (the CLI, the coming server), that the tree it passes has all of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from wavecd.common import APPLICATION_SET
from wavecd.plan.tree_plan import PlannedApplication, PlannedNode, PlannedSyncPolicy


class SyncPolicyView(PlannedSyncPolicy, Protocol):
    """An Application's `syncPolicy`: its options (planned), its automation (prune) and its retry."""

    @property
    def automated(self) -> dict[str, Any] | None: ...

    @property
    def retry(self) -> dict[str, Any] | None: ...


class ApplicationView(PlannedApplication, Protocol):
    """An Application, for its sync policy."""

    @property
    def sync_policy(self) -> SyncPolicyView: ...


class AppNodeView(PlannedNode, Protocol):
    """One Application of the tree (or the ApplicationSet at its root): what it renders to (planned), where
    it is declared and recorded, and whether it could be rendered at all (`error`, and `app` None when it is
    not a valid Application)."""

    @property
    def kind(self) -> str: ...

    @property
    def namespace(self) -> str: ...

    @property
    def parent(self) -> str | None: ...

    @property
    def source(self) -> str: ...

    @property
    def obj(self) -> dict[str, Any]: ...

    @property
    def app(self) -> ApplicationView | None: ...

    @property
    def error(self) -> str | None: ...

    @property
    def revisions(self) -> Sequence[str]: ...


class TreeWaveView(Protocol):
    """The apps of one tree wave."""

    @property
    def wave(self) -> int: ...

    @property
    def names(self) -> Sequence[str]: ...

    @property
    def apps(self) -> Sequence[AppNodeView]: ...


class TreePlanView(Protocol):
    """The tree in sync order: the root, then its waves; the apps that could not be planned, with why."""

    @property
    def root(self) -> AppNodeView: ...

    @property
    def waves(self) -> Sequence[TreeWaveView]: ...

    @property
    def order(self) -> Sequence[AppNodeView]: ...

    @property
    def errors(self) -> Mapping[str, str]: ...

    def wave_of(self, name: str) -> int | None: ...


def is_appset_root(node: AppNodeView) -> bool:
    """ROOT is an ApplicationSet: a sync records it and syncs the Applications it generates; its status is
    theirs."""
    return node.app is None and node.kind == APPLICATION_SET and node.parent is None
