"""The policy rules (WCD4xx): what a platform team's admission policies usually refuse, judged before the
rollout on every container of every pod template the tree renders (init and ephemeral containers too, where
Kubernetes lets them carry the field) — mutable image tags, missing resources and probes, privilege, and
namespaces left open without the seed's default-deny NetworkPolicy.

All are warnings by default: the runner lets `wavecd.yaml` turn each on or off and change its severity.
"""

from __future__ import annotations

from collections.abc import Iterator

from wavecd.lint.model import Finding, LintContext, Rule, Severity
from wavecd.lint.objects import Rendered, field, mapping, rendered, sequence
from wavecd.lint.workloads import RUN_TO_COMPLETION, Container, containers, pod_template

__all__ = ["RULES"]

# What the Kyverno policy library's `require-requests-limits` asks of every container: a CPU limit is left to the
# team (it throttles a pod that has idle CPU beside it), a memory limit is not (a leak takes the node).
_RESOURCE_KEYS = ("requests.cpu", "requests.memory", "limits.memory")
# The namespaces Kubernetes creates itself: a tree that names them does not create them.
_BUILT_IN_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})


def _finding(rule: Rule, item: Rendered, ctx: LintContext, message: str) -> Finding:
    return item.finding(ctx, rule.id, rule.severity, message)


def _where(item: Rendered, container: Container) -> str:
    return f"{container.label} of {item.shown}"


def _containers(ctx: LintContext, *, ephemeral: bool = True) -> Iterator[tuple[Rendered, Container]]:
    """Every container of every pod template; `ephemeral=False` leaves out the ephemeral ones, which Kubernetes
    lets carry neither resources nor probes."""
    for item in rendered(ctx.plan):
        template = pod_template(item)
        if template is not None:
            for container in containers(template.spec):
                if ephemeral or container.list_name != "ephemeralContainers":
                    yield item, container


