"""`status.operationState.syncResult.resources`: what one operation did to each of its resources and hooks.

Argo CD lists every resource an operation touched (`ResourceResult`: group, version, kind, namespace, name,
`status`, `message`, `hookType`, `hookPhase`, `syncPhase`), so its UI can name the hook or the object that
failed rather than only quote the operation's message. wavecd builds the same list from the sync's own
events for the app — each apply and prune in the order they ran — and from the object its failure names
(`AppFinished.blocking`): that one is `SyncFailed` (an object the server refused) or, for a hook, a hook
whose phase is `Failed`, with the failure's message.

A hook's phase is `Succeeded` when the operation succeeded or when its step ended before the failing one;
a hook of the failing step other than the one that failed is left `Running`, as it was when the sync
stopped. wavecd's events carry no API version, so `version` is empty, as Argo CD leaves it for a hook it
has not yet created.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from wavecd.common import OperationPhase, ResultCode, SyncPhase
from wavecd.sync.events import ResourceApplied, ResourcePruned

__all__ = ["resource_results"]

_PHASE_ORDER = {SyncPhase.PRE_SYNC: 0, SyncPhase.SYNC: 1, SyncPhase.POST_SYNC: 2, SyncPhase.SYNC_FAIL: 3}
_Key = tuple[str, str, str, str]  # group, kind, namespace, name


def _key_of(event: ResourceApplied | ResourcePruned) -> _Key:
    return event.group, event.kind, event.namespace, event.resource


def _status(event: ResourceApplied | ResourcePruned) -> str:
    if isinstance(event, ResourcePruned):
        return "Pruned" if event.result == ResultCode.PRUNED else "PruneSkipped"
    return "Synced"


def _message(event: ResourceApplied | ResourcePruned) -> str:
    """kubectl's words, as Argo CD quotes them: `deployment.apps/web configured`; the event's note if any."""
    if event.message:
        return event.message
    kind = event.kind.lower() + (f".{event.group}" if event.group else "")
    return f"{kind}/{event.resource} {event.result}"


def _step(event: ResourceApplied) -> tuple[int, int]:
    return _PHASE_ORDER.get(SyncPhase(event.phase), 1), event.resource_wave


def resource_results(
    events: Sequence[ResourceApplied | ResourcePruned], phase: str, blocking: Mapping[str, str] | None
) -> list[dict[str, Any]]:
    """One `ResourceResult` per object the operation applied or pruned (the last event of each), in the order
    they ran; `phase` is the operation's (Succeeded, Failed, Error) and `blocking` the object its failure
    names, if any."""
    latest: dict[_Key, ResourceApplied | ResourcePruned] = {}
    for event in events:
        latest.pop(_key_of(event), None)  # a retried apply is listed where it last ran
        latest[_key_of(event)] = event
    failed_key: _Key | None = None
    if blocking:
        failed_key = (
            str(blocking.get("group") or ""),
            str(blocking.get("kind") or ""),
            str(blocking.get("namespace") or ""),
            str(blocking.get("name") or ""),
        )
    failed_event = latest.get(failed_key) if failed_key is not None else None
    failed_step = _step(failed_event) if isinstance(failed_event, ResourceApplied) else None
    results = []
    for key, event in latest.items():
        result: dict[str, Any] = {
            "group": event.group,
            "version": "",
            "kind": event.kind,
            "namespace": event.namespace,
            "name": event.resource,
            "status": _status(event),
            "message": _message(event),
        }
        if isinstance(event, ResourceApplied):
            if event.hook:
                result["hookType"] = event.phase
                if key == failed_key:
                    result["hookPhase"] = OperationPhase.FAILED.value
                elif phase == OperationPhase.SUCCEEDED or (failed_step is not None and _step(event) < failed_step):
                    result["hookPhase"] = OperationPhase.SUCCEEDED.value
                else:
                    result["hookPhase"] = OperationPhase.RUNNING.value
            elif key == failed_key:
                result["status"] = "SyncFailed"
            result["syncPhase"] = event.phase
        if key == failed_key and blocking is not None and blocking.get("message"):
            result["message"] = str(blocking["message"])
        results.append(result)
    if failed_key is not None and failed_event is None and blocking is not None:
        # Refused before it was applied (the server's dry run or apply said no): it failed to sync.
        group, kind, namespace, name = failed_key
        results.append(
            {
                "group": group,
                "version": "",
                "kind": kind,
                "namespace": namespace,
                "name": name,
                "status": "SyncFailed",
                "message": str(blocking.get("message") or ""),
            }
        )
    return results
