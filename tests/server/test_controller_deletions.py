"""Deletion passes touch only what this controller answers for: an Application of another tree (another team,
another Argo CD) being deleted with the resources finalizer keeps its resources and its finalizer."""

from __future__ import annotations

import time

from support.gitops import Child, application, config_map, write_repo
from wavecd.apps.session import TreeRequest
from wavecd.core import RealClock
from wavecd.server.controller import Controller
from wavecd.server.settings import ServeSettings

FINALIZER = "resources-finalizer.argocd.argoproj.io"
APP = ("argoproj.io/v1alpha1", "Application")


def test_an_application_outside_the_tree_is_left_to_its_own_controller(tmp_path, kube):
    write_repo(tmp_path, [Child("mine", [config_map("settings")])])
    kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other-team"}})
    precious = config_map("precious", "other-team")
    precious["metadata"]["annotations"] = {"argocd.argoproj.io/tracking-id": "foreign:/ConfigMap:other-team/precious"}
    kube.apply(precious)
    foreign = application("foreign", "elsewhere", namespace="other-team")
    foreign["metadata"]["finalizers"] = [FINALIZER]
    kube.apply(foreign)
    controller = Controller(
        TreeRequest(root=tmp_path / "root.yaml", use_cache=False),
        kube,
        ServeSettings(poll=0),
        clock=RealClock(),
        log=print,
    )
    controller.start()
    controller.lead()
    try:
        kube.delete(*APP, "foreign", "argocd")
        time.sleep(3)  # several worker rounds: a deletion pass would have run by now
        assert kube.get("v1", "ConfigMap", "precious", "other-team") is not None
        assert kube.get(*APP, "foreign", "argocd")["metadata"]["finalizers"] == [FINALIZER]
    finally:
        controller.stop()
