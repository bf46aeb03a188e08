"""What the Kubernetes and policy rules read of rendered objects: every object with its app and tree wave, the
pod templates of workload kinds, their containers, and label selectors over them.

Rendered manifests are untrusted: a field of the wrong shape reads as absent here, never as a traceback (the
render or the API server reports the shape; a lint rule only judges what it can read).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from wavecd.apps.appset.errors import AppSetError
from wavecd.apps.appset.selector import selector_matches
from wavecd.apps.node import AppNode
from wavecd.common import api_group
from wavecd.health.fields import get as field
from wavecd.lint.model import Finding, LintContext, Severity
from wavecd.plan import TreePlan

__all__ = [
    "Container",
    "PodTemplate",
    "Rendered",
    "containers",
    "field",
    "mapping",
    "pod_template",
    "rendered",
    "selects",
    "sequence",
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


def mapping(value: Any) -> dict[str, Any]:
    """`value` if it is an object, else an empty one."""
    return value if isinstance(value, dict) else {}


def sequence(value: Any) -> list[Any]:
    """`value` if it is a list, else an empty one."""
    return value if isinstance(value, list) else []


@dataclass(frozen=True)
class Rendered:
    """One object an Application renders, with the app and the tree wave it is applied in (None: the root)."""

    app: AppNode
    wave: int | None
    obj: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.obj.get("kind", ""))

    @property
    def group(self) -> str:
        return api_group(str(self.obj.get("apiVersion", "")))

    @property
    def name(self) -> str:
        return str(field(self.obj, "metadata", "name") or "")

    @property
    def namespace(self) -> str:
        return str(field(self.obj, "metadata", "namespace") or "")

    @property
    def shown(self) -> str:
        """How a message names it: `Deployment shop/api`, `Namespace shop`."""
        return f"{self.kind} {self.namespace}/{self.name}" if self.namespace else f"{self.kind} {self.name}"

    def finding(self, ctx: LintContext, rule: str, severity: Severity, message: str) -> Finding:
        """A finding about this object, with its app, tree wave and the file the runner locates."""
        return ctx.finding(rule, severity, message, self.app, self.wave, self.obj)


def rendered(plan: TreePlan) -> Iterator[Rendered]:
    """Every object of every Application in sync order (the root first), each once."""
    for app in plan.order:
        wave = plan.wave_of(app.name)
        for obj in app.manifests:
            if isinstance(obj, dict):
                yield Rendered(app, wave, obj)


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
