"""Auto-sync and self-heal decided as Argo CD's application controller decides them.

Each case names the Argo CD test (controller/appcontroller_test.go) or function it reproduces; the apps
are built like that file's `fakeApp` and `fakeMultiSourceApp`, and the texts are Argo CD's.
"""

from __future__ import annotations

import copy
import datetime
from typing import Any

import pytest

from wavecd.server.autosync import (
    Comparison,
    Condition,
    ResourceStatus,
    SelfHealBackoff,
    Skip,
    Sync,
    Wait,
    decide,
)

NOW = datetime.datetime(2026, 12, 7, 12, 0, 0, tzinfo=datetime.UTC)
A = "a" * 40
B = "b" * 40
SOURCE = {"path": "some/path", "repoURL": "https://github.com/argoproj/argocd-example-apps.git"}
SOURCES = [
    {"path": "some/path", "helm": {"valueFiles": ["$values_test/values.yaml"]}, "repoURL": "https://x/a.git"},
    {"path": "some/other/path", "repoURL": "https://x/b.git"},
    {"ref": "values_test", "repoURL": "https://x/c.git"},
]
GUESTBOOK = ResourceStatus(group="apps", kind="Deployment", name="guestbook", namespace="default")


def fake_app(**automated: Any) -> dict[str, Any]:
    """Argo CD's `fakeApp`: automated sync, last synced to aaaa… successfully."""
    return {
        "metadata": {"name": "my-app", "namespace": "argocd"},
        "spec": {"project": "default", "source": dict(SOURCE), "syncPolicy": {"automated": dict(automated)}},
        "status": {
            "operationState": {
                "finishedAt": "2018-09-21T23:50:29Z",
                "message": "successfully synced",
                "operation": {"sync": {"revision": "HEAD"}},
                "phase": "Succeeded",
                "startedAt": "2018-09-21T23:50:25Z",
                "syncResult": {"revision": A, "source": dict(SOURCE)},
            }
        },
    }


def fake_multi_source_app(**automated: Any) -> dict[str, Any]:
    """Argo CD's `fakeMultiSourceApp`."""
    return {
        "metadata": {"name": "my-app", "namespace": "argocd"},
        "spec": {"sources": copy.deepcopy(SOURCES), "syncPolicy": {"automated": dict(automated)}},
        "status": {
            "operationState": {
                "finishedAt": "2018-09-21T23:50:29Z",
                "message": "successfully synced",
                "operation": {"sync": {"revisions": ["HEAD", "HEAD", "HEAD"]}},
                "phase": "Succeeded",
                "startedAt": "2018-09-21T23:50:25Z",
                "syncResult": {"revisions": [A, B, "c" * 40], "sources": copy.deepcopy(SOURCES)},
            }
        },
    }


def out_of_sync(
    *revisions: str, resources: tuple[ResourceStatus, ...] = (GUESTBOOK,), changed: bool = True
) -> Comparison:
    return Comparison(status="OutOfSync", revisions=revisions, resources=resources, revision_has_changes=changed)


def with_state(app: dict[str, Any], **fields: Any) -> dict[str, Any]:
    app["status"]["operationState"].update(fields)
    return app


def test_auto_sync_writes_argo_cd_operation() -> None:
    """TestAutoSync: OutOfSync at a new revision starts a sync, without prune, retried 5 times."""
    decision = decide(fake_app(), out_of_sync(B), now=NOW)
    assert decision == Sync(
        operation={
            "sync": {"source": SOURCE, "revision": B},
            "initiatedBy": {"automated": True},
            "retry": {"limit": 5},
        },
        event=f"Initiated automated sync to '{B}'",
    )


