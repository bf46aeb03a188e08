"""WCD401–WCD405: the policy rules on every container of every pod template, and namespaces without the seed's
default-deny NetworkPolicy."""

from __future__ import annotations

import copy

from lint_support import lint_children

from support.gitops import Child, deployment, job, namespace
from wavecd.lint.rules.policy import DEFAULT_DENY, IMAGE_TAG, PRIVILEGED, PROBES, RESOURCES

PROBE = {"httpGet": {"path": "/healthz", "port": 8080}}
RESOURCES_SET = {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}}


def workload(name: str, **container) -> dict:
    """A Deployment whose one container is `app` with the given fields (image defaults to a pinned tag)."""
    obj = deployment(name)
    obj["spec"]["template"]["spec"]["containers"][0].update(container)
    return obj


def good(name: str = "web") -> dict:
    return workload(name, resources=copy.deepcopy(RESOURCES_SET), readinessProbe=PROBE, livenessProbe=PROBE)


# -- WCD401 --------------------------------------------------------------------------------------------------------
def test_images_tagged_latest_or_untagged_are_reported_in_every_container_list(tmp_path):
    web = workload("web", image="registry.example.com:5000/shop/web:latest")
    web["spec"]["template"]["spec"]["initContainers"] = [{"name": "setup", "image": "busybox"}]
    web["spec"]["template"]["spec"]["ephemeralContainers"] = [{"name": "debug", "image": "nicolaka/netshoot"}]
    findings = lint_children(IMAGE_TAG, tmp_path, [Child("shop", [web], wave=11)])
    assert {f[:5] for f in findings} == {("WCD401", "warning", "shop", 11, "Deployment/apps/web")}
    assert [f[5] for f in findings] == [
        "container app of Deployment apps/web: image registry.example.com:5000/shop/web:latest is tagged `latest`; "
        "pin a version tag or a digest",
        "init container setup of Deployment apps/web: image busybox has no tag (the runtime pulls `latest`); "
        "pin a version tag or a digest",
        "ephemeral container debug of Deployment apps/web: image nicolaka/netshoot has no tag (the runtime pulls "
        "`latest`); pin a version tag or a digest",
    ]


def test_pinned_tags_and_digests_pass(tmp_path):
    children = [
        Child(
            "shop",
            [
                workload("a", image="registry.example.com:5000/shop/web:1.4.2"),
                workload("b", image="nginx@sha256:" + "a" * 64),
                workload("c", image="nginx:latest@sha256:" + "b" * 64),
            ],
        )
    ]
    assert lint_children(IMAGE_TAG, tmp_path, children) == []


# -- WCD402 --------------------------------------------------------------------------------------------------------
def test_containers_without_requests_or_a_memory_limit_are_reported_naming_what_is_missing(tmp_path):
    web = workload("web", resources={"requests": {"cpu": "100m"}})
    web["spec"]["template"]["spec"]["initContainers"] = [{"name": "setup", "image": "busybox:1.36"}]
    web["spec"]["template"]["spec"]["ephemeralContainers"] = [{"name": "debug", "image": "busybox:1.36"}]
    assert lint_children(RESOURCES, tmp_path, [Child("shop", [web], wave=2)]) == [
        (
            "WCD402",
            "warning",
            "shop",
            2,
            "Deployment/apps/web",
            "container app of Deployment apps/web sets no resources requests.memory, limits.memory",
        ),
        (
            "WCD402",
            "warning",
            "shop",
            2,
            "Deployment/apps/web",
            "init container setup of Deployment apps/web sets no resources requests.cpu, requests.memory, "
            "limits.memory",
        ),
    ]


def test_containers_with_requests_and_a_memory_limit_pass(tmp_path):
    assert lint_children(RESOURCES, tmp_path, [Child("shop", [good()])]) == []


# -- WCD403 --------------------------------------------------------------------------------------------------------
def test_long_running_containers_without_probes_are_reported_sidecars_included(tmp_path):
    web = workload("web", readinessProbe=PROBE)
    web["spec"]["template"]["spec"]["initContainers"] = [
        {"name": "setup", "image": "busybox:1.36"},
        {"name": "proxy", "image": "envoy:1.31", "restartPolicy": "Always"},
    ]
    assert lint_children(PROBES, tmp_path, [Child("shop", [web, job("migrate")], wave=6)]) == [
        (
            "WCD403",
            "warning",
            "shop",
            6,
            "Deployment/apps/web",
            "container app of Deployment apps/web has no livenessProbe",
        ),
        (
            "WCD403",
            "warning",
            "shop",
            6,
            "Deployment/apps/web",
            "init container proxy of Deployment apps/web has no readinessProbe and no livenessProbe",
        ),
    ]


