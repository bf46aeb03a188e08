"""What the cluster fails (unreachable, a server error) is tried again after `retry_delay`, then twice as long
after each further failure in a row (Argo CD's backoff: 5 s, 10 s, 20 s, … up to 3 minutes), not every
`retry_delay` for as long as an outage lasts; once the cluster answers again the app is compared as usual."""

from __future__ import annotations

import time
from typing import Any

from support.gitops import Child, config_map, write_repo
from support.waiting import eventually
from wavecd.apps.session import TreeRequest
from wavecd.core import RealClock
from wavecd.kube import KubeClient, KubeConnectionError
from wavecd.server.controller import Controller
from wavecd.server.failure_backoff import FailureBackoff
from wavecd.server.settings import ServeSettings
from wavecd.sync.tracking import instance_name, with_tracking

RETRY_DELAY = 0.1


class Outage(KubeClient):
    """The cluster as the controller reaches it, whose dry runs of ConfigMaps fail while `down`: each failed
    attempt's time is kept."""

    down = False
    attempts: list[float]

    def apply(self, obj: Any, **kwargs: Any) -> dict[str, Any]:
        if kwargs.get("dry_run") and self.down and obj.get("kind") == "ConfigMap":
            self.attempts.append(time.monotonic())
            raise KubeConnectionError("dial tcp 10.0.0.1:443: connect: connection refused")
        return super().apply(obj, **kwargs)


def test_a_reconcile_the_cluster_keeps_failing_is_tried_again_at_growing_intervals(kubeconfig, kube, tmp_path):
    settings = config_map("settings", "web")
    write_repo(tmp_path, [Child("web", [settings], namespace="web", sync_policy=None)])
    # Synced already, so its comparison needs the dry run that fails.
    kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "web"}})
    kube.apply(with_tracking(settings, instance_name("web", "argocd"), "web"), force=True)
    with Outage.from_kubeconfig(str(kubeconfig)) as client:
        client.attempts = []
        client.down = True
        controller = Controller(
            TreeRequest(root=tmp_path / "root.yaml", use_cache=False),
            client,
            ServeSettings(poll=0, retry_delay=RETRY_DELAY),
            clock=RealClock(),
            log=lambda _line: None,
        )
        controller.start()
        try:
            controller.lead()
            assert eventually(lambda: len(client.attempts) >= 4, timeout=30)
            gaps = [later - earlier for earlier, later in zip(client.attempts, client.attempts[1:], strict=False)]
            # A busy machine only makes the gaps longer: each is at least the backoff's wait.
            for index, gap in enumerate(gaps[:3]):
                assert gap >= 0.9 * RETRY_DELAY * 2**index, f"retry {index + 1} came {gap:.3f} s after {gaps}"
            reconciled = controller.reconciled("web")
            assert reconciled is not None and reconciled.sync == "Unknown"
            assert "connection refused" in reconciled.error

            client.down = False  # the cluster is back: the next retry compares the app as usual
            assert eventually(lambda: getattr(controller.reconciled("web"), "sync", "") == "Synced", timeout=30)
        finally:
            controller.stop()


def test_the_waits_are_argo_cds_backoff_and_start_over_after_a_success():
    """Argo CD's default sync retry backoff (duration 5s, factor 2, maxDuration 3m): 5, 10, 20, 40, 80, 160,
    then 180 s."""
    backoff = FailureBackoff(5.0, 180.0)
    assert [backoff.failed("web") for _ in range(8)] == [5, 10, 20, 40, 80, 160, 180, 180]
    assert backoff.failed("api") == 5  # each app counts its own failures
    backoff.succeeded("web")
    assert backoff.failed("web") == 5
