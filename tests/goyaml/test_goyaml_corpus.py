"""wavecd.goyaml against hundreds of outputs recorded from the real helm binaries (data/README.md).

Each test replays one Helm function over the whole corpus and lists every case that differs, so a
failure shows all regressions at once. Helm's own wrappers are reproduced where they shape the output:
toYaml prints "" on error, fromYaml/fromJson return a map with an "Error" key.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wavecd.goyaml.errors import GoJsonError, GoTomlError, GoYamlError
from wavecd.goyaml.gojson import marshal, unmarshal
from wavecd.goyaml.gotoml import marshal as toml_marshal
from wavecd.goyaml.gotoml import unmarshal as toml_unmarshal
from wavecd.goyaml.pretty import to_yaml_pretty
from wavecd.goyaml.reader import load
from wavecd.goyaml.writer import to_yaml

DATA = json.loads((Path(__file__).parent / "data" / "expected.json").read_text())
VALUES: list[Any] = DATA["values"]
HELM = DATA["helm"]


def _diffs(expected: dict[str, str], prefix: str, inputs: list[Any], produce) -> list[str]:
    out = []
    for i, value in enumerate(inputs):
        key = f"{prefix}{i}"
        if key not in expected:
            continue
        got = produce(value)
        if got != expected[key]:
            out.append(f"case {i} {value!r}:\n  helm:   {expected[key]!r}\n  wavecd: {got!r}")
    return out


def _helm_to_yaml(v: Any) -> str:
    try:
        return to_yaml(v).removesuffix("\n")
    except GoYamlError:
        return ""


def test_corpus_is_large() -> None:
    assert len(VALUES) > 1000
    assert len(DATA["texts"]) > 200


@pytest.mark.parametrize("major", ["v4", "v3"])
def test_to_yaml_matches_helm(major: str) -> None:
    diffs = _diffs(HELM[major], "y", VALUES, _helm_to_yaml)
    assert not diffs, "\n".join(diffs[:20])


def test_to_yaml_errors_are_the_cases_helm_prints_empty() -> None:
    failing = [i for i in range(len(VALUES)) if HELM["v4"][f"y{i}"] == ""]
    assert len(failing) > 10
    for i in failing:
        with pytest.raises(GoYamlError):
            to_yaml(VALUES[i])


def _json_or_empty(fn):
    def run(v: Any) -> str:
        try:
            return fn(v)
        except GoJsonError:
            return ""

    return run


@pytest.mark.parametrize(
    ("prefix", "fn"),
    [
        ("j", lambda v: marshal(v)),
        ("P", lambda v: marshal(v, indent="  ")),
        ("R", lambda v: marshal(v, escape_html=False)),
    ],
    ids=["toJson", "toPrettyJson", "toRawJson"],
)
def test_json_marshal_matches_helm(prefix: str, fn) -> None:
    diffs = _diffs(HELM["v4"], prefix, VALUES, _json_or_empty(fn))
    assert not diffs, "\n".join(diffs[:20])


def test_to_yaml_pretty_matches_helm() -> None:
    diffs = _diffs(HELM["v4"], "p", VALUES, lambda v: to_yaml_pretty(v).removesuffix("\n"))
    assert not diffs, "\n".join(diffs[:20])


@pytest.mark.parametrize("major", [4, 3])
def test_to_toml_matches_helm(major: int) -> None:
    def run(v: Any) -> str:
        try:
            return toml_marshal(v, helm_major=major)
        except GoTomlError as e:
            return e.message

    diffs = _diffs(HELM[f"v{major}"], "t", VALUES, run)
    assert not diffs, "\n".join(diffs[:20])


def _helm_from_yaml(text: str) -> str:
    try:
        return marshal(load(text, expect="map"))
    except GoYamlError as e:
        return marshal({"Error": e.message})


def _helm_from_yaml_array(text: str) -> str:
    try:
        return marshal(load(text, expect="list"))
    except GoYamlError as e:
        return marshal([e.message])


@pytest.mark.parametrize("major", ["v4", "v3"])
def test_from_yaml_matches_helm(major: str) -> None:
    diffs = _diffs(HELM[major], "r", DATA["texts"], _helm_from_yaml)
    diffs += _diffs(HELM[major], "a", DATA["texts"], _helm_from_yaml_array)
    assert not diffs, "\n".join(diffs[:20])


def _helm_from_json(text: str) -> str:
    try:
        return marshal(unmarshal(text, expect="map"))
    except GoJsonError as e:
        partial = getattr(e, "partial", None)
        m = partial if isinstance(partial, dict) else {}
        m["Error"] = e.message
        return marshal(m)


def _helm_from_json_array(text: str) -> str:
    try:
        v = unmarshal(text, expect="list")
        return marshal(v)
    except GoJsonError as e:
        return marshal([e.message])


def test_from_json_matches_helm() -> None:
    diffs = _diffs(HELM["v4"], "J", DATA["jsons"], _helm_from_json)
    diffs += _diffs(HELM["v4"], "A", DATA["jsons"], _helm_from_json_array)
    assert not diffs, "\n".join(diffs[:20])


@pytest.mark.parametrize("major", [4, 3])
def test_from_toml_matches_helm(major: int) -> None:
    def run(text: str) -> str:
        try:
            return marshal(toml_unmarshal(text, helm_major=major))
        except GoTomlError as e:
            return marshal({"Error": e.message})
        except GoJsonError:
            return ""

    diffs = _diffs(HELM[f"v{major}"], "T", DATA["tomls"], run)
    assert not diffs, "\n".join(diffs[:20])
