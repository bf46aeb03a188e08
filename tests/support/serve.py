"""`wavecd serve` in a subprocess, started as a user starts it, and its API reached over HTTP with a token.

The controller proofs see the controller only from outside: its API, the cluster it writes to, its exit
status and its log (`folder/serve.err`). `bench/controller.py` drives the controller with the same helpers
(it imports this module; nothing here imports the benchmarks), reading the log line by line as it comes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import httpx

from support.paths import wavecd_command
from support.processes import die_with_parent
from support.registries import free_port
from support.snapshot import Key, live_objects, resource_versions
from wavecd.kube import KubeClient


def create_token(tokens: Path, role: str) -> str:
    """`wavecd serve token create`: the token is alone on the last line of its output."""
    done = subprocess.run(
        wavecd_command("serve", "token", "create", "--role", role, "--tokens", str(tokens)),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


class ServeProcess:
    """`wavecd serve ROOT --kubeconfig K …` on a fresh port (without `--kubeconfig` when `kubeconfig` is None:
    then `args` says `--sim`); `api` is an httpx client holding an admin token. Its stderr goes to
    `folder/serve.err`, or with `stderr` to that callable, handed the pipe (a benchmark stamps each line as it
    arrives)."""

    def __init__(
        self,
        root: Path,
        kubeconfig: Path | None,
        folder: Path,
        *args: str,
        env: dict[str, str] | None = None,
        stderr: Callable[[IO[bytes]], None] | None = None,
    ):
        self.root = root
        self.stderr = stderr
        self.kubeconfig = kubeconfig
        self.folder = folder
        self.tokens = folder / "tokens.json"
        self.args = args
        self.env = {**os.environ, "ARGOCD_SYNC_WAVE_DELAY": "0", **(env or {})}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.token = create_token(self.tokens, "admin")
        self.api = httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=60)

    def start(self, timeout: float = 120) -> ServeProcess:
        command = wavecd_command(
            "serve",
            str(self.root),
            *(["--kubeconfig", str(self.kubeconfig)] if self.kubeconfig is not None else []),
            "--listen",
            f"127.0.0.1:{self.port}",
            "--tokens",
            str(self.tokens),
            *self.args,
        )
        if self.stderr is not None:
            self.process = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=self.env, preexec_fn=die_with_parent
            )
            assert self.process.stderr is not None
            self.stderr(self.process.stderr)
        else:
            with open(self.folder / "serve.err", "ab") as log:
                self.process = subprocess.Popen(
                    command, stdout=subprocess.DEVNULL, stderr=log, env=self.env, preexec_fn=die_with_parent
                )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"wavecd serve exited {self.process.returncode}: {self.log()}")
            try:
                if self.api.get("/api/v1/applications").status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"wavecd serve did not start: {self.log()}")
            time.sleep(0.2)

    def log(self) -> str:
        path = self.folder / "serve.err"
        return path.read_text(errors="replace") if path.exists() else ""

    def applications(self, names: tuple[str, ...] = ()) -> dict[str, dict[str, Any]]:
        """Every application, or only those named (one GET each: cheaper for the controller to answer)."""
        if names:
            return {name: self._get(f"/api/v1/applications/{name}") for name in names}
        return {item["metadata"]["name"]: item for item in self._get("/api/v1/applications")["items"]}

    def _get(self, path: str) -> dict[str, Any]:
        response = self.api.get(path)
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    def wait_for(
        self,
        what: str,
        check: Callable[[dict[str, dict[str, Any]]], bool],
        timeout: float = 600,
        every: float = 0.5,
        names: tuple[str, ...] = (),
    ) -> float:
        """Poll the applications (those `names`, else all) until `check(apps)` holds; the monotonic time it
        did. A connection the busy controller dropped is tried again while it runs; at the timeout, fail with
        what was last seen and the log."""
        deadline = time.monotonic() + timeout
        apps: dict[str, dict[str, Any]] = {}
        while time.monotonic() < deadline:
            try:
                apps = self.applications(names)
            except httpx.TransportError:
                if self.process is None or self.process.poll() is not None:
                    raise
            else:
                if check(apps):
                    return time.monotonic()
            time.sleep(every)
        summary = {name: _state(app) for name, app in sorted(apps.items())}
        raise AssertionError(f"timed out waiting for {what}: {summary}\n--- serve log ---\n{self.log()[-4000:]}")

    def terminate(self) -> int:
        """SIGTERM, as Kubernetes stops a Pod; the exit status."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.terminate()
        self.api.close()


def _state(app: dict[str, Any]) -> tuple[str, str, str]:
    status = app.get("status") or {}
    return (
        (status.get("sync") or {}).get("status", ""),
        (status.get("health") or {}).get("status", ""),
        (status.get("operationState") or {}).get("phase", ""),
    )


def synced_and_healthy(app: dict[str, Any]) -> bool:
    status = app.get("status") or {}
    return (
        (status.get("sync") or {}).get("status") == "Synced"
        and (status.get("health") or {}).get("status") == "Healthy"
        and not app.get("operation")
    )


def settled(client: KubeClient, quiet: float = 3.0, timeout: float = 120.0) -> dict[Key, dict[str, Any]]:
    """The cluster's objects once nothing has changed for `quiet` seconds: after a tree is Healthy the last
    writes (a catch-up pass, status records) land within a few seconds."""
    deadline = time.monotonic() + timeout
    before = live_objects(client)
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = live_objects(client)
        if resource_versions(now) == resource_versions(before):
            return now
        before = now
    raise AssertionError(f"the cluster kept changing for {timeout:g} s")
