"""An app rendered again with a cluster's facts, as the sync does when the app's wave starts: `.Capabilities`
follow the cluster, errors read as in the tree, and a render already made is a cache hit."""

import shutil

import pytest
from apps_support import BROKEN_APPS, REPO, FolderResolver

from support.gitops import application, write_files
from support.paths import EXAMPLES
from wavecd.apps.errors import AppError
from wavecd.apps.helm_source import RenderSettings
from wavecd.apps.kinds import KindTable, crd_entries
from wavecd.apps.render_cache import MemoryCache
from wavecd.apps.rerender import AppRenderer, settings_for, shown_location
from wavecd.apps.session import TreeRequest, open_session
from wavecd.apps.tree import TreeOptions, build_tree
from wavecd.core import Location, ManualClock, UserInputError
from wavecd.kube import KubeClient
from wavecd.sim.cluster import SimCluster

BUILT_IN = KindTable().api_versions  # a fresh cluster: Kubernetes and Argo CD's kinds, no other CRDs
MONITORS = ["PodMonitor", "ServiceMonitor"]


class CountingCache:
    """The session's render cache, counting the renders it is asked to keep."""

    def __init__(self, inner):
        self.inner = inner
        self.puts = 0

    def get(self, digest):
        return self.inner.get(digest)

    def put(self, digest, output):
        self.puts += 1
        self.inner.put(digest, output)


@pytest.fixture(scope="module")
def staging():
    return open_session(TreeRequest(root=EXAMPLES / "staging", offline=True, executor="serial", use_cache=False))


def with_crds_of(session, app):
    crds = [entry for obj in session.tree.node(app).manifests for entry in crd_entries(obj)]
    return KindTable(crds).api_versions


def kinds(manifests):
    return sorted(o["kind"] for o in manifests)


def test_offline_the_tree_renders_the_monitors_with_the_crds_of_a_later_wave(staging):
    node = staging.tree.node("istiod-monitoring")
    assert kinds(node.manifests) == MONITORS
    assert {o["metadata"]["namespace"] for o in node.manifests} == {"istio-system"}


def test_on_a_fresh_cluster_the_monitors_wait_until_their_crds_are_served(staging):
    assert staging.render_at("istiod-monitoring", "v1.33.0", BUILT_IN) == []
    only_service_monitor = [*BUILT_IN, "monitoring.coreos.com/v1", "monitoring.coreos.com/v1/ServiceMonitor"]
    assert kinds(staging.render_at("istiod-monitoring", "v1.33.0", only_service_monitor)) == ["ServiceMonitor"]
    later = staging.render_at("istiod-monitoring", "v1.33.0", with_crds_of(staging, "kube-prometheus-stack"))
    assert later == staging.tree.node("istiod-monitoring").manifests


def test_with_a_clusters_live_discovery_the_monitors_come_once_kube_prometheus_stack_is_in(staging, tmp_path):
    with SimCluster(clock=ManualClock()) as sim:
        sim.write_kubeconfig(str(tmp_path / "kubeconfig"))
        with KubeClient.from_kubeconfig(str(tmp_path / "kubeconfig")) as kube:
            version = kube.server_version().git_version
            assert staging.render_at("istiod-monitoring", version, kube.api_versions()) == []
            for obj in staging.render_at("kube-prometheus-stack", version, kube.api_versions()):
                if obj["kind"] == "CustomResourceDefinition":
                    kube.apply(obj)
            sim.advance(1)  # the sim establishes a CRD 0.2 s after it is created
            kube.refresh_discovery()
            later = staging.render_at("istiod-monitoring", version, kube.api_versions())
    assert later == staging.tree.node("istiod-monitoring").manifests


def test_the_root_renders_like_any_other_application(staging):
    assert staging.render_at("root-staging", "v1.33.0", BUILT_IN) == staging.tree.root.manifests


