"""Order inside one app (gitops-engine `pkg/sync/sync_tasks.go`, `sync_context.go`): phase, then wave, then
kind, with Namespaces and CRDs hoisted before their first user; and each wave applied only once the wave
before it is healthy."""

from __future__ import annotations

from support.gitops import Child, config_map, crd, custom, deployment, job, namespace, write_repo

READY_AFTER = "sim.wavecd.io/ready-after"


def _available(obj):
    conditions = ((obj or {}).get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Available" and c.get("status") == "True" for c in conditions)


def test_phase_wave_and_kind_order(cluster, tmp_path):
    manifests = [
        job("after", hook="PostSync"),
        config_map("late", wave=1),
        deployment("a-web"),
        config_map("z-settings"),
        config_map("early", wave=-1),
        config_map("in-extra", "extra", wave=2),
        namespace("extra", wave=5),  # declared later than its first object: hoisted
        custom("example.com", "Widget", "w", wave=3),
        crd("example.com", "Widget", "widgets", wave=5),
        job("before", hook="PreSync"),
    ]
    run = cluster.sync(write_repo(tmp_path, [Child("one", manifests)]))

    assert run.result.exit_code == 0, run.result.message
    assert run.applied("one") == [
        ("Namespace", "apps"),  # CreateNamespace=true: before everything
        ("Job", "before"),  # PreSync
        ("ConfigMap", "early"),  # wave -1
        ("ConfigMap", "z-settings"),  # wave 0: ConfigMap ranks before Deployment, whatever the names
        ("Deployment", "a-web"),
        ("ConfigMap", "late"),  # wave 1
        ("Namespace", "extra"),  # hoisted to the wave of its first object (2)
        ("ConfigMap", "in-extra"),
        ("CustomResourceDefinition", "widgets.example.com"),  # hoisted from 5 to its first resource's (3)
        ("Widget", "w"),
        ("Job", "after"),  # PostSync
    ]
    phases = {e["resource"]: (e["phase"], e["resource_wave"]) for e in run.of("applied", app="one")}
    assert phases["extra"] == ("Sync", 2)
    assert phases["widgets.example.com"] == ("Sync", 3)
    assert phases["after"][0] == "PostSync"


def test_next_wave_waits_until_the_wave_before_is_healthy(cluster, tmp_path):
    manifests = [deployment("web", annotations={READY_AFTER: "5s"}), config_map("settings", wave=1)]
    seen = []

    def observe(event):
        if event["event"] in ("waiting", "applied"):
            seen.append(
                (
                    event,
                    cluster.clock_now(),
                    _available(cluster.get("apps/v1", "Deployment", "web", "apps")),
                    cluster.exists("v1", "ConfigMap", "settings", "apps"),
                )
            )

    run = cluster.sync(write_repo(tmp_path, [Child("one", manifests)]), on_event=observe)

    assert run.result.exit_code == 0, run.result.message
    waits = [
        (at, available, config)
        for event, at, available, config in seen
        if event["event"] == "waiting" and any(b["name"] == "web" for b in event["blockers"])
    ]
    assert waits, "the sync never reported waiting on the Deployment"
    assert all(not available and not config for _, available, config in waits)
    # `applied` is reported once the ConfigMap is written: by then the Deployment was Available, 5 s in.
    [(at, available)] = [
        (at, available)
        for event, at, available, _ in seen
        if event["event"] == "applied" and event["resource"] == "settings"
    ]
    assert available
    assert at >= 5.0


def test_a_cluster_scoped_object_is_reported_without_a_namespace(cluster, tmp_path):
    manifests = [namespace("extra"), crd("example.com", "Widget", "widgets")]
    run = cluster.sync(write_repo(tmp_path, [Child("one", manifests)]))

    assert run.result.exit_code == 0, run.result.message
    assert {(e["kind"], e["namespace"]) for e in run.of("applied")} == {
        ("Namespace", ""),
        ("CustomResourceDefinition", ""),
    }
