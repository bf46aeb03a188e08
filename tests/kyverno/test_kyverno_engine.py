"""Whole policies on whole resources: which rules apply, their status and the message Kyverno writes, failure
actions, autogen for Pod controllers, and the admission denial (docs/kyverno.md)."""

from typing import Any

import pytest
import yaml

from wavecd.kyverno import (
    PolicyError,
    Request,
    RuleResult,
    Status,
    admission_denial,
    evaluate,
    load_policy,
)

DISALLOW_LATEST = yaml.safe_load(
    """
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: disallow-latest-tag}
spec:
  validationFailureAction: Enforce
  rules:
  - name: validate-image-tag
    match:
      any:
      - resources: {kinds: [Pod]}
    validate:
      message: "Using a mutable image tag e.g. 'latest' is not allowed."
      pattern:
        spec:
          containers:
          - image: "!*:latest"
"""
)


def pod(image: str = "nginx:latest", namespace: str = "default", name: str = "nginx") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"containers": [{"name": "nginx", "image": image}]},
    }


def deployment(image: str) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"image": image}]}}},
    }


def policy(rules: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "kyverno.io/v1",
        "kind": "ClusterPolicy",
        "metadata": {"name": "p"},
        "spec": {**spec, "rules": yaml.safe_load(rules)},
    }


def test_a_pattern_failure_carries_the_message_the_rule_and_the_path() -> None:
    (result,) = evaluate(load_policy(DISALLOW_LATEST), pod())
    assert result == RuleResult(
        "disallow-latest-tag",
        "validate-image-tag",
        Status.FAIL,
        "validation error: Using a mutable image tag e.g. 'latest' is not allowed. "
        "rule validate-image-tag failed at path /spec/containers/0/image/",
        enforce=True,
        blocks=True,
    )


def test_a_pass_says_so() -> None:
    (result,) = evaluate(load_policy(DISALLOW_LATEST), pod("nginx:1.25"))
    assert (result.status, result.message) == (Status.PASS, "validation rule 'validate-image-tag' passed.")


def test_the_denial_lists_failures_and_errors_by_policy_and_rule_as_kyvernos_webhook_does() -> None:
    # The layout of Kyverno's pkg/webhooks/utils/block_test.go: sorted YAML of policy -> rule -> message.
    results = [
        RuleResult("test", "rule-fail", Status.FAIL, "message fail", True, True),
        RuleResult("test", "rule-error", Status.ERROR, "message error", True, True),
        RuleResult("test", "rule-pass", Status.PASS, "passed", True, False),
        RuleResult("test", "rule-skip", Status.SKIP, "skipped", True, False),
    ]
    resource = {"kind": "foo", "metadata": {"namespace": "bar", "name": "baz"}}
    assert admission_denial(resource, results) == (
        'admission webhook "validate.kyverno.svc-fail" denied the request: '
        "\n\nresource foo/bar/baz was blocked due to the following policies \n\n"
        "test:\n  rule-error: message error\n  rule-fail: message fail\n"
    )


def test_a_denied_pods_text_is_kyvernos_example_single_quoted_and_unfolded() -> None:
    # The example of Kyverno's denial for its disallow-latest-tag policy (pkg/webhooks/utils/block.go writes it
    # with go-yaml v3, whose emitter does not fold long lines).
    resource = pod()
    assert admission_denial(resource, evaluate(load_policy(DISALLOW_LATEST), resource)).endswith(
        "resource Pod/default/nginx was blocked due to the following policies \n\n"
        "disallow-latest-tag:\n"
        "  validate-image-tag: 'validation error: Using a mutable image tag e.g. ''latest'' is not allowed. "
        "rule validate-image-tag failed at path /spec/containers/0/image/'\n"
    )


def test_autogen_applies_a_pod_rule_to_the_pod_template_of_a_deployment() -> None:
    results = evaluate(load_policy(DISALLOW_LATEST), deployment("nginx:latest"))
    assert [(r.rule, r.status, r.message) for r in results] == [
        (
            "autogen-validate-image-tag",
            Status.FAIL,
            "validation error: Using a mutable image tag e.g. 'latest' is not allowed. "
            "rule autogen-validate-image-tag failed at path /spec/template/spec/containers/0/image/",
        )
    ]


def test_autogen_applies_a_pod_rule_to_a_cronjob() -> None:
    cronjob = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "c", "namespace": "x"},
        "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"image": "a:latest"}]}}}}},
    }
    (result,) = evaluate(load_policy(DISALLOW_LATEST), cronjob)
    assert result.rule == "autogen-cronjob-validate-image-tag"
    assert result.message.endswith("failed at path /spec/jobTemplate/spec/template/spec/containers/0/image/")


def test_the_autogen_annotation_none_turns_it_off() -> None:
    manifest = yaml.safe_load(yaml.safe_dump(DISALLOW_LATEST))
    manifest["metadata"]["annotations"] = {"pod-policies.kyverno.io/autogen-controllers": "none"}
    assert evaluate(load_policy(manifest), deployment("nginx:latest")) == []


