"""The Kubernetes deprecation guide's table of API versions that stop being served, kept as data.

Source: https://kubernetes.io/docs/reference/using-api/deprecation-guide/ ("Removed APIs by release"), one row
per kind the guide lists, with the release that stops serving it and its replacement. The release that
deprecated it is the one Kubernetes' own lifecycle tags give (k8s.io/api's `APILifecycleDeprecated`; the
kube-apiserver's deprecation warning prints the same pair: "… is deprecated in v1.21+, unavailable in v1.25+").
tests/lint/test_deprecated_apis.py compares every row with the tags that tools/k8s_api_lifecycle.py recorded
from kubernetes/api; the rows of APIs that do not live in k8s.io/api (apiextensions, apiregistration, the
removed PodSecurityPolicy and HorizontalPodAutoscaler betas) come from the guide alone.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEPRECATED_APIS", "SOURCE", "DeprecatedApi", "deprecated_api"]


@dataclass(frozen=True)
class DeprecatedApi:
    """`kind` of `api_version`: deprecated in release `deprecated`, no longer served from `removed` on."""

    api_version: str
    kind: str
    deprecated: tuple[int, int]
    removed: tuple[int, int]
    replacement: str  # "apiVersion" to migrate to, "" when the guide names none


def _rows(
    api_version: str, kinds: str, deprecated: tuple[int, int], removed: tuple[int, int], replacement: str
) -> list[DeprecatedApi]:
    return [DeprecatedApi(api_version, kind, deprecated, removed, replacement) for kind in kinds.split()]


SOURCE = "https://kubernetes.io/docs/reference/using-api/deprecation-guide/"
DEPRECATED_APIS: tuple[DeprecatedApi, ...] = tuple(
    [
        # v1.16
        *_rows("extensions/v1beta1", "DaemonSet Deployment ReplicaSet", (1, 8), (1, 16), "apps/v1"),
        *_rows("apps/v1beta1", "Deployment StatefulSet", (1, 8), (1, 16), "apps/v1"),
        *_rows("apps/v1beta2", "DaemonSet Deployment ReplicaSet StatefulSet", (1, 9), (1, 16), "apps/v1"),
        *_rows("extensions/v1beta1", "NetworkPolicy", (1, 9), (1, 16), "networking.k8s.io/v1"),
        *_rows("extensions/v1beta1", "PodSecurityPolicy", (1, 11), (1, 16), "policy/v1beta1"),
        # v1.22
        *_rows(
            "admissionregistration.k8s.io/v1beta1",
            "MutatingWebhookConfiguration ValidatingWebhookConfiguration",
            (1, 16),
            (1, 22),
            "admissionregistration.k8s.io/v1",
        ),
        *_rows("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", (1, 16), (1, 22), "apiextensions.k8s.io/v1"),
        *_rows("apiregistration.k8s.io/v1beta1", "APIService", (1, 19), (1, 22), "apiregistration.k8s.io/v1"),
        *_rows("authentication.k8s.io/v1beta1", "TokenReview", (1, 19), (1, 22), "authentication.k8s.io/v1"),
        *_rows(
            "authorization.k8s.io/v1beta1",
            "LocalSubjectAccessReview SelfSubjectAccessReview SubjectAccessReview",
            (1, 19),
            (1, 22),
            "authorization.k8s.io/v1",
        ),
        *_rows("certificates.k8s.io/v1beta1", "CertificateSigningRequest", (1, 19), (1, 22), "certificates.k8s.io/v1"),
        *_rows("coordination.k8s.io/v1beta1", "Lease", (1, 19), (1, 22), "coordination.k8s.io/v1"),
        *_rows("extensions/v1beta1", "Ingress", (1, 14), (1, 22), "networking.k8s.io/v1"),
        *_rows("networking.k8s.io/v1beta1", "Ingress IngressClass", (1, 19), (1, 22), "networking.k8s.io/v1"),
        *_rows(
            "rbac.authorization.k8s.io/v1beta1",
            "ClusterRole ClusterRoleBinding Role RoleBinding",
            (1, 17),
            (1, 22),
            "rbac.authorization.k8s.io/v1",
        ),
        *_rows("scheduling.k8s.io/v1beta1", "PriorityClass", (1, 14), (1, 22), "scheduling.k8s.io/v1"),
        *_rows(
            "storage.k8s.io/v1beta1",
            "CSIDriver StorageClass VolumeAttachment",
            (1, 19),
            (1, 22),
            "storage.k8s.io/v1",
        ),
        *_rows("storage.k8s.io/v1beta1", "CSINode", (1, 17), (1, 22), "storage.k8s.io/v1"),
        # v1.25
        *_rows("batch/v1beta1", "CronJob", (1, 21), (1, 25), "batch/v1"),
        *_rows("discovery.k8s.io/v1beta1", "EndpointSlice", (1, 21), (1, 25), "discovery.k8s.io/v1"),
        *_rows("events.k8s.io/v1beta1", "Event", (1, 22), (1, 25), "events.k8s.io/v1"),
        *_rows("autoscaling/v2beta1", "HorizontalPodAutoscaler", (1, 22), (1, 25), "autoscaling/v2"),
        *_rows("policy/v1beta1", "PodDisruptionBudget", (1, 21), (1, 25), "policy/v1"),
        *_rows("policy/v1beta1", "PodSecurityPolicy", (1, 21), (1, 25), ""),
        *_rows("node.k8s.io/v1beta1", "RuntimeClass", (1, 22), (1, 25), "node.k8s.io/v1"),
        # v1.26
        *_rows(
            "flowcontrol.apiserver.k8s.io/v1beta1",
            "FlowSchema PriorityLevelConfiguration",
            (1, 23),
            (1, 26),
            "flowcontrol.apiserver.k8s.io/v1beta3",
        ),
        *_rows("autoscaling/v2beta2", "HorizontalPodAutoscaler", (1, 23), (1, 26), "autoscaling/v2"),
        # v1.27
        *_rows("storage.k8s.io/v1beta1", "CSIStorageCapacity", (1, 24), (1, 27), "storage.k8s.io/v1"),
        # v1.29
        *_rows(
            "flowcontrol.apiserver.k8s.io/v1beta2",
            "FlowSchema PriorityLevelConfiguration",
            (1, 26),
            (1, 29),
            "flowcontrol.apiserver.k8s.io/v1beta3",
        ),
        # v1.32
        *_rows(
            "flowcontrol.apiserver.k8s.io/v1beta3",
            "FlowSchema PriorityLevelConfiguration",
            (1, 29),
            (1, 32),
            "flowcontrol.apiserver.k8s.io/v1",
        ),
    ]
)

_BY_KEY = {(row.api_version, row.kind): row for row in DEPRECATED_APIS}


def deprecated_api(api_version: str, kind: str) -> DeprecatedApi | None:
    """The guide's row for a kind at an apiVersion, None when the guide does not list it."""
    return _BY_KEY.get((api_version, kind))
