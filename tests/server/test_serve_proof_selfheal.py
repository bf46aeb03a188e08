"""Proof: self-heal, seen from outside. `wavecd serve` keeps a small tree synced into a `wavecd sim serve`
subprocess: two automated apps, each a Deployment with `spec.replicas` and a ConfigMap. Real kubectl scales
both Deployments to 0 and edits both ConfigMaps. The app with `prune` and `selfHeal` (as staging's apps have)
is put back by partial syncs of what drifted, which prune nothing else and leave `status.history` alone, each
attempt after Argo CD's backoff (0 s for the first, then 2, 6, 18 s after the last `finishedAt`). The app
with `automated: {}` turns OutOfSync, names the two resources, and stays changed.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from support.gitops import Child, config_map, deployment, write_repo
from support.kubectl import kubectl
from support.paths import needs_kubectl
from support.serve import ServeProcess, synced_and_healthy
from wavecd.common import parse_kube_time

pytestmark = [pytest.mark.slow, needs_kubectl]

HEALED, DRIFTS = "healed", "drifts"  # the apps, and their destination namespaces
REPLICAS = 2
DATA = {"mode": "desired"}
HEALTHY = (REPLICAS, DATA)
# Argo CD's self-heal backoff: the wait after the last finishedAt once N attempts were made (N = 0, 1, 2, …).
ARGO_BACKOFF = [0, 2, 6, 18, 54, 162, 300]


def manifests(app: str) -> list[dict[str, Any]]:
    deploy = deployment("web", app)
    deploy["spec"]["replicas"] = REPLICAS
    settings = config_map("settings", app)
    settings["data"] = dict(DATA)
    return [deploy, settings]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    options = ["CreateNamespace=true"]
    children = [
        Child(
            HEALED,
            manifests(HEALED),
            namespace=HEALED,
            sync_policy={"automated": {"prune": True, "selfHeal": True}, "syncOptions": options},
        ),
        Child(DRIFTS, manifests(DRIFTS), namespace=DRIFTS, sync_policy={"automated": {}, "syncOptions": options}),
    ]
    root = write_repo(tmp_path / "gitops", children) / "root.yaml"
    app = yaml.safe_load(root.read_text())
    app["spec"]["syncPolicy"] = {"automated": {"prune": True, "selfHeal": True}}  # as staging's root
    root.write_text(yaml.safe_dump(app))
    return root


def drift(kubeconfig: Path, namespace: str) -> None:
    """What someone does by hand: scale the Deployment to 0 and change the ConfigMap."""
    kubectl(kubeconfig, "-n", namespace, "scale", "deployment/web", "--replicas=0")
    kubectl(
        kubeconfig,
        "-n",
        namespace,
        "patch",
        "configmap/settings",
        "--type=merge",
        "-p",
        json.dumps({"data": {"mode": "edited"}}),
    )


def live(kubeconfig: Path, namespace: str) -> tuple[int, dict[str, str]]:
    deploy = json.loads(kubectl(kubeconfig, "-n", namespace, "get", "deployment/web", "-o", "json"))
    settings = json.loads(kubectl(kubeconfig, "-n", namespace, "get", "configmap/settings", "-o", "json"))
    return deploy["spec"]["replicas"], settings.get("data") or {}


def drifted_resources(app: dict[str, Any]) -> list[str]:
    return sorted(
        f"{r['kind']}/{r['name']}:{r.get('status')}" for r in (app.get("status") or {}).get("resources") or []
    )


def heal(serve: ServeProcess, kubeconfig: Path, timeout: float = 120) -> tuple[float, dict[int, dict[str, Any]]]:
    """Drift HEALED and watch it heal: the seconds until its objects are as desired again and its operation
    Succeeded, and every self-heal attempt's final `operationState` seen on the way, by its count (kubectl's
    two edits are two requests, so the first heal may catch one and the next, after its backoff, the other)."""
    drift(kubeconfig, HEALED)
    start = time.monotonic()
    attempts: dict[int, dict[str, Any]] = {}
    while time.monotonic() - start < timeout:
        app = serve.applications()[HEALED]
        state = (app.get("status") or {}).get("operationState") or {}
        if state.get("phase") == "Succeeded":
            attempts[_attempts(app)] = state
        if synced_and_healthy(app) and state.get("phase") == "Succeeded" and live(kubeconfig, HEALED) == HEALTHY:
            return time.monotonic() - start, attempts
        time.sleep(0.1)
    raise AssertionError(f"{HEALED} was not healed in {timeout:g} s: {attempts}\n{serve.log()[-3000:]}")


def assert_backoff(attempts: dict[int, dict[str, Any]]) -> None:
    """Each attempt starts no sooner than Argo CD's backoff after the previous one finished (timestamps are
    whole seconds, hence the second of slack)."""
    for count in sorted(attempts):
        if count - 1 in attempts:
            finished = parse_kube_time(attempts[count - 1]["finishedAt"])
            started = parse_kube_time(attempts[count]["startedAt"])
            assert finished is not None and started is not None
            waited = (started - finished).total_seconds()
            print(f"self-heal attempt {count} started {waited:.0f} s after attempt {count - 1} finished")
            assert waited >= ARGO_BACKOFF[count - 1] - 1, (count, attempts)


def test_self_heal_reverts_kubectl_drift_and_without_it_the_app_stays_out_of_sync(tree, cluster, tmp_path):
    kubeconfig = cluster.kubeconfig
    serve = ServeProcess(tree, kubeconfig, tmp_path, "--poll", "0").start()
    try:
        serve.wait_for(
            "the tree Synced and Healthy",
            lambda apps: len(apps) == 3 and all(map(synced_and_healthy, apps.values())),
            timeout=120,
        )
        before = serve.applications()
        assert live(kubeconfig, HEALED) == live(kubeconfig, DRIFTS) == HEALTHY

        drift(kubeconfig, DRIFTS)
        drifted_at = time.monotonic()
        took, attempts = heal(serve, kubeconfig)
        print(f"self-heal put both resources back {took:.1f} s after kubectl, in attempts {sorted(attempts)}")
        # kubectl's two edits race the controller: each attempt heals what had drifted when it compared, so a
        # loaded machine may need more than one; they count up from 1 and keep Argo CD's backoff.
        assert sorted(attempts) == list(range(1, len(attempts) + 1))
        assert_backoff(attempts)
        for state in attempts.values():
            assert state["operation"]["initiatedBy"] == {"automated": True}
            assert state["message"] == "successfully synced (all tasks run)"
            partial = {(r["kind"], r["name"]) for r in state["operation"]["sync"]["resources"]}
            assert partial and partial <= {("Deployment", "web"), ("ConfigMap", "settings")}, state
        assert serve.applications()[HEALED]["status"]["history"] == before[HEALED]["status"]["history"]

        # The app without selfHeal: OutOfSync, both resources named, nothing put back — for several seconds.
        time.sleep(max(0.0, 5 - (time.monotonic() - drifted_at)))
        for _ in range(2):
            other = serve.applications()[DRIFTS]
            assert other["status"]["sync"]["status"] == "OutOfSync"
            assert drifted_resources(other) == ["ConfigMap/settings:OutOfSync", "Deployment/web:OutOfSync"]
            assert not other.get("operation")
            assert other["status"]["history"] == before[DRIFTS]["status"]["history"]
            assert live(kubeconfig, DRIFTS) == (0, {"mode": "edited"})
            time.sleep(3)

        # Drift again: healed again, each attempt only after the backoff that the attempts before it owe.
        done = max(attempts)
        took, more = heal(serve, kubeconfig)
        print(f"healed again {took:.1f} s after kubectl, in attempts {sorted(set(more) - {done})}")
        assert min(set(more) - {done}) == done + 1
        assert_backoff({done: attempts[done], **more})
        assert serve.applications()[HEALED]["status"]["history"] == before[HEALED]["status"]["history"]
        assert serve.terminate() == 0
    finally:
        serve.close()


def _attempts(app: dict[str, Any]) -> int:
    state = (app.get("status") or {}).get("operationState") or {}
    return ((state.get("operation") or {}).get("sync") or {}).get("autoHealAttemptsCount", 0)
