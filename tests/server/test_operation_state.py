"""Operation records and the operations the API writes, as Argo CD keeps and checks them.

Each case names the Argo CD test or function it reproduces (controller/appcontroller_test.go,
pkg/apis/application/v1alpha1/types_test.go, server/application/application_test.go); texts are Argo CD's.
"""

from __future__ import annotations

import copy
import datetime
from typing import Any

import pytest

from wavecd.common import format_kube_time, parse_kube_time
from wavecd.server.errors import FailedPrecondition, InvalidArgument
from wavecd.server.operation_state import (
    completed_state,
    completion_event,
    history_after,
    resume_retry,
    retry_state,
    rollback_operation,
    running_state,
    sync_operation_from_request,
    terminate,
    terminated,
    terminating_state,
)
from wavecd.server.view import ResourceRef, SyncRequest
from wavecd.sync.retry import retry_wait

NOW = datetime.datetime(2026, 12, 7, 14, 58, 30, tzinfo=datetime.UTC)
SHA = "a" * 40
SOURCE = {
    "repoURL": "https://github.com/argoproj/argocd-example-apps.git",
    "path": "guestbook",
    "targetRevision": "HEAD",
}
PROJECT_ERROR = (
    'Failed to load application project: error getting app project "x": appproject.argoproj.io "x" not found'
)


def later(seconds: float) -> datetime.datetime:
    return NOW + datetime.timedelta(seconds=seconds)


def app(**spec: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": "guestbook", "namespace": "argocd"},
        "spec": {"project": "default", "source": dict(SOURCE), **spec},
        "status": {},
    }


def failed(operation: dict[str, Any], message: str = PROJECT_ERROR, phase: str = "Error") -> dict[str, Any]:
    return completed_state(running_state(operation, NOW), phase, message, [], now=NOW)


