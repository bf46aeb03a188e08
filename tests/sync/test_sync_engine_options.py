"""Sync options and policies an Application sets: CreateNamespace, ServerSideApply, ApplyOutOfSyncOnly, retry."""

from __future__ import annotations

from sync_fixtures import settings

from support.gitops import Child, config_map, write_repo


def _options(*options):
    return {"syncOptions": list(options)}


def test_create_namespace_creates_the_destination_namespace_first(cluster, tmp_path):
    run = cluster.sync(
        write_repo(
            tmp_path,
            [Child("one", [config_map("a", "fresh")], namespace="fresh", sync_policy=_options("CreateNamespace=true"))],
        )
    )

    assert run.result.exit_code == 0, run.result.message
    first = run.of("applied", app="one")[0]
    assert (first["kind"], first["resource"], first["phase"], first["result"]) == (
        "Namespace",
        "fresh",
        "PreSync",
        "created",
    )
    assert cluster.get("v1", "Namespace", "fresh")["status"]["phase"] == "Active"
    assert cluster.exists("v1", "ConfigMap", "a", "fresh")


def test_without_create_namespace_a_missing_namespace_fails_the_app(cluster, tmp_path):
    repo = write_repo(tmp_path, [Child("one", [config_map("a", "fresh")], namespace="fresh", sync_policy=None)])

    run = cluster.sync(repo)

    assert run.result.exit_code == 1
    [finished] = run.of("app_finished", app="one")
    assert finished["message"] == 'namespaces "fresh" not found'
    assert not cluster.exists("v1", "Namespace", "fresh")


def test_server_side_apply_takes_back_fields_another_manager_changed(cluster, tmp_path):
    repo = write_repo(
        tmp_path,
        [Child("one", [config_map("a")], sync_policy=_options("CreateNamespace=true", "ServerSideApply=true"))],
    )
    assert cluster.sync(repo).result.exit_code == 0
    cluster.kube.apply(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "a", "namespace": "apps"},
            "data": {"key": "changed by hand"},
        },
        field_manager="someone-else",
        force=True,
    )

    run = cluster.sync(repo)

    assert run.result.exit_code == 0, run.result.message
    [applied] = run.of("applied", resource="a")
    assert applied["result"] == "configured"
    live = cluster.get("v1", "ConfigMap", "a", "apps")
    assert live["data"] == {"key": "a"}
    owners = {
        (m["manager"], m["operation"]) for m in live["metadata"]["managedFields"] if "f:key" in str(m.get("fieldsV1"))
    }
    assert owners == {("wavecd", "Apply")}


def test_apply_out_of_sync_only_applies_only_what_differs(cluster, tmp_path):
    policy = _options("CreateNamespace=true", "ApplyOutOfSyncOnly=true")
    cluster.sync(
        write_repo(
            tmp_path,
            [Child("one", [config_map("same"), config_map("edited"), config_map("drifted")], sync_policy=policy)],
        )
    )
    cluster.kube.patch("v1", "ConfigMap", "drifted", {"data": {"key": "drift"}}, namespace="apps")
    edited = config_map("edited")
    edited["data"] = {"key": "new value"}
    before = cluster.versions()

    run = cluster.sync(
        write_repo(tmp_path, [Child("one", [config_map("same"), edited, config_map("drifted")], sync_policy=policy)])
    )

    assert run.result.exit_code == 0, run.result.message
    results = {e["resource"]: (e["result"], e.get("message")) for e in run.of("applied", kind="ConfigMap")}
    assert results == {
        "same": ("unchanged", "in sync (ApplyOutOfSyncOnly)"),
        "edited": ("configured", None),
        "drifted": ("configured", None),
    }
    assert cluster.versions()["ConfigMap apps/same"] == before["ConfigMap apps/same"]
    assert cluster.get("v1", "ConfigMap", "drifted", "apps")["data"] == {"key": "drifted"}


def test_retry_tries_again_with_growing_delays_then_fails(cluster, tmp_path):
    # "1" is seconds, as in Argo CD; its first retry waits duration × factor (it counts the failure first)
    policy = {"retry": {"limit": 2, "backoff": {"duration": "1", "factor": 2, "maxDuration": "1m"}}}
    started = cluster.clock_now()

    run = cluster.sync(
        write_repo(tmp_path, [Child("one", [config_map("a", "missing")], namespace="missing", sync_policy=policy)])
    )

    assert (run.result.phase, run.result.exit_code) == ("Failed", 1)
    retries = run.of("retry", app="one")
    assert [(e["attempt"], e["delay"]) for e in retries] == [(1, 2.0), (2, 4.0)]
    assert all(e["message"] == 'namespaces "missing" not found' for e in retries)
    [finished] = run.of("app_finished", app="one")
    assert finished["sync"] == "Failed"
    names = [e["event"] for e in run.events if e.get("app") == "one"]
    assert names.index("app_finished") > max(i for i, name in enumerate(names) if name == "retry")
    assert cluster.clock_now() - started >= 6.0


def test_retry_recovers_when_the_cause_goes_away(cluster, tmp_path):
    policy = {"retry": {"limit": 3, "backoff": {"duration": "2s"}}}

    def create_the_namespace(event):
        if event["event"] == "retry":
            cluster.kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "late"}})

    run = cluster.sync(
        write_repo(tmp_path, [Child("one", [config_map("a", "late")], namespace="late", sync_policy=policy)]),
        on_event=create_the_namespace,
    )

    assert run.result.exit_code == 0, run.result.message
    assert [(e["attempt"], e["delay"]) for e in run.of("retry")] == [(1, 4.0)]
    assert cluster.exists("v1", "ConfigMap", "a", "late")


def test_replace_puts_back_exactly_what_git_says(cluster, tmp_path):
    replaced = config_map("a", annotations={"argocd.argoproj.io/sync-options": "Replace=true"})
    repo = write_repo(tmp_path, [Child("one", [replaced])])
    assert cluster.sync(repo).result.exit_code == 0
    cluster.kube.apply(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "a", "namespace": "apps"},
            "data": {"extra": "added by hand"},
        },
        field_manager="someone-else",
    )

    run = cluster.sync(repo)

    assert run.result.exit_code == 0, run.result.message
    assert cluster.get("v1", "ConfigMap", "a", "apps")["data"] == {"key": "a"}


def test_a_dry_run_that_fails_is_not_retried(cluster, tmp_path):
    # The app would retry 5 times by its policy; a dry run changes nothing, so its failure is final at once.
    policy = {"automated": {}, "retry": {"limit": 5, "backoff": {"duration": "10s"}}}
    started = cluster.clock_now()

    run = cluster.sync(
        write_repo(tmp_path, [Child("one", [config_map("a", "missing")], namespace="missing", sync_policy=policy)]),
        settings=settings(dry_run=True),
    )

    assert run.of("retry") == []
    [finished] = run.of("app_finished", app="one")
    assert (finished["sync"], finished["message"]) == ("Failed", 'namespaces "missing" not found')
    assert run.result.exit_code == 1
    assert cluster.clock_now() - started < 20.0
