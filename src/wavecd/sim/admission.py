"""Kyverno's validating webhook, as a cluster that runs Kyverno answers: once a `ClusterPolicy` or `Policy`
(its CRD comes from the tree, as on a real cluster) reports `Ready=True`, every create, update and delete is
evaluated by `wavecd.kyverno` (a delete only by `deny` rules); a request an Enforce rule fails is refused with
Kyverno's denial, wrapped as the API server wraps a webhook's (`admission webhook "validate.kyverno.svc-fail"
denied the request: …`, HTTP 400). Audit failures are admitted; a policy with `emitWarning: true` returns them
as warnings (`policy <policy>.<rule>: <message>`), as Kyverno does; failures are reported as Kyverno's
PolicyViolation Events (`policyevents.py`). Kyverno's default resource filters and its own namespace are left
alone. PolicyReports are not written."""

from __future__ import annotations

from typing import Any

from wavecd.kyverno import Policy, PolicyError, Request, RuleResult, Status, admission_denial, evaluate, load_policy
from wavecd.kyverno.filters import is_filtered
from wavecd.sim.apierrors import ApiError
from wavecd.sim.policyevents import violation_events
from wavecd.sim.registry import Kind

__all__ = ["KyvernoAdmission"]

_POLICY_PLURALS = ("clusterpolicies", "policies")


def _ready(policy: dict[str, Any]) -> bool:
    status = policy.get("status") or {}
    if status.get("ready") is True:
        return True
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or [])


class KyvernoAdmission:
    """The webhook: `check(kind, new, old)` raises the denial, or returns the warnings to send."""

    def __init__(self, api: Any) -> None:
        self._api = api
        self._loaded: dict[tuple[str, str], Policy | None] = {}

    def _policies(self) -> list[Policy]:
        policies: list[Policy] = []
        for plural in _POLICY_PLURALS:
            kind = self._api.registry.by_plural("kyverno.io", "v1", plural)
            if kind is None:
                continue
            items, _ = self._api.list(kind, None)
            for item in items:
                meta = item.get("metadata") or {}
                if not _ready(item) or meta.get("deletionTimestamp"):
                    continue
                key = (str(meta.get("uid")), str(meta.get("resourceVersion")))
                if key not in self._loaded:
                    try:
                        self._loaded[key] = load_policy(item)
                    except PolicyError:
                        self._loaded[key] = None
                loaded = self._loaded[key]
                if loaded is not None:
                    policies.append(loaded)
        return policies

    def _namespace_labels(self, namespace: str) -> dict[str, str]:
        kind = self._api.registry.by_plural("", "v1", "namespaces")
        found = self._api.find(kind, None, namespace) if namespace and kind is not None else None
        labels = ((found or {}).get("metadata") or {}).get("labels") or {}
        return {str(k): str(v) for k, v in labels.items()}

    def check(
        self,
        kind: Kind,
        new: dict[str, Any],
        old: dict[str, Any] | None,
        *,
        deleting: bool = False,
        dry_run: bool = False,
    ) -> list[str]:
        """Raise ApiError 400 with Kyverno's denial when an Enforce rule fails; else the audit warnings. `new` is
        the object written (or, `deleting`, the one deleted) and `old` the stored one an update replaces. Unless
        it is a dry run, the PolicyViolation Events Kyverno writes are created too."""
        namespace = str((new.get("metadata") or {}).get("namespace") or "")
        if is_filtered(kind.group, kind.kind, namespace):
            return []
        policies = self._policies()
        if not policies:
            return []
        labels = self._namespace_labels(namespace)
        operation = "DELETE" if deleting else "UPDATE" if old is not None else "CREATE"
        request = Request(operation=operation, namespace_labels=labels)
        blocked: list[RuleResult] = []
        warnings: list[str] = []
        evaluated: list[tuple[Policy, list[RuleResult]]] = []
        for policy in policies:
            results = evaluate(policy, new, request, old)
            if operation == "UPDATE" and old is not None:
                results = _allow_existing(policy, results, old, labels)
            evaluated.append((policy, results))
            if any(r.blocks for r in results):
                blocked.extend(results)
            elif (policy.manifest.get("spec") or {}).get("emitWarning"):
                warnings.extend(
                    f"policy {r.policy}.{r.rule}: {r.message}"
                    for r in results
                    if r.status in (Status.FAIL, Status.ERROR)
                )
        if not dry_run:
            self._report(new, evaluated, blocked=bool(blocked))
        if blocked:
            raise ApiError(400, "", admission_denial(new, blocked))
        return warnings

    def _report(
        self, resource: dict[str, Any], evaluated: list[tuple[Policy, list[RuleResult]]], blocked: bool
    ) -> None:
        """Kyverno's PolicyViolation Events: on a refusal only the Enforce policies' (the others run after an
        admitted request), else every policy's."""
        kind = self._api.registry.by_plural("", "v1", "events")
        for policy, results in evaluated:
            if blocked and not any(r.blocks for r in results):
                continue
            for event in violation_events(policy, resource, results, blocked=blocked, now=self._api.now()):
                try:
                    self._api.create(kind, event["metadata"]["namespace"], event, manager="kyverno")
                except ApiError:
                    continue


def _allow_existing(
    policy: Policy, results: list[RuleResult], old: dict[str, Any], labels: dict[str, str]
) -> list[RuleResult]:
    """An update that keeps a violation the old object already had is let through (`allowExistingViolations`,
    on by default): the old object is evaluated as a create, and a rule that fails on both is skipped."""
    failing_before = {
        r.rule
        for r in evaluate(policy, old, Request(operation="CREATE", namespace_labels=labels))
        if r.status is Status.FAIL
    }
    rules = {str(r.get("name")): r for r in policy.rules}
    kept: list[RuleResult] = []
    for result in results:
        allow = (rules.get(result.rule, {}).get("validate") or {}).get("allowExistingViolations", True)
        if result.blocks and result.status is Status.FAIL and result.rule in failing_before and allow is not False:
            result = RuleResult(
                result.policy,
                result.rule,
                Status.SKIP,
                "skipping the rule evaluation as pre-existing violations are allowed",
                result.enforce,
                False,
            )
        kept.append(result)
    return kept
