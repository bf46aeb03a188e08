"""toYaml / toYamlPretty byte for byte. Expected texts were observed with helm 4.1.4 (and 3.17.2, which
prints the same); the bulk of the cases live in the recorded corpus (test_goyaml_corpus)."""

from __future__ import annotations

import pytest

from wavecd.goyaml.errors import GoYamlError
from wavecd.goyaml.pretty import to_yaml_pretty
from wavecd.goyaml.writer import to_yaml


class _Release:
    """A Go struct as templates see `.Release`: json.Marshal uses its exported fields."""

    def to_go_json(self) -> dict:
        return {
            "IsInstall": True,
            "IsUpgrade": False,
            "Name": "x",
            "Namespace": "default",
            "Revision": 1,
            "Service": "Helm",
        }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "null\n"),
        ("plain", "plain\n"),
        (3, "3\n"),
        ({}, "{}\n"),
        ([], "[]\n"),
        ({"list": ["a", "b"]}, "list:\n- a\n- b\n"),
        ([[1.0, 2.0], 3.0], "- - 1\n  - 2\n- 3\n"),
        ({"multi": "line1\nline2"}, "multi: |-\n  line1\n  line2\n"),
        ({"multi": "line1\nline2\n"}, "multi: |\n  line1\n  line2\n"),
        ({"multi": "line1  \nline2"}, 'multi: "line1  \\nline2"\n'),
        ({"s": " lead"}, "s: ' lead'\n"),
        ({"s": "a: b"}, "s: 'a: b'\n"),
        ({"s": "{{ x }}"}, "s: '{{ x }}'\n"),
        ({"s": "it's"}, "s: it's\n"),
        ({"s": "'q'"}, "s: '''q'''\n"),
        ({"s": "yes"}, 's: "yes"\n'),
        ({"s": "12:30"}, 's: "12:30"\n'),
        ({"s": "2001-12-14"}, 's: "2001-12-14"\n'),
        ({"s": "a\tb"}, 's: "a\\tb"\n'),
        ({"s": "😀"}, 's: "\\U0001F600"\n'),
        ({"s": "héllo"}, "s: héllo\n"),
        (
            {"n": [1e20, 1e21, 1234567.5, 100000.5, 0.0001, 1e-05, -0.0, 493.0]},
            '"n":\n- 1e+20\n- 1e+21\n- 1.2345675e+06\n- 100000.5\n- 0.0001\n- 1e-05\n- 0\n- 493\n',
        ),
        ({"b": b"hi"}, "b: aGk=\n"),
        (
            {"r": _Release()},
            "r:\n  IsInstall: true\n  IsUpgrade: false\n  Name: x\n  Namespace: default\n  Revision: 1\n"
            "  Service: Helm\n",
        ),
        ({"a10": 1, "a2": 2, "a_b": 3, "aB": 4}, "a_b: 3\na2: 2\na10: 1\naB: 4\n"),
        ({"<<": 5}, "<<: 5\n"),
    ],
)
def test_to_yaml(value, expected: str) -> None:
    assert to_yaml(value) == expected


def test_long_strings_fold_at_80_columns() -> None:
    text = "this is a long string that goes on and on past the eighty column limit of go-yaml v2 emitter"
    assert to_yaml({"long": text}) == (
        "long: this is a long string that goes on and on past the eighty column limit of go-yaml\n  v2 emitter\n"
    )


def test_long_keys_and_multi_line_keys_use_complex_keys() -> None:
    assert to_yaml({"multi\nkey": "v"}) == "? |-\n  multi\n  key\n: v\n"
    assert to_yaml({"x" * 129: 1}) == "? " + "x" * 129 + "\n: 1\n"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (float("nan"), "error marshaling into JSON: json: unsupported value: NaN"),
        ({"a": [float("inf")]}, "error marshaling into JSON: json: unsupported value: +Inf"),
        ("del\x7f", "yaml: control characters are not allowed"),
        ({"\x85k": 1}, "yaml: line 1: did not find expected ',' or '}'"),
        ({"\x85!\x85 7": "\x85x", "b\x85": 1, "a": "\x85\x85"}, "yaml: line 3: did not find expected ',' or '}'"),
        ({"z": "\x7f", "a": float("nan")}, "error marshaling into JSON: json: unsupported value: NaN"),
        ({"a": "|}}\x85,yes\x85---  b"}, "yaml: line 3: found unexpected document indicator"),
        ({"k\x85--- x": 1}, "yaml: line 2: found unexpected document indicator"),
        ({"b": "\x85--- ", "a\x85": 1}, "yaml: line 1: did not find expected ',' or '}'"),
    ],
)
def test_to_yaml_errors(value, message: str) -> None:
    with pytest.raises(GoYamlError) as e:
        to_yaml(value)
    assert e.value.message == message


def test_a_raw_nel_folds_like_a_line_break_in_the_json_round_trip() -> None:
    assert to_yaml({"a": "x\x85y", "b": "x \x85\x85 y"}) == "a: x y\nb: |-\n  x\n  y\n"


def test_to_yaml_pretty_indents_sequences_and_keeps_go_types() -> None:
    assert to_yaml_pretty({"list": ["a", {"b": 1.0}], "n": 1000000.0, "y": "yes", "z": float("nan")}) == (
        'list:\n  - a\n  - b: 1\n"n": 1e+06\n"y": "yes"\nz: .nan\n'
    )