def test_probed_containers_and_run_to_completion_pods_pass(tmp_path):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "once", "namespace": "apps"}}
    pod["spec"] = {"restartPolicy": "Never", "containers": [{"name": "run", "image": "busybox:1.36"}]}
    assert lint_children(PROBES, tmp_path, [Child("shop", [good(), job("migrate"), pod])]) == []


# -- WCD404 --------------------------------------------------------------------------------------------------------
def network_policy(name: str, ns: str, types: list[str], **spec) -> dict:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"podSelector": spec.pop("podSelector", {}), "policyTypes": types, **spec},
    }


def test_namespaces_the_tree_creates_without_a_default_deny_are_reported(tmp_path):
    children = [
        Child(
            "namespaces", [namespace("shop"), namespace("edge"), namespace("kube-system")], wave=-10, sync_policy=None
        ),
        Child(
            "network-policies",
            [
                # not default-deny: it allows some ingress, selects some pods, or denies egress only
                network_policy("allow", "shop", ["Ingress"], ingress=[{"from": [{"podSelector": {}}]}]),
                network_policy("some", "edge", ["Ingress"], podSelector={"matchLabels": {"app": "gw"}}),
                network_policy("egress", "edge", ["Egress"]),
            ],
            wave=-9,
            sync_policy=None,
        ),
        # CreateNamespace=true (the Child default) creates `tools`
        Child("tools", [deployment("debug", "tools")], wave=3, namespace="tools"),
    ]
    assert lint_children(DEFAULT_DENY, tmp_path, children) == [
        (
            "WCD404",
            "warning",
            "namespaces",
            -10,
            f"Namespace/{ns}",
            f"namespace {ns} has no default-deny NetworkPolicy (podSelector {{}}, policyTypes with Ingress, no "
            "ingress rules) in the tree",
        )
        for ns in ("shop", "edge")
    ] + [
        (
            "WCD404",
            "warning",
            "tools",
            3,
            "Namespace/tools",
            "namespace tools has no default-deny NetworkPolicy (podSelector {}, policyTypes with Ingress, no "
            "ingress rules) in the tree",
        )
    ]


def test_the_seeds_default_deny_in_every_created_namespace_passes(tmp_path):
    children = [
        Child("namespaces", [namespace("shop")], wave=-10, sync_policy=None),
        Child(
            "network-policies",
            [
                network_policy("default-deny-all", "shop", ["Ingress", "Egress"]),
                network_policy("default-deny-all", "tools", ["Ingress"], ingress=[]),
            ],
            wave=-9,
            sync_policy=None,
        ),
        Child("tools", [deployment("debug", "tools")], wave=3, namespace="tools"),
    ]
    assert lint_children(DEFAULT_DENY, tmp_path, children) == []


# -- WCD405 --------------------------------------------------------------------------------------------------------
def test_privileged_containers_and_privilege_escalation_are_reported(tmp_path):
    agent = workload("agent", securityContext={"privileged": True, "allowPrivilegeEscalation": True})
    agent["spec"]["template"]["spec"]["initContainers"] = [
        {"name": "sysctl", "image": "busybox:1.36", "securityContext": {"privileged": True}}
    ]
    assert lint_children(PRIVILEGED, tmp_path, [Child("node-agent", [agent], wave=-3)]) == [
        (
            "WCD405",
            "warning",
            "node-agent",
            -3,
            "Deployment/apps/agent",
            "container app of Deployment apps/agent sets securityContext.privileged: true and "
            "securityContext.allowPrivilegeEscalation: true",
        ),
        (
            "WCD405",
            "warning",
            "node-agent",
            -3,
            "Deployment/apps/agent",
            "init container sysctl of Deployment apps/agent sets securityContext.privileged: true",
        ),
    ]


def test_unprivileged_containers_pass(tmp_path):
    web = workload("web", securityContext={"privileged": False, "allowPrivilegeEscalation": False})
    assert lint_children(PRIVILEGED, tmp_path, [Child("shop", [web, good("api")])]) == []
