"""What several rule modules read of a tree: the apps in sync order, an object's metadata, its kind key."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wavecd.apps.node import AppNode
from wavecd.common import APPLICATION_SET, api_group
from wavecd.lint.model import LintContext

__all__ = ["annotations_of", "kind_key", "metadata_of", "planned_apps", "rendered_objects"]


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
    found = obj.get("metadata")
    return found if isinstance(found, dict) else {}


def annotations_of(obj: dict[str, Any]) -> dict[str, Any]:
    found = metadata_of(obj).get("annotations")
    return found if isinstance(found, dict) else {}


def kind_key(obj: dict[str, Any]) -> str:
    """`group/Kind` ("/Kind" for the core group): how a CRD names the kind it serves."""
    return f"{api_group(str(obj.get('apiVersion', '')))}/{obj.get('kind')}"
