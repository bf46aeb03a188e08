"""What stops a rollout and what a user is told: a Deployment that never becomes ready (timeout), one that
fails (Degraded), and a custom resource applied before its CRD exists."""

from __future__ import annotations

import shutil
import threading

from sync_fixtures import settings

from support.gitops import Child, config_map, crd, custom, deployment, write_repo

OUTCOME = "sim.wavecd.io/outcome"


def _later_objects_exist(cluster):
    return [
        what
        for what in (
            ("v1", "ConfigMap", "same-app-later", "apps"),
            ("v1", "ConfigMap", "next", "next"),
            ("v1", "Namespace", "next", None),
        )
        if cluster.exists(*what)
    ]


def _tree(outcome):
    return [
        Child(
            "stuck", [deployment("web", annotations={OUTCOME: outcome}), config_map("same-app-later", wave=1)], wave=0
        ),
        Child("after", [config_map("next", "next")], wave=1, namespace="next"),
    ]


def test_a_deployment_that_never_becomes_ready_times_out(cluster, tmp_path):
    run = cluster.sync(write_repo(tmp_path, _tree("never")), settings(timeout=20))

    assert (run.result.phase, run.result.exit_code) == ("TimedOut", 3)
    [summary] = run.of("summary")
    assert (summary["phase"], summary["exit_code"]) == ("TimedOut", 3)
    waits = run.of("waiting", app="stuck")
    assert waits
    blockers = [b for e in waits for b in e["blockers"]]
    assert {(b["kind"], b["name"], b["health"]) for b in blockers} == {("Deployment", "web", "Progressing")}
    # The condition as `kubectl rollout status` words it, reported again each time it changes.
    assert "Waiting for rollout to finish: 0 of 1 updated replicas are available..." in {b["message"] for b in blockers}
    assert all(b["message"].startswith("Waiting for rollout to finish") for b in blockers)
    assert run.of("app_started", app="after") == []
    assert _later_objects_exist(cluster) == []


def test_a_wait_of_more_than_a_thousand_polls_still_ends_in_its_timeout(cluster, tmp_path):
    # 1500 polls: the poll's doubling (first_poll * 2**polls) once overflowed a float past about 1030 of them.
    run = cluster.sync(write_repo(tmp_path, _tree("never")), settings(timeout=150, poll_interval=0.1, first_poll=0.025))

    assert (run.result.phase, run.result.exit_code) == ("TimedOut", 3)


def test_a_failing_deployment_stops_the_rollout_at_its_wave(cluster, tmp_path):
    run = cluster.sync(write_repo(tmp_path, _tree("fail")))

    assert (run.result.phase, run.result.health, run.result.exit_code) == ("Failed", "Degraded", 1)
    [summary] = run.of("summary")
    assert summary["stopped_at"] == 0
    assert {k: summary["blocking"][k] for k in ("kind", "namespace", "name", "health")} == {
        "kind": "Deployment",
        "namespace": "apps",
        "name": "web",
        "health": "Degraded",
    }
    assert summary["blocking"]["message"] == 'Deployment "web" exceeded its progress deadline'
    [finished] = run.of("app_finished", app="stuck")
    assert (finished["health"], finished["sync"]) == ("Degraded", "Failed")
    assert run.of("app_started", app="after") == []
    assert _later_objects_exist(cluster) == []


def test_a_timeout_names_the_wave_and_object_it_stopped_at(cluster, tmp_path):
    run = cluster.sync(write_repo(tmp_path, _tree("never")), settings(timeout=20))

    [summary] = run.of("summary")
    assert summary["stopped_at"] == 0
    assert summary["blocking"]["name"] == "web"
    # the root (its children are not all Healthy) and the stuck app; `after` never started
    assert summary["apps"] == {"Progressing": 2, "NotStarted": 1}


def test_a_failed_rollout_counts_only_apps_it_never_reached_as_not_started(cluster, tmp_path):
    run = cluster.sync(write_repo(tmp_path, _tree("fail")))

    [summary] = run.of("summary")
    assert summary["apps"].get("NotStarted") == 1  # only `after`


def test_a_custom_resource_planned_before_its_crd_stops_the_sync(cluster, tmp_path):
    children = [
        Child("uses", [custom("example.com", "Widget", "w")], wave=0),
        Child("defines", [crd("example.com", "Widget", "widgets")], wave=1, namespace="defs"),
    ]
    run = cluster.sync(write_repo(tmp_path, children))

    assert (run.result.phase, run.result.exit_code, run.result.stopped_at) == ("Failed", 1, 0)
    [finished] = run.of("app_finished", app="uses")
    assert 'no matches for kind "Widget" in version "example.com/v1"' in finished["message"]
    assert run.of("summary")[0]["blocking"]["kind"] == "Widget"
    assert not cluster.exists("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.com")


def test_a_crd_in_an_earlier_tree_wave_lets_its_resources_apply(cluster, tmp_path):
    children = [
        Child("uses", [custom("example.com", "Widget", "w")], wave=1),
        Child("defines", [crd("example.com", "Widget", "widgets")], wave=0, namespace="defs"),
    ]
    run = cluster.sync(write_repo(tmp_path, children))

    assert run.result.exit_code == 0, run.result.message
    assert cluster.exists("example.com/v1", "Widget", "w", "apps")


def test_a_crd_and_its_resources_in_one_app_are_ordered_by_hoisting(cluster, tmp_path):
    manifests = [custom("example.com", "Widget", "w", wave=-1), crd("example.com", "Widget", "widgets", wave=3)]
    run = cluster.sync(write_repo(tmp_path, [Child("both", manifests)]))

    assert run.result.exit_code == 0, run.result.message
    assert run.applied("both")[1:] == [("CustomResourceDefinition", "widgets.example.com"), ("Widget", "w")]
    assert cluster.exists("example.com/v1", "Widget", "w", "apps")


