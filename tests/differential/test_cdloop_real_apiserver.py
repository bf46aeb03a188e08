"""The sync issue's CD-loop proof (tests/sync/test_sync_proof_cdloop.py) on a real kube-apiserver driven by the
sim's controllers (fixture `driven`, an apiserver of this module's own): the staging example, a git repository,
synced to Healthy; a committed `image.tag` bump then changes only the two apps that read that values file, their
Deployments roll to a new ReplicaSet, and every other object keeps its resourceVersion (the checks of
support/cdloop_proof.py)."""

from __future__ import annotations

import pytest

from support.cdloop_proof import staging_repository, the_bump_rolls_only_that_app
from support.driven_apiserver import needs_host_address

pytestmark = [pytest.mark.real_apiserver, pytest.mark.slow, needs_host_address]


def test_a_committed_image_bump_rolls_only_that_app(driven, tmp_path):
    server, _log = driven
    the_bump_rolls_only_that_app(staging_repository(tmp_path), server.kubeconfig)
