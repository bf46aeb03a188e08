"""Manifests read as Kubernetes reads them: every YAML scalar case against what real kubectl read.

The expectations in golden/ were printed by kubectl (`make golden-kubectl`, tools/kubectl_golden.py), which
reads manifests with the same sigs.k8s.io/yaml path as Argo CD. wavecd's reader (PyYAML's YAML 1.1 rules
before) must give the same values: `10:30` a string, not 630; `1e3` and `1.0` the int64s; `y`/`on` booleans.
"""

import json
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from wavecd.apps.directory_source import directory_objects_at
from wavecd.apps.errors import AppError
from wavecd.apps.yamldocs import load_objects

GOLDEN = Path(__file__).parent / "golden"
SCALARS = GOLDEN / "yaml_scalars.yaml"
ERRORS = sorted((GOLDEN / "yaml_errors").glob("*.yaml"))
INT64 = range(-(2**63), 2**63)


def json_stream(text: str) -> list[Any]:
    """The JSON objects kubectl printed one after another."""
    decoder, values, rest = json.JSONDecoder(), [], text.strip()
    while rest:
        value, end = decoder.raw_decode(rest)
        values.append(value)
        rest = rest[end:].strip()
    return values


def go_typed(value: Any) -> Any:
    """A printed value with the Go type kubectl held: JSON shows int64 and float64 alike, but an integer
    beyond int64 can only have been a float64. Every scalar is paired with its type so 1 != 1.0."""
    if isinstance(value, dict):
        return {k: go_typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [go_typed(v) for v in value]
    if type(value) is int and value not in INT64:
        value = float(value)
    return (type(value).__name__, value)


KUBECTL = json_stream(SCALARS.with_suffix(".json").read_text())
FIELDS = [(i, name) for i, obj in enumerate(KUBECTL) for name in obj["spec"]]


@pytest.fixture(scope="module")
def wavecd_objects() -> list[dict[str, Any]]:
    return load_objects(SCALARS.read_text(), SCALARS.name)


def test_the_same_objects_in_the_same_order(wavecd_objects):
    assert [o["metadata"] for o in wavecd_objects] == [o["metadata"] for o in KUBECTL]
    assert [sorted(o["spec"]) for o in wavecd_objects] == [sorted(o["spec"]) for o in KUBECTL]


@pytest.mark.parametrize(
    ("index", "field"), FIELDS, ids=[f"{KUBECTL[i]['metadata']['name']}.{name}" for i, name in FIELDS]
)
def test_every_field_has_the_value_and_type_kubectl_read(wavecd_objects, index, field):
    assert go_typed(wavecd_objects[index]["spec"][field]) == go_typed(KUBECTL[index]["spec"][field])


@pytest.mark.parametrize("fixture", ERRORS, ids=[f.stem for f in ERRORS])
def test_what_kubectl_refuses_is_refused_with_its_message(fixture):
    printed = fixture.with_suffix(".err").read_text().strip()
    go_message = printed.removeprefix(f"error: error parsing {fixture.name}: ")
    with pytest.raises(AppError) as err:
        load_objects(fixture.read_text(), fixture.name)
    assert err.value.message == f"failed to unmarshal manifest in {fixture.name}: {go_message}"


def test_an_error_in_a_later_document_points_at_the_line_of_the_file():
    fixture = GOLDEN / "yaml_errors" / "second-document-syntax.yaml"
    with pytest.raises(AppError) as err:
        load_objects(fixture.read_text(), fixture.name)
    assert "line 9:" in err.value.message  # go-yaml counts from the part's first line, as kubectl printed
    lines = fixture.read_text().splitlines()
    assert err.value.location.line == len(lines) + 1  # the end of the file, where the string is unterminated
    assert lines[err.value.location.line - 2].endswith('"unterminated')


def read_bounded(text: str) -> subprocess.CompletedProcess[str]:
    """load_objects in a child process held to 1 GiB of memory and 30 s of CPU; it prints the error."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))
        resource.setrlimit(resource.RLIMIT_CPU, (30, 30))

    child = (
        "import sys\n"
        "from wavecd.apps.errors import AppError\n"
        "from wavecd.apps.yamldocs import load_objects\n"
        "try:\n"
        "    load_objects(sys.stdin.read(), 'bomb.yaml')\n"
        "except AppError as err:\n"
        "    print(err.message)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", child], input=text, capture_output=True, text=True, preexec_fn=limit, check=False
    )


def test_an_alias_bomb_ends_with_go_yamls_error_in_bounded_memory():
    done = read_bounded((GOLDEN / "yaml_errors" / "alias-bomb.yaml").read_text())
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.endswith("yaml: document contains excessive aliasing\n")


@pytest.mark.parametrize(
    ("nesting", "problem"),
    [
        ("".join("  " * i + "k:\n" for i in range(2_000)), "exceeded max depth"),
        ("k: " + "[" * 100_000 + "]" * 100_000 + "\n", "exceeded maximum nesting depth"),
    ],
    ids=["block", "flow"],
)
def test_deep_nesting_ends_with_an_error_in_bounded_memory(nesting, problem):
    """go-yaml stops at 10000 levels; wavecd stops earlier (about 990, libyaml's and Python's limits)."""
    done = read_bounded(nesting)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("failed to unmarshal manifest in bomb.yaml: error converting YAML to JSON: yaml:")
    assert problem in done.stdout


def test_a_directory_source_keeps_a_time_a_string(tmp_path):
    (tmp_path / "cron.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cron\ndata:\n  at: 10:30\n"
    )
    [(_file, _line, config_map)] = directory_objects_at(tmp_path, None)
    assert config_map["data"] == {"at": "10:30"}
