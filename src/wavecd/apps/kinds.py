"""Which kinds a cluster serves, and which of them are namespaced, when there is no cluster to ask.

Offline, wavecd's cluster is Kubernetes 1.33's built-in GA APIs, Argo CD's own kinds (installed with
Argo CD before any root app exists), and every CustomResourceDefinition rendered anywhere in the tree.
From that one table come both Argo CD's namespace rules (`NormalizeTargetObjects`) and the list
Argo CD's controller passes to `helm template --api-versions` (`APIResourcesToStrings` with kinds).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wavecd.common import ARGO_API_VERSION, api_group

# (group/version, kinds that are namespaced, kinds that are cluster-scoped) served by kube-apiserver 1.33
# with default feature gates (beta APIs are off by default).
_BUILT_IN: tuple[tuple[str, str, str], ...] = (
    (
        "v1",
        "Binding ConfigMap Endpoints Event LimitRange PersistentVolumeClaim Pod PodTemplate "
        "ReplicationController ResourceQuota Secret Service ServiceAccount",
        "ComponentStatus Namespace Node PersistentVolume",
    ),
    (
        "admissionregistration.k8s.io/v1",
        "",
        "MutatingWebhookConfiguration ValidatingAdmissionPolicy ValidatingAdmissionPolicyBinding "
        "ValidatingWebhookConfiguration",
    ),
    ("apiextensions.k8s.io/v1", "", "CustomResourceDefinition"),
    ("apiregistration.k8s.io/v1", "", "APIService"),
    ("apps/v1", "ControllerRevision DaemonSet Deployment ReplicaSet StatefulSet", ""),
    ("authentication.k8s.io/v1", "", "SelfSubjectReview TokenReview"),
    (
        "authorization.k8s.io/v1",
        "LocalSubjectAccessReview",
        "SelfSubjectAccessReview SelfSubjectRulesReview SubjectAccessReview",
    ),
    ("autoscaling/v1", "HorizontalPodAutoscaler", ""),
    ("autoscaling/v2", "HorizontalPodAutoscaler", ""),
    ("batch/v1", "CronJob Job", ""),
    ("certificates.k8s.io/v1", "", "CertificateSigningRequest"),
    ("coordination.k8s.io/v1", "Lease", ""),
    ("discovery.k8s.io/v1", "EndpointSlice", ""),
    ("events.k8s.io/v1", "Event", ""),
    ("flowcontrol.apiserver.k8s.io/v1", "", "FlowSchema PriorityLevelConfiguration"),
    ("networking.k8s.io/v1", "Ingress NetworkPolicy", "IngressClass IPAddress ServiceCIDR"),
    ("node.k8s.io/v1", "", "RuntimeClass"),
    ("policy/v1", "PodDisruptionBudget", ""),
    ("rbac.authorization.k8s.io/v1", "Role RoleBinding", "ClusterRole ClusterRoleBinding"),
    ("scheduling.k8s.io/v1", "", "PriorityClass"),
    ("storage.k8s.io/v1", "CSIStorageCapacity", "CSIDriver CSINode StorageClass VolumeAttachment"),
    # Argo CD's CRDs: present in any cluster an Application is reconciled in.
    (ARGO_API_VERSION, "AppProject Application ApplicationSet", ""),
)


def _entries() -> list[tuple[str, str, bool]]:
    out: list[tuple[str, str, bool]] = []
    for group_version, namespaced, cluster in _BUILT_IN:
        out.extend((group_version, kind, True) for kind in namespaced.split())
        out.extend((group_version, kind, False) for kind in cluster.split())
    return out


_BUILT_IN_ENTRIES = tuple(_entries())


def crd_entries(obj: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(group/version, kind, namespaced) for each served version of a CRD manifest; [] if it is not one."""
    if obj.get("kind") != "CustomResourceDefinition":
        return []
    if api_group(str(obj.get("apiVersion", ""))) != "apiextensions.k8s.io":
        return []
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return []
    group, names = spec.get("group"), spec.get("names")
    if not isinstance(group, str) or not isinstance(names, dict) or not isinstance(names.get("kind"), str):
        return []
    namespaced = spec.get("scope", "Namespaced") != "Cluster"
    versions = [v.get("name") for v in spec.get("versions") or [] if isinstance(v, dict) and v.get("served", True)]
    if not versions and isinstance(spec.get("version"), str):
        versions = [spec["version"]]
    return [(f"{group}/{version}", names["kind"], namespaced) for version in versions if isinstance(version, str)]


class KindTable:
    """Group-kind → namespaced, and the API version strings, for built-ins plus the given CRD entries."""

    def __init__(self, crds: Iterable[tuple[str, str, bool]] = ()):
        self.crds = tuple(sorted(set(crds)))
        entries = (*_BUILT_IN_ENTRIES, *self.crds)
        self._scope = {(api_group(gv), kind): namespaced for gv, kind, namespaced in entries}
        self._api_versions = tuple(sorted({gv for gv, _, _ in entries} | {f"{gv}/{kind}" for gv, kind, _ in entries}))

    def namespaced(self, api_version: str, kind: str) -> bool | None:
        """True/False for a known kind, None for one neither built in nor defined by a CRD of the tree."""
        return self._scope.get((api_group(api_version), kind))

    @property
    def api_versions(self) -> tuple[str, ...]:
        """Sorted `group/version` and `group/version/Kind` strings, as Argo CD's controller passes them."""
        return self._api_versions