# -- WCD401 ----------------------------------------------------------------------------------------------------------
def image_tag(image: str) -> str | None:
    """The tag of an image reference; None when it has none. A digest-pinned reference is judged by its digest."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return last.rsplit(":", 1)[1] if ":" in last else None


def _check_image_tag(ctx: LintContext) -> Iterator[Finding]:
    for item, container in _containers(ctx):
        image = container.spec.get("image")
        if not isinstance(image, str) or not image or "@" in image:
            continue
        tag = image_tag(image)
        if tag is None:
            problem = "has no tag (the runtime pulls `latest`)"
        elif tag == "latest":
            problem = "is tagged `latest`"
        else:
            continue
        yield _finding(
            IMAGE_TAG,
            item,
            ctx,
            f"{_where(item, container)}: image {image} {problem}; pin a version tag or a digest",
        )


IMAGE_TAG = Rule(
    "WCD401",
    "image-tag-latest",
    "policy",
    Severity.WARNING,
    "a container image tagged `latest` or not tagged at all",
    _check_image_tag,
)


# -- WCD402 ----------------------------------------------------------------------------------------------------------
def _check_resources(ctx: LintContext) -> Iterator[Finding]:
    for item, container in _containers(ctx, ephemeral=False):
        resources = mapping(container.spec.get("resources"))
        missing = [key for key in _RESOURCE_KEYS if field(resources, *key.split(".")) in (None, "")]
        if missing:
            yield _finding(
                RESOURCES,
                item,
                ctx,
                f"{_where(item, container)} sets no resources {', '.join(missing)}",
            )


RESOURCES = Rule(
    "WCD402",
    "container-resources",
    "policy",
    Severity.WARNING,
    "a container without CPU and memory requests or a memory limit",
    _check_resources,
)


# -- WCD403 ----------------------------------------------------------------------------------------------------------
def _check_probes(ctx: LintContext) -> Iterator[Finding]:
    for item, container in filter(_long_running, _containers(ctx, ephemeral=False)):
        missing = [probe for probe in ("readinessProbe", "livenessProbe") if not container.spec.get(probe)]
        if missing:
            yield _finding(PROBES, item, ctx, f"{_where(item, container)} has no {' and no '.join(missing)}")


def _long_running(found: tuple[Rendered, Container]) -> bool:
    """A container that runs as long as its pod, in a pod that is not run to completion: what probes are for (an
    ordinary init container runs to completion)."""
    item, container = found
    if item.kind in RUN_TO_COMPLETION or (item.kind == "Pod" and _runs_to_completion(item)):
        return False
    return container.list_name == "containers" or container.sidecar


def _runs_to_completion(item: Rendered) -> bool:
    return field(item.obj, "spec", "restartPolicy") in ("Never", "OnFailure")


PROBES = Rule(
    "WCD403",
    "container-probes",
    "policy",
    Severity.WARNING,
    "a long-running container without a readiness or liveness probe",
    _check_probes,
)


# -- WCD404 ----------------------------------------------------------------------------------------------------------
def is_default_deny(obj: dict[str, object]) -> bool:
    """The seed's default-deny NetworkPolicy: it selects every pod (`podSelector: {}`), its `policyTypes` include
    Ingress, and it allows no ingress at all."""
    spec = mapping(obj.get("spec"))
    selector = spec.get("podSelector")
    if not isinstance(selector, dict) or selector.get("matchLabels") or selector.get("matchExpressions"):
        return False
    return "Ingress" in sequence(spec.get("policyTypes")) and not sequence(spec.get("ingress"))


def _created_namespaces(ctx: LintContext) -> Iterator[tuple[Rendered, str]]:
    """Each namespace the tree creates, once, with the object that creates it: a rendered Namespace, or the one
    an app's `CreateNamespace=true` adds (its plan's task)."""
    seen: set[str] = set()
    for item in rendered(ctx.plan):
        if item.kind == "Namespace" and item.group == "" and item.name not in seen | _BUILT_IN_NAMESPACES:
            seen.add(item.name)
            yield item, item.name
    for app in ctx.plan.order:
        app_plan = ctx.plan.app_plans.get(app.name)
        for task in app_plan.tasks if app_plan is not None else ():
            if task.auto_namespace and task.target is not None and task.name not in seen | _BUILT_IN_NAMESPACES:
                seen.add(task.name)
                yield Rendered(app, ctx.plan.wave_of(app.name), task.target), task.name


def _check_default_deny(ctx: LintContext) -> Iterator[Finding]:
    denied = {
        item.namespace
        for item in rendered(ctx.plan)
        if item.kind == "NetworkPolicy" and item.group == "networking.k8s.io" and is_default_deny(item.obj)
    }
    for item, namespace in _created_namespaces(ctx):
        if namespace not in denied:
            yield _finding(
                DEFAULT_DENY,
                item,
                ctx,
                f"namespace {namespace} has no default-deny NetworkPolicy (podSelector {{}}, policyTypes with "
                "Ingress, no ingress rules) in the tree",
            )


DEFAULT_DENY = Rule(
    "WCD404",
    "namespace-default-deny",
    "policy",
    Severity.WARNING,
    "a namespace the tree creates without a default-deny NetworkPolicy",
    _check_default_deny,
)


# -- WCD405 ----------------------------------------------------------------------------------------------------------
def _check_privileged(ctx: LintContext) -> Iterator[Finding]:
    for item, container in _containers(ctx):
        context = mapping(container.spec.get("securityContext"))
        found = [key for key in ("privileged", "allowPrivilegeEscalation") if context.get(key) is True]
        if found:
            settings = " and ".join(f"securityContext.{key}: true" for key in found)
            yield _finding(PRIVILEGED, item, ctx, f"{_where(item, container)} sets {settings}")


PRIVILEGED = Rule(
    "WCD405",
    "privileged-container",
    "policy",
    Severity.WARNING,
    "a privileged container, or one that allows privilege escalation",
    _check_privileged,
)

RULES: tuple[Rule, ...] = (IMAGE_TAG, RESOURCES, PROBES, DEFAULT_DENY, PRIVILEGED)
