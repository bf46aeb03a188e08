"""`api_versions()` is what real Helm reads from a live cluster as `.Capabilities.APIVersions`: the expected
list was recorded from `helm template --validate` (helm 4.1.4; helm 3.17.2 gives the same list) against the
simulated cluster with the Widget CRD established, by `record_helm_api_versions.py`. Sim-only: the list is the
sim's (the real apiserver v1.34 serves more groups, e.g. `resource.k8s.io`, `flowcontrol.apiserver.k8s.io`)."""

from __future__ import annotations

from pathlib import Path

from kube_manifests import widget_crd

from wavecd.kube import KubeClient

RECORDED = Path(__file__).parent / "data" / "helm_api_versions.txt"


def test_api_versions_match_what_helm_reads_from_the_cluster(sim):
    with KubeClient.for_server(sim.url) as kube:
        kube.apply(widget_crd())
        sim.advance(0.2)
        kube.refresh_discovery()
        assert kube.api_versions() == RECORDED.read_text().split()
