"""Fixtures for the kube tests: a namespace in the shared simulated cluster (tests/support/sim.py), created
through `kube`, the client that reaches it over real HTTP through a kubeconfig."""

from __future__ import annotations

import pytest


@pytest.fixture
def ns(kube):
    kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "app"}})
    return "app"