def test_auto_sync_copies_prune_sync_options_and_spec_retry() -> None:
    """autoSync: `prune` from automated, `syncOptions` and `retry` from the spec's syncPolicy."""
    app = fake_app(prune=True)
    retry = {"limit": 2, "backoff": {"duration": "10s", "factor": 3, "maxDuration": "1m"}}
    app["spec"]["syncPolicy"].update(syncOptions=["CreateNamespace=true"], retry=retry)
    decision = decide(app, out_of_sync(B), now=NOW)
    assert isinstance(decision, Sync)
    assert decision.operation["sync"]["prune"] is True
    assert decision.operation["sync"]["syncOptions"] == ["CreateNamespace=true"]
    assert decision.operation["retry"] == retry


def test_auto_sync_enabled_set_to_true() -> None:
    """TestAutoSyncEnabledSetToTrue."""
    assert isinstance(decide(fake_app(enabled=True), out_of_sync(B), now=NOW), Sync)


def _deleting(app: dict[str, Any]) -> dict[str, Any]:
    app["metadata"]["deletionTimestamp"] = "2026-12-07T11:00:00Z"
    return app


def _operation_set(app: dict[str, Any]) -> dict[str, Any]:
    app["operation"] = {"sync": {"revision": B}}
    return app


def _no_policy(app: dict[str, Any]) -> dict[str, Any]:
    app["spec"].pop("syncPolicy")
    return app


SKIPS = [
    ("TestSkipAutoSync/PreviouslySyncedToRevision", fake_app(), out_of_sync(A), f"most recent sync already to [{A}]"),
    (
        "TestSkipAutoSync/AlreadyInSyncedState",
        fake_app(),
        Comparison(status="Synced", revisions=(B,)),
        "application status is Synced",
    ),
    ("TestSkipAutoSync/AutoSyncIsDisabled", _no_policy(fake_app()), out_of_sync(B), "not enabled"),
    ("TestSkipAutoSync/AutoSyncEnableFieldIsSetFalse", fake_app(enabled=False), out_of_sync(B), "not enabled"),
    ("TestSkipAutoSync/ApplicationIsMarkedForDeletion", _deleting(fake_app()), out_of_sync(B), "deletion"),
    ("autoSync: an operation is set", _operation_set(fake_app()), out_of_sync(B), "another operation"),
    (
        "TestSkipAutoSync/NeedsToPruneResourcesOnlyButAutomatedPruneDisabled",
        fake_app(),
        out_of_sync(B, resources=(ResourceStatus("apps", "Deployment", "guestbook", requires_pruning=True),)),
        "need to prune extra resources only but automated prune is disabled",
    ),
    (
        "TestAutoSyncMultiSourceWithoutSelfHeal/ClusterObjectChangeShouldNotTriggerAutoSync",
        fake_multi_source_app(selfHeal=False),
        out_of_sync(A, B, "c" * 40),
        "most recent sync already to",
    ),
]


@pytest.mark.parametrize(("case", "app", "comparison", "reason"), SKIPS, ids=[row[0] for row in SKIPS])
def test_skips(case: str, app: dict[str, Any], comparison: Comparison, reason: str) -> None:
    decision = decide(app, comparison, now=NOW)
    assert isinstance(decision, Skip), case
    assert reason in decision.reason


@pytest.mark.parametrize("phase", ["Failed", "Error"])
def test_previous_attempt_failed_reports_sync_error(phase: str) -> None:
    """TestSkipAutoSync/PreviousSyncAttemptFailed and …Error, TestAutoSyncIndicateError: the same revision and
    source failed last time, so no new sync; the condition carries the last message."""
    app = with_state(fake_app(), phase=phase, message="one or more objects failed to apply")
    app["status"]["operationState"]["syncResult"]["revision"] = B
    decision = decide(app, out_of_sync(B), now=NOW)
    assert decision == Condition("SyncError", f"Failed last sync attempt to [{B}]: one or more objects failed to apply")


def test_completed_without_result_counts_as_attempted() -> None:
    """TestAlreadyAttemptSync/no sync result for completed sync: the last revisions print as `[]`."""
    app = with_state(fake_app(), phase="Error", message="boom")
    del app["status"]["operationState"]["syncResult"]
    assert decide(app, out_of_sync(B), now=NOW) == Condition("SyncError", "Failed last sync attempt to []: boom")