def test_audit_fails_without_blocking_and_a_rule_action_overrides_the_policys() -> None:
    manifest = yaml.safe_load(yaml.safe_dump(DISALLOW_LATEST))
    manifest["spec"]["validationFailureAction"] = "Audit"
    (result,) = evaluate(load_policy(manifest), pod())
    assert (result.status, result.enforce, result.blocks) == (Status.FAIL, False, False)
    manifest["spec"]["rules"][0]["validate"]["failureAction"] = "Enforce"
    (result,) = evaluate(load_policy(manifest), pod())
    assert result.blocks


def test_a_failure_action_override_by_namespace() -> None:
    manifest = yaml.safe_load(yaml.safe_dump(DISALLOW_LATEST))
    manifest["spec"]["validationFailureActionOverrides"] = [{"action": "Audit", "namespaces": ["dev-*"]}]
    loaded = load_policy(manifest)
    assert not evaluate(loaded, pod(namespace="dev-1"))[0].blocks
    assert evaluate(loaded, pod(namespace="prod"))[0].blocks


def test_a_rule_that_does_not_match_gives_no_result() -> None:
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "a"}, "spec": {}}
    assert evaluate(load_policy(DISALLOW_LATEST), service) == []


@pytest.mark.parametrize(
    ("kinds", "matches"),
    [
        (["Deployment"], True),
        (["apps/v1/Deployment"], True),
        (["apps/*/Deployment"], True),
        (["v1/Deployment"], True),
        (["extensions/v1beta1/Deployment"], False),
        (["Deploy*"], True),
        (["*"], True),
        (["Deployment/scale"], False),
        (["Pod"], False),
    ],
)
def test_kind_selectors(kinds: list[str], matches: bool) -> None:
    rules = f"""
- name: r
  match: {{any: [{{resources: {{kinds: {kinds}}}}}]}}
  validate: {{pattern: {{metadata: {{name: "?*"}}}}}}
"""
    manifest = policy(rules)
    manifest["metadata"]["annotations"] = {"pod-policies.kyverno.io/autogen-controllers": "none"}
    assert bool(evaluate(load_policy(manifest), deployment("x"))) is matches


def test_match_names_namespaces_selectors_operations_and_exclude() -> None:
    rules = """
- name: r
  match:
    any:
    - resources:
        kinds: [Deployment]
        namespaces: ["sh*"]
        names: ["w?b"]
        selector: {matchLabels: {}}
        operations: [CREATE, UPDATE]
  exclude:
    any:
    - resources: {names: [skip-me]}
  validate: {pattern: {metadata: {name: "?*"}}}
"""
    loaded = load_policy(policy(rules))
    assert len(evaluate(loaded, deployment("x"))) == 1
    assert evaluate(loaded, deployment("x"), Request(operation="DELETE")) == []
    skipped = deployment("x")
    skipped["metadata"]["name"] = "skip-me"
    assert evaluate(loaded, skipped) == []


def test_namespace_selector_reads_the_namespace_labels_given() -> None:
    rules = """
- name: r
  match:
    any:
    - resources: {kinds: [Deployment], namespaceSelector: {matchLabels: {env: prod}}}
  validate: {pattern: {metadata: {name: "?*"}}}
"""
    loaded = load_policy(policy(rules))
    assert evaluate(loaded, deployment("x"), Request(namespace_labels={"env": "prod"}))
    assert evaluate(loaded, deployment("x")) == []


def test_deny_with_conditions_and_variables_in_the_message() -> None:
    rules = """
- name: no-default
  match: {any: [{resources: {kinds: [Deployment]}}]}
  validate:
    message: "{{ request.object.metadata.name }} may not use {{ request.object.metadata.namespace }}"
    deny:
      conditions:
        any:
        - {key: "{{ request.object.metadata.namespace }}", operator: AnyIn, value: [default, shop]}
"""
    (result,) = evaluate(load_policy(policy(rules, validationFailureAction="Enforce")), deployment("x"))
    assert (result.status, result.message, result.blocks) == (Status.FAIL, "web may not use shop", True)


def test_deny_without_any_message_has_kyvernos_default() -> None:
    rules = """
- name: always
  match: {any: [{resources: {kinds: [Deployment]}}]}
  validate: {deny: {}}
"""
    (result,) = evaluate(load_policy(policy(rules)), deployment("x"))
    assert (result.status, result.message) == (Status.FAIL, "validation error: rule always failed")


def test_preconditions_not_met_skip_the_rule() -> None:
    rules = """
- name: r
  match: {any: [{resources: {kinds: [Deployment]}}]}
  preconditions:
    all:
    - {key: "{{ request.object.metadata.namespace }}", operator: Equals, value: prod}
  validate: {deny: {}}
"""
    (result,) = evaluate(load_policy(policy(rules)), deployment("x"))
    assert (result.status, result.message) == (Status.SKIP, "preconditions not met")


