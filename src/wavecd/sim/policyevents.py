"""The Events Kyverno's admission controller writes about policy results (`pkg/webhooks/utils/event.go`,
`pkg/event/events.go`): for each failing or erroring rule a `PolicyViolation` Warning on the policy
(`<Kind> <ns>/<name>: [<rule>] fail[ (blocked)]; <message>`), and, when the request was admitted, one on the
resource for each rule of a policy that failed (`policy <policy>/<rule> <status>: <message>`). `PolicyApplied`
events are omitted, as Kyverno's chart omits them by default. They are how an Audit violation is reported."""

from __future__ import annotations

import itertools
import re
from typing import Any

from wavecd.kyverno import Policy, RuleResult, Status

__all__ = ["violation_events"]

_COMPONENT = "kyverno-admission"
_SEQUENCE = itertools.count()


def _reference(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj.get("metadata") or {}
    ref = {"apiVersion": obj.get("apiVersion", ""), "kind": obj.get("kind", ""), "name": meta.get("name", "")}
    if meta.get("namespace"):
        ref["namespace"] = meta["namespace"]
    if meta.get("uid"):
        ref["uid"] = meta["uid"]
    return ref


def _event(
    regarding: dict[str, Any], related: dict[str, Any] | None, message: str, action: str, now: float
) -> dict[str, Any]:
    """One Event as Kyverno's event controller emits it (name `<object>.<nanoseconds in hex>`)."""
    name = re.sub(r"[^a-z0-9.-]", "-", str(regarding.get("name", "")).lower()).strip("-.") or "kyverno"
    stamp = int(now * 1e9) + next(_SEQUENCE)
    event = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": f"{name}.{stamp:x}", "namespace": regarding.get("namespace") or "default"},
        "involvedObject": regarding,
        "reason": "PolicyViolation",
        "message": message if len(message) <= 1024 else message[:1021] + "...",
        "type": "Warning",
        "action": action,
        "reportingComponent": _COMPONENT,
        "reportingInstance": f"{_COMPONENT}-sim",
        "source": {"component": _COMPONENT},
    }
    if related is not None:
        event["related"] = related
    return event


def violation_events(
    policy: Policy, resource: dict[str, Any], results: list[RuleResult], *, blocked: bool, now: float
) -> list[dict[str, Any]]:
    """The Events for one policy's results on one request (none when every rule passed or was skipped)."""
    failing = [r for r in results if r.status in (Status.FAIL, Status.ERROR)]
    if not failing:
        return []
    meta = resource.get("metadata") or {}
    shown = f"{meta.get('namespace')}/{meta.get('name')}" if meta.get("namespace") else str(meta.get("name"))
    action = "Resource Blocked" if blocked else "Resource Passed"
    policy_ref = _reference(policy.manifest)
    resource_ref = _reference(resource)
    events = []
    for result in failing:
        message = f"{resource.get('kind')} {shown}: [{result.rule}] {result.status.value}"
        message += " (blocked)" if blocked else ""
        message += f"; {result.message}" if result.message else ""
        events.append(_event(policy_ref, resource_ref, message, action, now))
    if not blocked:
        for result in results:
            message = f"policy {policy.name}/{result.rule} {result.status.value}: {result.message}"
            events.append(_event(resource_ref, None, message, "Resource Passed", now))
    return events
