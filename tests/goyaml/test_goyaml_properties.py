"""Properties that hold for any value: what toYaml writes reads back the same, and no input crashes."""

from __future__ import annotations

import contextlib
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wavecd.goyaml.errors import GoJsonError, GoYamlError
from wavecd.goyaml.gojson import marshal, unmarshal
from wavecd.goyaml.head import load_manifest_head
from wavecd.goyaml.reader import load
from wavecd.goyaml.writer import to_yaml

# characters go-yaml cannot read back from JSON (refused, or NEL folding) are excluded: toYaml fails on
# them in Helm too (see test_goyaml_writer)
_TEXT = st.text(
    st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters="\x7f\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f"
        "\x90\x91\x92\x93\x94\x95\x96\x97\x98\x99\x9a\x9b\x9c\x9d\x9e\x9f\ufffe\uffff",
    ),
    max_size=40,
)
_WORDY = st.lists(
    st.sampled_from(["a", "bb", "ccc", " ", "  ", "yes", "1", ":", "#", "-", "\n", "é"]), max_size=60
).map("".join)
_STRINGS = _TEXT | _WORDY
_NUMBERS = st.floats(allow_nan=False, allow_infinity=False) | st.integers(min_value=-(2**63), max_value=2**63 - 1)
_SCALARS = st.none() | st.booleans() | _NUMBERS | _STRINGS
# a "<<" key is written plain and reads back as a merge key, in go-yaml as here (see the corpus)
_KEYS = _STRINGS.filter(lambda k: k != "<<")
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_KEYS, inner, max_size=5),
    max_leaves=30,
)


def _as_json(v):
    """What a value becomes after the JSON round trip Helm applies: every number a float64."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int | float):
        return float(v)
    if isinstance(v, list):
        return [_as_json(x) for x in v]
    return {k: _as_json(x) for k, x in v.items()}


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@pytest.mark.slow
@given(_VALUES)
def test_to_yaml_reads_back_as_the_same_value(value) -> None:
    text = to_yaml(value)
    assert _same(load(text), _as_json(value)), text


@pytest.mark.slow
@given(_VALUES)
def test_to_json_reads_back_as_the_same_value(value) -> None:
    assert _same(unmarshal(marshal(value)), _as_json(value))


@given(st.text(max_size=200))
def test_load_never_crashes(text: str) -> None:
    with contextlib.suppress(GoYamlError):
        load(text)


@given(st.text(alphabet="ab: -#'\"[]{},&*!|>\n\t?%@`~.01", max_size=80))
def test_load_never_crashes_on_yaml_like_text(text: str) -> None:
    for mode in ("first", "all", "merge"):
        with contextlib.suppress(GoYamlError):
            load(text, documents=mode)
    with contextlib.suppress(GoYamlError):
        load_manifest_head(text, helm_major=4)


@given(st.text(alphabet='{}[]",:0123456789.eE+-truefalsn \\u', max_size=40))
def test_unmarshal_json_never_crashes(text: str) -> None:
    with contextlib.suppress(GoJsonError):
        unmarshal(text)