def test_any_pattern_lists_every_failed_pattern() -> None:
    rules = """
- name: ns
  match: {any: [{resources: {kinds: [Deployment]}}]}
  validate:
    message: A namespace is required
    anyPattern:
    - metadata: {namespace: "!shop"}
    - metadata: {namespace: "!sh*"}
"""
    (result,) = evaluate(load_policy(policy(rules)), deployment("x"))
    assert result.message == (
        "validation error: A namespace is required. rule ns[0] failed at path /metadata/namespace/ "
        "rule ns[1] failed at path /metadata/namespace/"
    )


def test_foreach_reports_the_first_element_that_fails() -> None:
    rules = """
- name: images
  match: {any: [{resources: {kinds: [Pod]}}]}
  validate:
    message: registry
    foreach:
    - list: request.object.spec.containers
      deny:
        conditions:
          all:
          - {key: "{{ element.image }}", operator: NotEquals, value: "corp.io/*"}
"""
    manifest = policy(rules)
    manifest["metadata"]["annotations"] = {"pod-policies.kyverno.io/autogen-controllers": "none"}
    (result,) = evaluate(load_policy(manifest), pod("nginx"))
    assert (result.status, result.message) == (Status.FAIL, "validation failure: registry")
    (result,) = evaluate(load_policy(manifest), pod("corp.io/app"))
    assert (result.status, result.message) == (Status.PASS, "rule passed")


def test_what_wavecd_does_not_run_is_reported_not_skipped() -> None:
    rules = """
- name: add-label
  match: {any: [{resources: {kinds: [Deployment]}}]}
  mutate: {patchStrategicMerge: {metadata: {labels: {a: b}}}}
- name: pss
  match: {any: [{resources: {kinds: [Deployment]}}]}
  validate: {podSecurity: {level: baseline}}
- name: lookup
  match: {any: [{resources: {kinds: [Deployment]}}]}
  context: [{name: cm, configMap: {name: c, namespace: d}}]
  validate: {deny: {}}
"""
    results = evaluate(load_policy(policy(rules)), deployment("x"))
    assert [(r.rule, r.status) for r in results] == [
        ("add-label", Status.NOT_EVALUATED),
        ("pss", Status.NOT_EVALUATED),
        ("lookup", Status.NOT_EVALUATED),
    ]
    assert results[0].message == "mutate rules are not evaluated by wavecd"
    assert not any(r.blocks for r in results)


def test_a_missing_variable_is_an_error_that_blocks_an_enforce_rule() -> None:
    rules = """
- name: r
  match: {any: [{resources: {kinds: [Deployment]}}]}
  validate:
    deny:
      conditions:
        all:
        - {key: "{{ request.object.metadata.annotations }}", operator: Equals, value: x}
"""
    (result,) = evaluate(load_policy(policy(rules, validationFailureAction="Enforce")), deployment("x"))
    assert result.status is Status.ERROR
    assert result.message == (
        "failed to check deny conditions: failed to substitute variables in condition key: failed to resolve "
        'request.object.metadata.annotations at path : JMESPath query failed: Unknown key "annotations" in path'
    )
    assert result.blocks


def test_a_namespaced_policy_sees_only_its_namespace() -> None:
    manifest = yaml.safe_load(yaml.safe_dump(DISALLOW_LATEST))
    manifest["kind"] = "Policy"
    manifest["metadata"]["namespace"] = "team-a"
    loaded = load_policy(manifest)
    assert evaluate(loaded, pod(namespace="team-b")) == []
    assert evaluate(loaded, pod(namespace="team-a"))


def test_a_policy_without_rules_is_refused_with_its_name() -> None:
    with pytest.raises(PolicyError, match=r"ClusterPolicy x: spec\.rules must be a list"):
        load_policy({"apiVersion": "kyverno.io/v1", "kind": "ClusterPolicy", "metadata": {"name": "x"}, "spec": {}})


def test_evaluation_leaves_the_resource_unchanged() -> None:
    resource = deployment("nginx:latest")
    before = yaml.safe_dump(resource)
    evaluate(load_policy(DISALLOW_LATEST), resource)
    assert yaml.safe_dump(resource) == before


def test_denial_messages_are_written_with_go_yamls_string_styles() -> None:
    # go-yaml's stringv: a line break makes a literal block, a text that reads back as another type is
    # double-quoted, `: ` forces quotes, anything else stays plain.
    results = [
        RuleResult("p", "a", Status.FAIL, "line one\nline two", True, True),
        RuleResult("p", "b", Status.FAIL, "true", True, True),
        RuleResult("p", "c", Status.FAIL, "plain text", True, True),
        RuleResult("p", "d", Status.FAIL, "x: y", True, True),
    ]
    resource = {"kind": "Pod", "metadata": {"namespace": "d", "name": "n"}}
    assert admission_denial(resource, results).endswith(
        "p:\n  a: |-\n    line one\n    line two\n  b: \"true\"\n  c: plain text\n  d: 'x: y'\n"
    )
