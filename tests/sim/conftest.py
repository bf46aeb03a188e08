"""Fixtures for the sim tests: a cluster on a manual clock, and an HTTP client for it."""

from __future__ import annotations

import httpx
import pytest

from wavecd.core import ManualClock
from wavecd.sim.cluster import SimCluster


@pytest.fixture
def cluster():
    with SimCluster(clock=ManualClock()) as sim:
        yield sim


@pytest.fixture
def client(cluster):
    with httpx.Client(base_url=cluster.url, timeout=10) as http:
        yield http


@pytest.fixture
def ns(client):
    response = client.post(
        "/api/v1/namespaces", json={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "app"}}
    )
    assert response.status_code == 201
    return "app"
