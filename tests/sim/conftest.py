"""Fixtures for the sim tests: a raw HTTP client for the shared `sim` cluster (tests/support/sim.py), and a
namespace created through it."""

from __future__ import annotations

import httpx
import pytest


@pytest.fixture
def client(sim):
    with httpx.Client(base_url=sim.url, timeout=10) as http:
        yield http


@pytest.fixture
def ns(client):
    response = client.post(
        "/api/v1/namespaces", json={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "app"}}
    )
    assert response.status_code == 201
    return "app"