def test_parameter_override_changes_source_so_it_syncs_again() -> None:
    """TestAutoSyncParameterOverrides/Single source: same SHA but the source changed since the failed try."""
    app = with_state(fake_app(), phase="Failed")
    app["spec"]["source"]["helm"] = {"parameters": [{"name": "a", "value": "1"}]}
    app["status"]["operationState"]["syncResult"]["source"]["helm"] = {"parameters": [{"name": "a", "value": "2"}]}
    assert isinstance(decide(app, out_of_sync(A), now=NOW), Sync)


def test_multi_source_new_revisions_sync_with_spec_sources() -> None:
    """TestAutoSyncMultiSourceWithoutSelfHeal/NewRevisionChangeShouldTriggerAutoSync: the operation carries
    the spec's sources and the resolved revisions, and no single source."""
    decision = decide(fake_multi_source_app(selfHeal=False), out_of_sync("a", "b", "c"), now=NOW)
    assert decision == Sync(
        operation={
            "sync": {"sources": SOURCES, "revisions": ["a", "b", "c"]},
            "initiatedBy": {"automated": True},
            "retry": {"limit": 5},
        },
        event="Initiated automated sync to 'a, b, c'",
    )


def test_not_allow_empty() -> None:
    """TestAutoSyncNotAllowEmpty: prune on, allowEmpty off, nothing would be left."""
    decision = decide(fake_app(prune=True), out_of_sync(B, resources=()), now=NOW)
    assert decision == Condition("SyncError", f"Skipping sync attempt to [{B}]: auto-sync will wipe out all resources")


def test_allow_empty() -> None:
    """TestAutoSyncAllowEmpty."""
    assert isinstance(decide(fake_app(prune=True, allowEmpty=True), out_of_sync(B, resources=()), now=NOW), Sync)


# TestAlreadyAttemptSync, single source and multi-source: (case, synced revision(s), synced source(s),
# spec source(s), desired revisions, revision has changes, attempted?). An attempted sync that succeeded
# without selfHeal is skipped; one not attempted starts a sync.
ALREADY_ATTEMPTED = [
    ("single/no revision", A, SOURCE, SOURCE, (), True, False),
    ("single/empty revision", A, SOURCE, SOURCE, ("",), True, False),
    ("single/same manifest, same SHA with changes", "sha", SOURCE, SOURCE, ("sha",), True, True),
    ("single/same manifest, different SHA with changes", "sha1", SOURCE, SOURCE, ("sha2",), True, False),
    ("single/same manifest, different SHA without changes", "sha1", SOURCE, SOURCE, ("sha2",), False, True),
    (
        "single/different manifest, same SHA with changes",
        "sha",
        {"targetRevision": "branch1"},
        {"targetRevision": "branch2"},
        ("sha",),
        True,
        False,
    ),
    (
        "single/different manifest, different SHA with changes",
        "sha1",
        {"path": "f1"},
        {"path": "f2"},
        ("sha2",),
        True,
        False,
    ),
    (
        "single/different manifest, different SHA without changes",
        "sha1",
        {"path": "f1"},
        {"path": "f2"},
        ("sha2",),
        False,
        False,
    ),
    (
        "single/different manifest, same SHA without changes",
        "sha",
        {"path": "f1"},
        {"path": "f2"},
        ("sha",),
        False,
        False,
    ),
    (
        "single/zero-valued fields are Go's absent fields",
        "sha",
        {"path": "p", "chart": ""},
        {"path": "p"},
        ("sha",),
        True,
        True,
    ),
    (
        "multi/same manifest, same SHAs with changes",
        ["a", "b"],
        [{"path": "1"}, {"path": "2"}],
        [{"path": "1"}, {"path": "2"}],
        ("a", "b"),
        True,
        True,
    ),
    (
        "multi/same manifest, different SHAs with changes",
        ["a=", "b1"],
        [{"path": "1"}, {"path": "2"}],
        [{"path": "1"}, {"path": "2"}],
        ("a2", "b2"),
        True,
        False,
    ),
    (
        "multi/same manifest, different SHA without changes",
        ["a=", "b1"],
        [{"path": "1"}, {"path": "2"}],
        [{"path": "1"}, {"path": "2"}],
        ("a2", "b2"),
        False,
        True,
    ),
    (
        "multi/different manifest, same SHA with changes",
        ["a2", "b2"],
        [{"targetRevision": "branch1"}, {"targetRevision": "branch2"}],
        [{"targetRevision": "branch1"}, {"targetRevision": "branch3"}],
        ("a2", "b2"),
        False,
        False,
    ),
    (
        "multi/different manifest, different SHA with changes",
        ["a", "b"],
        [{"path": "1"}, {"path": "2"}],
        [{"path": "1"}, {"path": "3"}],
        ("a", "b2"),
        True,
        False,
    ),
    (
        "multi/different manifest, different SHA without changes",
        ["a", "b"],
        [{"path": "1"}, {"path": "2"}],
        [{"path": "1"}, {"path": "3"}],
        ("a", "b2"),
        False,
        False,
    ),
    (
        "multi/different manifest, same SHA without changes",
        ["a", "b"],
        [{"path": "1"}, {"path": "2"}],
        [{"path": "1"}, {"path": "3"}],
        ("a", "b"),
        False,
        False,
    ),
]


