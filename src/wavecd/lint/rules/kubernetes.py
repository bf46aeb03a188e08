"""The Kubernetes rules (WCD3xx): what the API server or the cluster's controllers would do with the rendered
objects that the tree's author did not mean — an apiVersion the destination no longer serves, a Service that
selects no pods, a route to a Service nobody renders, an autoscaler or disruption budget that targets nothing.

Selector rules judge only what the tree renders: pods that an operator creates at run time (a Prometheus or
Kafka operator's StatefulSets) are not in the tree, so a selector aimed at them is reported when nothing of the
tree matches — the docs say how to suppress it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from wavecd.lint.deprecated_apis import SOURCE, deprecated_api
from wavecd.lint.model import Finding, LintContext, Rule, Severity
from wavecd.lint.objects import Rendered, field, mapping, rendered, sequence
from wavecd.lint.workloads import pod_template, selects

__all__ = ["RULES"]

_CLUSTER_DOMAIN = "svc.cluster.local"
_VERSION = re.compile(r"^v?(\d+)\.(\d+)")


def _finding(rule: Rule, item: Rendered, ctx: LintContext, message: str, severity: Severity | None = None) -> Finding:
    return item.finding(ctx, rule.id, severity or rule.severity, message)


# -- WCD301 ----------------------------------------------------------------------------------------------------------
def _release(text: str) -> tuple[int, int] | None:
    found = _VERSION.match(text.strip())
    return (int(found[1]), int(found[2])) if found else None


def _check_deprecated_api(ctx: LintContext) -> Iterator[Finding]:
    release = _release(ctx.kube_version)
    if release is None:
        return
    shown = f"{release[0]}.{release[1]}"
    for item in rendered(ctx.plan):
        row = deprecated_api(str(item.obj.get("apiVersion", "")), item.kind)
        if row is None or release < row.deprecated:
            continue
        removed = f"{row.removed[0]}.{row.removed[1]}"
        use = f"; use {row.replacement}" if row.replacement else "; it has no replacement"
        if release >= row.removed:
            text = f"{row.api_version} {row.kind} is no longer served since Kubernetes {removed}"
            severity = Severity.ERROR
        else:
            deprecated = f"{row.deprecated[0]}.{row.deprecated[1]}"
            text = f"{row.api_version} {row.kind} is deprecated since Kubernetes {deprecated}, removed in {removed}"
            severity = Severity.WARNING
        yield _finding(
            DEPRECATED_API,
            item,
            ctx,
            f"{item.shown}: {text} (the destination runs {shown}){use} ({SOURCE})",
            severity,
        )


DEPRECATED_API = Rule(
    "WCD301",
    "deprecated-api-version",
    "kubernetes",
    Severity.ERROR,
    "an apiVersion the destination's Kubernetes version no longer serves (error) or has deprecated (warning)",
    _check_deprecated_api,
)


# -- WCD302 ----------------------------------------------------------------------------------------------------------
def _selector_text(selector: dict[str, Any]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(selector.items()))


def _check_service_selector(ctx: LintContext) -> Iterator[Finding]:
    """A Service selects pods of its own namespace and cluster, whichever app renders them (as Kubernetes
    does): the pod templates of the whole tree count, not only those of the Service's app."""
    items = list(rendered(ctx.plan))
    templates = [
        (item.app.server, item.namespace, template.labels)
        for item in items
        if (template := pod_template(item)) is not None
    ]
    for item in items:
        if item.kind != "Service" or item.group != "":
            continue
        spec = mapping(item.obj.get("spec"))
        selector = mapping(spec.get("selector"))
        if not selector or spec.get("type") == "ExternalName":
            continue
        wanted = {"matchLabels": {str(k): str(v) for k, v in selector.items()}}
        place = (item.app.server, item.namespace)
        if any((server, ns) == place and selects(wanted, labels) for server, ns, labels in templates):
            continue
        yield _finding(
            SERVICE_SELECTOR,
            item,
            ctx,
            f"{item.shown} selects {_selector_text(wanted['matchLabels'])}, "
            f"which no pod template the tree renders in namespace {item.namespace} has",
        )


SERVICE_SELECTOR = Rule(
    "WCD302",
    "service-selects-no-pods",
    "kubernetes",
    Severity.WARNING,
    "a Service whose selector matches no pod template the tree renders in its namespace",
    _check_service_selector,
)


# -- WCD303 ----------------------------------------------------------------------------------------------------------
def _ingress_backends(item: Rendered) -> Iterator[str]:
    spec = mapping(item.obj.get("spec"))
    backends = [spec.get("defaultBackend"), spec.get("backend")]
    for rule in sequence(spec.get("rules")):
        backends.extend(mapping(path).get("backend") for path in sequence(field(rule, "http", "paths")))
    for backend in backends:
        name = field(backend, "service", "name") or field(backend, "serviceName")
        if isinstance(name, str) and name:
            yield name


