"""Versions and constraints against what real Helm 3 (semver 3.3.0) and Helm 4 (semver 3.4.0) answered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wavecd.semver import V3_3, V3_4, SemverError, parse_constraints, parse_version

RECORDED = json.loads((Path(__file__).parent / "semver_recorded.json").read_text(encoding="utf-8"))
LIBS = [V3_3, V3_4]


def _describe(text: str, lib: str) -> str:
    try:
        v = parse_version(text, lib=lib)
    except SemverError as exc:
        return "ERR:" + exc.message
    return f"{v}|{v.original}|{v.major}|{v.minor}|{v.patch}|{v.prerelease}|{v.metadata}"


@pytest.mark.parametrize("lib", LIBS)
def test_version_parsing_matches_helm(lib: str) -> None:
    for text, expected in RECORDED[lib]["versions"].items():
        assert _describe(text, lib) == expected, text


@pytest.mark.parametrize("lib", LIBS)
def test_constraint_errors_match_helm(lib: str) -> None:
    for text, expected in RECORDED[lib]["constraint_errors"].items():
        with pytest.raises(SemverError) as info:
            parse_constraints(text, lib=lib)
        assert "ERR:" + info.value.message == expected, text


@pytest.mark.parametrize("lib", LIBS)
def test_semver_compare_matrix_matches_helm(lib: str) -> None:
    data = RECORDED[lib]
    versions = [parse_version(v, lib=lib) for v in data["matrix_versions"]]
    for text, row in data["matrix"].items():
        constraints = parse_constraints(text, lib=lib)
        got = "".join("1" if constraints.check(v) else "0" for v in versions)
        assert got == row, text