def test_times_are_written_as_kubernetes_writes_them() -> None:
    assert format_kube_time(NOW) == "2026-12-07T14:58:30Z"
    assert format_kube_time(
        datetime.datetime(2026, 12, 7, 16, 58, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    ) == ("2026-12-07T14:58:30Z")
    assert parse_kube_time("2026-12-07T14:58:30Z") == NOW
    assert parse_kube_time("yesterday") is None
    assert parse_kube_time(None) is None


def test_new_operation_is_running() -> None:
    """NewOperationState: the operation copied, phase Running, started now."""
    operation = {"sync": {"revision": "HEAD"}, "initiatedBy": {"username": "admin"}}
    state = running_state(operation, NOW)
    assert state == {"operation": operation, "phase": "Running", "startedAt": "2026-12-07T14:58:30Z"}
    operation["sync"]["revision"] = "changed"
    assert state["operation"]["sync"]["revision"] == "HEAD"


def test_completed_state_records_the_result() -> None:
    """SyncAppState then setOperationState: the resolved SHA replaces the asked revision in `syncResult`."""
    resources = [{"kind": "Service", "name": "guestbook-ui", "namespace": "default", "status": "Synced"}]
    state = completed_state(
        running_state({"sync": {"revision": "HEAD"}}, NOW),
        "Succeeded",
        "successfully synced (all tasks run)",
        resources,
        now=later(4),
        revision=SHA,
        source=SOURCE,
    )
    assert state["phase"] == "Succeeded"
    assert state["finishedAt"] == "2026-12-07T14:58:34Z"
    assert state["syncResult"] == {"resources": resources, "revision": SHA, "source": SOURCE}
    assert state["operation"]["sync"]["revision"] == "HEAD"


def test_running_is_not_a_completion() -> None:
    with pytest.raises(ValueError, match="Running"):
        completed_state(running_state({"sync": {}}, NOW), "Running", "", [], now=NOW)


@pytest.mark.parametrize(
    ("case", "sync", "phase", "message", "revision", "event"),
    [
        (
            "setOperationState, succeeded",
            {},
            "Succeeded",
            "successfully synced",
            SHA,
            f"Sync operation to {SHA} succeeded",
        ),
        (
            "setOperationState, failed",
            {},
            "Failed",
            "one or more objects failed to apply",
            SHA,
            f"Sync operation to {SHA} failed: one or more objects failed to apply",
        ),
        (
            "setOperationState, partial",
            {"resources": [{"kind": "ConfigMap", "name": "c"}]},
            "Succeeded",
            "ok",
            SHA,
            f"Partial sync operation to {SHA} succeeded",
        ),
        ("setOperationState, no result", {}, "Error", PROJECT_ERROR, "", f"Sync operation failed: {PROJECT_ERROR}"),
    ],
)
def test_completion_event(case: str, sync: dict[str, Any], phase: str, message: str, revision: str, event: str) -> None:
    state = completed_state(running_state({"sync": sync}, NOW), phase, message, [], now=NOW, revision=revision)
    assert completion_event(state) == event, case


# TestRetryStrategy_NextRetryAtDefaultBackoff and …CustomBackoff: seconds after the last attempt for a count.
NEXT_RETRY_AT = [
    ({}, 0, 5),
    ({}, 1, 10),
    ({}, 2, 20),
    ({}, 3, 40),
    ({}, 4, 80),
    ({}, 80, 180),
    ({}, 100, 180),
    *[
        ({"backoff": {"duration": "2s", "factor": 3, "maxDuration": "1m"}}, n, s)
        for n, s in enumerate([2, 6, 18, 54, 60])
    ],
    ({"backoff": {"duration": "30", "maxDuration": "600"}}, 1, 60),  # parseStringToDuration: bare numbers are seconds
    ({"backoff": {"duration": "1m", "factor": 2, "maxDuration": "0"}}, 10, 61440),  # NextRetryAt: no cap at 0
]


@pytest.mark.parametrize(("retry", "count", "seconds"), NEXT_RETRY_AT)
def test_next_retry_at(retry: dict[str, Any], count: int, seconds: float) -> None:
    assert retry_wait(retry, count) == seconds


def test_unreadable_backoff_is_argo_cds_error() -> None:
    with pytest.raises(ValueError) as raised:
        retry_wait({"backoff": {"duration": "soon"}}, 0)
    assert str(raised.value) == "unable to parse soon as a duration"


def test_failed_with_retries_waits_for_the_next_attempt() -> None:
    """TestProcessRequestedAppOperation_FailedHasRetries: Running again, count 1, and the message says when
    (count 0's backoff, Go's Kitchen time) while the wait is count 1's: 10 s with the defaults."""
    state, wait = retry_state(failed({"sync": {}, "retry": {"limit": 1}}), NOW)
    assert state["phase"] == "Running"
    assert state["retryCount"] == 1
    assert state["finishedAt"] == "2026-12-07T14:58:30Z"
    assert state["message"] == f"{PROJECT_ERROR}. Retrying attempt #1 at 2:58PM."
    assert wait == 10


def test_failed_without_retries_stays_failed() -> None:
    """TestProcessRequestedAppOperation_FailedNoRetries: no `retry` means no retry."""
    state, wait = retry_state(failed({"sync": {}}), NOW)
    assert (state["phase"], state["message"], wait) == ("Error", PROJECT_ERROR, None)


def test_retries_run_out() -> None:
    """processRequestedAppOperation: the last failure says how often it was retried."""
    state = {**failed({"sync": {}, "retry": {"limit": 2}}, "boom", "Failed"), "retryCount": 2}
    final, wait = retry_state(state, NOW)
    assert (final["phase"], final["message"], wait) == ("Failed", "boom (retried 2 times).", None)


def test_negative_limit_retries_forever() -> None:
    """processRequestedAppOperation: `limit < 0` is unlimited; the wait stops growing at maxDuration."""
    state = {**failed({"sync": {}, "retry": {"limit": -1}}, "boom", "Failed"), "retryCount": 500}
    waiting, wait = retry_state(state, NOW)
    assert (waiting["phase"], waiting["retryCount"], wait) == ("Running", 501, 180)
    assert waiting["message"] == "boom. Retrying attempt #501 at 3:01PM."


def test_unreadable_backoff_ends_in_error() -> None:
    """processRequestedAppOperation: NextRetryAt failing turns the attempt into Error, not a retry."""
    state, wait = retry_state(failed({"sync": {}, "retry": {"limit": 3, "backoff": {"duration": "soon"}}}, "boom"), NOW)
    assert (state["phase"], state["message"], wait) == (
        "Error",
        "boom (failed to retry: unable to parse soon as a duration)",
        None,
    )


def test_succeeded_is_never_retried() -> None:
    state = completed_state(running_state({"sync": {}, "retry": {"limit": 3}}, NOW), "Succeeded", "ok", [], now=NOW)
    assert retry_state(state, NOW) == (state, None)


def _waiting(retry: dict[str, Any], finished_ago: float, count: int = 1) -> dict[str, Any]:
    return {
        "operation": {"sync": {"revision": SHA}, "retry": retry},
        "phase": "Running",
        "message": "pending retry",
        "startedAt": format_kube_time(NOW - datetime.timedelta(minutes=10)),
        "finishedAt": format_kube_time(NOW - datetime.timedelta(seconds=finished_ago)),
        "retryCount": count,
        "syncResult": {
            "revision": SHA,
            "resources": [{"kind": "Deployment", "name": "guestbook", "status": "SyncFailed"}],
        },
    }


def test_retry_due_starts_the_next_attempt() -> None:
    """TestProcessRequestedAppOperation_RunningPreviouslyFailed: the failed attempt ended 5 min ago."""
    resumed, wait = resume_retry(_waiting({"limit": 1}, 300), NOW)
    assert wait == 0
    assert resumed is not None
    assert resumed["message"] == "Retrying operation. Attempt #1"
    assert "finishedAt" not in resumed and "syncResult" not in resumed
    assert resumed["operation"]["sync"]["revision"] == SHA


def test_retry_not_due_waits() -> None:
    """TestProcessRequestedAppOperation_RunningPreviouslyFailedBackoff: 1 h backoff, ended 1 s ago."""
    retry = {"limit": 1, "backoff": {"duration": "1h", "factor": 100, "maxDuration": "1h"}}
    assert resume_retry(_waiting(retry, 1), NOW) == (None, 3599)


def test_retry_with_refresh_drops_the_pinned_revision() -> None:
    """processRequestedAppOperation: `retry.refresh` syncs the latest revision instead."""
    resumed, _ = resume_retry(_waiting({"limit": 1, "refresh": True}, 300), NOW)
    assert resumed is not None
    assert resumed["message"] == "Retrying operation with latest revisions. Attempt #1"
    assert "revision" not in resumed["operation"]["sync"]


def test_terminated() -> None:
    """TestProcessRequestedAppOperation_HasRetriesTerminated: Failed, `Operation terminated`, no retry."""
    stopping = terminating_state(running_state({"sync": {}, "retry": {"limit": 10}}, NOW))
    assert stopping["phase"] == "Terminating"
    state = terminated(stopping, later(1))
    assert (state["phase"], state["message"], state["finishedAt"]) == (
        "Failed",
        "Operation terminated",
        "2026-12-07T14:58:31Z",
    )


def test_terminating_for_the_controllers_reason() -> None:
    """processRequestedAppOperation's sync timeout."""
    state = terminating_state(running_state({"sync": {}}, NOW), "operation is terminating due to timeout")
    assert (state["phase"], state["message"]) == ("Terminating", "operation is terminating due to timeout")


def _succeeded(sync: dict[str, Any] | None = None, **result: Any) -> dict[str, Any]:
    state = running_state({"sync": sync or {}, "initiatedBy": {"username": "admin"}}, NOW)
    return completed_state(
        state, "Succeeded", "ok", [], now=later(3), **(result or {"revision": SHA, "source": SOURCE})
    )


def test_history_entry_of_a_single_source_sync() -> None:
    """persistRevisionHistory: id 0 first, revision and source, both times, who started it."""
    assert history_after([], _succeeded(), later(3)) == [
        {
            "id": 0,
            "deployedAt": "2026-12-07T14:58:33Z",
            "deployStartedAt": "2026-12-07T14:58:30Z",
            "initiatedBy": {"username": "admin"},
            "revision": SHA,
            "source": SOURCE,
        }
    ]


def test_history_entry_of_a_multi_source_sync() -> None:
    entry = history_after([{"id": 4}], _succeeded(revisions=["a", "b"], sources=[SOURCE, SOURCE]), NOW)[-1]
    assert (entry["id"], entry["revisions"], entry["sources"]) == (5, ["a", "b"], [SOURCE, SOURCE])
    assert "revision" not in entry and "source" not in entry


@pytest.mark.parametrize(
    ("case", "state"),
    [
        (
            "SyncAppState: failed",
            completed_state(running_state({"sync": {}}, NOW), "Failed", "x", [], now=NOW, revision=SHA),
        ),
        ("SyncAppState: dry run", _succeeded({"dryRun": True})),
        ("SyncAppState: partial (self-heal)", _succeeded({"resources": [{"kind": "ConfigMap", "name": "c"}]})),
    ],
)
def test_history_keeps_only_full_successful_syncs(case: str, state: dict[str, Any]) -> None:
    assert history_after([{"id": 0, "revision": "x"}], state, NOW) == [{"id": 0, "revision": "x"}], case


@pytest.mark.parametrize(
    ("case", "before", "limit", "ids"),
    [
        ("TestApplicationSpec_GetRevisionHistoryLimit: default 10", list(range(10)), None, list(range(1, 11))),
        ("TestRevisionHistories_Trunc: keep the last", [0, 1], 1, [2]),
        ("TestRevisionHistories_Trunc: negative limit to 0", [0], -1, []),
        ("revisionHistoryLimit 11", list(range(10)), 11, list(range(11))),
    ],
)
def test_history_is_trimmed_oldest_first(case: str, before: list[int], limit: int | None, ids: list[int]) -> None:
    history = [{"id": n, "revision": str(n)} for n in before]
    after = (
        history_after(history, _succeeded(), NOW) if limit is None else history_after(history, _succeeded(), NOW, limit)
    )
    assert [entry["id"] for entry in after] == ids, case


HISTORY = [{"id": 1, "revision": "abc", "revisions": ["abc"], "source": SOURCE, "sources": [SOURCE]}]


def test_rollback_operation() -> None:
    """TestRollbackApp: the entry's revision(s) and source(s), the apply strategy, no retry."""
    target = app(syncPolicy={"syncOptions": ["CreateNamespace=true"], "retry": {"limit": 3}})
    target["status"]["history"] = copy.deepcopy(HISTORY)
    operation = rollback_operation(target, 1, dry_run=False, prune=True, username="admin")
    assert operation == {
        "sync": {
            "syncStrategy": {"apply": {}},
            "revision": "abc",
            "revisions": ["abc"],
            "source": SOURCE,
            "sources": [SOURCE],
            "prune": True,
            "syncOptions": ["CreateNamespace=true"],
        },
        "initiatedBy": {"username": "admin"},
    }


def _with_history(target: dict[str, Any], history: list[dict[str, Any]] = HISTORY) -> dict[str, Any]:
    target["status"]["history"] = copy.deepcopy(history)
    return target


def _deleting(target: dict[str, Any]) -> dict[str, Any]:
    target["metadata"]["deletionTimestamp"] = "2026-12-07T14:00:00Z"
    return target


def _busy(target: dict[str, Any]) -> dict[str, Any]:
    target["operation"] = {"sync": {}}
    return target


ROLLBACK_REFUSALS = [
    ("Rollback: deleting", _with_history(_deleting(app())), 1, FailedPrecondition, "application is deleting"),
    (
        "Rollback: auto-sync",
        _with_history(app(syncPolicy={"automated": {"prune": True}})),
        1,
        FailedPrecondition,
        "rollback cannot be initiated when auto-sync is enabled",
    ),
    (
        "Rollback: unknown id",
        _with_history(app()),
        7,
        InvalidArgument,
        "application argocd/guestbook does not have deployment with id 7",
    ),
    (
        "Rollback: history without source",
        _with_history(app(), [{"id": 1, "revision": "abc"}]),
        1,
        FailedPrecondition,
        "cannot rollback to revision deployed with Argo CD v0.11 or lower. sync to revision instead.",
    ),
    (
        "SetAppOperation: busy",
        _with_history(_busy(app())),
        1,
        FailedPrecondition,
        "another operation is already in progress",
    ),
]


@pytest.mark.parametrize(
    ("case", "target", "history_id", "error", "message"), ROLLBACK_REFUSALS, ids=[r[0] for r in ROLLBACK_REFUSALS]
)
def test_rollback_refusals(
    case: str, target: dict[str, Any], history_id: int, error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as raised:
        rollback_operation(target, history_id, dry_run=False, prune=False, username="")
    assert str(raised.value) == message


def test_rollback_never_turns_auto_sync_off() -> None:
    target = _with_history(app(syncPolicy={"automated": {}}))
    with pytest.raises(FailedPrecondition):
        rollback_operation(target, 1, dry_run=False, prune=False, username="")
    assert target["spec"]["syncPolicy"] == {"automated": {}}


def test_sync_request_operation() -> None:
    """TestSyncAndTerminate: the spec's source; the request's options and retry replace the app's."""
    target = app(syncPolicy={"syncOptions": ["Validate=false"], "retry": {"limit": 2}})
    request = SyncRequest(
        revision="",
        prune=True,
        resources=(ResourceRef(group="apps", kind="Deployment", name="guestbook-ui", namespace="default"),),
        sync_options=("ServerSideApply=true",),
        retry={"limit": 1},
        username="admin",
    )
    assert sync_operation_from_request(target, request) == {
        "sync": {
            "source": SOURCE,
            "revision": "HEAD",
            "prune": True,
            "resources": [{"group": "apps", "kind": "Deployment", "name": "guestbook-ui", "namespace": "default"}],
            "syncOptions": ["ServerSideApply=true"],
        },
        "initiatedBy": {"username": "admin"},
        "retry": {"limit": 1},
    }
    plain = sync_operation_from_request(target, SyncRequest(dry_run=True))
    assert plain["sync"]["syncOptions"] == ["Validate=false"] and plain["retry"] == {"limit": 2}
    assert plain["sync"]["dryRun"] is True and plain["initiatedBy"] == {}


def test_sync_request_on_multi_source_app() -> None:
    target = app()
    del target["spec"]["source"]
    target["spec"]["sources"] = [SOURCE, {**SOURCE, "targetRevision": "v2"}]
    operation = sync_operation_from_request(target, SyncRequest())
    assert operation["sync"] == {"sources": [SOURCE, {**SOURCE, "targetRevision": "v2"}], "revisions": ["HEAD", "v2"]}


SYNC_REFUSALS = [
    ("Sync: deleting", _deleting(app()), SyncRequest(), "application is deleting"),
    (
        "TestSyncRBACOverrideNotRequired_DiffRevisionWithAutosyncPrevented",
        app(syncPolicy={"automated": {"prune": True, "selfHeal": True}}),
        SyncRequest(revision="revisionbranch"),
        "Cannot sync to revisionbranch: auto-sync currently set to HEAD",
    ),
    ("SetAppOperation: busy", _busy(app()), SyncRequest(), "another operation is already in progress"),
]


@pytest.mark.parametrize(("case", "target", "request_", "message"), SYNC_REFUSALS, ids=[r[0] for r in SYNC_REFUSALS])
def test_sync_request_refusals(case: str, target: dict[str, Any], request_: SyncRequest, message: str) -> None:
    with pytest.raises(FailedPrecondition) as raised:
        sync_operation_from_request(target, request_)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("case", "spec", "request_"),
    [
        (
            "resolveSourceRevisions: a dry run may",
            {"syncPolicy": {"automated": {}}},
            SyncRequest(revision="main", dry_run=True),
        ),
        ("resolveSourceRevisions: the target itself", {"syncPolicy": {"automated": {}}}, SyncRequest(revision="HEAD")),
        ("resolveSourceRevisions: without auto-sync", {}, SyncRequest(revision="main")),
        (
            "resolveSourceRevisions: auto-sync off",
            {"syncPolicy": {"automated": {"enabled": False}}},
            SyncRequest(revision="main"),
        ),
    ],
)
def test_sync_to_another_revision_allowed(case: str, spec: dict[str, Any], request_: SyncRequest) -> None:
    operation = sync_operation_from_request(app(**spec), request_)
    assert operation["sync"]["revision"] == request_.revision, case


def test_terminate() -> None:
    """TestSyncAndTerminate: the running operation becomes Terminating; the rest of the app is unchanged."""
    target = app()
    target["operation"] = {"sync": {"revision": "HEAD"}}
    target["status"]["operationState"] = running_state(target["operation"], NOW)
    updated = terminate(target)
    assert updated["status"]["operationState"]["phase"] == "Terminating"
    assert target["status"]["operationState"]["phase"] == "Running"
    assert {**updated, "status": {}} == {**target, "status": {}}


@pytest.mark.parametrize("running", [False, True])
def test_terminate_without_operation(running: bool) -> None:
    """TerminateOperation: no `operation` (or no record of it) is InvalidArgument (HTTP 400)."""
    target = app()
    if running:
        target["status"]["operationState"] = running_state({"sync": {}}, NOW)
    with pytest.raises(InvalidArgument) as raised:
        terminate(target)
    assert str(raised.value) == "Unable to terminate operation. No operation is in progress"
