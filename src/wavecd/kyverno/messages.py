"""The texts Kyverno writes (`pkg/engine/handlers/validation/validate_resource.go`,
`pkg/webhooks/utils/block.go`, apiserver's webhook status error): rule messages and the admission denial."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml

from wavecd.kyverno.match import metadata_of
from wavecd.kyverno.results import RuleResult, Status

__all__ = [
    "admission_denial",
    "any_pattern_failure",
    "blocked_message",
    "deny_message",
    "pattern_message",
]

WEBHOOK_FAIL = "validate.kyverno.svc-fail"


def _with_period(message: str) -> str:
    return message if message.endswith(".") else message + "."


def pattern_message(rule: str, message: str | None, error: str, path: str) -> str:
    """A pattern's failure (with a path) or execution error (without one); `message` is the substituted
    `validate.message`, None when it could not be substituted (buildErrorMessage)."""
    if message == "":
        if path:
            return f"validation error: rule {rule} failed at path {path}"
        return f"validation error: rule {rule} execution error: {error}"
    if message is None:
        return f"validation error: variables substitution error in rule {rule} execution error: {error}"
    if path:
        return f"validation error: {_with_period(message)} rule {rule} failed at path {path}"
    return f"validation error: {_with_period(message)} rule {rule} execution error: {error}"


def any_pattern_failure(rule: str, message: str | None, errors: list[str]) -> str:
    """Every failing `anyPattern` entry in one text (buildAnyPatternErrorMessage)."""
    joined = " ".join(errors)
    if message == "":
        return f"validation error: {joined}"
    if message is None:
        return f"validation error: variables substitution error in rule {rule} execution error: {joined}"
    if message.endswith("."):
        return f"validation error: {message} {joined}"
    return f"validation error: {message}. {joined}"


def deny_message(rule: str, message: str, condition_messages: str) -> str:
    """A `deny` that holds: the rule's message and the conditions' messages, or Kyverno's default."""
    if not message and not condition_messages:
        return f"validation error: rule {rule} failed"
    return "; ".join(m for m in (message, condition_messages) if m)


class _Dumper(yaml.SafeDumper):
    """YAML as go-yaml v3 writes Kyverno's denial: two-space indent, sorted keys, and no line folding (its
    emitter starts with an unlimited width; both port libyaml's emitter, so quoting is the same)."""


_UNFOLDED = 2**31 - 1


def _string(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    """go-yaml v3's `stringv`: a text with a line break as a literal block, one that would read back as
    another type (`true`, `10`) double-quoted, anything else plain when the emitter allows (else quoted)."""
    if "\n" in text:
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|")
    resolve: Any = dumper.resolve  # PyYAML's resolver carries no annotations
    if resolve(yaml.ScalarNode, text, (True, False)) != "tag:yaml.org,2002:str":
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"')
    return dumper.represent_scalar("tag:yaml.org,2002:str", text)


_Dumper.add_representer(str, _string)


def blocked_message(resource: dict[str, Any], results: Iterable[RuleResult]) -> str:
    """Kyverno's text for a refused request: every rule that neither passed nor was skipped, policy by policy
    (GetBlockedMessages)."""
    failures: dict[str, dict[str, str]] = {}
    for result in results:
        if result.status in (Status.FAIL, Status.ERROR):
            failures.setdefault(result.policy, {})[result.rule] = result.message
    if not failures:
        return ""
    meta = metadata_of(resource)
    name = f"{resource.get('kind', '')}/{meta.get('namespace') or ''}/{meta.get('name') or ''}"
    body = yaml.dump(
        failures, Dumper=_Dumper, default_flow_style=False, sort_keys=True, width=_UNFOLDED, allow_unicode=True
    )
    return f"\n\nresource {name} was blocked due to the following policies \n\n{body}"


def admission_denial(resource: dict[str, Any], results: Iterable[RuleResult]) -> str:
    """What a client is told: the API server's wrapping of the webhook's denial."""
    return f'admission webhook "{WEBHOOK_FAIL}" denied the request: {blocked_message(resource, results)}'
