"""Readers for the example GitOps repository (examples/), shared by its tests."""

from pathlib import Path

import yaml

from support.paths import STAGING

DATA = Path(__file__).resolve().parent / "data"


def load_yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def resolve_mirror(wavecd_config: dict, repo_url: str, chart: str, version: str) -> Path:
    """Where wavecd.yaml's registries put an upstream chart, by the rule examples/README.md gives:
    the longest matching registry prefix, then `<chart>-<version>.tgz` or the `<chart>/` folder."""
    matches = [
        entry
        for entry in wavecd_config["registries"]
        if repo_url == entry["registry"] or repo_url.startswith(entry["registry"] + "/")
    ]
    assert matches, f"no registry in wavecd.yaml serves {repo_url}"
    entry = max(matches, key=lambda candidate: len(candidate["registry"]))
    base = STAGING / entry["mirror"] / repo_url[len(entry["registry"]) :].strip("/")
    packed = base / f"{chart}-{version}.tgz"
    return packed if packed.exists() else base / chart
