"""Proof: leader election and sharding. Two `wavecd serve` replicas against one `wavecd sim serve`:

- with `--leader-elect`, only the replica holding the shard's Lease writes; SIGKILL it and the other takes
  the Lease once it expires (client-go's rule: no sooner than the Lease duration after the last renewal it
  saw), which is within the Lease duration of the kill, and then reconciles: a Deployment someone scales is
  healed back by the new leader;
- with `--shards 2 --shard 0|1`, every app is reconciled by exactly one replica, the one `shard_of` names;
- a signed push webhook sent to a replica that does not reconcile the app (the standby, or the other
  shard's replica) makes the replica that does sync it: the receiver marks the app with Argo CD's refresh
  annotation and writes nothing else; a refresh asked of the standby through the API is done the same way;
- any replica answers an app's resource tree and managed resources at once, as its owner does.

Polling is off (`--poll 0`), so a change in the repository reaches the cluster only through the webhook.

Who wrote what is read from the sim's request log: each replica's User-Agent ends with `serve/<identity>`,
its host name and process id, the identity its Lease names.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from support.gitops import REPO_URL, Child, config_map, deployment, write_repo
from support.serve import ServeProcess, synced_and_healthy
from support.sim_server import SimServer
from wavecd.common import APPLICATION, ARGO_API_VERSION, REFRESH
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
# client-go's timing, which `wavecd serve` keeps: the leader renews every 2 s, and a standby counts a Lease's
# duration from when it saw it last change (wavecd's standby sees it change through a watch).
RENEW_PERIOD = 2.0
# What a takeover may take beyond the Lease's duration, counted from the kill: the leader's last renewal can
# land just before the kill (or be in flight during it), and then the standby's watch delivery, its read and
# its write follow — milliseconds when idle, up to 0.45 s measured on a 2-core machine busy with other tests.
REQUEST_SLACK = 1.0
SECRET = "ha-proof-secret"


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
    config = repo / "wavecd.yaml"
    config.write_text(config.read_text() + f"webhook:\n  github:\n    secret: {SECRET}\n")
    return repo / "root.yaml"


def change_config(repo: Path, app: str, value: str) -> str:
    """A commit's worth of change to one app: its ConfigMap's data. The changed file, as a push names it."""
    manifest = repo / "manifests" / app / "all.yaml"
    text = manifest.read_text()
    assert f"key: {app}-config" in text
    manifest.write_text(text.replace(f"key: {app}-config", f"key: {value}"))
    return f"manifests/{app}/all.yaml"


def send_push(replica: ServeProcess, *files: str) -> None:
    """A signed GitHub push to `main` of the tree's repository, changing `files`, sent to `replica`."""
    body = json.dumps(
        {
            "ref": "refs/heads/main",
            "after": "0" * 40,
            "repository": {"html_url": REPO_URL.removesuffix(".git"), "default_branch": "main"},
            "commits": [{"id": "0" * 40, "added": [], "modified": list(files), "removed": []}],
        }
    ).encode()
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    headers = {"X-GitHub-Event": "push", "X-Hub-Signature-256": f"sha256={digest}"}
    response = replica.api.post("/api/webhook", content=body, headers=headers)
    assert (response.status_code, response.text) == (200, ""), response.text


def config_value(client: KubeClient, app: str) -> str:
    return client.get("v1", "ConfigMap", f"{app}-config", app)["data"]["key"]


def wait_until(what: str, check, timeout: float = 60, log: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}\n{log[-3000:]}"
        time.sleep(0.1)


def marked(client: KubeClient) -> list[str]:
    """The Applications that still carry the refresh annotation."""
    apps = client.list(ARGO_API_VERSION, APPLICATION, "argocd")
    return [a["metadata"]["name"] for a in apps if REFRESH in (a["metadata"].get("annotations") or {})]


def views(replica: ServeProcess, app: str) -> tuple[Any, Any]:
    """The app's resource tree and managed resources as `replica` answers them."""
    tree = replica.api.get(f"/api/v1/applications/{app}/resource-tree")
    managed = replica.api.get(f"/api/v1/applications/{app}/managed-resources")
    assert (tree.status_code, managed.status_code) == (200, 200), (tree.text, managed.text)
    return tree.json(), managed.json()


def same_views(owner: ServeProcess, other: ServeProcess, app: str) -> None:
    """`other`, which does not reconcile `app`, answers its views at once, and what the owner answers (the
    owner's last reconcile may trail a Pod's status by a moment: compared again until they agree)."""
    theirs = views(other, app)
    kinds = {node["kind"] for node in theirs[0]["nodes"]}
    assert {"Deployment", "ReplicaSet", "Pod", "ConfigMap"} <= kinds, kinds
    assert {item["status"] for item in theirs[1]["items"]} == {"Synced"}
    deadline = time.monotonic() + 10
    while views(owner, app) != theirs:
        assert time.monotonic() < deadline, (views(owner, app), theirs)
        time.sleep(0.5)
        theirs = views(other, app)


