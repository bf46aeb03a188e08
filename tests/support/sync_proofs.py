"""What the sync proofs share on the sim (tests/sync/test_sync_proof_*.py) and on a real apiserver
(tests/differential/): the `wavecd sync` CLI as a subprocess whose events a test reads as they come, the same sync
in-process on a faster clock, and real kubectl's look at what the cluster holds.

The proofs look at the cluster the way a user would (kubectl, the JSON event stream, exit statuses), so these
helpers go through the same doors: files on disk, subprocesses, HTTP.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from support.kubectl import kubectl
from support.paths import wavecd_command
from support.processes import die_with_parent
from wavecd.apps.session import TreeRequest, open_session
from wavecd.core import RealClock
from wavecd.kube import KubeClient
from wavecd.plan import plan_tree
from wavecd.sync.settings import ClusterFacts, SyncResult, SyncSettings
from wavecd.sync.tree_sync import sync_tree

__all__ = [
    "SPEED",
    "CliSync",
    "events_named",
    "kubectl_items",
    "look",
    "looks_while_progressing",
    "named",
    "progressing",
    "sync_in_process",
]

# Simulated seconds per real second for the sim server and the in-process syncs that talk to it.
SPEED = 50.0


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
            self.process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=log, text=True, env=env, preexec_fn=die_with_parent
            )
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


def look(kubeconfig: Path) -> list[dict[str, Any]]:
    """One kubectl request for everything the proofs compare: workloads, config, namespaces, Applications."""
    return kubectl_items(kubeconfig, "namespaces,deployments,configmaps,applications.argoproj.io", "-A")


def progressing(deploy: dict[str, Any]) -> bool:
    status = deploy.get("status") or {}
    return (status.get("availableReplicas") or 0) < (deploy["spec"].get("replicas") or 0)


def named(items: list[dict[str, Any]], kind: str, name: str) -> list[dict[str, Any]]:
    return [i for i in items if i["kind"] == kind and i["metadata"]["name"] == name]


def looks_while_progressing(kubeconfig: Path, deployment: str, later: str, step: Callable[[], None], limit: int) -> int:
    """Look with kubectl until the Deployment `deployment` is available, calling `step` between looks (the
    sim's clock moved by hand, or real time passing): every look while it progresses must find no Namespace,
    ConfigMap or Application named `later` (the next wave's). Returns how many looks saw it progress."""
    for looks in range(limit):
        items = look(kubeconfig)
        found = named(items, "Deployment", deployment)
        assert len(found) == 1
        if not progressing(found[0]):
            return looks
        for kind in ("Namespace", "ConfigMap", "Application"):
            assert not named(items, kind, later), f"a {kind} of the next wave while {deployment} progresses"
        step()
    raise AssertionError(f"{deployment} still progressing after {limit} looks")


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


def events_named(events: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [e for e in events if e["event"] == name]
