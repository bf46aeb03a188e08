"""`wavecd serve` against a real kube-apiserver (the sim's controllers attached, fixture `driven`): the controller
takes its Lease, syncs an automated tree to Synced and Healthy from its watches, and heals what real kubectl
changes by hand — the controller proofs' loop, on the API server users run."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml

from support.driven_apiserver import kubectl
from support.gitops import Child, config_map, deployment, write_repo
from support.paths import needs_kubectl
from support.serve import ServeProcess, synced_and_healthy

pytestmark = [pytest.mark.real_apiserver, pytest.mark.slow, needs_kubectl]

APP = "healed-real"


def tree(folder: Path) -> Path:
    web = deployment("web", APP)
    web["spec"]["replicas"] = 2
    settings = config_map("settings", APP)
    settings["data"] = {"mode": "desired"}
    automated = {"automated": {"prune": True, "selfHeal": True}, "syncOptions": ["CreateNamespace=true"]}
    root = write_repo(folder / "gitops", [Child(APP, [web, settings], namespace=APP, sync_policy=automated)])
    root = root / "root.yaml"
    app = yaml.safe_load(root.read_text())
    app["spec"]["syncPolicy"] = {"automated": {"prune": True, "selfHeal": True}}
    root.write_text(yaml.safe_dump(app))
    return root


def live(server, kind: str) -> dict:
    return json.loads(kubectl(server, "-n", APP, "get", kind, "-o", "json"))


def test_serve_syncs_and_self_heals_on_a_real_apiserver(driven, tmp_path):
    server, _log = driven
    serve = ServeProcess(tree(tmp_path), server.kubeconfig, tmp_path, "--poll", "0", "--leader-elect").start()
    try:
        serve.wait_for(
            "the tree Synced and Healthy",
            lambda apps: len(apps) == 2 and all(map(synced_and_healthy, apps.values())),
            timeout=300,
        )
        lease = json.loads(kubectl(server, "-n", "argocd", "get", "lease", "wavecd-controller-shard-0", "-o", "json"))
        assert lease["spec"]["holderIdentity"], lease
        assert live(server, "deployment/web")["status"]["readyReplicas"] == 2

        kubectl(server, "-n", APP, "scale", "deployment/web", "--replicas=0")
        kubectl(server, "-n", APP, "patch", "configmap/settings", "--type=merge", "-p", '{"data":{"mode":"edited"}}')
        deadline = time.monotonic() + 180
        while True:
            replicas = live(server, "deployment/web")["spec"]["replicas"]
            mode = live(server, "configmap/settings")["data"]["mode"]
            if (replicas, mode) == (2, "desired") and synced_and_healthy(serve.applications()[APP]):
                break
            assert time.monotonic() < deadline, f"not healed: {replicas}, {mode}\n{serve.log()[-3000:]}"
            time.sleep(0.5)
        state = serve.applications()[APP]["status"]["operationState"]
        assert state["operation"]["initiatedBy"] == {"automated": True}
        assert state["phase"] == "Succeeded"
        assert serve.terminate() == 0
    finally:
        serve.close()
