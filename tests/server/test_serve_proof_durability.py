"""Proof: operations are durable. `wavecd serve` rolls examples/staging into a `wavecd sim serve` subprocess
with 2 s between waves, so the first rollout is long enough to interrupt. SIGKILL the controller in the middle:
the operations it had not finished are still recorded on their Applications, and a new controller finishes
them. SIGKILL the cluster instead (its objects kept in `--state`, restarted on the same address, as an API
server restarts): the running controller reaches it again by itself. Either way the tree ends Synced and
Healthy and nothing exists twice: one ReplicaSet per Deployment, one object per tracking id, one history entry
per revision.
"""

from __future__ import annotations

import collections
import time
from pathlib import Path
from typing import Any

import pytest

from support.registries import free_port
from support.serve import ServeProcess, settled, synced_and_healthy
from support.sim_server import SimServer
from support.snapshot import Key, copy_examples, tracking_id
from wavecd.kube import KubeClient

pytestmark = pytest.mark.slow

APPS = 46
WAVE_DELAY = {"ARGOCD_SYNC_WAVE_DELAY": "2"}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_examples(tmp_path) / "root-staging.yaml"


def serving(root: Path, cluster: SimServer, folder: Path) -> ServeProcess:
    return ServeProcess(root, cluster.kubeconfig, folder, "--poll", "0", env=WAVE_DELAY).start()


def succeeded(app: dict[str, Any]) -> bool:
    return not app.get("operation") and ((app.get("status") or {}).get("operationState") or {}).get("phase") == (
        "Succeeded"
    )


def midway(apps: dict[str, dict[str, Any]]) -> bool:
    """Some apps' operations are done and some are still to come: the rollout is in the middle."""
    done = sum(map(succeeded, apps.values()))
    return len(apps) == APPS and APPS // 4 <= done <= APPS // 2


def everything_synced(apps: dict[str, dict[str, Any]]) -> bool:
    return len(apps) == APPS and all(map(synced_and_healthy, apps.values()))


def recorded_operations(client: KubeClient) -> dict[str, str]:
    """The Applications that carry an `operation`, as the cluster holds them, with when a running one started."""
    return {
        app["metadata"]["name"]: ((app.get("status") or {}).get("operationState") or {}).get("startedAt", "")
        for app in client.list("argoproj.io/v1alpha1", "Application")
        if app.get("operation")
    }


def assert_nothing_twice(objects: dict[Key, dict[str, Any]], apps: dict[str, dict[str, Any]]) -> None:
    deployments = {obj["metadata"]["uid"]: key for key, obj in objects.items() if key[:2] == ("apps", "Deployment")}
    assert len(deployments) > 20
    replica_sets: dict[str, list[str]] = collections.defaultdict(list)
    for key, obj in objects.items():
        if key[:2] == ("apps", "ReplicaSet"):
            for owner in obj["metadata"].get("ownerReferences") or []:
                if owner["uid"] in deployments:
                    replica_sets[owner["uid"]].append(obj["metadata"]["labels"]["pod-template-hash"])
    # One rollout of one revision: exactly one ReplicaSet for each Deployment.
    assert {deployments[uid]: hashes for uid, hashes in replica_sets.items() if len(hashes) != 1} == {}
    assert set(replica_sets) == set(deployments)
    ids = collections.Counter(tracking_id(obj) for obj in objects.values() if tracking_id(obj))
    assert {name: n for name, n in ids.items() if n > 1} == {}
    for name, app in apps.items():
        revisions = [entry.get("revision") for entry in (app.get("status") or {}).get("history") or []]
        # One sync of one revision; an app whose objects needed nothing (none rendered) was never synced.
        assert len(revisions) == len(set(revisions)) <= 1, (name, revisions)
    assert sum(1 for app in apps.values() if (app.get("status") or {}).get("history")) > APPS * 3 // 4


def test_a_controller_killed_mid_rollout_leaves_its_operations_recorded_and_the_next_one_finishes_them(root, tmp_path):
    cluster = SimServer(tmp_path, speed=50.0).start()
    try:
        began = time.monotonic()
        first = serving(root, cluster, tmp_path)
        try:
            first.wait_for("the rollout half done", midway, timeout=600)
            print(f"killed the controller {time.monotonic() - began:.1f} s after it started")
        finally:
            first.kill()
        with cluster.client() as client:
            left = recorded_operations(client)
            running = {name: started for name, started in left.items() if started}
            assert left, "no operation was left to resume"
            print(f"killed with {len(left)} operations recorded, {len(running)} of them running")
            started = time.monotonic()
            second = serving(root, cluster, tmp_path)
            try:
                second.wait_for("every app Synced and Healthy", everything_synced, timeout=600)
                print(f"the restarted controller finished the rollout in {time.monotonic() - started:.1f} s")
                objects = settled(client)
                assert_nothing_twice(objects, second.applications())
                assert recorded_operations(client) == {}
                # The operations that were running went on where they were: the same operation, not a new one.
                apps = second.applications()
                assert {name: apps[name]["status"]["operationState"]["startedAt"] for name in running} == running
            finally:
                second.close()
    finally:
        cluster.stop()


def test_a_cluster_killed_mid_rollout_comes_back_and_the_running_controller_finishes(root, tmp_path):
    cluster = SimServer(tmp_path, speed=50.0, state=tmp_path / "sim.db", port=free_port()).start()
    try:
        began = time.monotonic()
        serve = serving(root, cluster, tmp_path)
        try:
            serve.wait_for("the rollout half done", midway, timeout=600)
            print(f"killed the cluster {time.monotonic() - began:.1f} s after the controller started")
            cluster.kill()
            time.sleep(3)  # the controller's requests and watches fail meanwhile
            started = time.monotonic()
            cluster.start()
            serve.wait_for("every app Synced and Healthy", everything_synced, timeout=600)
            print(f"the rollout finished {time.monotonic() - started:.1f} s after the cluster came back")
            with cluster.client() as client:
                objects = settled(client)
                assert_nothing_twice(objects, serve.applications())
                assert recorded_operations(client) == {}
            assert serve.terminate() == 0
        finally:
            serve.close()
    finally:
        cluster.stop()
