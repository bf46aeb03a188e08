"""What the sync proofs on the sim alone need: a `wavecd sim serve` subprocess (tests/support/sim_server.py) as fast
as the in-process syncs; the syncs (the CLI as a subprocess, in-process) and the kubectl looks are in
tests/support/sync_proofs.py, shared with the proofs on a real apiserver.

The proofs look at the cluster the way a user would (kubectl, the JSON event stream, exit statuses), so these
helpers go through the same doors: files on disk, subprocesses, HTTP.
"""

from __future__ import annotations

from pathlib import Path

from support.sim_server import SimServer
from support.sync_proofs import SPEED


def sim_server(folder: Path) -> SimServer:
    """`wavecd sim serve --state FILE` at SPEED, a cluster a test may kill and start again from the same file."""
    return SimServer(folder, speed=SPEED, state=folder / "sim.db")
