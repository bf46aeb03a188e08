"""Reading YAML as Helm does. Expected values and messages were observed with the real helm binaries
(v3.17.2 and v4.1.4: values.yaml loading, fromYaml, and rendered manifests)."""

from __future__ import annotations

import pytest

from wavecd.core.errors import WavecdError
from wavecd.goyaml.errors import GoYamlError
from wavecd.goyaml.reader import load, split_documents


def test_values_are_json_typed_with_yaml_1_1_scalars() -> None:
    text = "a: 1\n<<: {a: 2, b: 3}\ny: yes\non: off\n1.5: f\n1: i\n0x10: h\nt: 2001-12-14\noct: 0755\no2: 0o17\n"
    text += "b2: 0b101\nu: 1_000\ne: 08\nbig: 18446744073709551615\n"
    assert load(text) == {
        "a": 2.0,
        "b": 3.0,
        "true": False,
        "1.5": "f",
        "1": "i",
        "16": "h",
        "t": "2001-12-14",
        "oct": 493.0,
        "o2": 15.0,
        "b2": 5.0,
        "u": 1000.0,
        "e": 8.0,
        "big": 18446744073709551615.0,
    }


def test_float_keys_are_written_with_float32_precision() -> None:
    assert load("1e3: x\n0.1: y\n3.14159265358979: z") == {"1000": "x", "0.1": True, "3.1415927": "z"}


def test_merge_keys_and_aliases_follow_go_yaml() -> None:
    text = "c: &x {p: 1}\nd:\n  <<: *x\n  p: 5\ne: *x\n"
    value = load(text)
    assert value == {"c": {"p": 1.0}, "d": {"p": 5.0}, "e": {"p": 1.0}}
    assert value["e"] is not value["c"]  # each alias is a fresh value, as go-yaml decodes it again


def test_a_redefined_anchor_applies_from_then_on() -> None:
    assert load("a: &x 1\nb: &x 2\nc: *x") == {"a": 1.0, "b": 2.0, "c": 2.0}


def test_duplicate_keys_keep_the_last_value() -> None:
    assert load("a: 1\na: 2") == {"a": 2.0}


def test_first_document_only_and_empty_inputs() -> None:
    assert load("a: 1\nb: 2\n---\na: 3\nc: 4") == {"a": 1.0, "b": 2.0}
    assert load("") is None
    assert load("# c") is None
    assert load("", expect="map") == {}
    assert load("---\n---\na: 1", expect="map") == {}


def test_all_documents() -> None:
    assert load("a: 1\n---\n- x\n---\n", documents="all") == [{"a": 1.0}, ["x"], None]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\nb: 2\n---\na: 3\nc: 4", {"a": 3.0, "b": 2.0, "c": 4.0}),
        ("---\n---\na: 1", {"a": 1.0}),
        ("a: 1\n---\n---\nb: 2", {"a": 1.0, "b": 2.0}),
        ("a: {x: 1}\n---\na: {y: 2}", {"a": {"x": 1.0, "true": 2.0}}),
        ("a: 1\n...\nb: 2", {"a": 1.0}),
        ("a: 1\n--- # c\nb: 2", {"a": 1.0, "b": 2.0}),
        ("a: 1\r\n---\r\nb: 2\r\n", {"a": 1.0, "b": 2.0}),
        ("a: 1\n---\n\n---\nb: {c: 1}\n---\nb: {d: 2}", {"a": 1.0, "b": {"c": 1.0, "d": 2.0}}),
        ("a: 1\n  ---\nb: 2", {"a": "1 ---", "b": 2.0}),
        ("a: [1,2]\n---\na: [3]", {"a": [3.0]}),
        ("a: {x: 1}\n---\na: 5", {"a": 5.0}),
        ("", {}),
    ],
)
def test_helm_v4_merges_all_documents(text: str, expected: dict) -> None:
    assert load(text, documents="merge") == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\n--- x\nb: 2", "error reading yaml document: invalid Yaml document separator: x"),
        (
            "a: 1\n---\nb: [",
            "cannot unmarshal yaml document: error converting YAML to JSON: yaml: line 1: did not find expected "
            "node content",
        ),
        (
            "a: 1\n---\nfoo",
            "cannot unmarshal yaml document: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal "
            "string into Go value of type map[string]interface {}",
        ),
    ],
)
def test_helm_v4_document_errors(text: str, message: str) -> None:
    with pytest.raises(GoYamlError) as e:
        load(text, documents="merge")
    assert e.value.message == message


