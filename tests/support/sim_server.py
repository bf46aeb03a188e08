"""`wavecd sim serve` in a subprocess, started the way a user starts it.

The sim tests, the kubectl tests and the sync proofs reach this server only through what it writes (the
kubeconfig, its request log, its state file) and over HTTP, as they would a real cluster.
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import yaml

from support.paths import wavecd_command
from support.processes import die_with_parent
from wavecd.kube import KubeClient


class SimServer:
    """`wavecd sim serve` in a subprocess that a test may kill and start again (from the same `state` file).

    Each start listens on `port` (by default a fresh one each time) and rewrites `folder/kubeconfig`, as a
    user restarting it would see; a fixed port is an API server restarted behind the same address, which its
    clients reach again without a new kubeconfig. The server's stderr goes to `folder/sim.err`."""

    def __init__(
        self,
        folder: Path,
        *,
        speed: float = 1.0,
        state: Path | None = None,
        request_log: Path | None = None,
        port: int = 0,
    ):
        self.folder = folder
        self.port = port
        self.kubeconfig = folder / "kubeconfig"
        self.options = ["--speed", str(speed)]
        if state is not None:
            self.options += ["--state", str(state)]
        if request_log is not None:
            self.options += ["--request-log", str(request_log)]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30) -> SimServer:
        """Start it and wait up to `timeout` seconds for its kubeconfig (a large `state` takes a while to load)."""
        self.kubeconfig.unlink(missing_ok=True)
        command = wavecd_command(
            "sim", "serve", "--port", str(self.port), "--kubeconfig", str(self.kubeconfig), *self.options
        )
        with open(self.folder / "sim.err", "ab") as log:
            self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log, preexec_fn=die_with_parent)
        deadline = time.monotonic() + timeout
        while not self.kubeconfig.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"wavecd sim serve did not start: {(self.folder / 'sim.err').read_text()}")
            time.sleep(0.05)
        return self

    @property
    def url(self) -> str:
        """The server's address, as the kubeconfig gives it."""
        return yaml.safe_load(self.kubeconfig.read_text())["clusters"][0]["cluster"]["server"]

    def kill(self) -> None:
        """SIGKILL: no chance to flush or close anything."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def client(self) -> KubeClient:
        return KubeClient.from_kubeconfig(str(self.kubeconfig))
