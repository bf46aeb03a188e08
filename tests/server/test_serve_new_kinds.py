"""A kind the cluster starts serving under a running `wavecd serve`: a chart that renders an object only when
the cluster has its kind (`.Capabilities.APIVersions.Has`, as staging's istiod-monitoring does for its
PodMonitor) renders nothing in an early wave, is Synced with nothing, and must be synced once a later wave
installs the CRD — not left "Synced, never synced" until someone refreshes it."""

from __future__ import annotations

import pytest
import yaml

from support.gitops import ROOT, application, crd, write_files
from support.serve import ServeProcess
from support.sim_server import SimServer

pytestmark = pytest.mark.slow

REPO = "https://git.example.com/gitops.git"
AUTOMATED = {"automated": {"prune": True}, "syncOptions": ["CreateNamespace=true"]}
WIDGET = """{{- if .Capabilities.APIVersions.Has "example.com/v1/Widget" }}
apiVersion: example.com/v1
kind: Widget
metadata:
  name: scrape
  namespace: apps
spec:
  size: 1
{{- end }}
"""


def test_an_app_that_renders_a_kind_installed_by_a_later_wave_is_synced_once_the_kind_is_served(tmp_path):
    repo = tmp_path / "repo"
    root = application(ROOT, "apps", namespace="argocd", repo=REPO, syncPolicy={"automated": {"prune": True}})
    write_files(
        repo,
        {
            "wavecd.yaml": {"root": "root.yaml", "repositories": [{"url": REPO, "path": ".", "worktree": True}]},
            "root.yaml": root,
            "apps/monitoring.yaml": application(
                "monitoring", "charts/monitoring", 0, "apps", repo=REPO, syncPolicy=AUTOMATED
            ),
            "apps/widgets.yaml": application(
                "widgets", "manifests/widgets", 1, "apps", repo=REPO, syncPolicy=AUTOMATED
            ),
            "manifests/widgets/all.yaml": [crd("example.com", "Widget", "widgets")],
        },
    )
    chart = repo / "charts" / "monitoring"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(yaml.safe_dump({"apiVersion": "v2", "name": "monitoring", "version": "0.1.0"}))
    (chart / "templates" / "widget.yaml").write_text(WIDGET)
    sim = SimServer(tmp_path, speed=50.0).start()
    serve = ServeProcess(repo / "root.yaml", sim.kubeconfig, tmp_path, "--poll", "0").start()
    try:
        serve.wait_for(
            "monitoring synced with its Widget",
            lambda apps: (
                (apps.get("monitoring", {}).get("status", {}).get("operationState") or {}).get("phase") == "Succeeded"
                and apps["monitoring"]["status"]["sync"]["status"] == "Synced"
                and [r["kind"] for r in apps["monitoring"]["status"].get("resources", [])] == ["Widget"]
            ),
            timeout=120,
        )
        with sim.client() as client:
            assert client.get("example.com/v1", "Widget", "scrape", "apps") is not None
    finally:
        serve.close()
        sim.stop()