def test_a_failing_app_lets_its_wave_siblings_finish_but_stops_the_next_wave(cluster, tmp_path):
    children = [
        Child("bad", [deployment("web", annotations={OUTCOME: "fail"})], wave=0),
        Child("good", [deployment("ok", "good")], wave=0, namespace="good"),
        Child("after", [config_map("next", "next")], wave=1, namespace="next"),
    ]
    run = cluster.sync(write_repo(tmp_path, children))

    assert (run.result.exit_code, run.result.stopped_at) == (1, 0)
    finished = {e["app"]: (e["health"], e["sync"]) for e in run.of("app_finished") if e["app"] != "root"}
    assert finished == {"bad": ("Degraded", "Failed"), "good": ("Healthy", "Synced")}
    bad = cluster.get("argoproj.io/v1alpha1", "Application", "bad", "argocd")["status"]
    assert (bad["health"]["status"], bad["sync"]["status"], bad["operationState"]["phase"]) == (
        "Degraded",
        "OutOfSync",
        "Failed",
    )
    assert not cluster.exists("argoproj.io/v1alpha1", "Application", "after", "argocd")
    assert not cluster.exists("v1", "Namespace", "next")


def test_a_failed_rollout_still_finishes_and_records_the_root(cluster, tmp_path):
    run = cluster.sync(write_repo(tmp_path, _tree("fail")))

    assert run.result.exit_code == 1
    assert {e["app"] for e in run.of("app_started")} == {e["app"] for e in run.of("app_finished")}
    root = cluster.get("argoproj.io/v1alpha1", "Application", "root", "argocd")["status"]
    assert (root["health"]["status"], root["sync"]["status"]) == ("Degraded", "OutOfSync")


def test_a_cancelled_sync_is_interrupted(cluster, tmp_path):
    cancel = threading.Event()

    def cancel_while_waiting(event):
        if event["event"] == "waiting":
            cancel.set()

    run = cluster.sync(write_repo(tmp_path, _tree("never")), on_event=cancel_while_waiting, cancel=cancel)

    assert (run.result.phase, run.result.exit_code) == ("Interrupted", 130)
    assert run.events[-1]["event"] == "summary"
    assert _later_objects_exist(cluster) == []


def test_an_app_that_cannot_be_rendered_fails_with_where_and_why(cluster, tmp_path):
    repo = write_repo(tmp_path, [Child("broken", [config_map("a")]), Child("after", [config_map("b")], wave=1)])
    for path in (repo / "manifests" / "broken").iterdir():
        path.unlink()
    (repo / "manifests" / "broken").rmdir()

    run = cluster.sync(repo)

    assert (run.result.exit_code, run.result.stopped_at) == (1, 0)
    [finished] = run.of("app_finished", app="broken")
    assert (finished["sync"], finished["message"]) == ("Failed", "manifests/broken: app path does not exist")
    assert run.of("app_started", app="after") == []


def test_an_unknown_kind_fails_the_app_before_anything_of_it_is_applied(cluster, tmp_path):
    manifests = [config_map("first"), custom("example.com", "Widget", "w", wave=1)]
    run = cluster.sync(write_repo(tmp_path, [Child("one", manifests)]))

    assert run.result.exit_code == 1
    assert not cluster.exists("v1", "ConfigMap", "first", "apps")


def test_a_timeout_records_the_stop_on_the_applications_it_caught(cluster, tmp_path):
    run = cluster.sync(write_repo(tmp_path, _tree("never")), settings(timeout=20))

    assert run.result.phase == "TimedOut"
    for name in ("stuck", "root"):  # the cluster must not keep an earlier sync's Healthy/Succeeded
        status = cluster.get("argoproj.io/v1alpha1", "Application", name, "argocd")["status"]
        assert (status["operationState"]["phase"], status["health"]["status"]) == ("Terminated", "Progressing")
    assert cluster.get("argoproj.io/v1alpha1", "Application", "after", "argocd") is None


def _healths(run):
    """(the tree's health, each wave's, the root row's) as the report shows them."""
    [summary] = run.of("summary")
    [root] = run.of("app_finished", app="root")
    return summary["health"], {e["wave"]: e["health"] for e in run.of("wave_finished")}, root["health"]


def test_the_tree_its_waves_and_the_root_agree_on_a_degraded_app(cluster, tmp_path):
    run = cluster.sync(write_repo(tmp_path, [Child("bad", [deployment("web", annotations={OUTCOME: "fail"})])]))

    assert _healths(run) == ("Degraded", {0: "Degraded"}, "Degraded")


def test_an_app_that_does_not_render_beside_a_degraded_one_is_the_health_of_all_three(cluster, tmp_path):
    repo = write_repo(
        tmp_path,
        [
            Child("bad", [deployment("web", annotations={OUTCOME: "fail"})]),
            Child("broken", [config_map("x")], namespace="other"),
        ],
    )
    shutil.rmtree(repo / "manifests" / "broken")  # its source path is gone: it cannot render

    run = cluster.sync(repo)

    finished = {e["app"]: e["health"] for e in run.of("app_finished") if e["app"] != "root"}
    assert finished == {"bad": "Degraded", "broken": "Unknown"}
    # Unknown ranks below Degraded in Argo CD's order, for the root's row as for the tree and the wave
    assert _healths(run) == ("Unknown", {0: "Unknown"}, "Unknown")
    root = cluster.get("argoproj.io/v1alpha1", "Application", "root", "argocd")["status"]
    assert root["health"]["status"] == "Unknown"
