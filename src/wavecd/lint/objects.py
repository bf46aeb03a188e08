"""How lint rules read what a tree renders: every object with its app and tree wave, and the fields of
objects whose shape nobody has checked yet.

Rendered manifests are untrusted: a field of the wrong shape reads as absent here, never as a traceback (the
render or the API server reports the shape; a lint rule only judges what it can read).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from wavecd.apps.node import AppNode
from wavecd.common import APPLICATION_SET, api_group
from wavecd.health.fields import get as field
from wavecd.health.fields import mapping
from wavecd.lint.model import Finding, LintContext, Severity
from wavecd.plan import TreePlan

__all__ = [
    "Rendered",
    "annotations_of",
    "field",
    "kind_key",
    "mapping",
    "metadata_of",
    "planned_apps",
    "rendered",
    "rendered_objects",
    "sequence",
]


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


def planned_apps(ctx: LintContext) -> Iterator[tuple[AppNode, int | None]]:
    """Every Application in sync order with its tree wave (None for the root); rendered ones only."""
    yield ctx.plan.root, None
    for wave in ctx.plan.waves:
        for app in wave.apps:
            if not app.error:
                yield app, wave.wave


def rendered_objects(ctx: LintContext) -> Iterator[tuple[AppNode, int | None, dict[str, Any]]]:
    """Every object the tree renders, with its app and tree wave: the Applications' manifests in sync order,
    the root Application itself (no parent renders it), then what each ApplicationSet generates."""
    yield ctx.plan.root, None, ctx.plan.root.obj
    for app, wave in planned_apps(ctx):
        for obj in app.manifests:
            yield app, wave, obj
    for node in ctx.tree.nodes:
        if node.kind == APPLICATION_SET and not node.error:
            for obj in node.manifests:
                yield node, None, obj


def metadata_of(obj: dict[str, Any]) -> dict[str, Any]:
    """An object's `metadata`, empty when it is missing or not an object."""
    return mapping(obj.get("metadata"))


def annotations_of(obj: dict[str, Any]) -> dict[str, Any]:
    """An object's annotations, empty when they are missing or not an object."""
    return mapping(metadata_of(obj).get("annotations"))


def kind_key(obj: dict[str, Any]) -> str:
    """`group/Kind` ("/Kind" for the core group): how a CRD names the kind it serves."""
    return f"{api_group(str(obj.get('apiVersion', '')))}/{obj.get('kind')}"