@pytest.mark.parametrize(
    ("case", "synced", "synced_source", "spec_source", "desired", "changed", "attempted"),
    ALREADY_ATTEMPTED,
    ids=[row[0] for row in ALREADY_ATTEMPTED],
)
def test_already_attempted(
    case: str,
    synced: Any,
    synced_source: Any,
    spec_source: Any,
    desired: tuple[str, ...],
    changed: bool,
    attempted: bool,
) -> None:
    """TestAlreadyAttemptSync, observed through what auto-sync does with the answer."""
    if isinstance(synced, list):
        app = fake_multi_source_app()
        app["spec"]["sources"] = spec_source
        app["status"]["operationState"]["syncResult"] = {"revisions": synced, "sources": synced_source}
    else:
        app = fake_app()
        app["spec"]["source"] = spec_source
        app["status"]["operationState"]["syncResult"] = {"revision": synced, "source": synced_source}
    decision = decide(app, out_of_sync(*desired, changed=changed), now=NOW)
    assert isinstance(decision, Skip if attempted else Sync), case


@pytest.mark.parametrize(
    ("case", "state"),
    [
        ("TestAlreadyAttemptSync/no operation state", None),
        ("TestAlreadyAttemptSync/no sync result for running sync", {"phase": "Running"}),
    ],
)
def test_not_attempted_without_result(case: str, state: dict[str, Any] | None) -> None:
    app = fake_app()
    if state is None:
        del app["status"]["operationState"]
    else:
        app["status"]["operationState"] = state
    assert isinstance(decide(app, out_of_sync(A), now=NOW), Sync), case


