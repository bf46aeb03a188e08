"""A CustomResourceDefinition under a running controller: only the events that change what the cluster serves
(the CRD appearing or going, a version served or no longer, the kind Established) read discovery again and
reconcile every app, not the API server's own status writes; and a discovery read that failed is tried again
on the next walk instead of leaving the renders at what discovery said before."""

from __future__ import annotations

import copy
import threading
from typing import Any

from support.gitops import Child, config_map, crd, write_repo
from support.waiting import eventually
from wavecd.apps.session import TreeRequest
from wavecd.core import RealClock
from wavecd.kube import KubeClient, KubeConnectionError
from wavecd.server.controller import Controller
from wavecd.server.crd_events import ServedKinds
from wavecd.server.settings import ServeSettings


class FlakyDiscovery(KubeClient):
    """The cluster as the controller reaches it, whose first discovery read again fails: each read is counted."""

    reads = 0
    lock = threading.Lock()

    def refresh_discovery(self) -> None:
        with self.lock:
            self.reads += 1
            first = self.reads == 1
        if first:
            raise KubeConnectionError("dial tcp 10.0.0.1:443: connect: connection refused")
        super().refresh_discovery()


def test_a_failed_discovery_read_after_a_new_crd_is_tried_again_on_the_next_walk(kubeconfig, kube, tmp_path):
    write_repo(tmp_path, [Child("web", [config_map("settings", "web")], namespace="web")])
    lines: list[str] = []
    with FlakyDiscovery.from_kubeconfig(str(kubeconfig)) as client:
        controller = Controller(
            TreeRequest(root=tmp_path / "root.yaml", use_cache=False),
            client,
            ServeSettings(poll=0),
            clock=RealClock(),
            log=lines.append,
        )
        controller.start()
        try:
            controller.lead()
            assert eventually(lambda: controller.reconciled("web") is not None, timeout=30)
            kube.apply(crd("example.com", "Widget", "widgets"))
            assert eventually(lambda: any("reading the cluster's kinds again failed" in line for line in lines), 30)
            controller.queue.walk()  # a walk for any reason (a webhook, a poll) reads the kinds again
            assert eventually(lambda: client.reads == 2, timeout=30), lines
        finally:
            controller.stop()


def _established(obj: dict[str, Any], status: str) -> dict[str, Any]:
    conditions = [
        {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts"},
        {"type": "Established", "status": status, "reason": "InitialNamesAccepted"},
    ]
    return {**obj, "status": {"conditions": conditions, "storedVersions": ["v1"]}}


def test_only_crd_events_that_change_the_served_kinds_count():
    served, widget = ServedKinds(), crd("example.com", "Widget", "widgets")
    assert served.moved("ADDED", _established(widget, "False"))
    assert served.moved("MODIFIED", _established(widget, "True"))  # Established now: the kind is served
    touched = _established(widget, "True")
    touched["status"]["acceptedNames"] = {"kind": "Widget", "plural": "widgets"}
    assert not served.moved("MODIFIED", touched)  # the API server's own status write: nothing served changed
    two = copy.deepcopy(touched)
    two["spec"]["versions"].append({**two["spec"]["versions"][0], "name": "v2", "storage": False})
    assert served.moved("MODIFIED", two)
    two["spec"]["versions"][1]["served"] = False
    assert served.moved("MODIFIED", two)
    assert served.moved("DELETED", two)
    # A CRD the watch's first list brought: what it served before its first event is not known.
    assert served.moved("MODIFIED", _established(crd("example.com", "Gadget", "gadgets"), "True"))
