"""encoding/json as toJson / toPrettyJson / toRawJson / fromJson see it (texts observed with helm 4.1.4)."""

from __future__ import annotations

import pytest

from wavecd.goyaml.errors import GoJsonError
from wavecd.goyaml.gojson import marshal, unmarshal
from wavecd.goyaml.jsonvalue import GoStructFields
from wavecd.goyaml.pretty import to_yaml_pretty
from wavecd.goyaml.writer import to_yaml


class _Int64(int):
    """Any int subclass (the template engine's Int64) prints as a plain integer."""


def test_marshal_sorts_keys_and_escapes_html() -> None:
    assert marshal({"b": "<&>", "a": [1, 2.5, None, True], "c": "\u2028\x01\n"}) == (
        '{"a":[1,2.5,null,true],"b":"\\u003c\\u0026\\u003e","c":"\\u2028\\u0001\\n"}'
    )


def test_raw_and_pretty() -> None:
    assert marshal({"b": "<&>"}, escape_html=False) == '{"b":"<&>"}'
    assert marshal({"a": [1, {}], "b": []}, indent="  ") == '{\n  "a": [\n    1,\n    {}\n  ],\n  "b": []\n}'


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1e20, "100000000000000000000"),
        (1e21, "1e+21"),
        (1e-7, "1e-7"),
        (0.0000015, "0.0000015"),
        (-0.0, "-0"),
        (1234567.5, "1234567.5"),
        (_Int64(7), "7"),
        (b"hi", '"aGk="'),
        ((1, 2), "[1,2]"),
    ],
)
def test_scalars(value, text: str) -> None:
    assert marshal(value) == text


def test_unsupported_values() -> None:
    with pytest.raises(GoJsonError) as e:
        marshal({"a": float("nan")})
    assert e.value.message == "json: unsupported value: NaN"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "unexpected end of JSON input"),
        ("{", "unexpected end of JSON input"),
        ("tru", "invalid character ' ' in literal true (expecting 'e')"),
        ("-", "invalid character ' ' in numeric literal"),
        ("1.", "invalid character ' ' after decimal point in numeric literal"),
        ("{a: 1}", "invalid character 'a' looking for beginning of object key string"),
        ('{"a" 1}', "invalid character '1' after object key"),
        ("[1 2]", "invalid character '2' after array element"),
        ('{"a": 1} x', "invalid character 'x' after top-level value"),
        ("{'a': 1}", "invalid character '\\'' looking for beginning of object key string"),
        ("NaN", "invalid character 'N' looking for beginning of value"),
        ('"\\x"', "invalid character 'x' in string escape code"),
        ('"a\tb"', "invalid character '\\t' in string literal"),
    ],
)
def test_unmarshal_errors(text: str, message: str) -> None:
    with pytest.raises(GoJsonError) as e:
        unmarshal(text)
    assert e.value.message == message


def test_unmarshal_numbers_are_float64() -> None:
    assert unmarshal('{"a": 1, "b": [2, 3.5], "c": null}') == {"a": 1.0, "b": [2.0, 3.5], "c": None}
    assert type(unmarshal("12345678901234567890")) is float


def test_unmarshal_overflow_keeps_the_rest() -> None:
    with pytest.raises(GoJsonError) as e:
        unmarshal('{"a": [1, {"b": 1e400}]}', expect="map")
    assert e.value.message == "json: cannot unmarshal number 1e400 into Go value of type float64"
    assert e.value.partial == {"a": [1.0, {"b": None}]}


def test_unmarshal_target_kinds() -> None:
    with pytest.raises(GoJsonError) as e:
        unmarshal("[1]", expect="map")
    assert e.value.message == "json: cannot unmarshal array into Go value of type map[string]interface {}"
    assert unmarshal("null", expect="map") is None


class _KubeVersion:
    """A Go struct (.Capabilities.KubeVersion): json.Marshal keeps the declaration order of its fields."""

    def to_go_json(self) -> GoStructFields:
        return GoStructFields(Version="v1.35.0", Major="1", Minor="35")


def test_struct_fields_keep_their_order() -> None:
    assert marshal({"k": _KubeVersion()}) == '{"k":{"Version":"v1.35.0","Major":"1","Minor":"35"}}'
    assert to_yaml_pretty(_KubeVersion()) == 'version: v1.35.0\nmajor: "1"\nminor: "35"\n'
    assert to_yaml(_KubeVersion()) == 'Major: "1"\nMinor: "35"\nVersion: v1.35.0\n'


def test_invalid_utf8_is_written_as_the_replacement_escape() -> None:
    # helm 3.17.2 and 4.1.4: toRawJson / toPrettyJson / toJson of `trunc 1 "é"` (the lone byte 0xC3),
    # while a real U+FFFD stays as it is.
    lone = b"\xc3".decode("utf-8", "surrogateescape")
    assert marshal(lone, escape_html=False) == '"\\ufffd"'
    assert marshal({lone: "<\ufffd"}, indent="  ") == '{\n  "\\ufffd": "\\u003c\ufffd"\n}'
    assert marshal([lone, "ok"]) == '["\\ufffd","ok"]'