def _finished(seconds_ago: float | None) -> str | None:
    if seconds_ago is None:
        return None
    return (NOW - datetime.timedelta(seconds=seconds_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


# TestSelfHealRemainingBackoff, with its backoff (2 s × 3, cap 2 min): (attempts, finished seconds ago,
# remaining seconds). A remaining wait ≤ 0 means self-heal now.
ARGO_CD_TABLE = [
    (0, 0, 0),
    (1, 0, 2),
    (2, 0, 6),
    (3, None, 18),
    (4, None, 54),
    (5, None, 120),
    (6, None, 120),
    (6, 0, 120),
    (40, 60, 60),
]


def _self_heal_app(attempts: int, finished: str | None) -> dict[str, Any]:
    app = fake_app(selfHeal=True)
    state = app["status"]["operationState"]
    state["operation"]["sync"]["autoHealAttemptsCount"] = attempts
    if finished is None:
        del state["finishedAt"]
    else:
        state["finishedAt"] = finished
    return app


@pytest.mark.parametrize(("attempts", "ago", "remaining"), ARGO_CD_TABLE)
def test_self_heal_remaining_backoff(attempts: int, ago: float | None, remaining: float) -> None:
    """TestSelfHealRemainingBackoff: the same table, through `decide`."""
    backoff = SelfHealBackoff(timeout=2, factor=3, cap=120)
    decision = decide(_self_heal_app(attempts, _finished(ago)), out_of_sync(A), now=NOW, backoff=backoff)
    if remaining <= 0:
        assert isinstance(decision, Sync)
    else:
        assert decision == Wait(remaining)


@pytest.mark.parametrize(
    ("attempts", "delay"), [(0, 0), (1, 2), (2, 6), (3, 18), (4, 54), (5, 162), (6, 300), (7, 300)]
)
def test_default_self_heal_backoff(attempts: int, delay: float) -> None:
    """The controller's defaults (2 s, ×3, cap 300 s) wait 0, 2, 6, 18, 54, 162, 300 s after the last end."""
    assert SelfHealBackoff().delay(attempts) == delay


def test_huge_attempt_count_is_answered_at_once() -> None:
    """The count comes from the object: a huge one must not walk the backoff step by step."""
    assert SelfHealBackoff(factor=1).delay(10**18) == 2
    assert SelfHealBackoff(cap=0).delay(10**18) == float("inf")


def test_self_heal_timeout_applies_only_without_backoff() -> None:
    """selfHealRemainingBackoff: with the backoff off (timeout 0) the fixed `--self-heal-timeout-seconds`."""
    assert SelfHealBackoff(timeout=0, self_heal_timeout=5).delay(7) == 5
    app = _self_heal_app(3, _finished(2))
    assert decide(app, out_of_sync(A), now=NOW, backoff=SelfHealBackoff(timeout=0, self_heal_timeout=5)) == Wait(3)


def test_self_heal_is_a_partial_sync_of_what_drifted() -> None:
    """autoSync's self-heal: count + 1, and `resources` = the non-Synced ones, without their namespace."""
    synced = ResourceStatus("", "Service", "guestbook", namespace="default", status="Synced")
    drifted = ResourceStatus("", "ConfigMap", "settings", namespace="default")
    app = _self_heal_app(2, _finished(60))
    decision = decide(app, out_of_sync(A, resources=(GUESTBOOK, synced, drifted)), now=NOW)
    assert isinstance(decision, Sync)
    assert decision.operation["sync"]["autoHealAttemptsCount"] == 3
    assert decision.operation["sync"]["resources"] == [
        {"group": "apps", "kind": "Deployment", "name": "guestbook"},
        {"kind": "ConfigMap", "name": "settings"},
    ]
    assert decision.event == f"Initiated automated sync to '{A}'"


def test_self_heal_waits_inside_backoff() -> None:
    """After 2 self-heals the third waits 6 s from the last end: 4 s left when it ended 2 s ago."""
    assert decide(_self_heal_app(2, _finished(2)), out_of_sync(A), now=NOW) == Wait(4)


def test_decide_leaves_the_app_alone() -> None:
    """The controller may keep the object it passed in: nothing in it changes, nor through the operation."""
    app = _self_heal_app(1, _finished(60))
    app["spec"]["syncPolicy"]["retry"] = {"limit": 1}
    before = copy.deepcopy(app)
    decision = decide(app, out_of_sync(A), now=NOW)
    assert isinstance(decision, Sync)
    decision.operation["retry"]["limit"] = 9
    decision.operation["sync"]["source"]["path"] = "elsewhere"
    assert app == before
