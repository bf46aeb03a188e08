"""`wavecd diff ROOT --live` against an in-process simulated cluster: nothing after a sync (the dry run keeps
server defaults out of the diff), then an object edited by hand, one never created, and one left to prune."""

from __future__ import annotations

import json

from click.testing import CliRunner, Result

from support.gitops import Child, config_map, namespace, write_repo
from support.sim import sync_repo
from wavecd.cli.main import main
from wavecd.kube import KubeClient


def write_shop(repo, names):
    manifests = [namespace("shop"), *(config_map(name, "shop") for name in names)]
    return write_repo(repo, [Child("shop", manifests, namespace="shop", sync_policy=None)])


def live_diff(repo, kubeconfig, *args: str) -> Result:
    return CliRunner().invoke(main, ["diff", str(repo), "--live", "--kubeconfig", str(kubeconfig), *args])


def test_live_diff_shows_what_a_sync_would_change(sim, kubeconfig, tmp_path):
    repo = write_shop(tmp_path / "repo", ["settings", "old"])
    sync_repo(sim, repo)
    result = live_diff(repo, kubeconfig)
    assert result.exit_code == 0, result.output

    with KubeClient.for_server(sim.url) as client:
        client.patch(
            "v1", "ConfigMap", "settings", {"data": {"key": "edited"}}, namespace="shop", field_manager="kubectl-edit"
        )
    write_shop(repo, ["settings", "fresh"])  # `old` left to prune, `fresh` not created yet
    result = live_diff(repo, kubeconfig, "-o", "json")
    assert result.exit_code == 1, result.output
    (shop,) = json.loads(result.stdout)["apps"]
    assert shop["name"] == "shop"
    objects = {o["name"]: o for o in shop["objects"]}
    assert {name: o["change"] for name, o in objects.items()} == {
        "fresh": "added",
        "old": "removed",
        "settings": "changed",
    }
    changed = objects["settings"]["diff"]
    assert changed.startswith("--- live/ConfigMap/shop/settings\n+++ target/ConfigMap/shop/settings\n")
    body = changed.splitlines()[2:]
    # only the edited field differs: the server's own fields (uid, managedFields, …) are on both sides or neither
    assert [line for line in body if line[:1] in "+-"] == ["-  key: edited", "+  key: settings"]
