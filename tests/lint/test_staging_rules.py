"""The Kubernetes, policy and Kyverno rules on examples/staging at the seed's Kubernetes (1.33): each finding below
was checked against the rendered manifests (`wavecd render examples/staging --out DIR`), and the rules that find
nothing there find nothing because the tree has nothing of the kind (no removed apiVersion, every Service, route,
HPA and PDB has its target, no `latest` image, no privileged container, no Kyverno policy — only its CRDs)."""

from __future__ import annotations

import pytest
from lint_support import build_context

from support.paths import STAGING
from wavecd.lint.rules import kubernetes, kyverno_policies, policy

# The seed's infrastructure charts set requests but no memory limit and no probes (cloudbeaver: a readiness probe
# only; kafka: both, and a memory limit).
UNBOUNDED = [
    "aws-lb-controller", "external-secrets", "metrics-server", "external-dns", "karpenter", "kyverno",
    "policy-reporter", "clickhouse", "istiod", "istio-ingressgateway", "kube-prometheus-stack", "alloy", "grafana",
    "loki", "tempo", "kafka-exporter", "opentelemetry-collector",
]  # fmt: skip
# The services whose chart adds the `otel-agent-init` init container, which sets no resources.
WITH_OTEL_INIT = [
    "staging-ai-defense", "staging-authz-adapter", "staging-auth-guard", "staging-queue", "staging-seat",
    "staging-seat-v2", "staging-order-core", "staging-api-gateway", "loadtest-ai-defense", "loadtest-authz-adapter",
]  # fmt: skip
# Namespaces the `namespaces` app creates for which `network-policies` renders no default-deny-all (it does for
# staging-webs, staging-ai, loadtest-webs and loadtest-ai); `default` and `kube-system` are Kubernetes' own.
OPEN_NAMESPACES = [
    "clickhouse", "cloudbeaver", "external-dns", "external-secrets", "istio-ingress", "istio-system", "kafka",
    "kyverno", "monitoring", "policy-reporter",
]  # fmt: skip


@pytest.fixture(scope="module")
def findings():
    ctx = build_context(STAGING, "1.33.0")
    every = (*kubernetes.RULES, *policy.RULES, *kyverno_policies.RULES)
    return {rule.id: list(rule.check(ctx)) for rule in every}


def test_only_the_policy_rules_about_resources_probes_and_default_deny_find_anything(findings):
    assert {rule: len(found) for rule, found in findings.items() if found} == {
        "WCD402": len(UNBOUNDED) + len(WITH_OTEL_INIT),
        "WCD403": len(UNBOUNDED) + 1,
        "WCD404": len(OPEN_NAMESPACES),
    }


def test_what_each_finding_names(findings):
    resources = [
        (f.app, f.message.split(" of ")[0], f.message.rsplit(" sets no resources ", 1)[1]) for f in findings["WCD402"]
    ]
    assert resources == [(app, f"container {_container(app)}", "limits.memory") for app in UNBOUNDED] + [
        (app, "init container otel-agent-init", "requests.cpu, requests.memory, limits.memory")
        for app in WITH_OTEL_INIT
    ]
    probes = [(f.app, f.message.rsplit(" has no ", 1)[1]) for f in findings["WCD403"]]
    assert probes == [(app, "readinessProbe and no livenessProbe") for app in UNBOUNDED] + [
        ("cloudbeaver", "livenessProbe")
    ]
    namespaces = [(f.app, f.wave, str(f.obj)) for f in findings["WCD404"]]
    assert namespaces == [("namespaces", -10, f"Namespace/{ns}") for ns in OPEN_NAMESPACES]


def _container(app: str) -> str:
    """The container names the seed's charts give, where they are not the app's name."""
    return {
        "aws-lb-controller": "aws-load-balancer-controller",
        "karpenter": "controller",
        "istiod": "discovery",
        "istio-ingressgateway": "istio-proxy",
    }.get(app, app)
