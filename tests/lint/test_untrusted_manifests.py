"""Rendered manifests are untrusted: fields of the wrong shape read as absent, so each rule still judges what it
can read and never fails with a traceback."""

from __future__ import annotations

from lint_support import lint_children

from support.gitops import Child
from wavecd.lint.rules import kubernetes, kyverno_policies, policy

MALFORMED_SPECS = [
    ("v1", "Service", {"selector": ["app", "web"], "type": 3}),
    ("v1", "Service", {"selector": {"app": {"nested": True}}}),
    ("apps/v1", "Deployment", {"template": ["not", "a", "template"]}),
    ("apps/v1", "Deployment", {"template": {"metadata": {"labels": "web"}, "spec": {"containers": "app"}}}),
    ("apps/v1", "StatefulSet", {"template": {"spec": {"containers": [7, {"image": 5, "securityContext": "root"}]}}}),
    ("batch/v1", "CronJob", {"jobTemplate": {"spec": None}}),
    ("networking.k8s.io/v1", "Ingress", {"rules": [{"http": {"paths": "/"}}, "x"], "defaultBackend": []}),
    ("networking.istio.io/v1", "VirtualService", {"http": [{"route": {"destination": "web"}}], "tcp": "x"}),
    ("gateway.networking.k8s.io/v1", "HTTPRoute", {"rules": [{"backendRefs": ["web", {"name": 3}]}]}),
    ("autoscaling/v2", "HorizontalPodAutoscaler", {"scaleTargetRef": "web"}),
    ("policy/v1", "PodDisruptionBudget", {"selector": {"matchLabels": ["x"], "matchExpressions": "y"}}),
    ("policy/v1", "PodDisruptionBudget", {"selector": {"matchExpressions": [{"key": "a", "operator": "Near"}]}}),
    ("networking.k8s.io/v1", "NetworkPolicy", {"podSelector": "all", "policyTypes": "Ingress"}),
    ("kyverno.io/v1", "ClusterPolicy", {"rules": "deny everything"}),
]


def test_every_rule_reads_malformed_objects_without_failing(tmp_path):
    manifests = [
        {"apiVersion": api, "kind": kind, "metadata": {"name": f"odd-{i}", "namespace": "apps"}, "spec": spec}
        for i, (api, kind, spec) in enumerate(MALFORMED_SPECS)
    ]
    children = [Child("odd", manifests, wave=1), Child("later", [], wave=2)]
    found = {
        rule.id: lint_children(rule, tmp_path / rule.id, children)
        for rule in (*kubernetes.RULES, *policy.RULES, *kyverno_policies.RULES)
    }
    # what is readable is still judged: odd-1's selector matches no template, an unreadable PDB selector matches
    # nothing, and the policy Kyverno's schema refuses is an error on the policy
    assert [f[4] for f in found["WCD302"]] == ["Service/apps/odd-1"]
    assert [f[4] for f in found["WCD304"]] == ["PodDisruptionBudget/apps/odd-10", "PodDisruptionBudget/apps/odd-11"]
    assert [(f[1], f[4]) for f in found["WCD501"]] == [("error", "ClusterPolicy/apps/odd-13")]
    assert found["WCD501"][0][5].startswith("Kyverno would refuse this policy: ClusterPolicy odd-13: spec.rules")
