"""The Kyverno rule (WCD501): the tree's own `ClusterPolicy` and `Policy` validate rules, evaluated offline by
`wavecd.kyverno` on every object that reaches the cluster after the policy does — the objects of later tree
waves, and those of the policy's own app in a later step of its sync. A Kyverno that enforces a policy from wave
-7 refuses a wave-11 Deployment that breaks it, and the rollout stops there; this rule says so before the
rollout. The same requests the sim's admission skips (Kyverno's resource filters) are skipped here.

Objects of other apps in the policy's own tree wave sync beside it, in no fixed order: they are not judged.
Rules wavecd cannot evaluate (mutate, generate, image verification, CEL…) are reported once each as a note.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from wavecd.kyverno import Policy, PolicyError, Request, Status, evaluate, is_policy, load_policy, not_evaluated_reason
from wavecd.kyverno.filters import is_filtered
from wavecd.lint.model import Finding, LintContext, Rule, Severity
from wavecd.lint.objects import Rendered, field, mapping, rendered

__all__ = ["RULES"]

_ROOT_WAVE = -(2**63)  # the root syncs before every tree wave


@dataclass(frozen=True)
class _Placed:
    """A policy with where it is applied: its app, tree wave and step of that app's sync."""

    policy: Policy
    item: Rendered
    step: int

    @property
    def shown(self) -> str:
        wave = "" if self.item.wave is None else f", wave {self.item.wave}"
        return f"{self.item.kind} {self.policy.name} (app {self.item.app.name}{wave})"


def _steps(ctx: LintContext, app: str) -> dict[int, int]:
    """The step (consecutive phase and resource wave) of each of an app's objects in its sync, by the identity of
    the rendered manifest: a task holds the manifest itself, and a task's namespace is the destination's even for
    a cluster-scoped kind, so names would not find it."""
    plan = ctx.plan.app_plans.get(app)
    if plan is None:
        return {}
    return {id(task.target): index for index, step in enumerate(plan.waves()) for task in step.tasks if task.target}


def _namespace_labels(items: list[Rendered]) -> dict[str, dict[str, str]]:
    """The labels of each Namespace the tree renders, with the one the API server adds to every namespace."""
    labels: dict[str, dict[str, str]] = {}
    for item in items:
        if item.kind == "Namespace" and item.group == "":
            found = mapping(field(item.obj, "metadata", "labels"))
            labels[item.name] = {**{str(k): str(v) for k, v in found.items()}, "kubernetes.io/metadata.name": item.name}
    return labels


def _after(policy: _Placed, item: Rendered, step: int | None) -> bool:
    """Whether `item` is applied after the policy: a later tree wave, or a later step of the policy's own app."""
    if item.app is policy.item.app:
        return step is not None and step > policy.step
    policy_wave = _ROOT_WAVE if policy.item.wave is None else policy.item.wave
    return item.wave is not None and item.wave > policy_wave


def _check(ctx: LintContext) -> Iterator[Finding]:
    items = list(rendered(ctx.plan))
    steps: dict[str, dict[int, int]] = {}  # of the apps that hold a policy: only their own objects need a step
    placed: list[_Placed] = []
    for item in items:
        if not is_policy(item.obj):
            continue
        if item.app.name not in steps:
            steps[item.app.name] = _steps(ctx, item.app.name)
        try:
            policy = load_policy(item.obj)
        except PolicyError as err:
            yield _finding(item, ctx, Severity.ERROR, f"Kyverno would refuse this policy: {err}")
            continue
        here = _Placed(policy, item, steps[item.app.name].get(id(item.obj), 0))
        placed.append(here)
        for rule in policy.rules:
            reason = not_evaluated_reason(rule)
            if reason is not None:
                yield _finding(item, ctx, Severity.NOTE, f"{here.shown} rule {rule['name']} not evaluated: {reason}")
    if not placed:
        return
    labels = _namespace_labels(items)
    for item in items:
        if is_filtered(item.group, item.kind, item.namespace):
            continue
        step = steps.get(item.app.name, {}).get(id(item.obj))
        request = Request(namespace_labels=labels.get(item.namespace, {}))
        for earlier in placed:
            if _after(earlier, item, step):
                yield from _judge(earlier, item, ctx, request)


def _judge(policy: _Placed, item: Rendered, ctx: LintContext, request: Request) -> Iterator[Finding]:
    wave = f"wave {item.wave}" if item.wave is not None else "the root"
    for result in evaluate(policy.policy, item.obj, request):
        if result.status not in (Status.FAIL, Status.ERROR):
            continue
        if result.blocks:
            verdict = "refuses" if result.status is Status.FAIL else "cannot evaluate, and refuses,"
            tail = f"; the rollout would stop at {wave}"
            severity = Severity.ERROR
        elif result.status is Status.FAIL:
            verdict, tail, severity = "reports (Audit)", "", Severity.WARNING
        else:
            verdict, tail, severity = "cannot evaluate", "", Severity.NOTE
        message = f"{policy.shown} rule {result.rule} {verdict} {item.shown} of {wave}: {result.message}{tail}"
        yield _finding(item, ctx, severity, message)


def _finding(item: Rendered, ctx: LintContext, severity: Severity, message: str) -> Finding:
    return item.finding(ctx, KYVERNO_POLICY.id, severity, message)


KYVERNO_POLICY = Rule(
    "WCD501",
    "kyverno-policy-violation",
    "kyverno",
    Severity.ERROR,
    "an object that the tree's own Kyverno policies, applied earlier in the rollout, refuse (Enforce) or report",
    _check,
)

RULES: tuple[Rule, ...] = (KYVERNO_POLICY,)
