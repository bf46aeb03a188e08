"""deploy/chart installed into the simulated cluster: every object passes the API server's dry run as real
kubectl sends it, and an Application over the chart syncs as `wavecd sync` (and the server) sync it, ending
Healthy with the controller's pods running."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from chart_render import CHART, NAMESPACE, render, values_file
from click.testing import CliRunner

from support.gitops import application
from support.paths import KUBECTL, needs_kubectl
from support.sim import SimTime
from wavecd.apps.session import TreeRequest
from wavecd.cli.main import main
from wavecd.kube import KubeClient
from wavecd.operations import sync_root
from wavecd.sync.settings import SyncSettings

WAVECD_REPO = "https://github.com/wavecd/wavecd.git"


def kubectl(kubeconfig: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(KUBECTL), "--kubeconfig", str(kubeconfig), *args], input=stdin, capture_output=True, text=True, check=False
    )


@needs_kubectl
@pytest.mark.parametrize("values", ["defaults", "everything"])
def test_every_object_passes_the_servers_dry_run_and_nothing_is_created(kubeconfig, kube, values):
    args = ("--namespace", NAMESPACE) + (() if values == "defaults" else ("-f", str(values_file(values))))
    manifests = render(*args).stdout
    kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}})
    done = kubectl(kubeconfig, "apply", "--dry-run=server", "-f", "-", stdin=manifests)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no warning: no field the server does not know
    objects = [doc for doc in yaml.safe_load_all(manifests) if doc]
    assert len(done.stdout.splitlines()) == len(objects)
    assert all(line.endswith(" (server dry run)") for line in done.stdout.splitlines())
    assert kube.get("apps/v1", "StatefulSet", "wavecd", NAMESPACE) is None


@needs_kubectl
def test_the_dry_run_refuses_what_the_server_would_refuse(kubeconfig, kube):
    """The same check fails on a broken object, so the dry run above can fail."""
    manifests = render("--namespace", NAMESPACE).stdout.replace("replicas: 1", 'replicas: "one"')
    kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}})
    done = kubectl(kubeconfig, "apply", "--dry-run=server", "-f", "-", stdin=manifests)
    assert done.returncode == 1
    assert "StatefulSet" in done.stderr and "replicas" in done.stderr


@pytest.fixture
def gitops(tmp_path) -> Path:
    """A GitOps repository whose one Application installs deploy/chart of this checkout, sharded, into `wavecd`."""
    app = application(
        "wavecd",
        str(CHART.relative_to(CHART.parents[1])),
        namespace=NAMESPACE,
        repo=WAVECD_REPO,
        helm={
            "valuesObject": yaml.safe_load(values_file("sharded").read_text()) | {"networkPolicy": {"enabled": True}}
        },
        syncPolicy={"syncOptions": ["CreateNamespace=true"]},
    )
    (tmp_path / "root.yaml").write_text(yaml.safe_dump(app))
    config = {
        "root": "root.yaml",
        "repositories": [{"url": WAVECD_REPO, "path": str(CHART.parents[1]), "worktree": True}],
    }
    (tmp_path / "wavecd.yaml").write_text(yaml.safe_dump(config))
    return tmp_path


def test_wavecd_sync_sim_installs_the_chart_and_ends_healthy(gitops):
    result = CliRunner().invoke(main, ["sync", str(gitops), "--sim", "--timeout", "10m", "-o", "json"])
    assert result.exit_code == 0, result.stderr
    summary = yaml.safe_load(result.stdout.splitlines()[-1])
    assert (summary["event"], summary["health"], summary["phase"]) == ("summary", "Healthy", "Succeeded")


def test_an_application_over_the_chart_syncs_and_ends_healthy(sim, gitops):
    """The same sync through `sync_root`, the call `wavecd serve` makes, leaves the controller's pods running."""
    events = []
    result = sync_root(
        TreeRequest(root=gitops, use_cache=False),
        lambda: KubeClient.for_server(sim.url),
        SyncSettings(wave_delay=1.0, poll_interval=1.0),
        emit=lambda event: events.append(event.to_json()),
        clock=SimTime(sim),
        warn=lambda app, message: pytest.fail(f"{app}: {message}"),
    )
    assert (result.health, result.phase, result.exit_code) == ("Healthy", "Succeeded", 0), result.message
    assert result.apps["wavecd"].health == "Healthy"
    applied = {(e["kind"], e["resource"]) for e in events if e["event"] == "applied"}
    assert ("StatefulSet", "wavecd") in applied
    assert ("ClusterRole", "wavecd") in applied
    with KubeClient.for_server(sim.url) as kube:
        live = kube.get("apps/v1", "StatefulSet", "wavecd", NAMESPACE)
        assert live["spec"]["replicas"] == 4
        assert live["status"]["readyReplicas"] == 4
        pods = sorted(p["metadata"]["name"] for p in kube.list("v1", "Pod", NAMESPACE))
        assert pods == ["wavecd-0", "wavecd-1", "wavecd-2", "wavecd-3"]
        assert kube.get("networking.k8s.io/v1", "NetworkPolicy", "wavecd", NAMESPACE) is not None
