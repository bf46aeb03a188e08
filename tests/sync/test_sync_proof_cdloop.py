"""Proof: the seed's CD loop on the sim (the checks of support/cdloop_proof.py). After the staging sync, one
service's `image.tag` is bumped in its values file and committed; the next sync changes only the apps that read
that file, the sim rolls their Deployments (a new ReplicaSet, the old one scaled to zero), and every other object
keeps its resourceVersion, Applications' status and what the capacity controllers provision aside."""

from __future__ import annotations

import pytest

from support.cdloop_proof import staging_repository, the_bump_rolls_only_that_app
from support.sync_proofs import SPEED
from wavecd.core import RealClock
from wavecd.sim.cluster import SimCluster

pytestmark = pytest.mark.slow


def test_a_committed_image_bump_rolls_only_that_app(tmp_path):
    repo = staging_repository(tmp_path)
    kubeconfig = tmp_path / "kubeconfig"
    with SimCluster(clock=RealClock(SPEED)) as sim:
        sim.write_kubeconfig(kubeconfig)
        the_bump_rolls_only_that_app(repo, kubeconfig)
