"""`wavecd sync` of a small tree to the real kube-apiserver: ConfigMaps and Namespaces, which are Healthy
without controllers (there is no kubelet, so nothing that needs pods), applied wave by wave as on the sim."""

from __future__ import annotations

import json
import subprocess

import pytest

from support.differential import Servers
from support.gitops import Child, config_map, write_repo
from support.paths import wavecd_command

pytestmark = [pytest.mark.real_apiserver, pytest.mark.xdist_group("real-apiserver"), pytest.mark.slow]

CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"


def install_argocd_crds(servers: Servers) -> None:
    """Argo CD's CRDs and namespace, as the sim has them from the start (wavecd applies `Application`s)."""
    servers.real.request("POST", "/api/v1/namespaces", {"metadata": {"name": "argocd"}})
    for plural in ("applications", "applicationsets", "appprojects"):
        name = f"{plural}.argoproj.io"
        crd = servers.sim.request("GET", f"{CRDS}/{name}").body
        manifest = {
            "apiVersion": crd["apiVersion"],
            "kind": crd["kind"],
            "metadata": {"name": name},
            "spec": crd["spec"],
        }
        answer = servers.real.request("POST", CRDS, manifest)
        assert answer.status in (201, 409), answer.body
        servers.real.wait_for(
            f"{CRDS}/{name}",
            lambda body: any(
                c["type"] == "Established" and c["status"] == "True" for c in body["status"]["conditions"] or []
            ),
        )


def test_a_tree_of_configmaps_syncs_to_healthy(servers, tmp_path):
    install_argocd_crds(servers)
    repo = write_repo(
        tmp_path / "repo",
        [
            Child("first", [config_map("one", "real-first")], wave=0, namespace="real-first"),
            Child("second", [config_map("two", "real-second")], wave=1, namespace="real-second"),
        ],
    )
    command = wavecd_command("sync", str(repo), "--kubeconfig", str(servers.real.kubeconfig), "-o", "json")
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr + result.stdout
    events = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    finished = {e["app"]: e["health"] for e in events if e["event"] == "app_finished"}
    assert finished == {"root": "Healthy", "first": "Healthy", "second": "Healthy"}
    order = [e["app"] for e in events if e["event"] == "app_finished"]
    assert order.index("first") < order.index("second"), "wave 0 before wave 1"
    for namespace, name in (("real-first", "one"), ("real-second", "two")):
        answer = servers.real.request("GET", f"/api/v1/namespaces/{namespace}/configmaps/{name}")
        assert answer.status == 200
        assert answer.body["data"] == {"key": name}
