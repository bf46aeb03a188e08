"""The kind order inside one (phase, wave), as gitops-engine's `sync_tasks.go` copies it from Helm.

Each listed kind ranks `index - 35`; every other kind (all custom resources) ranks 0, after all of them.
The API group is not consulted: a custom `Service` sorts like the core one.
"""

from __future__ import annotations

KIND_ORDER: tuple[str, ...] = (
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
)

_RANK = {kind: index - len(KIND_ORDER) for index, kind in enumerate(KIND_ORDER)}


def kind_rank(kind: str) -> int:
    """The kind's sort value: negative for the listed kinds, 0 for any other."""
    return _RANK.get(kind, 0)