def test_an_applicationset_or_an_unknown_name_is_a_clear_error(staging):
    with pytest.raises(AppError, match="ApplicationSet staging-webs-services has no manifests of its own") as err:
        staging.render_at("staging-webs-services", "v1.33.0", BUILT_IN)
    assert err.value.location.app == "staging-webs-services"
    with pytest.raises(UserInputError, match="no app named 'nope' in the tree of"):
        staging.render_at("nope", "v1.33.0", BUILT_IN)


def test_a_render_already_made_is_taken_from_the_cache(staging):
    counting = CountingCache(staging.renderer.cache)
    renderer = AppRenderer(staging.renderer.resolver, staging.tree.kinds, counting)
    node = staging.tree.node("istiod-monitoring")
    walked = settings_for(staging.settings, staging.settings.kube_version, staging.tree.kinds.api_versions)
    assert renderer.render(node, walked) == node.manifests
    assert counting.puts == 0  # the tree walk rendered it with these very facts
    fresh = settings_for(staging.settings, "v1.32.4", BUILT_IN)
    first = renderer.render(node, fresh)
    second = renderer.render(node, fresh)
    assert (first, second, counting.puts) == ([], [], 1)


def test_settings_for_keeps_the_helm_flavour_and_takes_the_clusters_facts():
    base = RenderSettings(helm_compat="v3", kube_version="v1.33.0", api_versions=("offline.example/v1",))
    assert settings_for(base, "v1.30.2", ["b/v1", "a/v1", "b/v1"]) == RenderSettings("v3", "v1.30.2", ("a/v1", "b/v1"))


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    repo = tmp_path_factory.mktemp("rerender") / "repo"
    for folder in ("charts", "manifests", "values"):
        shutil.copytree(REPO / folder, repo / folder)
    write_files(repo, BROKEN_APPS)
    resolver, cache = FolderResolver(repo), MemoryCache()
    tree = build_tree(
        application("root", "apps", namespace="argocd"), resolver, options=TreeOptions(executor="serial"), cache=cache
    )
    return tree, AppRenderer(resolver, tree.kinds, cache)


@pytest.mark.parametrize("version", ["v1.30.2", "v1.34.1"])
def test_the_clusters_kube_version_reaches_the_chart(small, version):
    tree, renderer = small
    config = next(
        o for o in renderer.render(tree.node("good"), RenderSettings(kube_version=version)) if o["kind"] == "ConfigMap"
    )
    assert config["data"]["kube"] == version
    assert config["metadata"]["namespace"] == "team"
    assert config["data"]["widgetKind"] == "false"  # no discovery given, not even the chart's own CRD


@pytest.mark.parametrize("name", ["missing-values", "no-path", "bad-template", "no-source"])
def test_an_error_reads_as_the_tree_shows_it(small, name):
    tree, renderer = small
    node = tree.node(name)
    assert node.error and node.error_location
    with pytest.raises(AppError) as err:
        renderer.render(node, RenderSettings(kube_version="v1.30.2"))
    assert err.value.message == node.error
    assert str(err.value.location) == node.error_location
    assert err.value.location.app == name
    assert f"\n  at {node.error_location}" in err.value.render()


@pytest.mark.parametrize(
    ("text", "location"),
    [
        (None, Location(app="a")),
        ("app a", Location(app="a")),
        (
            "app a, oci://r.example/charts@1.2.0, web/templates/cm.yaml:7",
            Location(app="a", repo="oci://r.example/charts", revision="1.2.0", file="web/templates/cm.yaml", line=7),
        ),
        ("app a, root.yaml:3", Location(app="a", file="root.yaml", line=3)),
        ("app ab, x, y, z", Location(file="app ab, x, y, z")),  # not wavecd's shape: printed as it was
    ],
)
def test_a_stored_location_prints_as_it_was_stored(text, location):
    assert shown_location(text, "a") == location
    assert str(shown_location(text, "a")) == (text or "app a")
