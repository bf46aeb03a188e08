"""The requests Kyverno's webhook never evaluates: the kinds and namespaces of its Helm chart's default
`config.resourceFilters`, its own namespace, and its own policies. The sim's admission and `wavecd lint` skip
the same objects, so a rehearsal and a lint agree on what Kyverno would judge."""

from __future__ import annotations

__all__ = ["FILTERED_KINDS", "FILTERED_NAMESPACES", "is_filtered"]

FILTERED_KINDS = frozenset(
    {
        "Event",
        "Node",
        "APIService",
        "TokenReview",
        "SubjectAccessReview",
        "SelfSubjectAccessReview",
        "Binding",
        "ReplicaSet",
        "EphemeralReport",
        "ClusterEphemeralReport",
    }
)
FILTERED_NAMESPACES = frozenset({"kube-system", "kube-public", "kube-node-lease", "kyverno"})


def is_filtered(group: str, kind: str, namespace: str) -> bool:
    """Whether Kyverno lets an object of this API group, kind and namespace through without evaluating it."""
    return group == "kyverno.io" or kind in FILTERED_KINDS or namespace in FILTERED_NAMESPACES
