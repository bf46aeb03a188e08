"""The repo's own charts: the seed's templates kept verbatim, and every value a template reads
has a default in its chart's values.yaml."""

import re
from pathlib import Path

import pytest
from examples_repo import DATA, load_yaml

from support.paths import EXAMPLES, STAGING

JAVA_SERVICE = STAGING / "common-charts" / "apps" / "java-service"
CHARTS = sorted(path.parent for path in EXAMPLES.rglob("Chart.yaml"))
VALUES_PATH = re.compile(r"\.Values\.([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)")


def significant_lines(text: str) -> list[str]:
    """The seed's listing lost its indentation and blank lines; compare what survived."""
    return [line.strip() for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("template", "seed"),
    [
        (JAVA_SERVICE / "templates" / "deployment.yaml", "seed-deployment.txt"),
        (STAGING / "common-charts/infra/network-policies/templates/network-policies.yaml", "seed-network-policies.txt"),
    ],
)
def test_seed_templates_are_kept_verbatim(template: Path, seed: str):
    expected = significant_lines((DATA / seed).read_text(encoding="utf-8"))
    assert significant_lines(template.read_text(encoding="utf-8")) == expected


def test_java_service_helpers_define_what_the_templates_include():
    helpers = (JAVA_SERVICE / "templates" / "_helpers.tpl").read_text(encoding="utf-8")
    defined = set(re.findall(r'\{\{-? define "([^"]+)"', helpers))
    assert {
        "java-service.name",
        "java-service.fullname",
        "java-service.labels",
        "java-service.selectorLabels",
        "java-service.podLabels",
        "java-service.versionLabel",
    } <= defined
    for template in (JAVA_SERVICE / "templates").glob("*.yaml"):
        included = set(re.findall(r'include "([^"]+)"', template.read_text(encoding="utf-8")))
        assert included <= defined, template.name


def test_java_service_ships_the_objects_the_deployment_implies():
    kinds = {
        re.search(r"^kind: (\w+)$", t.read_text(encoding="utf-8"), re.MULTILINE).group(1)
        for t in (JAVA_SERVICE / "templates").glob("*.yaml")
    }
    assert {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "ServiceAccount"} <= kinds


@pytest.mark.parametrize("chart", CHARTS, ids=lambda path: str(path.relative_to(EXAMPLES)))
def test_every_value_a_template_reads_has_a_default(chart: Path):
    defaults = load_yaml(chart / "values.yaml") or {}
    read = set()
    for template in (chart / "templates").iterdir():
        read |= set(VALUES_PATH.findall(template.read_text(encoding="utf-8")))
    missing = []
    for dotted in sorted(read):
        node = defaults
        for key in dotted.split("."):
            if not isinstance(node, dict) or key not in node:
                missing.append(dotted)
                break
            node = node[key]
    assert missing == []


@pytest.mark.parametrize("chart", CHARTS, ids=lambda path: str(path.relative_to(EXAMPLES)))
def test_charts_are_helm_v2_charts_named_after_their_folder(chart: Path):
    meta = load_yaml(chart / "Chart.yaml")
    assert meta["apiVersion"] == "v2"
    assert meta["type"] == "application"
    expected = "root-staging" if chart.name == "root" else chart.name
    assert meta["name"] == expected
