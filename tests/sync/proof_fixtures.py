"""What the sync proofs share: a `wavecd sim serve` subprocess (tests/support/sim_server.py), real kubectl,
the `wavecd sync` CLI as a subprocess, an in-process sync over a kubeconfig, and a snapshot of every live
object's resourceVersion.

The proofs look at the cluster the way a user would (kubectl, the JSON event stream, exit statuses), so these
helpers go through the same doors: files on disk, subprocesses, HTTP.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from support.paths import EXAMPLES, KUBECTL, wavecd_command
from support.sim_server import SimServer
from wavecd.apps.session import TreeRequest, open_session
from wavecd.core import RealClock
from wavecd.kube import KubeClient, KubeError
from wavecd.plan import plan_tree
from wavecd.sync.settings import ClusterFacts, SyncResult, SyncSettings
from wavecd.sync.tree_sync import sync_tree

TRACKING = "argocd.argoproj.io/tracking-id"
# Simulated seconds per real second for the sim server and the in-process syncs that talk to it.
SPEED = 50.0
# Kinds whose objects belong to nobody's desired state (Argo CD's default exclusions).
UNTRACKED = frozenset(
    {
        ("", "Event"),
        ("events.k8s.io", "Event"),
        ("", "Endpoints"),
        ("discovery.k8s.io", "EndpointSlice"),
        ("coordination.k8s.io", "Lease"),
    }
)

Key = tuple[str, str, str, str]  # (group, kind, namespace, name)


def sim_server(folder: Path) -> SimServer:
    """`wavecd sim serve --state FILE` at SPEED, a cluster a test may kill and start again from the same file."""
    return SimServer(folder, speed=SPEED, state=folder / "sim.db")


def kubectl(kubeconfig: Path, *args: str) -> str:
    """Real kubectl's stdout; a failing kubectl fails the test with its stderr."""
    env = {**os.environ, "KUBECONFIG": str(kubeconfig), "HOME": str(kubeconfig.parent)}
    result = subprocess.run([str(KUBECTL), *args], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"kubectl {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def kubectl_items(kubeconfig: Path, what: str, *args: str) -> list[dict[str, Any]]:
    return json.loads(kubectl(kubeconfig, "get", what, "-o", "json", *args))["items"]


class CliSync:
    """`wavecd sync ROOT --kubeconfig K -o json` as a subprocess whose events a test reads as they come; its
    stderr goes to `sync.err` beside the kubeconfig."""

    def __init__(self, root: Path, kubeconfig: Path, *, wave_delay: int | None = None):
        command = wavecd_command("sync", str(root), "--kubeconfig", str(kubeconfig), "-o", "json")
        self._stderr = kubeconfig.parent / "sync.err"
        env = dict(os.environ)
        if wave_delay is not None:  # Argo CD's knob for the pause between waves, which wavecd honours too
            env["ARGOCD_SYNC_WAVE_DELAY"] = str(wave_delay)
        with open(self._stderr, "a") as log:
            self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True, env=env)
        self.events: list[dict[str, Any]] = []

    def read_until(self, found: Callable[[dict[str, Any]], bool], timeout: float = 60) -> dict[str, Any]:
        """Read events until one matches. A sync that goes quiet is killed after `timeout`, which ends the
        reading instead of hanging the test."""
        assert self.process.stdout is not None
        watchdog = threading.Timer(timeout, self.kill)
        watchdog.start()
        try:
            for line in self.process.stdout:
                event = json.loads(line)
                self.events.append(event)
                if found(event):
                    return event
        finally:
            watchdog.cancel()
        self.kill()
        raise AssertionError(f"no such event; last events: {self.events[-3:]}; stderr: {self.stderr}")

    def finish(self, timeout: float = 300) -> int:
        """Read the remaining events and return the exit status."""
        try:
            out, _ = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise
        self.events += [json.loads(line) for line in out.splitlines() if line.strip()]
        return self.process.returncode

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    @property
    def stderr(self) -> str:
        return self._stderr.read_text()


def sync_in_process(root: Path, kubeconfig: Path, *, speed: float = SPEED) -> tuple[SyncResult, list[dict[str, Any]]]:
    """What `wavecd sync ROOT --kubeconfig K` does, with the sync's clock as fast as the sim server's.

    The CLI's clock runs at real speed against a kubeconfig, so its 2 s between waves and 1 s polls would cost
    a test minutes; the engine, the renders and the HTTP requests are the same."""
    session = open_session(TreeRequest(root=root))
    plan = plan_tree(session.tree)

    def render(name: str, facts: ClusterFacts) -> list[dict[str, Any]]:
        return session.render_at(name, facts.kube_version, facts.api_versions)

    events: list[dict[str, Any]] = []
    with KubeClient.from_kubeconfig(str(kubeconfig)) as client:
        result = sync_tree(
            plan,
            client,
            render,
            settings=SyncSettings(),
            clock=RealClock(speed),
            emit=lambda event: events.append(event.to_json()),
        )
    return result, events


def live_objects(client: KubeClient) -> dict[Key, dict[str, Any]]:
    """Every object of every listable kind, by (group, kind, namespace, name)."""
    out: dict[Key, dict[str, Any]] = {}
    seen: set[tuple[str, str]] = set()
    for res in client.resources(refresh=True):
        if "list" not in res.verbs or (res.group, res.kind) in seen or (res.group, res.kind) in UNTRACKED:
            continue
        seen.add((res.group, res.kind))
        try:
            items = client.list(res.api_version, res.kind)
        except KubeError:
            continue
        for item in items:
            meta = item.get("metadata") or {}
            out[(res.group, res.kind, meta.get("namespace") or "", meta["name"])] = item
    return out


def resource_versions(objects: dict[Key, dict[str, Any]]) -> dict[Key, str]:
    return {key: obj["metadata"]["resourceVersion"] for key, obj in objects.items()}


def tracking_id(obj: dict[str, Any]) -> str | None:
    """`<app>:<group>/<kind>:<namespace>/<name>`, the object's tracking annotation."""
    return ((obj.get("metadata") or {}).get("annotations") or {}).get(TRACKING)


def tracked_by(obj: dict[str, Any]) -> str | None:
    """The app instance an object's tracking annotation names."""
    value = tracking_id(obj)
    return value.split(":", 1)[0] if value else None


def copy_examples(tmp: Path) -> Path:
    """A private copy of examples/ (staging and its chart mirror); returns the staging folder."""
    shutil.copytree(EXAMPLES, tmp / "examples")
    return tmp / "examples" / "staging"


def events_named(events: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [e for e in events if e["event"] == name]