def test_split_documents_like_apimachinery() -> None:
    assert split_documents("---\na: 1\n---\nb: 2") == ["---\na: 1\n", "b: 2\n"]
    assert split_documents("a: 1\r\n---\r\n") == ["a: 1\n"]


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("a:\n  b: 1\n c: 2", "error converting YAML to JSON: yaml: line 2: did not find expected key", 2),
        ("a: b: c", "error converting YAML to JSON: yaml: mapping values are not allowed in this context", None),
        ('a: "unterminated\n', "error converting YAML to JSON: yaml: line 2: found unexpected end of stream", 2),
        ('a: "unterminated', "error converting YAML to JSON: yaml: found unexpected end of stream", None),
        ("a: [1, 2", "error converting YAML to JSON: yaml: line 1: did not find expected ',' or ']'", 1),
        (
            "a: 1\n\tb: 2",
            "error converting YAML to JSON: yaml: line 2: found a tab character that violates indentation",
            2,
        ),
        ("a:\n  - 1\n  -2\n b: 3", "error converting YAML to JSON: yaml: line 4: could not find expected ':'", 4),
        ("a: *nope", "error converting YAML to JSON: yaml: unknown anchor 'nope' referenced", None),
        ("a: !!int abc", "error converting YAML to JSON: yaml: cannot decode !!str `abc` as a !!int", None),
        ("~: 1", "error converting YAML to JSON: unsupported map key of type: %!s(<nil>), key: <nil>, value: 1", None),
        ("a: .nan", "error converting YAML to JSON: json: unsupported value: NaN", None),
        ("? [a]\n: 1", 'error converting YAML to JSON: yaml: invalid map key: []interface {}{"a"}', None),
        (
            "12345678901234567890: x",
            'error converting YAML to JSON: unsupported map key of type: uint64, key: 0xab54a98ceb1f0ad2, value: "x"',
            None,
        ),
        ("a: &a [*a]", "error converting YAML to JSON: yaml: anchor 'a' value contains itself", None),
    ],
)
def test_errors_carry_go_yaml_texts_and_lines(text: str, message: str, line: int | None) -> None:
    with pytest.raises(GoYamlError) as e:
        load(text)
    assert e.value.message == message
    assert e.value.line == line
    assert isinstance(e.value, WavecdError)


def test_a_later_syntax_error_wins_over_a_decoding_error() -> None:
    with pytest.raises(GoYamlError) as e:
        load("a: !!int abc\nb: [")
    assert "did not find expected node content" in e.value.message


def test_source_names_the_file() -> None:
    with pytest.raises(GoYamlError) as e:
        load("a:\n  b: 1\n c: 2", source="values.yaml")
    assert str(e.value.location) == "values.yaml:2"


def test_target_type_errors() -> None:
    with pytest.raises(GoYamlError) as e:
        load("- a\n- b", expect="map")
    assert e.value.message == (
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type "
        "map[string]interface {}"
    )
    assert load("- a", expect="list") == ["a"]


def test_alias_bombs_are_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    with pytest.raises(GoYamlError) as e:
        load("\n".join(lines))
    assert e.value.message == "error converting YAML to JSON: yaml: document contains excessive aliasing"


@pytest.mark.parametrize(
    ("raw", "documents", "message"),
    [
        (b"a: \x80\n", "first", "yaml: invalid leading UTF-8 octet"),
        (b"a: x\xe2\x82", "first", "yaml: incomplete UTF-8 octet sequence"),
        (b"a: x\xe2\x82", "merge", "yaml: invalid trailing UTF-8 octet"),
        (b"a: \xe2\x82x\n", "first", "yaml: invalid trailing UTF-8 octet"),
    ],
)
def test_invalid_utf8_bytes_kept_by_surrogateescape(raw: bytes, documents: str, message: str) -> None:
    with pytest.raises(GoYamlError) as e:
        load(raw.decode("utf-8", "surrogateescape"), documents=documents)
    assert e.value.message.endswith("error converting YAML to JSON: " + message)


def test_binary_values_become_strings_with_go_replacement() -> None:
    assert load("a: !!binary aGVsbG8=\nb: !!binary 4oI=") == {"a": "hello", "b": "\ufffd\ufffd"}


def test_plain_scalars_end_at_question_marks_in_flow_collections() -> None:
    with pytest.raises(GoYamlError) as e:
        load("a: [b, c?]")
    assert e.value.message == "error converting YAML to JSON: yaml: did not find expected ',' or ']'"
    with pytest.raises(GoYamlError) as e:
        load("x: 1\nurls: {u: http://x?y=1}")
    assert e.value.message == "error converting YAML to JSON: yaml: line 1: did not find expected ',' or '}'"
    assert load("[?x]") == [{"x": None}]


def test_a_bom_inside_the_text_is_an_ordinary_character() -> None:
    with pytest.raises(GoYamlError) as e:
        load("\n\ufeff[a:b]", expect="map")
    assert "cannot unmarshal string into Go value of type map" in e.value.message
