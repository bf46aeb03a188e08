"""Patterns and their anchors on whole resources, with the path and skip text Kyverno reports
(docs/kyverno.md; Kyverno's `validate.go` and `anchor/handlers.go`)."""

from typing import Any

from wavecd.kyverno.pattern import PatternError, match_pattern


def pod(**spec: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"app": "web"}}, "spec": spec}


CONTAINERS = [{"name": "a", "image": "nginx:1.25"}, {"name": "b", "image": "nginx:latest"}]


def test_every_array_element_must_satisfy_the_first_pattern_element_and_the_path_names_the_first_that_fails() -> None:
    error = match_pattern(pod(containers=CONTAINERS), {"spec": {"containers": [{"image": "!*:latest"}]}})
    assert error == PatternError(
        "resource value 'nginx:latest' does not match '!*:latest' at path /spec/containers/1/image/",
        "/spec/containers/1/image/",
    )


def test_a_satisfied_pattern_gives_no_error() -> None:
    assert match_pattern(pod(containers=CONTAINERS), {"spec": {"containers": [{"name": "?*"}]}}) is None


def test_star_needs_the_key_and_a_missing_one_fails_at_the_parent() -> None:
    error = match_pattern(pod(containers=[{"name": "a"}]), {"spec": {"containers": [{"image": "*"}]}})
    assert error is not None
    assert (error.path, error.message) == ("/spec/containers/0/", "/spec/containers/0//image not found")


def test_a_type_mismatch_fails_at_the_path() -> None:
    error = match_pattern(pod(containers="x"), {"spec": {"containers": [{"name": "*"}]}})
    assert error is not None and error.path == "/spec/containers/"


def test_conditional_anchor_skips_the_map_when_it_does_not_hold() -> None:
    pattern = {"spec": {"containers": [{"(image)": "*:latest", "imagePullPolicy": "Always"}]}}
    resource = pod(containers=[{"name": "a", "image": "nginx:1.25"}])
    error = match_pattern(resource, pattern)
    assert error is not None and error.skip
    assert "conditional anchor mismatch" in error.message


def test_conditional_anchor_checks_siblings_when_it_holds() -> None:
    pattern = {"spec": {"containers": [{"(image)": "*:latest", "imagePullPolicy": "Always"}]}}
    resource = pod(containers=[{"name": "a", "image": "nginx:latest", "imagePullPolicy": "IfNotPresent"}])
    error = match_pattern(resource, pattern)
    assert error is not None and not error.skip
    assert error.path == "/spec/containers/0/imagePullPolicy/"


def test_conditional_anchor_drops_array_elements_it_does_not_hold_for() -> None:
    pattern = {"spec": {"containers": [{"(image)": "*:latest", "imagePullPolicy": "Always"}]}}
    resource = pod(
        containers=[
            {"name": "a", "image": "nginx:1.25"},
            {"name": "b", "image": "nginx:latest", "imagePullPolicy": "Always"},
        ]
    )
    assert match_pattern(resource, pattern) is None


def test_equality_anchor_checks_only_a_present_key() -> None:
    pattern = {"spec": {"=(hostNetwork)": False}}
    assert match_pattern(pod(), pattern) is None
    assert match_pattern(pod(hostNetwork=False), pattern) is None
    error = match_pattern(pod(hostNetwork=True), pattern)
    assert error is not None and error.path == "/spec/hostNetwork/"


def test_negation_anchor_fails_when_the_key_is_present() -> None:
    pattern = {"spec": {"X(hostPID)": "null"}}
    assert match_pattern(pod(), pattern) is None
    error = match_pattern(pod(hostPID=False), pattern)
    assert error == PatternError("negation anchor matched in resource: /spec/hostPID/ is not allowed", "/spec/hostPID/")


def test_existence_anchor_needs_one_matching_element_for_each_pattern_item() -> None:
    pattern = {"spec": {"^(containers)": [{"image": "nginx:*"}]}}
    assert match_pattern(pod(containers=[{"image": "busybox"}, {"image": "nginx:1"}]), pattern) is None
    error = match_pattern(pod(containers=[{"image": "busybox"}]), pattern)
    assert error is not None
    assert error.message == "existence anchor validation failed at path /spec/containers/"


def test_global_anchor_skips_the_whole_rule_when_it_does_not_hold() -> None:
    pattern = {"spec": {"containers": [{"<(image)": "corp.io/*"}], "imagePullSecrets": [{"name": "regcred"}]}}
    error = match_pattern(pod(containers=[{"image": "nginx"}]), pattern)
    assert error is not None and error.skip
    assert "global anchor mismatch" in error.message


def test_global_anchor_lets_the_rest_be_checked_when_it_holds() -> None:
    pattern = {"spec": {"containers": [{"<(image)": "corp.io/*"}], "imagePullSecrets": [{"name": "regcred"}]}}
    error = match_pattern(pod(containers=[{"image": "corp.io/app"}]), pattern)
    assert error is not None and error.path == "/spec/imagePullSecrets/"


def test_a_wildcard_label_key_is_matched_against_the_resource_keys() -> None:
    resource = pod()
    resource["metadata"]["labels"] = {"app.kubernetes.io/name": "web"}
    assert match_pattern(resource, {"metadata": {"labels": {"app.kubernetes.io/*": "?*"}}}) is None
    assert match_pattern(resource, {"metadata": {"labels": {"team.io/*": "?*"}}}) is not None


def test_an_empty_pattern_array_fails() -> None:
    error = match_pattern(pod(containers=CONTAINERS), {"spec": {"containers": []}})
    assert error is not None and error.message == "pattern Array empty"


def test_a_scalar_pattern_against_an_array_checks_each_element() -> None:
    resource = pod(args=["--a", "--b"])
    assert match_pattern(resource, {"spec": {"args": "--*"}}) is None
    assert match_pattern(resource, {"spec": {"args": "--a"}}) is not None


def test_the_callers_pattern_is_left_as_it_was() -> None:
    pattern = {"metadata": {"labels": {"app*": "?*"}}}
    match_pattern(pod(), pattern)
    assert pattern == {"metadata": {"labels": {"app*": "?*"}}}
