"""wavecd's own chart (deploy/chart) rendered by `wavecd helm template`, held against what real helm printed for
the same arguments (the `deploy-chart-*` conformance cases, recorded by `make golden`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from support.paths import TESTS
from wavecd.cli.main import main

CHART = TESTS.parent / "deploy" / "chart"
RECORDED = TESTS / "conformance" / "expected" / "v4"
NAMESPACE = "wavecd"


@dataclass(frozen=True)
class Rendered:
    stdout: str
    stderr: str
    rc: int

    @property
    def objects(self) -> list[dict[str, Any]]:
        return [doc for doc in yaml.safe_load_all(self.stdout) if doc]

    def one(self, kind: str, name: str | None = None) -> dict[str, Any]:
        found = [o for o in self.objects if o["kind"] == kind and name in (None, o["metadata"]["name"])]
        assert len(found) == 1, f"{len(found)} {kind} {name or ''}"
        return found[0]


def render(*args: str) -> Rendered:
    """`wavecd helm template wavecd deploy/chart ARGS`, in-process, as a user would type it."""
    result = CliRunner().invoke(main, ["helm", "template", "wavecd", str(CHART), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return Rendered(result.stdout, result.stderr, result.exit_code)


def recorded(case: str) -> Rendered:
    """What real helm 4.1.4 printed for the conformance case `case`."""
    read = (RECORDED / case).with_suffix
    return Rendered(read(".out").read_text(), read(".err").read_text(), int(read(".rc").read_text()))


def values_file(name: str) -> Path:
    return CHART / "ci" / f"{name}-values.yaml"
