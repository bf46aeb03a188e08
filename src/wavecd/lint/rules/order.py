"""Order rules (WCD1xx): what the tree's waves apply before what it needs.

WCD101 covers every custom resource whose CustomResourceDefinition some app of the tree installs later —
ServiceMonitors and PodMonitors included (issue 14's separate "monitoring CRD" rule is this one: the seed's
istiod-monitoring at wave -2 before kube-prometheus-stack's CRDs at -1). A kind neither Kubernetes nor the
tree serves is a warning: the cluster may have its CRD already. Inside one app there is nothing to find:
gitops-engine's `adjustDeps` (`plan/order.py`) moves a CRD before its first custom resource, whatever their
sync-waves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from wavecd.apps.node import AppNode
from wavecd.common import APPLICATION, APPLICATION_SET, ARGO_GROUP
from wavecd.lint.model import Finding, LintContext, Rule, Severity
from wavecd.lint.objects import kind_key, metadata_of, planned_apps
from wavecd.plan import app_sync_options

__all__ = ["RULES"]

CRD_GROUP = "apiextensions.k8s.io"
# Namespaces every cluster has: an object in one needs no app to create it.
_BUILT_IN_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})
# what some app of the tree provides (a kind's CRD, a namespace) and the first app providing it, with its wave
Providers = dict[str, tuple[int | None, AppNode]]


def crd_kind(obj: dict[str, Any]) -> str | None:
    """`group/Kind` a CustomResourceDefinition serves, or None for any other object."""
    if obj.get("kind") != "CustomResourceDefinition" or str(obj.get("apiVersion", "")).split("/")[0] != CRD_GROUP:
        return None
    found_spec = obj.get("spec")
    spec = found_spec if isinstance(found_spec, dict) else {}
    found_names = spec.get("names")
    names = found_names if isinstance(found_names, dict) else {}
    group, kind = spec.get("group"), names.get("kind")
    return f"{group}/{kind}" if isinstance(group, str) and isinstance(kind, str) else None


def _definers(ctx: LintContext) -> Providers:
    """Each custom kind the tree defines, with the first app (in sync order) installing its CRD."""
    found: dict[str, tuple[int | None, AppNode]] = {}
    for app, wave in planned_apps(ctx):
        for obj in app.manifests:
            key = crd_kind(obj)
            if key is not None and key not in found:
                found[key] = (wave, app)
    return found


def _too_late(created: int | None, used: int | None) -> str | None:
    """How an app at tree wave `created` comes too late for one at `used` (the root, None, comes first)."""
    if (created if created is not None else -(2**63)) > (used if used is not None else -(2**63)):
        return f"the later tree wave {created}"
    if created == used and used is not None:
        return f"the same tree wave {used}, synced at the same time"
    return None


def _too_early(
    ctx: LintContext, providers: Providers, needs: Callable[[AppNode, dict[str, Any]], str | None]
) -> Iterator[tuple[AppNode, int | None, dict[str, Any], AppNode, str]]:
    """Each object whose need (a kind, a namespace) another app provides too late: (app, wave, object,
    provider, how late). The one shape of WCD101 and WCD102."""
    for app, wave in planned_apps(ctx):
        for obj in app.manifests:
            need = needs(app, obj)
            found = providers.get(need) if need is not None else None
            if found is None or found[1] is app:
                continue
            when = _too_late(found[0], wave)
            if when is not None:
                yield app, wave, obj, found[1], when


def _without_crd(ctx: LintContext) -> Iterator[Finding]:
    """Custom resources of a kind neither Kubernetes nor any CRD of the tree serves."""
    for app, wave in planned_apps(ctx):
        for obj in app.manifests:
            if ctx.tree.kinds.namespaced(str(obj.get("apiVersion", "")), str(obj.get("kind", ""))) is not None:
                continue
            yield ctx.finding(
                "WCD101",
                Severity.WARNING,
                f"no app of the tree installs the CustomResourceDefinition of {kind_key(obj).lstrip('/')} and "
                "Kubernetes does not serve it: the apply fails unless the cluster already has that CRD",
                app,
                wave,
                obj,
            )


def _crd_after_custom_resource(ctx: LintContext) -> Iterator[Finding]:
    yield from _across_apps(ctx)
    yield from _without_crd(ctx)


def _across_apps(ctx: LintContext) -> Iterator[Finding]:
    for app, wave, obj, crd_app, when in _too_early(ctx, _definers(ctx), lambda _app, obj: kind_key(obj)):
        yield ctx.finding(
            "WCD101",
            Severity.ERROR,
            f"{kind_key(obj).lstrip('/')} is applied in tree wave {wave}, but its CustomResourceDefinition comes "
            f"from app {crd_app.name} in {when}: the apply fails until that app has synced",
            app,
            wave,
            obj,
        )


def _created_by(app: AppNode) -> list[str]:
    """The namespaces one app creates: its Namespace objects, and its destination's with CreateNamespace=true."""
    names = [str(metadata_of(o).get("name") or "") for o in app.manifests if o.get("kind") == "Namespace"]
    creates = app.app is not None and app_sync_options(app.app.sync_policy.sync_options).create_namespace
    if creates and app.destination is not None and app.destination.namespace:
        names.append(app.destination.namespace)
    return names


