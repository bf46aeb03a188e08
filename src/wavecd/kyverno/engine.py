"""A policy's validate rules run on one resource as Kyverno's engine runs them (`pkg/engine/validation.go`,
`engine.go#invokeRuleHandler`, `handlers/validation/validate_resource.go`): policy scope, match and exclude,
context variables, preconditions, then `deny`, `pattern`, `anyPattern` or `foreach`.

A rule that does not apply gives no result, as in Kyverno. What wavecd does not run — mutate, generate and
verifyImages rules, `cel`, `podSecurity` and `manifests` validations, context entries that read the cluster — gives
a `not-evaluated` result naming what was left out, never silence."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from wavecd.kyverno.conditions import ConditionError, evaluate_conditions
from wavecd.kyverno.images import image_context
from wavecd.kyverno.jmes import JMESPathError, NotFoundError, search
from wavecd.kyverno.match import Request, metadata_of, rule_matches
from wavecd.kyverno.messages import any_pattern_failure, deny_message, pattern_message
from wavecd.kyverno.pattern import match_pattern
from wavecd.kyverno.policy import Policy
from wavecd.kyverno.results import RuleResult, Status
from wavecd.kyverno.variables import Context, SubstitutionError, substitute_all

__all__ = ["Values", "evaluate", "not_evaluated_reason"]

_UNSUPPORTED_VALIDATIONS = ("cel", "podSecurity", "manifests", "assert")


@dataclass(frozen=True)
class Values:
    """Values standing in for what a cluster supplies, as a `kyverno test` values file gives them: `variables`
    (dotted names such as `request.operation`) are set for the resource, `rules` maps a rule name to the values of
    its context entries. With values, context entries that read the cluster are left to them instead of making
    the rule not evaluated."""

    variables: dict[str, Any] = field(default_factory=dict)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)


def _dotted(key: str) -> list[str]:
    """A variable name split on dots outside double quotes (Kyverno reads it as a CSV record with `.`)."""
    parts: list[str] = []
    current, quoted = "", False
    for ch in key:
        if ch == '"':
            quoted = not quoted
        elif ch == "." and not quoted:
            parts.append(current)
            current = ""
        else:
            current += ch
    return [*parts, current]


def _set_variable(data: dict[str, Any], key: str, value: Any) -> None:
    fields = _dotted(key)
    target = data
    for name in fields[:-1]:
        nested = target.get(name)
        if not isinstance(nested, dict):
            nested = {}
            target[name] = nested
        target = nested
    target[fields[-1]] = value


def _rule_values(values: Values, rule: str) -> dict[str, Any]:
    """The values of a rule, also found under the name of the rule autogen copied."""
    for base, found in values.rules.items():
        if rule in (base, f"autogen-{base}", f"autogen-cronjob-{base}"):
            return found
    return {}


class _Outcome(Exception):
    """A rule's result decided early (an error or skip while loading its context)."""

    def __init__(self, status: Status, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _request_data(resource: dict[str, Any], request: Request, old: dict[str, Any] | None) -> dict[str, Any]:
    data: dict[str, Any] = {"object": resource, "operation": request.operation}
    if request.operation == "DELETE":
        data = {"object": None, "oldObject": resource, "operation": "DELETE"}
    elif old is not None:
        data["oldObject"] = old
    if not request.user.is_empty():
        data["userInfo"] = {"username": request.user.username, "groups": list(request.user.groups)}
        data["roles"] = list(request.user.roles)
        data["clusterRoles"] = list(request.user.cluster_roles)
    return data


def _base_context(resource: dict[str, Any], request: Request, old: dict[str, Any] | None) -> Context:
    data: dict[str, Any] = {"request": _request_data(resource, request, old)}
    images = image_context(resource)
    if images is not None:
        data["images"] = images
    return Context(data)


def _load_context(entries: Any, context: Context) -> None:
    """Context entries of type `variable`; any other needs a cluster and leaves the rule not evaluated (or, when
    values are given, is left to them)."""
    for entry in entries or []:
        if not isinstance(entry, dict):
            continue
        name = str(entry.get("name", ""))
        variable = entry.get("variable")
        if not isinstance(variable, dict) and context.mocked:
            continue
        if not isinstance(variable, dict):
            kinds = [k for k in entry if k != "name"]
            raise _Outcome(
                Status.NOT_EVALUATED,
                f"context entry {name!r} ({', '.join(kinds) or 'empty'}) reads the cluster; "
                "wavecd does not evaluate it",
            )
        try:
            context.data[name] = _variable_value(variable, context)
        except (SubstitutionError, JMESPathError) as err:
            raise _Outcome(Status.ERROR, f"failed to load context: {err}") from err


def _variable_value(variable: dict[str, Any], context: Context) -> Any:
    value = substitute_all(copy.deepcopy(variable.get("value")), context) if "value" in variable else None
    path = variable.get("jmesPath")
    if isinstance(path, str) and path:
        path = substitute_all(path, context)
        try:
            if "value" in variable:
                value = search(str(path), value)
            else:
                value = context.query(str(path))
        except NotFoundError:
            value = None
    if value is None and "default" in variable:
        value = substitute_all(copy.deepcopy(variable.get("default")), context)
    if value is None:
        raise JMESPathError(f"failed to add context variable: value is nil for {path or 'value'}")
    return value


def _message(validate: dict[str, Any], context: Context) -> str | None:
    """The substituted `validate.message`; None when a variable in it does not resolve."""
    text = validate.get("message") or ""
    try:
        value = substitute_all(text, context)
    except SubstitutionError:
        return None
    return value if isinstance(value, str) else str(value)


def _deny(rule: str, validate: dict[str, Any], context: Context) -> tuple[Status, str]:
    deny = validate.get("deny") or {}
    try:
        denied, condition_messages = evaluate_conditions(
            deny.get("conditions", {}) if isinstance(deny, dict) else {}, context
        )
    except ConditionError as err:
        return Status.ERROR, f"failed to check deny conditions: {err}"
    if not denied:
        return Status.PASS, f"validation rule '{rule}' passed."
    raw = deny_message(rule, str(validate.get("message") or ""), condition_messages)
    try:
        text = substitute_all(raw, context)
    except SubstitutionError:
        return Status.FAIL, condition_messages
    if not isinstance(text, str):
        return Status.FAIL, "the produced message didn't resolve to a string, check your policy definition."
    return Status.FAIL, text


def _patterns(rule: str, validate: dict[str, Any], resource: Any, context: Context) -> tuple[Status, str]:
    try:
        pattern = substitute_all(copy.deepcopy(validate.get("pattern")), context) if "pattern" in validate else None
        any_pattern = (
            substitute_all(copy.deepcopy(validate.get("anyPattern")), context) if "anyPattern" in validate else None
        )
    except SubstitutionError as err:
        return Status.ERROR, f"variable substitution failed: {err}"
    if pattern is not None:
        error = match_pattern(resource, pattern)
        if error is None:
            return Status.PASS, f"validation rule '{rule}' passed."
        if error.skip:
            return Status.SKIP, error.message
        status = Status.FAIL if error.path else Status.ERROR
        return status, pattern_message(rule, _message(validate, context), error.message, error.path)
    failed: list[str] = []
    skipped: list[str] = []
    for index, candidate in enumerate(any_pattern if isinstance(any_pattern, list) else []):
        error = match_pattern(resource, candidate)
        if error is None:
            return Status.PASS, f"validation rule '{rule}' anyPattern[{index}] passed."
        if error.skip:
            skipped.append(f"rule {rule}[{index}] skipped: {error.message}")
        elif error.path:
            failed.append(f"rule {rule}[{index}] failed at path {error.path}")
        else:
            failed.append(f"rule {rule}[{index}] failed: {error.message}")
    if failed:
        return Status.FAIL, any_pattern_failure(rule, _message(validate, context), failed)
    if skipped:
        return Status.SKIP, " ".join(skipped)
    return Status.PASS, str(validate.get("message") or "")


def _validate_body(
    rule: str, validate: dict[str, Any], resource: Any, context: Context, nesting: int
) -> tuple[Status, str] | None:
    """deny, pattern/anyPattern or foreach; None when a foreach applied to nothing."""
    if validate.get("deny") is not None:
        return _deny(rule, validate, context)
    if "pattern" in validate or "anyPattern" in validate:
        if context.operation == "DELETE":
            return None
        return _patterns(rule, validate, resource, context)
    if validate.get("foreach") is not None:
        return _foreach(rule, validate, resource, context, nesting)
    return Status.NOT_EVALUATED, f"rule {rule} has no deny, pattern, anyPattern or foreach wavecd evaluates"


def _element_context(context: Context, element: Any, index: int, nesting: int) -> Context:
    scoped = Context(copy.copy(context.data), context.mocked)
    scoped.data["element"] = element
    scoped.data[f"element{nesting}"] = element
    scoped.data["elementIndex"] = index
    scoped.data[f"elementIndex{nesting}"] = index
    return scoped


def _foreach_element(
    rule: str, foreach: dict[str, Any], message: Any, root: Any, scoped: Context, nesting: int
) -> tuple[Status, str] | None:
    """One element through the foreach entry's context, preconditions and check (a nested validator)."""
    early = _context_and_preconditions(foreach, scoped)
    if early is not None:
        return early
    body = {k: v for k, v in foreach.items() if k in ("pattern", "anyPattern", "deny", "foreach")}
    body["message"] = message
    return _validate_body(rule, body, root, scoped, nesting + 1)


def _foreach(
    rule: str, validate: dict[str, Any], resource: Any, context: Context, nesting: int
) -> tuple[Status, str] | None:
    """Each `foreach` entry over its list (validate_resource.go#validateForEach): the first element that neither
    passes nor is skipped decides; nothing applied gives no result."""
    applied = 0
    list_error: str | None = None
    for foreach in validate["foreach"] if isinstance(validate["foreach"], list) else []:
        if not isinstance(foreach, dict):
            continue
        try:
            elements = context.query(str(foreach.get("list", "")))
        except NotFoundError:
            continue
        except JMESPathError as err:
            list_error = str(err)
            continue
        for index, element in enumerate(elements if isinstance(elements, list) else [elements]):
            if element is None:
                continue
            scoped = _element_context(context, element, index, nesting)
            scope = foreach.get("elementScope")
            if scope is True and not isinstance(element, dict):
                return (
                    Status.ERROR,
                    "failed to process foreach: "
                    "cannot use elementScope=true foreach rules for elements that are not maps",
                )
            root = element if isinstance(element, dict) and scope is not False else resource
            outcome = _foreach_element(rule, foreach, validate.get("message"), root, scoped, nesting)
            if outcome is None or outcome[0] is Status.SKIP:
                continue
            status, message = outcome
            if status is Status.ERROR and "failed to evaluate preconditions" in message:
                continue
            if status is not Status.PASS:
                return status, f"validation failure: {message}"
            applied += 1
    if applied == 0:
        if list_error is not None:
            return Status.ERROR, f"failed to evaluate list: {list_error}"
        return None
    return Status.PASS, "rule passed"


def _context_and_preconditions(spec: dict[str, Any], context: Context) -> tuple[Status, str] | None:
    """A rule's (or foreach entry's) context entries loaded and preconditions checked: None to go on, else the
    result that ends it (validate_resource.go#validate)."""
    try:
        _load_context(spec.get("context"), context)
    except _Outcome as outcome:
        return outcome.status, outcome.message
    preconditions = spec.get("preconditions")
    if preconditions is None:
        return None
    try:
        holds, message = evaluate_conditions(preconditions, context)
    except ConditionError as err:
        return Status.ERROR, f"failed to evaluate preconditions: {err}"
    if not holds:
        return Status.SKIP, "; ".join(m for m in ("preconditions not met", message) if m)
    return None


def not_evaluated_reason(rule: dict[str, Any]) -> str | None:
    """Why wavecd does not evaluate a rule (mutate, generate, image verification, CEL, …), None when it does: a
    caller that reports per rule (`wavecd lint`) says so once, whatever resources the rule would match."""
    for kind in ("mutate", "generate", "verifyImages"):
        if rule.get(kind):
            return f"{kind} rules are not evaluated by wavecd"
    validate = rule.get("validate")
    if not isinstance(validate, dict):
        return "the rule has no validate, mutate, generate or verifyImages section"
    for kind in _UNSUPPORTED_VALIDATIONS:
        if validate.get(kind) is not None:
            return f"validate.{kind} is not evaluated by wavecd"
    return None


def _evaluate_rule(
    rule: dict[str, Any], resource: dict[str, Any], request: Request, old: dict[str, Any] | None, values: Values | None
) -> tuple[Status, str] | None:
    reason = not_evaluated_reason(rule)
    if reason is not None:
        return Status.NOT_EVALUATED, reason
    validate = rule["validate"]
    name = str(rule["name"])
    context = _base_context(resource, request, old)
    context.mocked = values is not None
    if values is not None:
        context.data["request"] = copy.deepcopy(context.data["request"])
        for key, value in values.variables.items():
            _set_variable(context.data, key, value)
        for key, value in _rule_values(values, name).items():
            _set_variable(context.data, key, value)
    early = _context_and_preconditions(rule, context)
    if early is not None:
        return early
    subject = (context.data.get("request") or {}).get("object")
    return _validate_body(name, validate, subject if subject is not None else resource, context, 0)


def evaluate(
    policy: Policy,
    resource: dict[str, Any],
    request: Request | None = None,
    old: dict[str, Any] | None = None,
    values: Values | None = None,
) -> list[RuleResult]:
    """The results of the policy's rules that apply to `resource`, in rule order (`applyRules: One` stops after the
    first that passes or fails). On DELETE, `resource` is the object being deleted."""
    request = request or Request()
    meta = metadata_of(resource)
    namespace = str(meta.get("namespace") or "")
    if policy.namespace is not None and policy.namespace != namespace:
        return []
    apply_one = (policy.manifest.get("spec") or {}).get("applyRules") == "One"
    results: list[RuleResult] = []
    for rule in policy.rules:
        if not rule_matches(rule, resource, request):
            continue
        outcome = _evaluate_rule(rule, resource, request, old, values)
        if outcome is None:
            continue
        status, message = outcome
        enforce = policy.rule_enforces(rule, namespace, request.namespace_labels)
        blocks = enforce and (status is Status.FAIL or (status is Status.ERROR and policy.failure_policy_fail))
        results.append(RuleResult(policy.name, str(rule["name"]), status, message, enforce, blocks))
        if apply_one and status in (Status.PASS, Status.FAIL):
            break
    return results
