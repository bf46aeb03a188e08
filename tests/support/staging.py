"""The staging example (examples/staging) as the tests expect to find it, written once: the seed's tree with its
waves, the two entries its wave table adds, and the Applications its ApplicationSets generate; and the tree
itself, built offline from the example the way `wavecd tree` builds it.

The apps tests compare the built tree with these tables, the plan tests its tree waves, and the examples tests
the repository's files as plain YAML.
"""

from __future__ import annotations

import pytest

from support.paths import STAGING
from wavecd.apps.node import Tree
from wavecd.apps.root import load_root
from wavecd.apps.tree import TreeOptions, build_tree
from wavecd.sources.resolver import SourceResolver

# The seed's tree under root-staging, in its order: (name, kind of source as the tree names it, wave).
SEED_TREE = [
    ("namespaces", "git-chart", -10),
    ("network-policies", "git-chart", -9),
    ("external-secrets", "oci-chart", -9),
    ("aws-lb-controller", "oci-chart", -9),
    ("karpenter", "oci-chart", -8),
    ("external-dns", "oci-chart", -8),
    ("kyverno", "oci-chart", -7),
    ("karpenter-config", "git-chart", -6),
    ("policy-reporter", "oci-chart", -6),
    ("ai-service-secrets", "git-chart", -6),
    ("kafka", "git-chart", -5),
    ("clickhouse", "oci-chart", -4),
    ("istio-base", "oci-chart", -4),
    ("istiod", "oci-chart", -3),
    ("istio-gateway", "git-chart", -2),
    ("istiod-monitoring", "git-chart", -2),
    ("istio-ingressgateway", "oci-chart", -2),
    ("istio-security", "git-chart", -1),
    ("kube-prometheus-stack", "oci-chart", -1),
    ("loki", "oci-chart", 0),
    ("tempo", "oci-chart", 0),
    ("grafana", "oci-chart", 0),
    ("alloy", "oci-chart", 0),
    ("loadtest-route", "git-chart", 0),
    ("opentelemetry-collector", "oci-chart", 1),
    ("kafka-exporter", "oci-chart", 1),
    ("alb-ingress", "git-chart", 5),
    ("staging-webs-services", "applicationset", 10),
    ("staging-ai-services", "applicationset", 10),
    ("loadtest-webs-services", "applicationset", 15),
    ("loadtest-ai-services", "applicationset", 15),
]
# Named by the seed's wave table but missing from its tree.
WAVE_TABLE_ADDITIONS = [("metrics-server", "oci-chart", -9), ("cloudbeaver", "git-chart", 5)]

# Each ApplicationSet: namespace, name prefix of its Applications, and (service, wave) in order.
SETS = {
    "staging-webs-services": (
        "staging-webs",
        "staging",
        [
            ("auth-guard", 10),
            ("queue", 11),
            ("seat", 11),
            ("seat-v2", 11),
            ("order-core", 11),
            ("api-gateway", 12),
        ],
    ),
    "staging-ai-services": ("staging-ai", "staging", [("ai-defense", 10), ("authz-adapter", 10)]),
    "loadtest-webs-services": (
        "loadtest-webs",
        "loadtest",
        [
            ("auth-guard", 15),
            ("queue", 16),
            ("seat", 16),
            ("seat-v2", 16),
            ("order-core", 16),
            ("api-gateway", 17),
        ],
    ),
    "loadtest-ai-services": ("loadtest-ai", "loadtest", [("ai-defense", 15), ("authz-adapter", 16)]),
}

# (application, its ApplicationSet, wave, destination namespace) of every generated Application.
GENERATED = [
    (f"{prefix}-{service}", appset, wave, namespace)
    for appset, (namespace, prefix, services) in SETS.items()
    for service, wave in services
]


@pytest.fixture(scope="module")
def example_tree() -> Tree:
    """The staging tree, from the example's own chart mirror (offline), built serially."""
    root = load_root(STAGING)
    resolver = SourceResolver(root.config, offline=True)
    return build_tree(
        root.obj, resolver, clusters=root.config.clusters, options=TreeOptions(executor="serial"), root_file=root.file
    )
