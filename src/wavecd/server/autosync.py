"""Whether an app's latest comparison starts an automated sync, as Argo CD's application controller decides.

One pure function, `decide`, over the Application as the API holds it and the comparison just made: the
controller writes what it returns and nothing else, so auto-sync, self-heal and their backoff are tested
without a cluster or a clock. The rules are Argo CD's (`controller/appcontroller.go` `autoSync`,
`alreadyAttemptedSync`, `selfHealRemainingBackoff`), with its texts; the controller calls `decide` only when
the project's sync windows allow a sync, as Argo CD does.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from wavecd.common import OperationPhase, SyncStatus, parse_kube_time
from wavecd.server import app_fields
from wavecd.sync.retry import AUTOMATED_DEFAULT

__all__ = [
    "Comparison",
    "Condition",
    "Decision",
    "ResourceStatus",
    "SelfHealBackoff",
    "Skip",
    "Sync",
    "Wait",
    "decide",
]

SYNC_ERROR = "SyncError"


@dataclass(frozen=True)
class ResourceStatus:
    """One resource the app manages, as the comparison judged it (Argo CD's `ResourceStatus`)."""

    group: str
    kind: str
    name: str
    namespace: str = ""
    status: str = SyncStatus.OUT_OF_SYNC
    requires_pruning: bool = False  # live, but no longer in the desired state


@dataclass(frozen=True)
class Comparison:
    """What the last comparison found: the app's sync status, the revision(s) it resolved (one for a
    single-source app, one per source otherwise), every managed resource with its status, and whether
    the resolved commit touches the app at all (False when `manifest-generate-paths` says nothing relevant
    changed, so a new SHA alone does not make a new attempt)."""

    status: str
    revisions: tuple[str, ...]
    resources: tuple[ResourceStatus, ...] = ()
    revision_has_changes: bool = True


@dataclass(frozen=True)
class SelfHealBackoff:
    """The controller's self-heal pacing (`--self-heal-backoff-timeout-seconds` 2, `…-factor` 3,
    `…-cap-seconds` 300). A `timeout` of 0 turns the backoff off, and then `self_heal_timeout`
    (`--self-heal-timeout-seconds`, 0) is the fixed wait instead."""

    timeout: float = 2.0
    factor: float = 3.0
    cap: float = 300.0
    self_heal_timeout: float = 0.0

    def delay(self, attempts: int) -> float:
        """The wait owed after `attempts` self-heals, counted from the last operation's end: 0, then
        timeout × factor^(n-1), held at `cap` once the next step would pass it (Kubernetes' `wait.Backoff`
        stepped `attempts` times)."""
        if self.timeout == 0:
            return self.self_heal_timeout
        if attempts <= 0:
            return 0.0
        duration = self.timeout
        for _ in range(attempts - 1):
            if self.factor == 0 or self.factor == 1 or duration == 0:
                break  # the step no longer changes: no need to walk a huge count
            duration *= self.factor
            if self.cap > 0 and duration > self.cap:
                return self.cap
            if duration == float("inf"):
                break
        return duration


@dataclass(frozen=True)
class Skip:
    """No sync and nothing to report (the reason is for the log, in Argo CD's words where it logs one)."""

    reason: str


@dataclass(frozen=True)
class Wait:
    """Self-heal is due but its backoff is not over: decide again after `seconds`."""

    seconds: float


@dataclass(frozen=True)
class Sync:
    """Write `operation` into the Application (refused if one appeared meanwhile: then do nothing, as Argo CD
    ignores `another operation is already in progress`), and record `event` as the app's event."""

    operation: dict[str, Any]
    event: str


@dataclass(frozen=True)
class Condition:
    """No sync; set this app condition (`SyncError`) so the user sees why."""

    type: str
    message: str


Decision = Skip | Wait | Sync | Condition


def _go_list(values: Sequence[str]) -> str:
    """A `[]string` as Go's `%s` prints it: `[a b]`."""
    return "[" + " ".join(values) + "]"


def _initiated_event(revisions: Sequence[str]) -> str:
    return f"Initiated automated sync to '{', '.join(revisions)}'"


def _already_attempted(
    app: dict[str, Any], desired: Sequence[str], revision_has_changes: bool
) -> tuple[bool, list[str], Any]:
    """Whether the last operation already went to these revisions with these sources; also the revisions it
    went to and how it ended (Argo CD's `alreadyAttemptedSync`)."""
    state = app_fields.mapping(app_fields.mapping(app.get("status")).get("operationState"))
    if not state:
        return False, [], ""
    phase = state.get("phase", "")
    result = state.get("syncResult")
    if not isinstance(result, dict):
        # Completed without a result: something failed before the sync began; do not loop on it.
        return app_fields.is_completed(phase), [], phase
    if app_fields.is_multi_source(app):
        synced = [str(item) for item in result.get("revisions") or []]
        if revision_has_changes and synced != list(desired):
            return False, synced, phase
        return app_fields.go_equal(app_fields.sources(app), result.get("sources") or []), synced, phase
    synced = [str(result.get("revision") or "")]
    if revision_has_changes and list(desired) != synced:
        return False, synced, phase
    return app_fields.go_equal(app_fields.single_source(app), result.get("source") or {}), synced, phase


def _remaining_backoff(app: dict[str, Any], attempts: int, backoff: SelfHealBackoff, now: datetime.datetime) -> float:
    state = app_fields.mapping(app.get("status")).get("operationState")
    if not isinstance(state, dict):
        return 0.0
    delay = backoff.delay(attempts)
    finished = parse_kube_time(state.get("finishedAt"))
    return delay if finished is None else delay - (now - finished).total_seconds()


def _operation(app: dict[str, Any], comparison: Comparison) -> dict[str, Any]:
    """The automated sync operation, with the zero fields left out as Go's `omitempty` leaves them out."""
    policy = app_fields.sync_policy(app)
    sync: dict[str, Any] = {}
    if app_fields.is_multi_source(app):
        sync["sources"] = copy.deepcopy(app_fields.sources(app))
        sync["revisions"] = list(comparison.revisions)
    else:
        sync["source"] = copy.deepcopy(app_fields.single_source(app))
        if comparison.revisions and comparison.revisions[0]:
            sync["revision"] = comparison.revisions[0]
    if (app_fields.automated(app) or {}).get("prune") is True:
        sync["prune"] = True
    if policy.get("syncOptions"):
        sync["syncOptions"] = copy.deepcopy(policy["syncOptions"])
    retry = policy.get("retry")
    return {
        "sync": sync,
        "initiatedBy": {"automated": True},
        "retry": copy.deepcopy(retry if isinstance(retry, dict) else AUTOMATED_DEFAULT),
    }


def decide(
    app: dict[str, Any],
    comparison: Comparison,
    *,
    now: datetime.datetime,
    backoff: SelfHealBackoff = SelfHealBackoff(),
) -> Decision:
    """What auto-sync does after `comparison` of `app`, at `now` (aware, UTC)."""
    policy = app_fields.automated(app)
    if policy is None:
        return Skip("automated sync is not enabled")
    if app.get("operation"):
        return Skip("Skipping auto-sync: another operation is in progress")
    if app_fields.is_deleting(app):
        return Skip("Skipping auto-sync: deletion in progress")
    if comparison.status != SyncStatus.OUT_OF_SYNC:
        return Skip(f"Skipping auto-sync: application status is {comparison.status}")
    prune = policy.get("prune") is True
    if not prune and all(r.status == SyncStatus.SYNCED or r.requires_pruning for r in comparison.resources):
        return Skip("Skipping auto-sync: need to prune extra resources only but automated prune is disabled")

    desired = list(comparison.revisions) if app_fields.is_multi_source(app) else [next(iter(comparison.revisions), "")]
    operation = _operation(app, comparison)
    attempted, last, phase = _already_attempted(app, desired, comparison.revision_has_changes)
    if attempted:
        if phase != OperationPhase.SUCCEEDED:
            message = app_fields.mapping(app_fields.mapping(app.get("status")).get("operationState")).get("message")
            return Condition(SYNC_ERROR, f"Failed last sync attempt to {_go_list(last)}: {message or ''}")
        if policy.get("selfHeal") is not True:
            return Skip(f"Skipping auto-sync: most recent sync already to {_go_list(desired)}")
        attempts = _self_heal_attempts(app)
        remaining = _remaining_backoff(app, attempts, backoff, now)
        if remaining > 0:
            return Wait(remaining)
        operation["sync"]["autoHealAttemptsCount"] = attempts + 1
        # Self-heal reapplies only what drifted: a partial sync, which leaves the history alone.
        partial = [_resource_ref(r) for r in comparison.resources if r.status != SyncStatus.SYNCED]
        if partial:
            operation["sync"]["resources"] = partial

    if prune and policy.get("allowEmpty") is not True and all(r.requires_pruning for r in comparison.resources):
        return Condition(
            SYNC_ERROR, f"Skipping sync attempt to {_go_list(desired)}: auto-sync will wipe out all resources"
        )
    return Sync(operation, _initiated_event(desired))


def _self_heal_attempts(app: dict[str, Any]) -> int:
    state = app_fields.mapping(app_fields.mapping(app.get("status")).get("operationState"))
    count = app_fields.mapping(app_fields.mapping(state.get("operation")).get("sync")).get("autoHealAttemptsCount")
    return count if isinstance(count, int) and not isinstance(count, bool) and count > 0 else 0


def _resource_ref(resource: ResourceStatus) -> dict[str, Any]:
    """A `SyncOperationResource` as auto-sync writes it: group (when set), kind and name, never the
    namespace (Argo CD leaves it out, so the name matches in any namespace)."""
    ref: dict[str, Any] = {"group": resource.group} if resource.group else {}
    ref.update(kind=resource.kind, name=resource.name)
    return ref
