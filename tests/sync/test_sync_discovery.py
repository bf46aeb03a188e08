"""When a sync reads discovery, as the API server's request log shows it: once when the rollout begins,
again only after a CRD or APIService changed what the API serves, and once before it reports (docs/sync.md,
"Requests per object")."""

from __future__ import annotations

from typing import Any

from sync_fixtures import FAST

from support.gitops import Child, config_map, crd, write_repo
from support.sim import SimTime
from wavecd.apps.session import TreeRequest, open_tree
from wavecd.kube import KubeClient
from wavecd.plan import plan_tree
from wavecd.sync import SyncSettings, sync_tree
from wavecd.sync.settings import ClusterFacts


def _group_reads(requests: list[Any]) -> int:
    """How many times discovery's list of API groups was read."""
    return sum(1 for r in requests if r.method == "GET" and r.path.split("?")[0].rstrip("/") == "/apis")


def _sync(cluster: Any, repo: Any, settings: SyncSettings = FAST) -> tuple[Any, dict[str, tuple[str, ...]]]:
    """Sync `repo` as `wavecd sync` would; (its result, app -> the API versions it was first rendered with)."""
    _, tree = open_tree(TreeRequest(root=repo, use_cache=False))
    rendered_with: dict[str, tuple[str, ...]] = {}

    def render(name: str, facts: ClusterFacts) -> list[dict[str, Any]]:
        rendered_with.setdefault(name, facts.api_versions)
        return tree.node(name).manifests

    with KubeClient.for_server(cluster.sim.url) as client:
        result = sync_tree(
            plan_tree(tree), client, render, settings=settings, clock=SimTime(cluster.sim), emit=lambda _: None
        )
    return result, rendered_with


def test_a_rollout_without_crds_reads_discovery_when_it_begins_and_before_it_reports(cluster, tmp_path):
    children = [Child(f"app{wave}", [config_map(f"settings{wave}")], wave=wave) for wave in range(5)]
    before = len(cluster.sim.requests)

    result, rendered_with = _sync(cluster, write_repo(tmp_path, children))

    assert result.exit_code == 0, result.message
    assert len(rendered_with) == 6  # the root and five waves, each rendered with the cluster's API versions
    assert all("apps/v1" in versions for versions in rendered_with.values())
    # Once for the root and the five waves, once for the check that no app renders differently now.
    assert _group_reads(cluster.sim.requests[before:]) == 2


def test_a_wave_after_a_crd_renders_with_its_kind_served(cluster, tmp_path):
    children = [
        Child("before", [config_map("a")], wave=0),
        Child("crds", [crd("example.com", "Widget", "widgets")], wave=1),
        Child("after", [config_map("b")], wave=2),
        Child("later", [config_map("c")], wave=3),
    ]

    result, rendered_with = _sync(cluster, write_repo(tmp_path, children))

    assert result.exit_code == 0, result.message
    assert "example.com/v1" not in rendered_with["crds"]
    assert "example.com/v1/Widget" in rendered_with["after"]
    assert "example.com/v1/Widget" in rendered_with["later"]
