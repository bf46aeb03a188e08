"""Fixtures of the controller proofs: a `wavecd sim serve` subprocess for `wavecd serve` to keep in sync."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.sim_server import SimServer


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[SimServer]:
    """A simulated cluster 50 times faster than real time, stopped after the test."""
    server = SimServer(tmp_path, speed=50.0).start()
    try:
        yield server
    finally:
        server.stop()
