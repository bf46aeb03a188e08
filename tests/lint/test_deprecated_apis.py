"""WCD301: apiVersions the destination's Kubernetes no longer serves, or has deprecated; and the guide's table
checked against Kubernetes' own lifecycle tags (recorded by tools/k8s_api_lifecycle.py from kubernetes/api)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lint_support import lint_children

from support.gitops import Child, deployment
from wavecd.lint.deprecated_apis import DEPRECATED_APIS, SOURCE
from wavecd.lint.rules.kubernetes import DEPRECATED_API

RECORDED = json.loads((Path(__file__).parent / "data" / "k8s_api_lifecycle.json").read_text())
TAGS = {(k["apiVersion"], k["kind"]): k for k in RECORDED["kinds"]}
# Rows of APIs that k8s.io/api does not hold: the apiextensions and aggregator groups live in their own
# repositories, and the PodSecurityPolicy and autoscaling betas were deleted from k8s.io/api once removed.
NOT_IN_K8S_API = {
    ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"),
    ("apiregistration.k8s.io/v1beta1", "APIService"),
    ("extensions/v1beta1", "PodSecurityPolicy"),
    ("policy/v1beta1", "PodSecurityPolicy"),
    ("autoscaling/v2beta1", "HorizontalPodAutoscaler"),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler"),
}


def _release(text: str) -> tuple[int, int]:
    major, minor = text.split(".")
    return int(major), int(minor)


@pytest.mark.parametrize("row", DEPRECATED_APIS, ids=lambda r: f"{r.api_version}/{r.kind}")
def test_every_row_agrees_with_kubernetes_own_lifecycle_tags(row):
    key = (row.api_version, row.kind)
    if key in NOT_IN_K8S_API:
        assert key not in TAGS
        return
    tags = TAGS[key]
    assert (row.deprecated, row.removed) == (_release(tags["deprecated"]), _release(tags["removed"]))
    if "replacement" in tags:  # the tags name the kind too (IngressClass's says IngressClassList, a slip upstream)
        assert row.replacement == tags["replacement"].split()[0]


def _cronjob(api_version: str) -> dict:
    return {
        "apiVersion": api_version,
        "kind": "CronJob",
        "metadata": {"name": "nightly", "namespace": "apps"},
        "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": {"spec": {"containers": []}}}}},
    }


def _flow_schema() -> dict:
    return {
        "apiVersion": "flowcontrol.apiserver.k8s.io/v1beta3",
        "kind": "FlowSchema",
        "metadata": {"name": "batch"},
        "spec": {"priorityLevelConfiguration": {"name": "workload-low"}},
    }


def test_a_removed_api_version_is_an_error_naming_the_replacement(tmp_path):
    children = [Child("jobs", [_cronjob("batch/v1beta1"), deployment("web")], wave=3)]
    assert lint_children(DEPRECATED_API, tmp_path, children, "1.31.0") == [
        (
            "WCD301",
            "error",
            "jobs",
            3,
            "CronJob/apps/nightly",
            "CronJob apps/nightly: batch/v1beta1 CronJob is no longer served since Kubernetes 1.25 (the destination "
            f"runs 1.31); use batch/v1 ({SOURCE})",
        )
    ]


def test_a_deprecated_api_version_still_served_is_a_warning_and_judged_by_the_destination_version(tmp_path):
    children = [Child("flow", [_flow_schema()], wave=-2)]
    assert lint_children(DEPRECATED_API, tmp_path / "a", children, "v1.30.4") == [
        (
            "WCD301",
            "warning",
            "flow",
            -2,
            "FlowSchema/batch",
            "FlowSchema batch: flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema is deprecated since Kubernetes 1.29, "
            f"removed in 1.32 (the destination runs 1.30); use flowcontrol.apiserver.k8s.io/v1 ({SOURCE})",
        )
    ]
    assert lint_children(DEPRECATED_API, tmp_path / "b", children, "1.28.0") == []
    assert [f[1] for f in lint_children(DEPRECATED_API, tmp_path / "c", children, "1.32.0")] == ["error"]


def test_current_api_versions_pass(tmp_path):
    children = [Child("jobs", [_cronjob("batch/v1"), deployment("web")])]
    assert lint_children(DEPRECATED_API, tmp_path, children, "1.33.0") == []