def _virtual_service_hosts(item: Rendered) -> Iterator[str]:
    spec = mapping(item.obj.get("spec"))
    for section in ("http", "tcp", "tls"):
        for route in sequence(spec.get(section)):
            for destination in sequence(mapping(route).get("route")):
                host = field(destination, "destination", "host")
                if isinstance(host, str) and host:
                    yield host


def _route_backends(item: Rendered) -> Iterator[tuple[str, str]]:
    spec = mapping(item.obj.get("spec"))
    for rule in sequence(spec.get("rules")):
        for found in sequence(mapping(rule).get("backendRefs")):
            ref = mapping(found)
            if ref.get("group", "") not in ("", "core") or ref.get("kind", "Service") != "Service":
                continue
            if isinstance(ref.get("name"), str) and ref["name"]:
                yield str(ref.get("namespace") or item.namespace), ref["name"]


def _resolve_host(host: str, namespace: str, namespaces: set[str]) -> tuple[str, str] | None:
    """(namespace, name) of the Service an in-cluster host names, None for a host this rule does not judge."""
    if "*" in host:
        return None
    host = host.rstrip(".")
    if host.endswith("." + _CLUSTER_DOMAIN):
        host = host[: -len(_CLUSTER_DOMAIN) - 1]
    elif host.endswith(".svc"):
        host = host[: -len(".svc")]
    parts = host.split(".")
    if len(parts) == 1:
        return namespace, parts[0]
    if len(parts) == 2 and parts[1] in namespaces:
        return parts[1], parts[0]
    return None


_ROUTE_KINDS = frozenset({"HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute"})


def _check_route_targets(ctx: LintContext) -> Iterator[Finding]:
    items = list(rendered(ctx.plan))
    services = {(i.namespace, i.name) for i in items if i.kind == "Service" and i.group == ""}
    entries = {
        str(host)
        for i in items
        if i.kind == "ServiceEntry" and i.group == "networking.istio.io"
        for host in sequence(field(i.obj, "spec", "hosts"))
    }
    namespaces = {i.namespace for i in items if i.namespace} | {i.name for i in items if i.kind == "Namespace"}
    for item in items:
        targets: list[tuple[str, tuple[str, str]]] = []
        if item.kind == "Ingress" and item.group in ("networking.k8s.io", "extensions"):
            targets = [(name, (item.namespace, name)) for name in _ingress_backends(item)]
        elif item.kind == "VirtualService" and item.group == "networking.istio.io":
            for host in _virtual_service_hosts(item):
                resolved = _resolve_host(host, item.namespace, namespaces)
                if resolved is not None and host not in entries:
                    targets.append((host, resolved))
        elif item.kind in _ROUTE_KINDS and item.group == "gateway.networking.k8s.io":
            targets = [(name, (ns, name)) for ns, name in _route_backends(item)]
        reported: set[tuple[str, str]] = set()
        for shown, target in targets:
            if target in services or target in reported:
                continue
            reported.add(target)
            yield _finding(
                ROUTE_TARGET,
                item,
                ctx,
                f"{item.shown} routes to {shown} (Service {target[0]}/{target[1]}), which no app of the tree renders",
            )


ROUTE_TARGET = Rule(
    "WCD303",
    "route-to-missing-service",
    "kubernetes",
    Severity.WARNING,
    "an Ingress, Istio VirtualService or Gateway API route whose backend Service no app of the tree renders",
    _check_route_targets,
)


# -- WCD304 ----------------------------------------------------------------------------------------------------------
def _check_scaling_targets(ctx: LintContext) -> Iterator[Finding]:
    items = list(rendered(ctx.plan))
    objects = {(i.kind, i.namespace, i.name) for i in items}
    templates = [(i.namespace, t.labels) for i in items if (t := pod_template(i)) is not None]
    for item in items:
        if item.kind == "HorizontalPodAutoscaler" and item.group == "autoscaling":
            target = mapping(field(item.obj, "spec", "scaleTargetRef"))
            kind, name = str(target.get("kind") or ""), str(target.get("name") or "")
            if kind and name and (kind, item.namespace, name) not in objects:
                yield _finding(
                    SCALING_TARGET,
                    item,
                    ctx,
                    f"{item.shown} scales {kind} {item.namespace}/{name}, which no app of the tree renders",
                )
        elif item.kind == "PodDisruptionBudget" and item.group == "policy":
            selector = field(item.obj, "spec", "selector")
            if not isinstance(selector, dict):
                continue
            if not any(ns == item.namespace and selects(selector, labels) for ns, labels in templates):
                yield _finding(
                    SCALING_TARGET,
                    item,
                    ctx,
                    f"{item.shown} selects no pod template the tree renders in namespace {item.namespace}",
                )


SCALING_TARGET = Rule(
    "WCD304",
    "autoscaler-or-budget-targets-nothing",
    "kubernetes",
    Severity.WARNING,
    "a HorizontalPodAutoscaler or PodDisruptionBudget whose target matches nothing the tree renders",
    _check_scaling_targets,
)

RULES: tuple[Rule, ...] = (DEPRECATED_API, SERVICE_SELECTOR, ROUTE_TARGET, SCALING_TARGET)
