"""Proof: leader election and sharding. Two `wavecd serve` replicas against one `wavecd sim serve`:

- with `--leader-elect`, only the replica holding the shard's Lease writes; SIGKILL it and the other takes
  the Lease once it expires (client-go's rule: no sooner than the Lease duration after the last renewal it
  saw) and then reconciles: a Deployment someone scales is healed back by the new leader;
- with `--shards 2 --shard 0|1`, every app is reconciled by exactly one replica, the one `shard_of` names.

Who wrote what is read from the sim's request log: each replica's User-Agent ends with `serve/<identity>`,
its host name and process id, the identity its Lease names.
"""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from support.gitops import Child, config_map, deployment, write_repo
from support.serve import ServeProcess, synced_and_healthy
from support.sim_server import SimServer
from wavecd.kube import KubeClient
from wavecd.server.leader import lease_name
from wavecd.server.sharding import app_key, shard_of

pytestmark = pytest.mark.slow

WRITES = ("POST", "PUT", "PATCH", "DELETE")
SELF_HEAL = {"automated": {"selfHeal": True}, "syncOptions": ["CreateNamespace=true"]}
CHILDREN = ["web", "api", "jobs", "mail", "search", "billing"]
LEASES = "/apis/coordination.k8s.io/v1/namespaces/argocd/leases"
APPLICATION_PATH = re.compile(r"/apis/argoproj\.io/v1alpha1/namespaces/argocd/applications/([^/?]+)")
REPLICA = re.compile(r" serve/(\S+)$")
# client-go's timing, which `wavecd serve` keeps: the leader renews every 2 s; a standby tries every 2 s times
# a random factor in [1, 2.2), and counts a Lease's duration from when it saw it last change.
RENEW_PERIOD, LONGEST_TRY = 2.0, 2.0 * 2.2


def write_tree(repo: Path) -> Path:
    """A root over six self-healing apps, each a Deployment and a ConfigMap in its own namespace; the root
    syncs automatically, so the controller records every child Application."""
    children = [
        Child(name, [deployment(name, name), config_map(f"{name}-config", name)], namespace=name, sync_policy=SELF_HEAL)
        for name in CHILDREN
    ]
    write_repo(repo, children)
    root = repo / "root.yaml"
    root.write_text(root.read_text() + "  syncPolicy:\n    automated: {}\n")
    return repo / "root.yaml"


@dataclass(frozen=True)
class Write:
    replica: str  # the identity its User-Agent names
    method: str
    path: str
    content_type: str
    status: int

    @property
    def application(self) -> str | None:
        found = APPLICATION_PATH.fullmatch(self.path)
        return found.group(1) if found else None

    @property
    def reconciles(self) -> bool:
        """A write of what reconciling an app decides: its status (a merge patch) or an operation (an update).
        A server-side apply of an Application is its parent's sync writing its manifest, not this."""
        return self.application is not None and (
            self.method == "PUT" or (self.method == "PATCH" and self.content_type.startswith("application/merge-patch"))
        )

    @property
    def namespace(self) -> str:
        return self.path.split("/namespaces/")[1].split("/")[0] if "/namespaces/" in self.path else ""


class RequestLog:
    """The sim's request log: one JSON line per request."""

    def __init__(self, path: Path):
        self.path = path

    def entries(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines() if line.strip()]

    def writes(self, since: int = 0) -> list[Write]:
        """Every write a `wavecd serve` replica sent, from the `since`-th request on."""
        out = []
        for entry in self.entries()[since:]:
            replica = REPLICA.search(entry["userAgent"])
            if replica and entry["method"] in WRITES:
                path = urlsplit(entry["path"]).path
                out.append(Write(replica.group(1), entry["method"], path, entry["contentType"], entry["status"]))
        return out


def is_replica(identity: str, replica: ServeProcess) -> bool:
    """Whether `identity` is this replica's: `<host>_<pid>` (`wavecd.server.settings.default_identity`)."""
    assert replica.process is not None
    return identity.endswith(f"_{replica.process.pid}")


@pytest.fixture
def cluster(tmp_path: Path):
    server = SimServer(tmp_path, speed=20.0, request_log=tmp_path / "requests.jsonl").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "repo")


def replicas(root: Path, cluster: SimServer, tmp_path: Path, *flags: list[str]) -> list[ServeProcess]:
    made = []
    for i, args in enumerate(flags):
        folder = tmp_path / f"replica-{i}"
        folder.mkdir()
        made.append(ServeProcess(root, cluster.kubeconfig, folder, "--poll", "2s", *args))
    return made


def all_synced(apps: dict[str, dict[str, Any]]) -> bool:
    return set(apps) == {"root", *CHILDREN} and all(map(synced_and_healthy, apps.values()))


def lease_of(client: KubeClient) -> dict[str, Any]:
    """The spec of shard 0's Lease."""
    lease = client.get("coordination.k8s.io/v1", "Lease", lease_name(0), "argocd")
    assert lease is not None
    return lease["spec"]


