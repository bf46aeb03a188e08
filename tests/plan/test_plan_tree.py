"""The example repository's tree plan: the root first, then tree waves -10 … 17 with the generated apps
placed by their own annotation, and the one CRD-order finding of the example."""

from pathlib import Path

import pytest

from wavecd.apps.root import load_root
from wavecd.apps.tree import TreeOptions, build_tree
from wavecd.plan import crd_order_findings, plan_tree
from wavecd.sources.resolver import SourceResolver

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# Expected from the seed's wave table (tests/apps/test_apps_tree_example.py SEED and SERVICES), by tree wave.
WAVES = {
    -10: {"namespaces"},
    -9: {"network-policies", "external-secrets", "aws-lb-controller", "metrics-server"},
    -8: {"karpenter", "external-dns"},
    -7: {"kyverno"},
    -6: {"karpenter-config", "policy-reporter", "ai-service-secrets"},
    -5: {"kafka"},
    -4: {"clickhouse", "istio-base"},
    -3: {"istiod"},
    -2: {"istio-gateway", "istiod-monitoring", "istio-ingressgateway"},
    -1: {"istio-security", "kube-prometheus-stack"},
    0: {"loki", "tempo", "grafana", "alloy", "loadtest-route"},
    1: {"opentelemetry-collector", "kafka-exporter"},
    5: {"alb-ingress", "cloudbeaver"},
    10: {"staging-auth-guard", "staging-ai-defense", "staging-authz-adapter"},
    11: {"staging-queue", "staging-seat", "staging-seat-v2", "staging-order-core"},
    12: {"staging-api-gateway"},
    15: {"loadtest-auth-guard", "loadtest-ai-defense"},
    16: {"loadtest-queue", "loadtest-seat", "loadtest-seat-v2", "loadtest-order-core", "loadtest-authz-adapter"},
    17: {"loadtest-api-gateway"},
}


@pytest.fixture(scope="module")
def example_plan():
    root = load_root(EXAMPLES / "staging")
    resolver = SourceResolver(root.config, offline=True)
    tree = build_tree(
        root.obj, resolver, clusters=root.config.clusters, options=TreeOptions(executor="serial"), root_file=root.file
    )
    return plan_tree(tree)


def test_tree_waves_in_ascending_order_root_first(example_plan):
    assert example_plan.root.name == "root-staging"
    assert example_plan.wave_of("root-staging") is None
    assert [w.wave for w in example_plan.waves] == sorted(WAVES)
    assert {w.wave: set(w.names) for w in example_plan.waves} == WAVES
    names = [a.name for a in example_plan.order]
    assert names[0] == "root-staging" and len(names) == len(set(names)) == 1 + sum(map(len, WAVES.values()))
    assert not any(a.kind == "ApplicationSet" for a in example_plan.order)
    assert example_plan.errors == {}


def test_every_application_has_its_own_plan(example_plan):
    assert set(example_plan.app_plans) == {a.name for a in example_plan.order}
    kps = example_plan.app_plans["kube-prometheus-stack"]
    kinds = [t.kind for t in kps.tasks]
    assert kinds.index("CustomResourceDefinition") < kinds.index("Prometheus")


def test_the_one_crd_order_finding(example_plan):
    findings = crd_order_findings(example_plan)
    assert [(f.app, f.wave, f.crd_app, f.crd_wave) for f in findings] == [
        ("istiod-monitoring", -2, "kube-prometheus-stack", -1)
    ]
    assert "monitoring.coreos.com/ServiceMonitor" in findings[0].kinds
    assert "istiod-monitoring (wave -2)" in findings[0].message
