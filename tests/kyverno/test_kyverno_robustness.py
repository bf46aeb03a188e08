"""Policies and resources are untrusted input: whatever their shape, a policy is either refused with a
`PolicyError` naming the rule and field, or evaluated into results — never a crash (docs/kyverno.md)."""

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from wavecd.kyverno import PolicyError, evaluate, load_policy

KEYS = st.sampled_from(
    [
        "match", "exclude", "any", "all", "resources", "kinds", "names", "namespaces", "selector", "matchLabels",
        "operations", "validate", "pattern", "anyPattern", "deny", "conditions", "key", "operator", "value",
        "foreach", "list", "preconditions", "context", "variable", "jmesPath", "message", "(image)", "=(name)",
        "X(hostPID)", "^(containers)", "<(image)", "metadata", "labels", "spec", "containers", "image",
    ]
)  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.sampled_from(["*", "?*", "Pod", "Equals", "AnyIn", "1-5", ">3", "{{ request.object.metadata.name }}"]),
)
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3))
RESOURCE = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "p", "namespace": "n", "labels": {"a": "b"}},
    "spec": {"containers": [{"name": "c", "image": "nginx:latest"}]},
}


@given(match=JSON, validate=JSON, preconditions=JSON, resource_spec=JSON)
def test_any_policy_shape_is_refused_or_evaluated(
    match: Any, validate: Any, preconditions: Any, resource_spec: Any
) -> None:
    rule = {"name": "r", "match": match, "validate": validate, "preconditions": preconditions}
    manifest = {
        "apiVersion": "kyverno.io/v1",
        "kind": "ClusterPolicy",
        "metadata": {"name": "p"},
        "spec": {"rules": [rule]},
    }
    try:
        policy = load_policy(manifest)
    except PolicyError as err:
        assert str(err).startswith("ClusterPolicy p: rule r: ")
        return
    for resource in (RESOURCE, {**RESOURCE, "spec": resource_spec}):
        for result in evaluate(policy, resource):
            assert result.rule == "r" and isinstance(result.message, str)