def stamp(micro_time: str) -> datetime:
    return datetime.strptime(micro_time, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def test_only_the_leader_writes_and_the_standby_takes_over_when_it_dies(root, cluster, tmp_path):
    log = RequestLog(tmp_path / "requests.jsonl")
    first, second = replicas(root, cluster, tmp_path, ["--leader-elect"], ["--leader-elect"])
    try:
        first.start()
        second.start()
        first.wait_for("every app Synced and Healthy", all_synced, timeout=180)
        time.sleep(5)  # the leader's last status writes, and several of the standby's tries for the Lease

        with cluster.client() as client:
            holder = lease_of(client)["holderIdentity"]
        leader, standby = (first, second) if is_replica(holder, first) else (second, first)
        assert is_replica(holder, leader), holder
        writes = log.writes()
        writers = {write.replica for write in writes if not write.path.startswith(LEASES)}
        assert writers == {holder}, writers
        assert {write.application for write in writes if write.reconciles} == {"root", *CHILDREN}
        lease_writes = {(write.replica, write.status < 300) for write in writes if write.path.startswith(LEASES)}
        assert (holder, True) in lease_writes
        assert all(who == holder for who, accepted in lease_writes if accepted), lease_writes

        with cluster.client() as client:
            duration = lease_of(client)["leaseDurationSeconds"]
            assert duration == 15  # client-go's default, which `wavecd serve` keeps

            killed_at = time.monotonic()
            leader.kill()
            seen = len(log.entries())
            last_renewal = stamp(lease_of(client)["renewTime"])
            while not is_replica(taken := lease_of(client)["holderIdentity"], standby):
                assert time.monotonic() - killed_at < 60, f"the standby never took the Lease: {standby.log()}"
                time.sleep(0.1)
            takeover = time.monotonic() - killed_at
            print(f"takeover {takeover:.1f} s after SIGKILL (Lease duration {duration} s)")
            # Never while the dead leader's Lease was still valid (its own stamps, on this machine's clock) ...
            acquired = stamp(lease_of(client)["acquireTime"])
            assert (acquired - last_renewal).total_seconds() >= duration
            # ... and once it has expired, counted from the standby's last look at it, on its next try.
            assert duration - RENEW_PERIOD - 0.5 <= takeover <= duration + 2 * LONGEST_TRY + 1.0
            assert f"leader election: {taken} acquired lease argocd/{lease_name(0)}" in standby.log()

            client.patch(
                "apps/v1", "Deployment", "web", {"spec": {"replicas": 3}}, namespace="web", field_manager="kubectl"
            )
            healed_by = time.monotonic() + 60
            while client.get("apps/v1", "Deployment", "web", "web")["spec"]["replicas"] != 1:
                assert time.monotonic() < healed_by, f"the new leader did not self-heal: {standby.log()[-3000:]}"
                time.sleep(0.2)
            healed = time.monotonic() - killed_at - takeover
            print(f"self-healed {healed:.1f} s after the takeover")
        after = log.writes(seen)
        assert {write.replica for write in after} == {taken}
        assert ("PATCH", "/apis/apps/v1/namespaces/web/deployments/web") in {(w.method, w.path) for w in after}
    finally:
        first.close()
        second.close()


def test_with_two_shards_every_app_is_reconciled_by_exactly_one_replica(root, cluster, tmp_path):
    log = RequestLog(tmp_path / "requests.jsonl")
    apps = ["root", *CHILDREN]
    expected = {name: shard_of(app_key(name, "argocd"), 2) for name in apps}
    assert set(expected.values()) == {0, 1}, "the tree must have apps on both shards to prove the split"
    shards = replicas(root, cluster, tmp_path, ["--shards", "2", "--shard", "0"], ["--shards", "2", "--shard", "1"])
    try:
        for replica in shards:
            replica.start()
        shards[0].wait_for("every app Synced and Healthy", all_synced, timeout=180)
        time.sleep(5)

        reconciled_by: dict[str, set[int]] = defaultdict(set)
        resources_written_by: dict[str, set[int]] = defaultdict(set)
        for write in log.writes():
            shard = next(i for i, replica in enumerate(shards) if is_replica(write.replica, replica))
            if write.reconciles:
                assert write.application is not None
                reconciled_by[write.application].add(shard)
            elif write.application is None:
                resources_written_by[write.namespace].add(shard)
        assert dict(reconciled_by) == {name: {shard} for name, shard in expected.items()}
        # What each child's sync writes, in its own namespace, comes from its shard too.
        assert {name: resources_written_by[name] for name in CHILDREN} == {name: {expected[name]} for name in CHILDREN}
    finally:
        for replica in shards:
            replica.close()


def test_without_its_namespace_a_replica_says_so_and_leads_once_it_exists(root, cluster, tmp_path):
    # The Lease lives in the controller's namespace (POD_NAMESPACE in a Pod): on a cluster that lacks it the
    # replica keeps serving its API, writes nothing, and says why; it leads as soon as the namespace exists.
    log = RequestLog(tmp_path / "requests.jsonl")
    (replica,) = replicas(root, cluster, tmp_path, ["--leader-elect"])
    replica.env["POD_NAMESPACE"] = "wavecd-system"
    try:
        replica.start()
        missing = 'leader election: lease wavecd-system/wavecd-controller-shard-0: namespaces "wavecd-system" not found'
        deadline = time.monotonic() + 30
        while missing not in replica.log():
            assert time.monotonic() < deadline, replica.log()
            time.sleep(0.2)
        time.sleep(5)
        assert replica.log().count(missing) == 1
        assert [w for w in log.writes() if not w.path.startswith("/apis/coordination.k8s.io/")] == []
        assert replica.applications()["root"].get("status") is None

        with cluster.client() as client:
            client.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "wavecd-system"}})
        replica.wait_for("every app Synced and Healthy", all_synced, timeout=180)
        assert "acquired lease wavecd-system/wavecd-controller-shard-0" in replica.log()
    finally:
        replica.close()
