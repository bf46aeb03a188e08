"""Discovery against the simulated cluster: what is served, where, and how CRDs appear once established.

Expected values follow the apiserver's discovery (core kinds at `v1`, scopes as in Kubernetes), Helm's
`GetVersionSet` (group/versions plus `group/version/Kind` for every resource and subresource listed), and
apimachinery's `NoKindMatchError` text for a kind nothing serves."""

from __future__ import annotations

import httpx
import pytest
from kube_manifests import widget_crd

from wavecd.kube import KubeClient, KubeConnectionError, NoKindMatchError
from wavecd.kube.discovery import Discovery


def test_builtin_kinds_with_plural_scope_and_verbs(kube):
    by_kind = {(r.api_version, r.kind): r for r in kube.resources()}
    deployments = by_kind[("apps/v1", "Deployment")]
    assert (deployments.group, deployments.version, deployments.plural) == ("apps", "v1", "deployments")
    assert deployments.namespaced
    assert {"create", "get", "list", "watch", "patch", "delete"} <= set(deployments.verbs)
    assert {"status", "scale"} <= set(deployments.subresources)
    assert by_kind[("v1", "ConfigMap")].plural == "configmaps"
    assert by_kind[("v1", "ConfigMap")].group == ""


@pytest.mark.parametrize(
    ("api_version", "kind", "namespaced"),
    [
        ("v1", "Namespace", False),
        ("v1", "ConfigMap", True),
        ("apps/v1", "Deployment", True),
        ("rbac.authorization.k8s.io/v1", "ClusterRole", False),
        ("rbac.authorization.k8s.io/v1", "Role", True),
        ("apiextensions.k8s.io/v1", "CustomResourceDefinition", False),
        ("storage.k8s.io/v1", "StorageClass", False),
        ("argoproj.io/v1alpha1", "Application", True),
    ],
)
def test_namespaced_and_cluster_scoped(kube, api_version, kind, namespaced):
    assert kube.is_namespaced(api_version, kind) is namespaced


def test_api_versions_as_helm_reads_them_from_a_cluster(kube):
    versions = kube.api_versions()
    assert versions == sorted(set(versions))
    for expected in ("v1", "v1/Pod", "apps/v1", "apps/v1/Deployment", "batch/v1/Job", "argoproj.io/v1alpha1"):
        assert expected in versions
    # Subresources count too: deployments/scale answers with autoscaling's Scale kind.
    assert "apps/v1/Scale" in versions
    assert "example.com/v1" not in versions


def test_unknown_kind_says_no_matches_like_kubectl(kube):
    with pytest.raises(NoKindMatchError) as caught:
        kube.is_namespaced("example.com/v1", "Widget")
    error = caught.value
    assert error.message == 'no matches for kind "Widget" in version "example.com/v1"'
    assert (error.api_version, error.kind) == ("example.com/v1", "Widget")
    assert "ensure CRDs are installed first" in error.render()


def test_known_kind_at_an_unserved_version_is_no_match(kube):
    with pytest.raises(NoKindMatchError, match='no matches for kind "Deployment" in version "apps/v1beta1"'):
        kube.resource_for("apps/v1beta1", "Deployment")


def test_crd_kinds_appear_once_established(kube, sim, ns):
    kube.apply(widget_crd())
    with pytest.raises(NoKindMatchError):
        kube.resource_for("example.com/v1", "Widget")
    assert "example.com/v1" not in kube.api_versions()
    sim.advance(0.2)  # the sim's CRD controller establishes it after 0.2 s
    # A lookup that misses refreshes discovery once by itself...
    widget = kube.resource_for("example.com/v1", "Widget")
    assert (widget.plural, widget.namespaced) == ("widgets", True)
    # ...and the refreshed view is what every later call sees.
    assert {"example.com/v1", "example.com/v1/Widget"} <= set(kube.api_versions())
    assert any(r.kind == "Widget" for r in kube.resources())


def test_explicit_refresh_after_crds_are_established(kube, sim):
    before = {r.kind for r in kube.resources()}
    kube.apply(widget_crd(scope="Cluster"))
    sim.advance(0.2)
    assert "Widget" not in {r.kind for r in kube.resources()}  # still the cached view
    assert "Widget" in {r.kind for r in kube.resources(refresh=True)} - before
    assert kube.is_namespaced("example.com/v1", "Widget") is False


def test_legacy_discovery_agrees_with_aggregated(kube, sim):
    """Servers without aggregated discovery are read through the per-group/version documents."""
    kube.apply(widget_crd())
    sim.advance(0.2)
    with httpx.Client(base_url=sim.url) as http:

        def fetch(path: str, accept: str, *, legacy: bool) -> tuple[str, dict]:
            response = http.get(path, headers={"Accept": "application/json" if legacy else accept})
            response.raise_for_status()
            return response.headers["content-type"], response.json()

        legacy = Discovery(lambda path, accept: fetch(path, accept, legacy=True)).refresh()
        aggregated = Discovery(lambda path, accept: fetch(path, accept, legacy=False)).refresh()
    assert len(legacy.resources) > 30
    assert set(legacy.resources) == set(aggregated.resources)
    assert legacy.api_versions() == aggregated.api_versions()
    assert legacy.by_kind[("example.com/v1", "Widget")].plural == "widgets"


def test_discovery_uses_aggregated_documents_in_two_requests(kube, sim):
    seen = len(sim.requests)
    kube.resources(refresh=True)
    paths = [r.path for r in sim.requests[seen:]]
    assert paths == ["/api", "/apis"]


def test_server_version(kube):
    version = kube.server_version()
    assert (version.major, version.minor) == ("1", "33")
    assert version.git_version.startswith("v1.33.")


def test_unreachable_server_is_a_clear_error():
    with KubeClient.for_server("http://127.0.0.1:9") as kube, pytest.raises(KubeConnectionError) as caught:
        kube.server_version()
    assert caught.value.message == (
        "The connection to the server 127.0.0.1:9 was refused - did you specify the right host or port?"
    )
