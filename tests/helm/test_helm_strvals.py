"""`--set` family parsing against outputs recorded from real helm 3.17.2 and 4.1.4.

Data: tests/helm/data/strvals_cases.json, produced by tests/helm/record_strvals.py (real binaries).
"""

import json
import pathlib

import pytest
from helm_gojson_text import go_json

from wavecd.gotemplate.gotypes import Int64
from wavecd.helm.user_values import UserValuesError, ValueOptions, merge_user_values

CASES = json.loads((pathlib.Path(__file__).parent / "data/strvals_cases.json").read_text())
FLAG_FIELDS = {
    "--set": "values",
    "--set-string": "string_values",
    "--set-literal": "literal_values",
    "--set-json": "json_values",
}


def _run(flag: str, value: str, major: int) -> dict:
    opts = ValueOptions(**{FLAG_FIELDS[flag]: [value]})
    try:
        return {"json": go_json(merge_user_values(opts, helm_major=major))}
    except UserValuesError as exc:
        return {"error": f"Error: {exc}"}


@pytest.mark.parametrize("case", CASES, ids=[f"{c['flag']} {c['value']}" for c in CASES])
@pytest.mark.parametrize("major", [3, 4])
def test_matches_real_helm(case: dict, major: int) -> None:
    assert _run(case["flag"], case["value"], major) == case[f"v{major}"]


def test_set_integers_are_int64() -> None:
    values = merge_user_values(ValueOptions(values=["a=1,b=0"]), helm_major=4)
    assert type(values["a"]) is Int64 and type(values["b"]) is Int64


def test_precedence_order(tmp_path: pathlib.Path) -> None:
    first = tmp_path / "a.yaml"
    first.write_text("a: {x: 1, z: [1]}\nb: file\n")
    second = tmp_path / "b.yaml"
    second.write_text("a: {z: [2]}\n")
    opts = ValueOptions(
        value_files=[str(first), str(second)],
        json_values=['b={"j":1}'],
        values=["b.k=2"],
        string_values=["b.k=3"],
        literal_values=["c=x,y"],
    )
    assert go_json(merge_user_values(opts, helm_major=4)) == '{"a":{"x":1,"z":[2]},"b":{"j":1,"k":"3"},"c":"x,y"}'


def test_missing_values_file_is_helms_error(tmp_path: pathlib.Path) -> None:
    path = str(tmp_path / "nope.yaml")
    with pytest.raises(UserValuesError, match=f"^open {path}: no such file or directory$"):
        merge_user_values(ValueOptions(value_files=[path]), helm_major=4)
