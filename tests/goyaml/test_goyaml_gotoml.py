"""toToml / fromToml as BurntSushi/toml does it for Helm (outputs observed with helm 4.1.4 / 3.17.2)."""

from __future__ import annotations

import pytest

from wavecd.goyaml.errors import GoTomlError
from wavecd.goyaml.gotoml import marshal, unmarshal


def test_scalars_first_then_tables_indented() -> None:
    value = {"key": "", "list": ["", [""]], "nested": {"deeper": {"deepest": ""}}}
    assert marshal(value) == 'key = ""\nlist = ["", [""]]\n\n[nested]\n  [nested.deeper]\n    deepest = ""\n'


@pytest.mark.parametrize(
    ("major", "text"), [(4, "n = [8080.0, 1e+06, -0.0, 0.5]\n"), (3, "n = [8080.0, 1000000.0, -0.0, 0.5]\n")]
)
def test_floats_always_have_a_fraction(major: int, text: str) -> None:
    assert marshal({"n": [8080.0, 1e6, -0.0, 0.5]}, helm_major=major) == text


def test_arrays_of_tables_and_quoted_keys() -> None:
    value = {"servers": [{"name": "a", "port": 80.0}, {"name": "b"}], "a b": 1.0, "": 2.0}
    assert (
        marshal(value)
        == '"" = 2.0\n"a b" = 1.0\n\n[[servers]]\n  name = "a"\n  port = 80.0\n\n[[servers]]\n  name = "b"\n'
    )


def test_nil_values_are_skipped_but_nil_elements_fail() -> None:
    assert marshal({"a": None, "b": 1.0}) == "b = 1.0\n"
    with pytest.raises(GoTomlError) as e:
        marshal({"arr": [None, 1.0]})
    assert e.value.message == "toml: cannot encode array with nil element"


def test_unmarshal() -> None:
    assert unmarshal('a = 1\nb = 1979-05-27\n[t]\nx = "y"') == {"a": 1, "b": "1979-05-27T00:00:00Z", "t": {"x": "y"}}
    with pytest.raises(GoTomlError):
        unmarshal("a = ")
