"""Every event a sync reports, in the order they can occur; `-o json` prints each as one line.

Fields that are None are left out of the JSON. Events about an app carry `app` and `wave` (its tree wave;
absent for the root app); a resource's wave inside its app is `resource_wave`; the render and plan events
come before the rollout and carry no wave. The last event is always `Summary`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wavecd.common import SyncPhase
from wavecd.core.events import Event


@dataclass(frozen=True)
class TreeRendered(Event):
    """The app tree was rendered offline (before anything touches the cluster)."""

    name = "render"
    apps: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)  # [{app, message}]
    seconds: float = 0.0


@dataclass(frozen=True)
class PlanReady(Event):
    """The global order: the root, then each tree wave's apps; where it will be applied."""

    name = "plan"
    root: str = ""
    waves: list[dict[str, Any]] = field(default_factory=list)  # [{wave, apps: [names]}]
    server: str = ""
    kube_version: str = ""
    dry_run: bool = False


@dataclass(frozen=True)
class WaveStarted(Event):
    name = "wave_started"
    wave: int = 0
    apps: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AppStarted(Event):
    """An app's sync begins: it was rendered with the cluster's version and discovery, and planned."""

    name = "app_started"
    app: str = ""
    wave: int | None = None
    resources: int = 0
    steps: int = 0


@dataclass(frozen=True)
class ResourceApplied(Event):
    """One object applied (or, with --dry-run, checked by a server-side dry run).

    `result`: created, configured, unchanged, or skipped (with `message` saying why).
    """

    name = "applied"
    app: str = ""
    wave: int | None = None
    resource_wave: int = 0
    phase: str = SyncPhase.SYNC
    group: str = ""
    kind: str = ""
    namespace: str = ""
    resource: str = ""  # the object's name
    result: str = ""
    message: str | None = None
    hook: bool | None = None


@dataclass(frozen=True)
class ResourcePruned(Event):
    """A tracked object with no desired counterpart: `result` is pruned, or skipped with the reason."""

    name = "pruned"
    app: str = ""
    wave: int | None = None
    resource_wave: int = 0
    group: str = ""
    kind: str = ""
    namespace: str = ""
    resource: str = ""
    result: str = ""
    message: str | None = None


@dataclass(frozen=True)
class HookDeleted(Event):
    """A hook object removed by its delete policy (BeforeHookCreation, HookSucceeded, HookFailed)."""

    name = "hook_deleted"
    app: str = ""
    wave: int | None = None
    resource_wave: int = 0
    kind: str = ""
    namespace: str = ""
    resource: str = ""
    policy: str = ""


@dataclass(frozen=True)
class WaitingOn(Event):
    """A gate is waiting: the objects that are not healthy yet, with their health and the reason.

    Reported when the set of blockers or their messages change, not on every poll. `resource_wave` is
    None when the wait is the app's final health gate. `blockers`: [{group, kind, namespace, name,
    health, message}].
    """

    name = "waiting"
    app: str = ""
    wave: int | None = None
    resource_wave: int | None = None
    blockers: list[dict[str, str]] = field(default_factory=list)
    elapsed: float = 0.0


@dataclass(frozen=True)
class NodeProvisioned(Event):
    """While a gate waits for a pod no node takes: a node Karpenter launches for it (`state` launching, when
    its NodeClaim is first seen) or that joined the cluster (`state` joined, with the Node's name). The labels
    Karpenter sets on the claim say which NodePool, instance type, capacity type and zone; those it has not
    set yet are left out."""

    name = "node"
    app: str = ""
    wave: int | None = None
    nodeclaim: str = ""
    state: str = ""
    node: str | None = None
    nodepool: str | None = None
    instance_type: str | None = None
    capacity_type: str | None = None
    zone: str | None = None


@dataclass(frozen=True)
class Retrying(Event):
    """The app's sync failed and its retry policy schedules another attempt after `delay` seconds."""

    name = "retry"
    app: str = ""
    wave: int | None = None
    attempt: int = 0
    delay: float = 0.0
    message: str = ""


@dataclass(frozen=True)
class AppFinished(Event):
    """An app's sync ended. `sync`: Synced, OutOfSync or Failed; `health` its health at that moment.

    On failure, `message` says why and `blocking` names the object and its condition.
    """

    name = "app_finished"
    app: str = ""
    wave: int | None = None
    health: str = ""
    sync: str = ""
    message: str | None = None
    blocking: dict[str, str] | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class WaveFinished(Event):
    name = "wave_finished"
    wave: int = 0
    health: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class Resync(Event):
    """After the last wave: an app renders differently now than when its wave started (its chart checks
    `.Capabilities.APIVersions` for a kind a later wave installed), so it is synced once more."""

    name = "resync"
    app: str = ""
    wave: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class Summary(Event):
    """The last event. `phase`: Succeeded, Failed, TimedOut or Interrupted; `health` the tree's health.

    `apps` counts apps by health; apps not reached are counted as `NotStarted`. `stopped_at` is the tree
    wave the rollout stopped at (absent when it ran through) and `blocking` what stopped it.
    """

    name = "summary"
    health: str = ""
    phase: str = ""
    message: str = ""
    seconds: float = 0.0
    apps: dict[str, int] = field(default_factory=dict)
    stopped_at: int | None = None
    blocking: dict[str, str] | None = None
    dry_run: bool = False
    exit_code: int = 0
