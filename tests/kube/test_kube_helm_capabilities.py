"""`api_versions()` is what real Helm reads from a live cluster as `.Capabilities.APIVersions`: the expected
list was recorded from `helm template --validate` (helm 4.1.4; helm 3.17.2 gives the same list) against the
simulated cluster with the Widget CRD established, by `record_helm_api_versions.py`."""

from __future__ import annotations

from pathlib import Path

from kube_manifests import widget_crd

RECORDED = Path(__file__).parent / "data" / "helm_api_versions.txt"


def test_api_versions_match_what_helm_reads_from_the_cluster(kube, sim):
    kube.apply(widget_crd())
    sim.advance(0.2)
    kube.refresh_discovery()
    assert kube.api_versions() == RECORDED.read_text().split()
