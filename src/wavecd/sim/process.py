"""The simulated cluster in a process of its own: `wavecd sim serve` started for one run and stopped after it.

In one process, the sync's workers and the sim's handler and controller threads take turns on one
interpreter lock; in two, each has its own, so both cores work. The child is the ordinary `wavecd sim
serve` on a free port: it writes its kubeconfig once it listens, and SIGTERM stops it cleanly (its state
file, if any, is closed as on Ctrl-C).
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from wavecd.core import WavecdError

__all__ = ["STARTUP_SECONDS", "sim_process"]

STARTUP_SECONDS = 30.0  # how long the child may take to import and listen
_STOP_SECONDS = 10.0
_SERVE = "import sys; from wavecd.cli.main import main; sys.argv[0] = 'wavecd'; main()"


@contextlib.contextmanager
def sim_process(
    *,
    speed: float,
    delay_scale: float = 1.0,
    state_path: str | None = None,
    request_log: str | None = None,
    nodes: int = 1,
) -> Iterator[Path]:
    """Start `wavecd sim serve` in a child process (with `nodes` nodes); yields its kubeconfig's path, and
    stops it on exit."""
    with tempfile.TemporaryDirectory(prefix="wavecd-sim-") as work:
        kubeconfig = Path(work) / "kubeconfig"
        command = [sys.executable, "-c", _SERVE, "sim", "serve", "--port", "0", "--speed", repr(speed)]
        command += ["--kubeconfig", str(kubeconfig), "--delay-scale", repr(delay_scale), "--nodes", str(nodes)]
        if state_path:
            command += ["--state", state_path]
        if request_log:
            command += ["--request-log", request_log]
        errors = Path(work) / "stderr"
        with errors.open("wb") as stderr:
            child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            _wait_listening(child, kubeconfig, errors)
            yield kubeconfig
        finally:
            _stop(child)


def _wait_listening(child: subprocess.Popen[bytes], kubeconfig: Path, errors: Path) -> None:
    """Until the child has written its kubeconfig (it listens then); a child that ends first is an error."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while not (kubeconfig.is_file() and kubeconfig.stat().st_size > 0):
        if child.poll() is not None:
            said = errors.read_text(errors="replace").strip().splitlines()
            why = said[-1] if said else f"exit status {child.returncode}"
            raise WavecdError(f"the simulated cluster did not start: {why}")
        if time.monotonic() > deadline:
            raise WavecdError(f"the simulated cluster did not start within {STARTUP_SECONDS:g} s")
        time.sleep(0.02)


def _stop(child: subprocess.Popen[bytes]) -> None:
    """SIGTERM (the sim closes its server and state), then SIGKILL if it does not end in time."""
    if child.poll() is None:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