class LeaseEvents:
    """The test's own watch on shard 0's Lease: when (monotonic) each holder's write was seen."""

    def __init__(self, client: KubeClient):
        self.seen: list[tuple[float, str, dict[str, Any]]] = []
        self._watch = client.watch(
            "coordination.k8s.io/v1", "Lease", "argocd", field_selector={"metadata.name": lease_name(0)}
        )
        self._thread = threading.Thread(target=self._follow, daemon=True)
        self._thread.start()

    def _follow(self) -> None:
        for _type, lease in self._watch:
            self.seen.append((time.monotonic(), lease["spec"].get("holderIdentity", ""), lease["spec"]))

    def taken(self, holder: str) -> tuple[float, str, str] | None:
        """When another replica's write naming itself was first seen, who, and its acquireTime."""
        return next(
            ((at, who, spec["acquireTime"]) for at, who, spec in list(self.seen) if who not in ("", holder)), None
        )

    def last(self, holder: str) -> tuple[float, str]:
        """When `holder`'s last renewal was seen, and its renewTime."""
        at, _who, spec = [event for event in list(self.seen) if event[1] == holder][-1]
        return at, spec["renewTime"]

    def stop(self) -> None:
        self._watch.stop()
        self._thread.join(timeout=10)


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
        """Every write a `wavecd serve` replica sent, from the `since`-th request on; a server-side dry run
        (a comparison) changes nothing and is not a write, and neither is a refused one (a sync's create of a
        namespace that is already there answers 409, and names no namespace in its path)."""
        out = []
        for entry in self.entries()[since:]:
            replica = REPLICA.search(entry["userAgent"])
            url = urlsplit(entry["path"])
            dry_run = "All" in parse_qs(url.query).get("dryRun", [])
            if replica and entry["method"] in WRITES and not dry_run and entry["status"] < 400:
                path = url.path
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
        made.append(ServeProcess(root, cluster.kubeconfig, folder, "--poll", "0", *args))
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

        # The standby answers an app's resource views at once, as the leader does.
        same_views(leader, standby, "web")

        # A push sent to the standby: it marks the apps the push matches, and the leader syncs the change.
        changed = change_config(root.parent, "web", "pushed-to-the-standby")
        seen = len(log.entries())
        send_push(standby, changed)
        with cluster.client() as client:
            pushed = "pushed-to-the-standby"
            wait_until("the leader to sync the push", lambda: config_value(client, "web") == pushed, log=leader.log())
            wait_until("the leader to clear the refresh marks", lambda: marked(client) == [], log=leader.log())
        writes = [w for w in log.writes(seen) if not w.path.startswith(LEASES)]
        by_standby = [w for w in writes if is_replica(w.replica, standby)]
        assert by_standby, "the standby marked nothing"
        assert all(w.method == "PATCH" and w.content_type.startswith("application/merge-patch") for w in by_standby)
        assert {w.application for w in by_standby} <= {"root", *CHILDREN}
        assert any(w.replica == holder and w.path == "/api/v1/namespaces/web/configmaps/web-config" for w in writes), (
            writes
        )

        # A refresh asked of the standby is done by the leader (polling is off: nothing else makes it walk),
        # and answered once the leader has removed the mark.
        logged = len(leader.log())
        response = standby.api.get("/api/v1/applications/mail", params={"refresh": "normal"})
        assert response.status_code == 200, response.text
        assert REFRESH not in (response.json()["metadata"].get("annotations") or {})
        assert "walk: " in leader.log()[logged:]

        with cluster.client() as client:
            duration = lease_of(client)["leaseDurationSeconds"]
            assert duration == 15  # client-go's default, which `wavecd serve` keeps
            events = LeaseEvents(client)
            try:
                time.sleep(2 * RENEW_PERIOD)  # the test's watch sees the leader renew
                killed_at = time.monotonic()
                leader.kill()
                seen = len(log.entries())
                wait_until("the standby to take the Lease", lambda: events.taken(holder) is not None, log=standby.log())
            finally:
                events.stop()
            taken_at, taken, acquired = events.taken(holder)
            assert is_replica(taken, standby), taken
            last_seen, last_renewal = events.last(holder)
            takeover = taken_at - killed_at
            print(
                f"takeover {takeover:.2f} s after SIGKILL, {taken_at - last_seen:.2f} s after the dead leader's "
                f"last renewal (Lease duration {duration} s)"
            )
            # Never while the dead leader's Lease was still valid: by its own stamps (this machine's clock) ...
            assert (stamp(acquired) - stamp(last_renewal)).total_seconds() >= duration
            # ... and by when this test's watch saw the renewal and the takeover land (the standby's watch saw
            # the renewal within milliseconds of this one).
            assert taken_at - last_seen >= duration - 0.25
            # Within the Lease's duration of the kill: the standby saw the last renewal as it landed and tried
            # again the moment the Lease expired. The leader renewed at most RENEW_PERIOD before it died.
            assert duration - RENEW_PERIOD - 0.5 <= takeover <= duration + REQUEST_SLACK, takeover
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

        # A push sent to shard 1's replica changes an app of each shard: each is synced by its own shard,
        # shard 0's through the refresh mark shard 1's replica sets on it.
        pushed = {shard: next(name for name in CHILDREN if expected[name] == shard) for shard in (0, 1)}
        files = [change_config(root.parent, app, f"pushed-{app}") for app in pushed.values()]
        seen = len(log.entries())
        send_push(shards[1], *files)
        with cluster.client() as client:
            wait_until(
                "each shard to sync its pushed app",
                lambda: all(config_value(client, app) == f"pushed-{app}" for app in pushed.values()),
                log=shards[0].log() + shards[1].log(),
            )
            wait_until("the refresh marks to be cleared", lambda: marked(client) == [])
        for write in log.writes(seen):
            shard = next(i for i, replica in enumerate(shards) if is_replica(write.replica, replica))
            if write.application is None:
                assert expected.get(write.namespace) == shard, write
            elif shard == 1 and expected[write.application] == 0:
                assert write.method == "PATCH" and write.content_type.startswith("application/merge-patch"), write
        assert "webhook: marked" in shards[1].log()

        # Either replica answers the views of the other's app, as its owner does.
        for shard, app in pushed.items():
            same_views(shards[shard], shards[1 - shard], app)
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
