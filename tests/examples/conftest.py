"""Fixtures that read the example GitOps repository as plain data, with PyYAML only."""

import pytest
import yaml
from examples_repo import load_yaml

from support.paths import STAGING, STAGING_ROOT_RENDER


@pytest.fixture(scope="session")
def root_values() -> dict:
    return load_yaml(STAGING / "ca-staging" / "root" / "values.yaml")


@pytest.fixture(scope="session")
def root_app() -> dict:
    return load_yaml(STAGING / "root-staging.yaml")


@pytest.fixture(scope="session")
def wavecd_config() -> dict:
    return load_yaml(STAGING / "wavecd.yaml")


@pytest.fixture(scope="session")
def root_render() -> list[dict]:
    """The root chart as real `helm template` (v4.1.4; v3.17.2 gives the same bytes) rendered it."""
    text = STAGING_ROOT_RENDER.read_text(encoding="utf-8")
    return [doc for doc in yaml.safe_load_all(text) if doc]
