"""The head Helm parses from each rendered manifest (messages observed with helm 3.17.2 and 4.1.4)."""

from __future__ import annotations

import pytest

from wavecd.goyaml.errors import GoYamlError
from wavecd.goyaml.head import load_manifest_head

_META = 'struct { Name string "json:\\"name\\""; Annotations map[string]string "json:\\"annotations\\"" }'
_JSON = "error unmarshaling JSON: while decoding JSON: json: "


def test_kind_name_annotations() -> None:
    text = "apiVersion: v1\nkind: Job\nmetadata:\n  name: x\n  annotations:\n    helm.sh/hook: post-install\n    w: 5\n"
    kind, name, annotations = load_manifest_head(text, helm_major=4)
    assert (kind, name, annotations) == ("Job", "x", {"helm.sh/hook": "post-install", "w": "5"})


@pytest.mark.parametrize(
    ("text", "head"),
    [
        (
            "apiVersion: 1\nkind: 2\nmetadata: {name: 3.5, annotations: {helm.sh/hook: true}}",
            ("2", "3.5", {"helm.sh/hook": "true"}),
        ),
        ("Kind: Foo\nMETADATA: {NAME: x}", ("Foo", "x", {})),
        ('"kind": 5\nmetadata:\n  name: yes', ("5", "true", {})),
        ("# just a comment", ("", "", {})),
        ("kind: a\nkind: b", ("b", "", {})),
    ],
)
def test_head_values(text: str, head: tuple) -> None:
    assert tuple(load_manifest_head(text, helm_major=3)) == head


@pytest.mark.parametrize(
    ("text", "major", "message"),
    [
        ("foo", 3, _JSON + "cannot unmarshal string into Go value of type releaseutil.SimpleHead"),
        ("foo", 4, _JSON + "cannot unmarshal string into Go value of type util.SimpleHead"),
        ("- a", 4, _JSON + "cannot unmarshal array into Go value of type util.SimpleHead"),
        ("kind: [x]", 4, _JSON + "cannot unmarshal array into Go struct field SimpleHead.kind of type string"),
        ("metadata: x", 4, _JSON + "cannot unmarshal string into Go struct field SimpleHead.metadata of type " + _META),
        (
            "metadata: {name: [1]}",
            4,
            _JSON + "cannot unmarshal array into Go struct field .metadata.name of type string",
        ),
        (
            "metadata: {annotations: x}",
            4,
            _JSON + "cannot unmarshal string into Go struct field .metadata.annotations of type map[string]string",
        ),
        (
            "metadata: {annotations: {a: {b: 1}}}",
            4,
            _JSON + "cannot unmarshal object into Go struct field .metadata.annotations of type string",
        ),
        (
            "metadata: {annotations: ~}\nkind: [a]",
            3,
            _JSON + "cannot unmarshal array into Go struct field SimpleHead.kind of type string",
        ),
        ("~: 1", 4, "error converting YAML to JSON: unsupported map key of type: %!s(<nil>), key: <nil>, value: 1"),
        ("a: b: c", 4, "error converting YAML to JSON: yaml: mapping values are not allowed in this context"),
        ("x: .nan", 4, "error converting YAML to JSON: json: unsupported value: NaN"),
    ],
)
def test_head_errors(text: str, major: int, message: str) -> None:
    with pytest.raises(GoYamlError) as e:
        load_manifest_head(text, helm_major=major)
    assert e.value.message == message
