"""`deny` and precondition operators and their any/all combination (docs/kyverno.md; Kyverno's
`variables/evaluate.go` and `variables/operator/`)."""

from typing import Any

import pytest

from wavecd.kyverno.conditions import ConditionError, evaluate_conditions
from wavecd.kyverno.variables import Context

REQUEST = {
    "request": {
        "operation": "CREATE",
        "object": {
            "metadata": {"name": "web-1", "namespace": "prod", "labels": {"team": "a", "tier": "front"}},
            "spec": {"replicas": 3, "containers": [{"image": "nginx:1.25"}, {"image": "corp.io/app:2"}]},
        },
    }
}


def holds(key: Any, operator: str, value: Any) -> bool:
    result, _ = evaluate_conditions({"all": [{"key": key, "operator": operator, "value": value}]}, Context(REQUEST))
    return result


@pytest.mark.parametrize(
    ("key", "operator", "value", "expected"),
    [
        ("{{ request.object.metadata.name }}", "Equals", "web-*", True),
        ("{{ request.object.metadata.name }}", "Equals", "api-*", False),
        ("web-*", "Equals", "web-1", False),  # wildcards count on the value side only
        ("{{ request.object.spec.replicas }}", "Equals", 3, True),
        ("{{ request.object.spec.replicas }}", "Equals", "3", True),
        ("1Gi", "Equals", "1024Mi", True),
        ("1h", "Equals", "60m", True),
        ("1m", "Equals", 60, True),  # a duration against a number of seconds
        (True, "Equals", "true", False),
        ("{{ request.object.metadata.labels }}", "Equals", {"team": "a", "tier": "front"}, True),
        ("{{ request.object.metadata.name }}", "NotEquals", "api-*", True),
        (True, "NotEquals", "true", True),  # a type mismatch is not equal
        ("{{ request.object.metadata.namespace }}", "AnyIn", ["prod", "staging"], True),
        ("{{ request.object.metadata.namespace }}", "AnyIn", ["pr*"], True),
        ("pr*", "AnyIn", ["prod"], True),  # set operators match wildcards both ways
        ("{{ request.object.spec.containers[].image }}", "AnyIn", ["nginx:*"], True),
        ("{{ request.object.spec.containers[].image }}", "AllIn", ["nginx:*"], False),
        ("{{ request.object.spec.containers[].image }}", "AllIn", ["nginx:*", "corp.io/*"], True),
        ("{{ request.object.spec.containers[].image }}", "AnyNotIn", ["nginx:*"], True),
        ("{{ request.object.spec.containers[].image }}", "AllNotIn", ["busybox*"], True),
        ("{{ request.object.spec.containers[].image }}", "AllNotIn", ["nginx:*"], False),
        ("{{ request.object.spec.replicas }}", "AnyIn", "1-5", True),  # a range as the value
        ("{{ request.object.spec.replicas }}", "AnyNotIn", "1-5", False),
        ("prod", "AnyIn", '["prod", "dev"]', True),  # a JSON array in a string
        ([], "AllIn", ["x"], True),  # an empty key list: All* true, Any* false
        ([], "AnyIn", ["x"], False),
        ("{{ request.object.spec.replicas }}", "GreaterThan", 2, True),
        ("{{ request.object.spec.replicas }}", "GreaterThanOrEquals", "3", True),
        ("{{ request.object.spec.replicas }}", "LessThan", 3, False),
        ("2Gi", "GreaterThan", "1500Mi", True),
        ("90m", "GreaterThan", "1h", True),
        ("1.10.0", "GreaterThan", "1.9.3", True),  # semantic versions, not numbers
        ("1.2.3-rc.1", "LessThan", "1.2.3", True),
        ("abc", "LessThan", "abd", False),  # text is not ordered
        ("2h", "DurationGreaterThan", "1h", True),
    ],
)
def test_operator(key: Any, operator: str, value: Any, expected: bool) -> None:
    assert holds(key, operator, value) is expected


def test_operator_names_are_matched_without_case() -> None:
    assert holds("a", "equals", "a") is True
    assert holds(["a"], "anyin", ["a"]) is True


def test_any_needs_one_and_all_needs_every_one_and_both_must_hold() -> None:
    yes = {"key": "a", "operator": "Equals", "value": "a", "message": "yes"}
    no = {"key": "a", "operator": "Equals", "value": "b", "message": "no"}
    context = Context(REQUEST)
    assert evaluate_conditions({"any": [no, yes]}, context) == (True, "yes")
    assert evaluate_conditions({"all": [yes, no]}, context) == (False, "no")
    assert evaluate_conditions({"any": [no], "all": [yes]}, context) == (False, "no")
    assert evaluate_conditions({}, context) == (True, "")
    assert evaluate_conditions([yes, yes], context) == (True, "yes;yes")  # the legacy list means all


def test_a_missing_last_key_is_an_error_but_a_default_with_or_is_not() -> None:
    context = Context(REQUEST)
    with pytest.raises(ConditionError, match='Unknown key "annotations" in path'):
        evaluate_conditions(
            {"all": [{"key": "{{ request.object.metadata.annotations }}", "operator": "Equals", "value": ""}]},
            context,
        )
    assert holds("{{ request.object.metadata.annotations || '' }}", "Equals", "") is True


def test_an_unknown_operator_is_an_error() -> None:
    with pytest.raises(ConditionError):
        holds("a", "Matches", "a")
