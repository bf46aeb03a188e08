"""Kyverno's admission in the simulated cluster: once the tree's ClusterPolicy (on the CRD the tree brings) is
Ready, an Enforce violation is refused with Kyverno's denial and an Audit one is admitted (docs/sim.md)."""

from __future__ import annotations

import copy

import pytest

from support.gitops import disallow_latest_tag, kyverno_policy_crd

CRD = kyverno_policy_crd()
POLICY = disallow_latest_tag("no latest")
POLICIES = "/apis/kyverno.io/v1/clusterpolicies"


def deployment(image: str, name: str = "web") -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "app"},
        "spec": {
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "c", "image": image}]},
            },
        },
    }


DEPLOYMENTS = "/apis/apps/v1/namespaces/app/deployments"


@pytest.fixture
def policy_crd(client, sim):
    assert client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json=CRD).status_code == 201
    sim.advance(1)


def apply_policy(client, sim, policy: dict) -> None:
    assert client.post(POLICIES, json=policy).status_code == 201
    sim.advance(1)  # the sim's default rules mark kyverno.io objects Ready, as Kyverno's controller does
    conditions = client.get(f"{POLICIES}/{policy['metadata']['name']}").json()["status"]["conditions"]
    assert [(c["type"], c["status"]) for c in conditions] == [("Ready", "True")]


def test_an_enforce_violation_is_refused_with_kyvernos_message(client, sim, ns, policy_crd):
    apply_policy(client, sim, POLICY)
    refused = client.post(DEPLOYMENTS, json=deployment("nginx:latest"))
    assert refused.status_code == 400
    assert refused.json()["message"] == (
        'admission webhook "validate.kyverno.svc-fail" denied the request: \n\n'
        "resource Deployment/app/web was blocked due to the following policies \n\n"
        "disallow-latest-tag:\n"
        "  autogen-validate-image-tag: 'validation error: no latest. rule autogen-validate-image-tag "
        "failed at path /spec/template/spec/containers/0/image/'\n"
    )
    assert client.get(f"{DEPLOYMENTS}/web").status_code == 404
    dry = client.post(f"{DEPLOYMENTS}?dryRun=All", json=deployment("nginx:latest"))
    assert dry.status_code == 400
    assert client.post(DEPLOYMENTS, json=deployment("nginx:1.25")).status_code == 201


def test_an_audit_violation_is_admitted_and_warned_about_when_the_policy_asks(client, sim, ns, policy_crd):
    audit = copy.deepcopy(POLICY)
    audit["spec"]["validationFailureAction"] = "Audit"
    audit["spec"]["emitWarning"] = True
    apply_policy(client, sim, audit)
    admitted = client.post(DEPLOYMENTS, json=deployment("nginx:latest"))
    assert admitted.status_code == 201
    assert admitted.headers["warning"].startswith(
        '299 - "policy disallow-latest-tag.autogen-validate-image-tag: validation error: no latest.'
    )


def test_a_policy_is_enforced_only_once_ready_and_pods_of_admitted_workloads_roll_out(client, sim, ns, policy_crd):
    assert client.post(POLICIES, json=POLICY).status_code == 201
    assert client.post(DEPLOYMENTS, json=deployment("nginx:latest", "early")).status_code == 201
    sim.advance(1)
    assert client.post(DEPLOYMENTS, json=deployment("nginx:latest", "late")).status_code == 400
    assert client.get(f"{DEPLOYMENTS}/late").status_code == 404
    assert client.post(DEPLOYMENTS, json=deployment("nginx:1.25", "good")).status_code == 201
    sim.advance(5)
    pods = client.get("/api/v1/namespaces/app/pods", params={"labelSelector": "app=good"}).json()["items"]
    assert [p["status"]["phase"] for p in pods] == ["Running"]


def merge_patch(client, name: str, patch: dict) -> int:
    headers = {"Content-Type": "application/merge-patch+json"}
    return client.patch(f"{DEPLOYMENTS}/{name}", json=patch, headers=headers).status_code


