"""An Application's operation and its record, kept as Argo CD keeps them, so an operation survives a restart.

The controller writes `operation` (what was asked) and `status.operationState` (how it stands) into the
Application and nothing into its own memory: a restarted controller finds a `Running` record and resumes
it. These pure functions build each record from the one before (Argo CD's `processRequestedAppOperation`,
`setOperationState`, `persistRevisionHistory`, `RetryStrategy.NextRetryAt`) and the operations the API
asks for (`Sync`, `Rollback`, `TerminateOperation` in `server/application/application.go`), with Argo CD's
texts and refusals. Times are written as Kubernetes writes them: RFC 3339 in UTC, whole seconds.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Sequence
from typing import Any

from wavecd.common import OperationPhase, format_kube_time, parse_kube_time
from wavecd.server import app_fields
from wavecd.server.errors import FailedPrecondition, InvalidArgument
from wavecd.server.view import ResourceRef, SyncRequest
from wavecd.sync.retry import retry_wait

__all__ = [
    "ANOTHER_OPERATION",
    "OPERATION_TERMINATED",
    "REVISION_HISTORY_LIMIT",
    "completed_state",
    "completion_event",
    "history_after",
    "resume_retry",
    "retry_state",
    "rollback_operation",
    "running_state",
    "sync_operation_from_request",
    "terminate",
    "terminated",
    "terminating_state",
]

REVISION_HISTORY_LIMIT = 10  # Argo CD's default `spec.revisionHistoryLimit`
ANOTHER_OPERATION = "another operation is already in progress"
OPERATION_TERMINATED = "Operation terminated"
_COMPLETED = (OperationPhase.SUCCEEDED, OperationPhase.FAILED, OperationPhase.ERROR)


def _kitchen(moment: datetime.datetime) -> str:
    """Go's `time.Kitchen` layout (`3:04PM`), the one Argo CD's retry message uses, in UTC."""
    moment = moment.astimezone(datetime.UTC) if moment.tzinfo else moment
    return f"{moment.hour % 12 or 12}:{moment.minute:02d}{'PM' if moment.hour >= 12 else 'AM'}"


def running_state(operation: dict[str, Any], now: datetime.datetime) -> dict[str, Any]:
    """The record of an operation the controller has just picked up (Argo CD's `NewOperationState`)."""
    return {
        "operation": copy.deepcopy(operation),
        "phase": OperationPhase.RUNNING.value,
        "startedAt": format_kube_time(now),
    }


def completed_state(
    state: dict[str, Any],
    phase: str,
    message: str,
    resources: Sequence[dict[str, Any]],
    *,
    now: datetime.datetime,
    revision: str = "",
    source: dict[str, Any] | None = None,
    revisions: Sequence[str] = (),
    sources: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """The record of an attempt that ended `phase` (Succeeded, Failed or Error): its message, the result of
    each resource, and the resolved revision and source it synced (`revision`/`source` for a single-source
    app, `revisions`/`sources` for a multi-source one; none of them for an attempt that failed before it
    resolved anything, which then has no `syncResult`, as in Argo CD). The controller writes it and removes `operation`
    in the same patch, as Argo CD does."""
    if phase not in _COMPLETED:
        raise ValueError(f"an operation cannot complete as {phase!r}")
    result: dict[str, Any] = {"resources": copy.deepcopy(list(resources))} if resources else {}
    if revision:
        result["revision"] = revision
    if source is not None:
        result["source"] = copy.deepcopy(source)
    if revisions:
        result["revisions"] = list(revisions)
    if sources:
        result["sources"] = copy.deepcopy(list(sources))
    done = copy.deepcopy(state)
    done.update(phase=phase, message=message, finishedAt=format_kube_time(now))
    if result:
        done["syncResult"] = result
    else:  # it failed before it knew what to sync (Argo CD writes no result then)
        done.pop("syncResult", None)
    return done


def completion_event(state: dict[str, Any]) -> str:
    """The event Argo CD records when an operation completes: `Sync operation to <rev> succeeded`, `… failed:
    <message>`, `Partial sync operation …` for one limited to some resources (words joined as Argo CD joins
    them, so a multi-source result, which has no single revision, reads `to  succeeded`)."""
    sync = app_fields.mapping(app_fields.mapping(state.get("operation")).get("sync"))
    words = ["Partial sync operation" if sync.get("resources") else "Sync operation"]
    result = state.get("syncResult")
    if isinstance(result, dict):
        words += ["to", str(result.get("revision") or "")]
    if state.get("phase") == OperationPhase.SUCCEEDED:
        words.append("succeeded")
    else:
        words += ["failed:", str(state.get("message") or "")]
    return " ".join(words)


def _retry_spec(state: dict[str, Any]) -> dict[str, Any]:
    return app_fields.mapping(app_fields.mapping(state.get("operation")).get("retry"))


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _final(state: dict[str, Any]) -> dict[str, Any]:
    retried = _count(state.get("retryCount"))
    if retried > 0:
        state = {**state, "message": f"{state.get('message') or ''} (retried {retried} times)."}
    return state


def retry_state(state: dict[str, Any], now: datetime.datetime) -> tuple[dict[str, Any], float | None]:
    """What follows a Failed or Error record (from `completed_state`): when the operation's `retry` allows
    another attempt (`retryCount` < `limit`, or a negative limit: unlimited), the record waiting for it —
    phase back to Running with `finishedAt` kept, count + 1, `<message>. Retrying attempt #N at <time>.` —
    and the seconds until it is due; otherwise the final record (`… (retried N times).` when it was retried)
    and None. As in Argo CD the message's time uses the count before the increment and the wait the count
    after it, so with the defaults the first retry comes 10 s later while the message says 5 s."""
    if state.get("phase") not in (OperationPhase.FAILED, OperationPhase.ERROR):
        return state, None
    retry = _retry_spec(state)
    limit, count = _count(retry.get("limit")), _count(state.get("retryCount"))
    if not (count < limit or limit < 0):
        return _final(state), None
    message = str(state.get("message") or "")
    try:
        shown = retry_wait(retry, count)
        wait = retry_wait(retry, count + 1)
    except ValueError as error:
        return {**state, "phase": OperationPhase.ERROR.value, "message": f"{message} (failed to retry: {error})"}, None
    waiting = {
        **state,
        "phase": OperationPhase.RUNNING.value,
        "finishedAt": format_kube_time(now),
        "retryCount": count + 1,
        "message": f"{message}. Retrying attempt #{count + 1} at {_kitchen(now + datetime.timedelta(seconds=shown))}.",
    }
    return waiting, wait


def resume_retry(state: dict[str, Any], now: datetime.datetime) -> tuple[dict[str, Any] | None, float]:
    """For a record waiting for its retry (Running with `finishedAt`, as `retry_state` leaves it): while the
    backoff runs, (None, seconds left); once due, the record that starts the attempt — `finishedAt` and
    `syncResult` dropped, `Retrying operation. Attempt #N`, and with `retry.refresh` the pinned revisions
    dropped too (`… with latest revisions …`) — and 0. A backoff Argo CD cannot read ends the operation in
    Error with its message instead."""
    finished = parse_kube_time(state.get("finishedAt"))
    count = _count(state.get("retryCount"))
    retry = _retry_spec(state)
    try:
        wait = retry_wait(retry, count)
    except ValueError as error:
        return {**state, "phase": OperationPhase.ERROR.value, "message": str(error)}, 0.0
    if finished is not None:
        left = wait - (now - finished).total_seconds()
        if left > 0:
            return None, left
    resumed = copy.deepcopy(state)
    extra = ""
    if retry.get("refresh") is True:
        extra = " with latest revisions"
        sync = app_fields.mapping(app_fields.mapping(resumed.get("operation")).get("sync"))
        sync.pop("revision", None)
        sync.pop("revisions", None)
    resumed.pop("finishedAt", None)
    resumed.pop("syncResult", None)
    resumed["message"] = f"Retrying operation{extra}. Attempt #{count}"
    return resumed, 0.0


def terminating_state(state: dict[str, Any], message: str | None = None) -> dict[str, Any]:
    """The record asked to stop: phase Terminating (the API keeps the message; the controller's own reasons
    say `operation is terminating`, or `operation is terminating due to timeout`)."""
    stopping = {**state, "phase": OperationPhase.TERMINATING.value}
    if message is not None:
        stopping["message"] = message
    return stopping


def terminated(state: dict[str, Any], now: datetime.datetime) -> dict[str, Any]:
    """The record of a terminated operation: Failed, `Operation terminated`, never retried."""
    return _final(
        {
            **state,
            "phase": OperationPhase.FAILED.value,
            "message": OPERATION_TERMINATED,
            "finishedAt": format_kube_time(now),
        }
    )


def history_after(
    history: Sequence[dict[str, Any]],
    state: dict[str, Any],
    now: datetime.datetime,
    limit: int = REVISION_HISTORY_LIMIT,
) -> list[dict[str, Any]]:
    """`status.history` after the operation `state` completed: one entry more only for a sync that
    succeeded, was not a dry run and was not partial (self-heal and resource syncs leave no entry); ids
    count up from 0, oldest first, and only the last `limit` (the app's `revisionHistoryLimit`) are kept."""
    entries = [copy.deepcopy(item) for item in history if isinstance(item, dict)]
    operation = app_fields.mapping(state.get("operation"))
    sync = app_fields.mapping(operation.get("sync"))
    if state.get("phase") != OperationPhase.SUCCEEDED or sync.get("dryRun") is True or sync.get("resources"):
        return entries
    result = app_fields.mapping(state.get("syncResult"))
    entry: dict[str, Any] = {
        "id": _count(entries[-1].get("id")) + 1 if entries else 0,
        "deployedAt": format_kube_time(now),
        "initiatedBy": copy.deepcopy(app_fields.mapping(operation.get("initiatedBy"))),
    }
    if state.get("startedAt"):
        entry["deployStartedAt"] = state["startedAt"]
    if result.get("sources"):
        entry.update(revisions=list(result.get("revisions") or []), sources=copy.deepcopy(result["sources"]))
    else:
        entry.update(
            revision=result.get("revision", ""), source=copy.deepcopy(app_fields.mapping(result.get("source")))
        )
    entries.append(entry)
    keep = max(limit, 0)
    return entries[len(entries) - keep :] if keep else []


def _initiator(username: str) -> dict[str, Any]:
    return {"username": username} if username else {}


def _refuse_busy(app: dict[str, Any]) -> None:
    """Argo CD's `SetAppOperation` refuses to write over an operation that is still set."""
    if app.get("operation"):
        raise FailedPrecondition(ANOTHER_OPERATION)


def rollback_operation(
    app: dict[str, Any], history_id: int, *, dry_run: bool, prune: bool, username: str
) -> dict[str, Any]:
    """The operation that redeploys history entry `history_id`: its revision(s) and source(s), the apply
    strategy (no hooks), no retry. Refused as Argo CD refuses it; it never turns auto-sync off."""
    if app_fields.is_deleting(app):
        raise FailedPrecondition("application is deleting")
    if app_fields.automated(app) is not None:
        raise FailedPrecondition("rollback cannot be initiated when auto-sync is enabled")
    history = app_fields.mapping(app.get("status")).get("history")
    found = next(
        (item for item in history or [] if isinstance(item, dict) and item.get("id", 0) == history_id),
        None,
    )
    if found is None:
        raise InvalidArgument(
            f"application {app_fields.qualified_name(app)} does not have deployment with id {history_id}"
        )
    if not app_fields.mapping(found.get("source")) and not found.get("sources"):
        raise FailedPrecondition(
            "cannot rollback to revision deployed with Argo CD v0.11 or lower. sync to revision instead."
        )
    _refuse_busy(app)
    sync: dict[str, Any] = {"syncStrategy": {"apply": {}}}
    for key in ("revision", "revisions", "source", "sources"):
        if found.get(key):
            sync[key] = copy.deepcopy(found[key])
    if dry_run:
        sync["dryRun"] = True
    if prune:
        sync["prune"] = True
    options = app_fields.sync_policy(app).get("syncOptions")
    if options:
        sync["syncOptions"] = copy.deepcopy(options)
    return {"sync": sync, "initiatedBy": _initiator(username)}


def _resource(ref: ResourceRef) -> dict[str, Any]:
    found: dict[str, Any] = {"group": ref.group} if ref.group else {}
    found.update(kind=ref.kind, name=ref.name)
    if ref.namespace:
        found["namespace"] = ref.namespace
    return found


def sync_operation_from_request(app: dict[str, Any], request: SyncRequest) -> dict[str, Any]:
    """The operation `POST …/sync` writes, checked as Argo CD's `Sync` checks it: not while the app is being
    deleted, not to another revision than an auto-synced app's target (a dry run may), not over an operation
    in progress. The request's retry and sync options replace the app's; the revision is written as asked
    (the app's target when none is), and the controller resolves it when the operation runs."""
    if app_fields.is_deleting(app):
        raise FailedPrecondition("application is deleting")
    multi = app_fields.is_multi_source(app)
    source = app_fields.single_source(app)
    target = str(source.get("targetRevision") or "")
    if (
        not multi
        and request.revision
        and request.revision != (target or "HEAD")
        and app_fields.automated(app) is not None
        and not request.dry_run
    ):
        raise FailedPrecondition(f"Cannot sync to {request.revision}: auto-sync currently set to {target}")
    _refuse_busy(app)
    sync: dict[str, Any] = {}
    if multi:
        sources = app_fields.sources(app)
        sync.update(sources=copy.deepcopy(sources), revisions=[str(s.get("targetRevision") or "") for s in sources])
    else:
        sync["source"] = copy.deepcopy(source)
        if request.revision or target:
            sync["revision"] = request.revision or target
    if request.prune:
        sync["prune"] = True
    if request.dry_run:
        sync["dryRun"] = True
    if request.resources:
        sync["resources"] = [_resource(ref) for ref in request.resources]
    policy = app_fields.sync_policy(app)
    options = list(request.sync_options) or policy.get("syncOptions")
    if options:
        sync["syncOptions"] = copy.deepcopy(options)
    operation: dict[str, Any] = {"sync": sync, "initiatedBy": _initiator(request.username)}
    retry = request.retry if request.retry is not None else policy.get("retry")
    if isinstance(retry, dict):
        operation["retry"] = copy.deepcopy(retry)
    return operation


def terminate(app: dict[str, Any]) -> dict[str, Any]:
    """The Application with its running operation marked Terminating, for the API to write with an update
    (Argo CD's `TerminateOperation`); the controller then stops it. Refused when nothing is running."""
    state = app_fields.mapping(app.get("status")).get("operationState")
    if not app.get("operation") or not isinstance(state, dict):
        raise InvalidArgument("Unable to terminate operation. No operation is in progress")
    updated = copy.deepcopy(app)
    updated["status"]["operationState"] = terminating_state(updated["status"]["operationState"])
    return updated
