"""Hooks (gitops-engine `pkg/sync/hook/`, `sync_context.go`): a PreSync Job runs to completion before the Sync
resources, delete policies remove it, a failing hook fails the app and runs its SyncFail hooks,
BeforeHookCreation replaces the last run."""

from __future__ import annotations

import re

from support.gitops import Child, deployment, job, write_repo

OUTCOME = "sim.wavecd.io/outcome"
DELETE_POLICY = "argocd.argoproj.io/hook-delete-policy"


def _complete(obj):
    conditions = ((obj or {}).get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Complete" and c.get("status") == "True" for c in conditions)


def test_a_presync_hook_completes_before_the_sync_resources(cluster, tmp_path):
    manifests = [deployment("web"), job("migrate", hook="PreSync")]
    hook_done_when_web_applied = []

    def observe(event):
        if event["event"] == "applied" and event["resource"] == "web":
            hook_done_when_web_applied.append(_complete(cluster.get("batch/v1", "Job", "migrate", "apps")))

    run = cluster.sync(write_repo(tmp_path, [Child("one", manifests)]), on_event=observe)

    assert run.result.exit_code == 0, run.result.message
    assert run.applied("one") == [("Namespace", "apps"), ("Job", "migrate"), ("Deployment", "web")]
    [hook] = run.of("applied", resource="migrate")
    assert (hook["phase"], hook["hook"]) == ("PreSync", True)
    assert hook_done_when_web_applied == [True]
    assert run.of("hook_deleted") == []
    assert cluster.exists("batch/v1", "Job", "migrate", "apps")


def test_hook_succeeded_deletes_the_hook_once_the_whole_sync_has_succeeded(cluster, tmp_path):
    # gitops-engine deletes HookSucceeded hooks only when the operation succeeds, not after their own step
    manifests = [deployment("web"), job("migrate", hook="PreSync", annotations={DELETE_POLICY: "HookSucceeded"})]
    run = cluster.sync(write_repo(tmp_path, [Child("one", manifests)]))

    assert run.result.exit_code == 0, run.result.message
    names = [(e["event"], e.get("resource") or e.get("app")) for e in run.events]
    assert (
        names.index(("applied", "web"))
        < names.index(("hook_deleted", "migrate"))
        < names.index(("app_finished", "one"))
    )
    running = [
        b
        for e in run.of("waiting", app="one")
        for b in e["blockers"]
        if b["name"] == "migrate" and b["message"] != "waiting for deletion"
    ]
    assert running and all(b["health"] == "Progressing" for b in running)  # it ran for a while, then passed
    assert [(e["resource"], e["policy"]) for e in run.of("hook_deleted")] == [("migrate", "HookSucceeded")]
    assert not cluster.exists("batch/v1", "Job", "migrate", "apps")


def test_a_failing_hook_fails_the_app_and_runs_its_sync_fail_hook(cluster, tmp_path):
    manifests = [
        deployment("web"),
        job("migrate", hook="PreSync", annotations={OUTCOME: "fail"}),
        job("clean-up", hook="SyncFail"),
    ]
    run = cluster.sync(write_repo(tmp_path, [Child("one", manifests)]))

    assert (run.result.phase, run.result.exit_code) == ("Failed", 1)
    [finished] = run.of("app_finished", app="one")
    assert finished["sync"] == "Failed"
    assert (finished["blocking"]["kind"], finished["blocking"]["name"]) == ("Job", "migrate")
    assert run.applied("one") == [("Namespace", "apps"), ("Job", "migrate"), ("Job", "clean-up")]
    [sync_fail] = run.of("applied", resource="clean-up")
    assert sync_fail["phase"] == "SyncFail"
    assert _complete(cluster.get("batch/v1", "Job", "clean-up", "apps"))
    assert not cluster.exists("apps/v1", "Deployment", "web", "apps")


def test_before_hook_creation_replaces_the_previous_run_of_a_hook(cluster, tmp_path):
    repo = write_repo(tmp_path, [Child("one", [deployment("web"), job("migrate", hook="PreSync")])])
    first = cluster.sync(repo)
    assert first.result.exit_code == 0, first.result.message
    first_uid = cluster.get("batch/v1", "Job", "migrate", "apps")["metadata"]["uid"]

    second = cluster.sync(repo)

    assert second.result.exit_code == 0, second.result.message
    assert [(e["resource"], e["policy"]) for e in second.of("hook_deleted")] == [("migrate", "BeforeHookCreation")]
    [applied] = second.of("applied", resource="migrate")
    assert applied["result"] == "created"
    rerun = cluster.get("batch/v1", "Job", "migrate", "apps")
    assert rerun["metadata"]["uid"] != first_uid
    assert _complete(rerun)


def test_hook_failed_deletes_the_failed_hook_and_skip_is_never_applied(cluster, tmp_path):
    manifests = [
        deployment("web"),
        job("migrate", hook="PreSync", annotations={OUTCOME: "fail", DELETE_POLICY: "HookFailed"}),
        job("clean-up", hook="SyncFail", annotations={DELETE_POLICY: "HookSucceeded"}),
        job("manual", annotations={"argocd.argoproj.io/hook": "Skip"}),
    ]
    run = cluster.sync(write_repo(tmp_path, [Child("one", manifests)]))

    assert run.result.exit_code == 1
    assert [(e["resource"], e["policy"]) for e in run.of("hook_deleted")] == [
        ("migrate", "HookFailed"),
        ("clean-up", "HookSucceeded"),
    ]
    assert run.of("applied", resource="manual") == []
    assert cluster.kube.list("batch/v1", "Job", "apps") == []


def test_a_hook_with_only_a_generate_name_is_named_as_argo_cd_names_it(cluster, tmp_path):
    hook = job("migrate", hook="PreSync")
    hook["metadata"] = {"generateName": "migrate-", "namespace": "apps", "annotations": hook["metadata"]["annotations"]}
    run = cluster.sync(write_repo(tmp_path, [Child("one", [hook, deployment("web")])]))

    assert run.result.exit_code == 0, run.result.message
    [applied] = run.of("applied", kind="Job")
    # generateName + lower(revision[:7] + "-" + phase + "-" + start time in Unix seconds)
    assert re.fullmatch(r"migrate-[a-z0-9]*-presync-\d{10}", applied["resource"]), applied["resource"]
    assert cluster.exists("batch/v1", "Job", applied["resource"], "apps")