def _creators(ctx: LintContext) -> Providers:
    """Each namespace the tree creates and its first creator (in sync order)."""
    found: dict[str, tuple[int | None, AppNode]] = {}
    for app, wave in planned_apps(ctx):
        for name in _created_by(app):
            found.setdefault(name, (wave, app))
    return found


def _is_argo_object(obj: dict[str, Any]) -> bool:
    """Applications and ApplicationSets live in Argo CD's own namespace, which the tree does not create."""
    return obj.get("kind") in (APPLICATION, APPLICATION_SET, "AppProject") and str(
        obj.get("apiVersion", "")
    ).startswith(f"{ARGO_GROUP}/")


def _needed_namespace(obj: dict[str, Any], own: set[str]) -> str | None:
    """The namespace `obj` needs that its own app (creating `own`) does not create; None: nothing to judge."""
    namespace = str(metadata_of(obj).get("namespace") or "")
    if not namespace or namespace in _BUILT_IN_NAMESPACES or _is_argo_object(obj) or namespace in own:
        return None
    return namespace


def _namespace_created_later(ctx: LintContext) -> Iterator[Finding]:
    creators = _creators(ctx)
    own = {app.name: set(_created_by(app)) for app, _wave in planned_apps(ctx)}

    def needs(app: AppNode, obj: dict[str, Any]) -> str | None:
        return _needed_namespace(obj, own[app.name])

    for app, wave in planned_apps(ctx):
        for obj in app.manifests:
            namespace = needs(app, obj)
            if namespace is not None and namespace not in creators:
                yield ctx.finding(
                    "WCD102",
                    Severity.WARNING,
                    f"namespace {namespace} is created by no app of the tree and not by CreateNamespace=true of "
                    f"app {app.name}: the sync fails unless the cluster already has it",
                    app,
                    wave,
                    obj,
                )
    for app, wave, obj, creator, when in _too_early(ctx, creators, needs):
        namespace = str(metadata_of(obj).get("namespace"))
        message = f"namespace {namespace} is created by app {creator.name} in {when}: the apply fails until it exists"
        yield ctx.finding("WCD102", Severity.ERROR, message, app, wave, obj)


RULES: tuple[Rule, ...] = (
    Rule(
        "WCD101",
        "crd-after-custom-resource",
        "order",
        Severity.ERROR,
        "A custom resource is applied before the app that installs its CRD, or no app installs it.",
        _crd_after_custom_resource,
    ),
    Rule(
        "WCD102",
        "namespace-created-later",
        "order",
        Severity.ERROR,
        "A namespaced object's namespace is created in a later tree wave, or by no app at all.",
        _namespace_created_later,
    ),
)
