"""Chart.yaml decoding and archive reading, with texts observed from real helm 3.17.2 / 4.1.4.

Expected values were produced by running both binaries on one-file variations of a Chart.yaml
(`helm template x <chart>`), e.g. `appVersion: 1.10` renders `.Chart.AppVersion` as `1.1`.
"""

import io
import tarfile

import pytest

from wavecd.helm.loader import LoadError, load_files, read_archive
from wavecd.helm.metadata import MetadataError, decode_metadata

PREFIX = "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: "


@pytest.mark.parametrize(
    ("data", "attr", "expected"),
    [
        ({"appVersion": 1.1}, "app_version", "1.1"),
        ({"version": 1.0}, "version", "1"),
        ({"keywords": [1.0, "a"]}, "keywords", ["1", "a"]),
        ({"annotations": {"num": 5.0}}, "annotations", {"num": "5"}),
        ({"Name": "upper", "name": "lower"}, "name", "lower"),
        ({"NAME": "only-upper"}, "name", "only-upper"),
    ],
)
def test_scalars_become_strings_like_sigs_yaml(data: dict, attr: str, expected: object) -> None:
    assert getattr(decode_metadata(data), attr) == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ["p2"]}, "json: cannot unmarshal array into Go struct field Metadata.name of type string"),
        ({"deprecated": "yes"}, "json: cannot unmarshal string into Go struct field Metadata.deprecated of type bool"),
        (
            {"dependencies": [{"name": "x", "tags": "a"}]},
            "json: cannot unmarshal string into Go struct field Dependency.dependencies.tags of type []string",
        ),
    ],
)
def test_type_errors_are_go_texts(data: dict, message: str) -> None:
    with pytest.raises(MetadataError) as info:
        decode_metadata(data)
    assert str(info.value) == message


def _load_error(chart_yaml: bytes | None) -> str:
    from wavecd.helm.chart import ChartFile

    files = [ChartFile("values.yaml", b"a: 1\n")]
    if chart_yaml is not None:
        files.append(ChartFile("Chart.yaml", chart_yaml))
    with pytest.raises(LoadError) as info:
        load_files(files)
    return str(info.value)


@pytest.mark.parametrize(
    ("chart_yaml", "message"),
    [
        (b"apiVersion: v2\nname: x\nversion: one\n", 'validation: chart.metadata.version "one" is invalid'),
        (b"apiVersion: v2\nversion: 1.0.0\n", "validation: chart.metadata.name is required"),
        (
            b"apiVersion: v2\nname: x\nversion: 1.0.0\ntype: other\n",
            "validation: chart.metadata.type must be application or library",
        ),
        (None, "Chart.yaml file is missing"),
        (
            b"apiVersion: v2\nname: [p2]\nversion: 1.0.0\n",
            PREFIX + "json: cannot unmarshal array into Go struct field Metadata.name of type string",
        ),
    ],
)
def test_load_errors(chart_yaml: bytes | None, message: str) -> None:
    assert _load_error(chart_yaml) == message


def _tgz(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_archive_strips_top_directory_and_bom() -> None:
    files = read_archive(
        io.BytesIO(_tgz({"c/Chart.yaml": b"\xef\xbb\xbfapiVersion: v2\n", "c/templates/a.yaml": b"a: 1\n"}))
    )
    assert [(f.name, f.data) for f in files] == [("Chart.yaml", b"apiVersion: v2\n"), ("templates/a.yaml", b"a: 1\n")]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Chart.yaml", 'chart illegally contains content outside the base directory: "Chart.yaml"'),
        ("Chart.yaml/x", "chart yaml not in base directory"),
        ("c/../../etc/x", "chart illegally references parent directory"),
    ],
)
def test_archive_refuses_unsafe_paths(name: str, message: str) -> None:
    with pytest.raises(LoadError, match=f"^{message}$"):
        read_archive(io.BytesIO(_tgz({name: b"x"})))
