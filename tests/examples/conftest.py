"""Fixtures that read the example GitOps repository as plain data, with PyYAML only."""

import pytest
import yaml
from examples_repo import DATA, REPO, load_yaml


@pytest.fixture(scope="session")
def root_values() -> dict:
    return load_yaml(REPO / "ca-staging" / "root" / "values.yaml")


@pytest.fixture(scope="session")
def root_app() -> dict:
    return load_yaml(REPO / "root-staging.yaml")


@pytest.fixture(scope="session")
def wavecd_config() -> dict:
    return load_yaml(REPO / "wavecd.yaml")


@pytest.fixture(scope="session")
def root_render() -> list[dict]:
    """The root chart as real `helm template` (v4.1.4; v3.17.2 gives the same bytes) rendered it."""
    text = (DATA / "root-staging.helm-v4.yaml").read_text(encoding="utf-8")
    return [doc for doc in yaml.safe_load_all(text) if doc]
