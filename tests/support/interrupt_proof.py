"""The checks of the interruption proof (tests/sync/test_sync_proof_interrupt.py on the sim, and
tests/differential/ on a real apiserver): after a `wavecd sync` of the staging example stopped during wave -8,
the next sync ends Healthy, every object of the waves that had finished keeps its resourceVersion, and nothing
exists twice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from support.paths import STAGING
from support.snapshot import Key, live_objects, resource_versions, tracked_by
from support.sync_proofs import events_named, sync_in_process
from wavecd.kube import KubeClient

__all__ = ["INTERRUPTED_WAVE", "first_applied_in", "resync_and_check"]

INTERRUPTED_WAVE = -8
# The objects the rollout records for the tree itself (not reported as `applied`).
TREE = {("argoproj.io", "Application"), ("argoproj.io", "ApplicationSet")}


def first_applied_in(wave: int):
    return lambda event: event["event"] == "applied" and event.get("wave") == wave


def finished_apps(events: list[dict[str, Any]]) -> set[str]:
    """The apps of every tree wave the interrupted sync finished."""
    done = {e["wave"] for e in events_named(events, "wave_finished")}
    return {e["app"] for e in events_named(events, "app_finished") if e.get("wave") in done}


def versions_of(apps: set[str], objects: dict[Key, dict[str, Any]]) -> dict[Key, str]:
    """The resourceVersions of the objects those apps track, and of their Application objects."""
    mine = {
        key: obj
        for key, obj in objects.items()
        if tracked_by(obj) in apps or (key[1] == "Application" and key[3] in apps)
    }
    return resource_versions(mine)


def assert_nothing_twice(objects: dict[Key, dict[str, Any]], applied: list[dict[str, Any]], apps: set[str]) -> None:
    """Each app tracks exactly what it applied, there is one Application per app, and each Deployment has one
    ReplicaSet with its replicas in pods.

    Destination namespaces made by `CreateNamespace=true` (a PreSync Namespace task) are left out: every app
    sharing a destination reports one, while the one object can carry only one app's annotation."""
    cluster_scoped = {key[:2] for key in objects if not key[2]}
    created = {e["resource"] for e in applied if e["kind"] == "Namespace" and e["phase"] == "PreSync"}
    desired = {
        (
            e["app"],
            e["group"],
            e["kind"],
            "" if (e["group"], e["kind"]) in cluster_scoped else e["namespace"],
            e["resource"],
        )
        for e in applied
        if not (e["kind"] == "Namespace" and e["resource"] in created)
    }
    tracked = {
        (tracked_by(obj), *key)
        for key, obj in objects.items()
        if tracked_by(obj) is not None
        and key[:2] not in TREE
        and not (key[:2] == ("", "Namespace") and key[3] in created)
    }
    assert tracked - desired == set()
    assert desired - tracked == set()
    assert {key[3] for key in objects if key[:2] == ("argoproj.io", "Application")} == apps
    owners: dict[str, list[Key]] = {}
    for key, obj in objects.items():
        for ref in obj["metadata"].get("ownerReferences") or []:
            owners.setdefault(ref["uid"], []).append(key)
    deployments = [obj for key, obj in objects.items() if key[:2] == ("apps", "Deployment")]
    assert deployments
    for deploy in deployments:
        sets = owners.get(deploy["metadata"]["uid"], [])
        assert len(sets) == 1, f"{deploy['metadata']['name']}: ReplicaSets {sets}"
        pods = owners.get(objects[sets[0]]["metadata"]["uid"], [])
        assert len(pods) == deploy["spec"]["replicas"]


def resync_and_check(kubeconfig: Path, interrupted: list[dict[str, Any]]) -> None:
    """The staging example synced again after `interrupted`: Healthy, the finished waves' objects untouched
    (same resourceVersions, applied `unchanged`), nothing twice."""
    apps = finished_apps(interrupted)
    assert {"namespaces", "external-secrets"} <= apps  # waves -10 and -9 had finished
    with KubeClient.from_kubeconfig(str(kubeconfig)) as client:
        before = versions_of(apps, live_objects(client))
        assert len(before) > 30
        result, events = sync_in_process(STAGING, kubeconfig)
        assert (result.exit_code, result.phase, result.health) == (0, "Succeeded", "Healthy")
        after = live_objects(client)
    assert versions_of(apps, after) == before
    applied = events_named(events, "applied")
    assert {e["result"] for e in applied if e["app"] in apps} == {"unchanged"}
    assert_nothing_twice(after, applied, set(result.apps))
