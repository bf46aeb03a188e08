"""A Kyverno `ClusterPolicy` or `Policy` read from its manifest: its rules (with those autogen adds), its failure
action, `background` and `failurePolicy`. Nothing here evaluates; `engine` does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wavecd.kyverno.autogen import compute_rules
from wavecd.kyverno.match import SelectorError, selector_matches
from wavecd.kyverno.shapes import rule_shape_errors
from wavecd.kyverno.wildcard import wildcard_match

__all__ = ["POLICY_KINDS", "Policy", "PolicyError", "is_policy", "load_policy"]

POLICY_KINDS = ("ClusterPolicy", "Policy")


class PolicyError(ValueError):
    """A manifest that is not a Kyverno policy wavecd can read; the text names the policy and what is wrong."""


@dataclass(frozen=True)
class Policy:
    """One policy, ready to evaluate."""

    name: str
    namespace: str | None
    manifest: dict[str, Any]
    rules: tuple[dict[str, Any], ...]
    enforce: bool
    failure_policy_fail: bool

    def rule_enforces(self, rule: dict[str, Any], namespace: str, namespace_labels: dict[str, str]) -> bool:
        """Whether a failure of `rule` blocks admission: rule overrides, then the rule's action, then the policy's
        overrides, then its action (engineresponse.go#failureActionForRule)."""

        def override(entries: Any) -> bool | None:
            for entry in entries or []:
                if not isinstance(entry, dict):
                    continue
                namespaces = entry.get("namespaces") or []
                if namespaces and not any(wildcard_match(str(n), namespace) for n in namespaces):
                    continue
                selector = entry.get("namespaceSelector")
                if selector is not None:
                    try:
                        if not selector_matches(selector, namespace_labels):
                            continue
                    except SelectorError:
                        continue
                return _is_enforce(entry.get("action"))
            return None

        validate = rule.get("validate") or {}
        found = override(validate.get("failureActionOverrides"))
        if found is not None:
            return found
        if validate.get("failureAction") is not None:
            return _is_enforce(validate.get("failureAction"))
        found = override((self.manifest.get("spec") or {}).get("validationFailureActionOverrides"))
        if found is not None:
            return found
        return self.enforce


def _is_enforce(action: Any) -> bool:
    return isinstance(action, str) and action.lower() == "enforce"


def is_policy(manifest: Any) -> bool:
    """Whether a manifest is a Kyverno policy this package reads."""
    return (
        isinstance(manifest, dict)
        and manifest.get("kind") in POLICY_KINDS
        and str(manifest.get("apiVersion", "")).startswith("kyverno.io/")
    )


def load_policy(manifest: dict[str, Any]) -> Policy:
    """The policy a manifest holds; PolicyError when its shape is not a policy's."""
    meta = manifest.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    if not isinstance(name, str) or not name:
        raise PolicyError(f"{manifest.get('kind')}: metadata.name is missing")
    spec = manifest.get("spec")
    if not isinstance(spec, dict):
        raise PolicyError(f"{manifest.get('kind')} {name}: spec is missing")
    rules = spec.get("rules")
    if not isinstance(rules, list) or not all(isinstance(r, dict) and isinstance(r.get("name"), str) for r in rules):
        raise PolicyError(f"{manifest.get('kind')} {name}: spec.rules must be a list of rules, each with a name")
    for rule in rules:
        problems = rule_shape_errors(rule)
        if problems:
            raise PolicyError(f"{manifest.get('kind')} {name}: rule {rule['name']}: {'; '.join(problems)}")
    namespace = meta.get("namespace") if manifest.get("kind") == "Policy" and isinstance(meta, dict) else None
    return Policy(
        name=name,
        namespace=str(namespace or "default") if manifest.get("kind") == "Policy" else None,
        manifest=manifest,
        rules=tuple(compute_rules(manifest)),
        enforce=_is_enforce(spec.get("validationFailureAction")),
        failure_policy_fail=spec.get("failurePolicy", "Fail") != "Ignore",
    )