def image_patch(image: str) -> dict:
    return {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": image}]}}}}


def test_an_update_that_keeps_an_existing_violation_is_allowed(client, sim, ns, policy_crd):
    assert client.post(DEPLOYMENTS, json=deployment("nginx:latest")).status_code == 201
    apply_policy(client, sim, POLICY)
    assert merge_patch(client, "web", {"metadata": {"labels": {"touched": "yes"}}}) == 200
    assert merge_patch(client, "web", image_patch("busybox:latest")) == 200  # it failed before and fails now
    assert client.post(DEPLOYMENTS, json=deployment("nginx:1.25", "fixed")).status_code == 201
    assert merge_patch(client, "fixed", image_patch("nginx:latest")) == 400  # a new violation is refused


def test_a_deny_rule_can_refuse_a_delete(client, sim, ns, policy_crd):
    keep = {
        "apiVersion": "kyverno.io/v1",
        "kind": "ClusterPolicy",
        "metadata": {"name": "keep-prod"},
        "spec": {
            "validationFailureAction": "Enforce",
            "rules": [
                {
                    "name": "block-delete",
                    "match": {"any": [{"resources": {"kinds": ["ConfigMap"], "operations": ["DELETE"]}}]},
                    "validate": {
                        "message": "{{ request.oldObject.metadata.name }} is kept",
                        "deny": {"conditions": {"any": [{"key": "prod", "operator": "AnyIn", "value": ["prod"]}]}},
                    },
                }
            ],
        },
    }
    apply_policy(client, sim, keep)
    configmaps = "/api/v1/namespaces/app/configmaps"
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"a": "b"}}
    assert client.post(configmaps, json=config).status_code == 201
    refused = client.delete(f"{configmaps}/settings")
    assert refused.status_code == 400
    assert refused.json()["message"].endswith("keep-prod:\n  block-delete: settings is kept\n")
    assert client.get(f"{configmaps}/settings").status_code == 200


def test_violations_are_reported_as_kyvernos_policy_violation_events(client, sim, ns, policy_crd):
    audit = copy.deepcopy(POLICY)
    audit["spec"]["validationFailureAction"] = "Audit"
    apply_policy(client, sim, audit)
    assert client.post(f"{DEPLOYMENTS}?dryRun=All", json=deployment("nginx:latest", "dry")).status_code == 201
    assert client.get("/api/v1/events").json()["items"] == []  # a dry run has no side effects
    assert client.post(DEPLOYMENTS, json=deployment("nginx:latest")).status_code == 201
    events = [
        e
        for e in client.get("/api/v1/events").json()["items"]
        if "Deployment" in (e["involvedObject"]["kind"], (e.get("related") or {}).get("kind"))
        and e["reason"] == "PolicyViolation"
    ]  # the Deployment's pods break the Pod rule too, and are reported as well; its rollout's own are not Kyverno's
    seen = {
        (e["metadata"]["namespace"], e["involvedObject"]["kind"], e["reason"], e["type"], e["message"]) for e in events
    }
    assert seen == {
        (
            "default",
            "ClusterPolicy",
            "PolicyViolation",
            "Warning",
            "Deployment app/web: [autogen-validate-image-tag] fail; validation error: no latest. "
            "rule autogen-validate-image-tag failed at path /spec/template/spec/containers/0/image/",
        ),
        (
            "app",
            "Deployment",
            "PolicyViolation",
            "Warning",
            "policy disallow-latest-tag/autogen-validate-image-tag fail: validation error: no latest. "
            "rule autogen-validate-image-tag failed at path /spec/template/spec/containers/0/image/",
        ),
    }
    policy_event = next(e for e in events if e["involvedObject"]["kind"] == "ClusterPolicy")
    assert (policy_event["action"], policy_event["reportingComponent"]) == ("Resource Passed", "kyverno-admission")
    related = {k: v for k, v in policy_event["related"].items() if k != "uid"}  # the uid the server assigned
    assert related == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "namespace": "app"}
