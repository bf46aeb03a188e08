"""What the Kubernetes and policy rules read of workloads: the pod templates of workload kinds, their
containers, and label selectors over them. Like every lint reader, a field of the wrong shape reads as absent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from wavecd.apps.appset.errors import AppSetError
from wavecd.apps.appset.selector import selector_matches
from wavecd.health.fields import get as field
from wavecd.lint.objects import Rendered, mapping

__all__ = [
    "Container",
    "PodTemplate",
    "containers",
    "pod_template",
    "selects",
]

# Kinds whose pods come from a template: kind -> the path of its pod template under the object.
_TEMPLATE_PATHS: dict[str, tuple[str, ...]] = {
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "Rollout": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}
# The kinds that run to completion: probes mean nothing to them.
RUN_TO_COMPLETION = frozenset({"Job", "CronJob"})


@dataclass(frozen=True)
class PodTemplate:
    """The pods a workload object runs: their labels and pod spec (a bare Pod is its own template)."""

    labels: dict[str, str]
    spec: dict[str, Any]


def pod_template(item: Rendered) -> PodTemplate | None:
    """The pod template of a workload kind (or a Pod), None for any other object."""
    if item.kind == "Pod" and item.group == "":
        template: Any = item.obj
    elif item.kind in _TEMPLATE_PATHS:
        template = field(item.obj, *_TEMPLATE_PATHS[item.kind])
    else:
        return None
    if not isinstance(template, dict):
        return None
    labels = mapping(field(template, "metadata", "labels"))
    return PodTemplate({str(k): str(v) for k, v in labels.items()}, mapping(template.get("spec")))


@dataclass(frozen=True)
class Container:
    """One container of a pod spec: which list it is in (`containers`, `initContainers`, `ephemeralContainers`)."""

    list_name: str
    spec: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.spec.get("name") or "?")

    @property
    def label(self) -> str:
        """How a message names it: `container app`, `init container setup`, `ephemeral container debug`."""
        prefix = {"containers": "container", "initContainers": "init container"}.get(
            self.list_name, "ephemeral container"
        )
        return f"{prefix} {self.name}"

    @property
    def sidecar(self) -> bool:
        """An init container that keeps running beside the app (`restartPolicy: Always`, Kubernetes 1.29+)."""
        return self.list_name == "initContainers" and self.spec.get("restartPolicy") == "Always"


def containers(spec: dict[str, Any]) -> Iterator[Container]:
    """Every container of a pod spec, regular ones first."""
    for list_name in ("containers", "initContainers", "ephemeralContainers"):
        found = spec.get(list_name)
        for entry in found if isinstance(found, list) else []:
            if isinstance(entry, dict):
                yield Container(list_name, entry)


def selects(selector: Any, labels: dict[str, str]) -> bool:
    """Whether a `metav1.LabelSelector` matches `labels`; an unreadable selector matches nothing."""
    if not isinstance(selector, dict):
        return False
    match_labels = selector.get("matchLabels")
    expressions = selector.get("matchExpressions")
    if match_labels is not None and not isinstance(match_labels, dict):
        return False
    if expressions is not None and not (
        isinstance(expressions, list) and all(isinstance(e, dict) for e in expressions)
    ):
        return False
    try:
        return selector_matches(selector, labels)
    except AppSetError:
        return False
