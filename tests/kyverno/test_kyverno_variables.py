"""`{{ … }}` variables, JMESPath as Kyverno's fork runs it, the `images` context and Kyverno's custom
functions (docs/kyverno.md; Kyverno's `variables/vars.go`, `jmespath/functions.go`, `utils/image/infos.go`)."""

from typing import Any

import pytest

from wavecd.kyverno.images import image_info
from wavecd.kyverno.jmes import JMESPathError, NotFoundError, search
from wavecd.kyverno.variables import Context, SubstitutionError, substitute_all

DATA: dict[str, Any] = {
    "request": {
        "operation": "CREATE",
        "object": {
            "metadata": {"name": "web", "labels": {"app": "web", "team": "a"}},
            "spec": {"replicas": 3, "containers": [{"name": "c", "image": "nginx:1.25"}, {"name": "d"}]},
        },
    },
    "literal": "{{ not-a-variable }}",
}


def sub(value: Any) -> Any:
    return substitute_all(value, Context(DATA))


def test_a_string_that_is_one_variable_becomes_the_typed_value() -> None:
    assert sub("{{ request.object.spec.replicas }}") == 3
    assert sub("{{request.object.metadata.labels}}") == {"app": "web", "team": "a"}


def test_inside_a_longer_string_values_are_spliced_as_text_and_json() -> None:
    assert sub("name={{ request.object.metadata.name }} n={{ request.object.spec.replicas }}") == "name=web n=3"
    assert sub("labels: {{ request.object.metadata.labels }}") == 'labels: {"app":"web","team":"a"}'


def test_variables_in_keys_and_nested_documents_are_substituted() -> None:
    assert sub({"{{ request.object.metadata.name }}": ["{{ request.object.metadata.labels.team }}"]}) == {"web": ["a"]}


def test_an_escaped_variable_is_left_as_text_and_a_shallow_one_is_not_rescanned() -> None:
    assert sub("\\{{ request.object.metadata.name }}") == "{{ request.object.metadata.name }}"
    assert sub("x {{- literal }}") == "x {{ not-a-variable }}"


def test_a_missing_last_key_fails_the_substitution_with_kyvernos_text() -> None:
    with pytest.raises(SubstitutionError) as caught:
        sub("{{ request.object.metadata.namespace }}")
    assert str(caught.value) == (
        "failed to resolve request.object.metadata.namespace at path : "
        'JMESPath query failed: Unknown key "namespace" in path'
    )


def test_a_missing_key_is_null_where_the_fork_allows_it() -> None:
    assert sub("{{ request.object.metadata.namespace || 'default' }}") == "default"
    assert sub("{{ request.object.spec.containers[].image }}") == ["nginx:1.25"]
    assert sub("{{ request.object.metadata.annotations.values(@) }}") is None  # not the last key
    assert sub("{{ length(request.object.spec.containers[?image == 'nginx:1.25']) }}") == 1


def test_on_delete_request_object_reads_the_old_object() -> None:
    context = Context({"request": {"operation": "DELETE", "object": None, "oldObject": {"kind": "Pod"}}})
    assert substitute_all("{{ request.object.kind }}", context) == "Pod"


def test_the_fork_raises_only_for_a_map_missing_the_key() -> None:
    with pytest.raises(NotFoundError):
        search("a.b", {"a": {}})
    assert search("a.b", {"a": "text"}) is None


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("to_upper('abc')", "ABC"),
        ("trim('--a--', '-')", "a"),
        ("split('a,b', ',')", ["a", "b"]),
        ("regex_match('^v[0-9]+$', 'v12')", True),
        ("regex_replace_all('([a-z]+)-(\\d)', 'ab-1', '${2}$1')", "1ab"),
        ("pattern_match('nginx:*', 'nginx:1')", True),
        ('label_match(`{"app": "web"}`, `{"app": "web", "team": "a"}`)', True),
        ('label_match(`{"app": "api"}`, `{"app": "web"}`)', False),
        ("to_boolean('TRUE')", True),
        ("base64_decode('aGVsbG8=')", "hello"),
        ("parse_yaml('a: 1')", {"a": 1}),
        ("parse_json('[1, 2]')", [1, 2]),
        ("items(`{\"b\": 1, \"a\": 2}`, 'k', 'v')", [{"k": "a", "v": 2}, {"k": "b", "v": 1}]),
        ('object_from_lists(`["a", "b"]`, `[1]`)', {"a": 1, "b": None}),
        ("lookup(`{\"a\": 1}`, 'b')", None),
        ("divide('300Mi', '100Mi')", 3.0),
        ("divide('1h', '30s')", 120.0),
        ("sum([`1`, `2`])", 3.0),
        ("path_canonicalize('/var/../etc//passwd')", "/etc/passwd"),
        ("truncate('abcdef', `3`)", "abc"),
        ("equal_fold('Ab', 'aB')", True),
    ],
)
def test_kyverno_functions(expression: str, expected: Any) -> None:
    assert search(expression, {}) == expected


@pytest.mark.parametrize(
    ("image", "registry", "path", "name", "tag", "digest"),
    [
        ("nginx", "docker.io", "nginx", "nginx", "latest", ""),
        ("nginx:1.25", "docker.io", "nginx", "nginx", "1.25", ""),
        ("bitnami/redis:7", "docker.io", "bitnami/redis", "redis", "7", ""),
        ("ghcr.io/org/app:v1", "ghcr.io", "org/app", "app", "v1", ""),
        ("localhost:5000/app", "localhost:5000", "app", "app", "latest", ""),
        ("quay.io/a/b@sha256:" + "0" * 64, "quay.io", "a/b", "b", "", "sha256:" + "0" * 64),
    ],
)
def test_image_details_as_kyverno_splits_them(
    image: str, registry: str, path: str, name: str, tag: str, digest: str
) -> None:
    info = image_info(image)
    assert info is not None
    assert (info["registry"], info["path"], info["name"], info["tag"], info["digest"]) == (
        registry,
        path,
        name,
        tag,
        digest,
    )


def test_a_string_operand_is_a_quantity_before_a_duration_so_30m_is_milli() -> None:
    with pytest.raises(JMESPathError):  # a duration over a quantity: Kyverno's type mismatch
        search("divide('1h', '30m')", {})


def test_a_policys_regex_is_linear_time_as_gos_is() -> None:
    # `(a+)+$` backtracks exponentially in a backtracking engine on a long run of `a`s that does not end the text
    assert search("regex_match('(a+)+$', '" + "a" * 60 + "b-')", {}) is False


def test_a_bad_regex_is_gos_parse_error_and_nothing_on_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(JMESPathError, match="error parsing regexp: missing \\)"):
        search("regex_match('(', 'x')", {})
    assert capfd.readouterr().err == ""
