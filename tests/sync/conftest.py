"""Fixtures for the sync engine tests: a simulated cluster on a manual clock that the sync's own sleeps move."""

from __future__ import annotations

import pytest
from sync_fixtures import start_cluster


@pytest.fixture
def cluster():
    sim, harness = start_cluster()
    try:
        yield harness
    finally:
        harness.close()
        sim.stop()
