"""`wavecd lint` on the staging example: the seed's CRD race and only what is true of that tree, in each
output; the SARIF document checked against the official SARIF 2.1.0 schema (tests/lint/SARIF-SCHEMA.md)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result

from support.gitops import REPO_URL, Child, application, config_map, write_files, write_repo
from support.paths import STAGING
from wavecd.cli.main import main
from wavecd.lint.model import Finding, Location, Severity
from wavecd.lint.output import github_commands
from wavecd.lint.runner import LintReport

SCHEMA = Path(__file__).parent / "sarif-schema-2.1.0.json"
MONITORING = "examples/staging/common-charts/infra/istiod-monitoring/templates"


def lint(*args: str) -> Result:
    return CliRunner().invoke(main, ["lint", str(STAGING), *args])


def test_staging_reports_the_seed_crd_race_and_the_argo_cd_pitfalls_it_has():
    result = lint()
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        f"ERROR WCD101 istiod-monitoring {MONITORING}/podmonitor.yaml PodMonitor/istio-system/envoy-stats: "
        "monitoring.coreos.com/PodMonitor is applied in tree wave -2, but its CustomResourceDefinition comes from "
        "app kube-prometheus-stack in the later tree wave -1: the apply fails until that app has synced",
        f"ERROR WCD101 istiod-monitoring {MONITORING}/servicemonitor.yaml ServiceMonitor/istio-system/istiod: "
        "monitoring.coreos.com/ServiceMonitor is applied in tree wave -2, but its CustomResourceDefinition comes "
        "from app kube-prometheus-stack in the later tree wave -1: the apply fails until that app has synced",
    ]
    # the staging ApplicationSets carry sync-waves and no RollingSync; no argocd-cm in the tree
    rules = [line.split()[1:3] for line in lines[2:-1] if line.split()[1].startswith("WCD2")]
    assert rules == [
        ["WCD201", "loadtest-ai-services"],
        ["WCD201", "loadtest-webs-services"],
        ["WCD201", "staging-ai-services"],
        ["WCD201", "staging-webs-services"],
        ["WCD202", "root-staging"],
    ]
    # and the policy rules' warnings, each checked in test_staging_rules.py: 27 WCD402, 18 WCD403, 10 WCD404
    assert lines[-1] == "62 finding(s): 2 error(s), 60 warning(s), 0 note(s); 0 suppressed"


def test_staging_sarif_is_valid_sarif_2_1_0():
    result = lint("-o", "sarif")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, json.loads(SCHEMA.read_text()))
    run = doc["runs"][0]
    names = {rule["id"]: rule["name"] for rule in run["tool"]["driver"]["rules"]}
    assert names["WCD101"] == "crd-after-custom-resource"
    first = run["results"][0]
    assert (first["ruleId"], first["level"]) == ("WCD101", "error")
    assert first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == f"{MONITORING}/podmonitor.yaml"
    assert run["tool"]["driver"]["rules"][0]["helpUri"].endswith("docs/lint.md#crd-after-custom-resource")


def test_staging_json_lists_findings_and_summary():
    doc = json.loads(lint("-o", "json", "--rule", "WCD101").stdout)
    assert doc["summary"] == {
        "findings": 2,
        "error": 2,
        "warning": 0,
        "note": 0,
        "suppressed": 0,
        "rules": ["WCD101"],
    }


def test_github_commands_escape_as_the_actions_toolkit_does():
    finding = Finding(
        "WCD204",
        Severity.ERROR,
        "50% done\r\nnext",
        app="a",
        location=Location("dir,with:odd/file.yaml", 3),
    )
    [line] = github_commands(LintReport((finding,), (), 0))
    assert line == "::error file=dir%2Cwith%3Aodd/file.yaml,line=3,title=WCD204::a -: 50%25 done%0D%0Anext"


def test_an_unknown_rule_flag_is_a_usage_error():
    result = lint("--rule", "WCD999")
    assert result.exit_code == 2
    assert "--rule 'WCD999': unknown rule" in result.stderr


def test_an_app_that_fails_to_render_is_named_and_exits_2(tmp_path):
    write_repo(tmp_path, [Child("broken", [config_map("c")])])
    app_file = tmp_path / "apps" / "broken.yaml"
    app_file.write_text(app_file.read_text().replace("path: manifests/broken", "path: manifests/missing"))
    result = CliRunner().invoke(main, ["lint", str(tmp_path), "--no-cache"])
    assert result.exit_code == 2
    assert "Error: app broken failed to render" in result.stderr
    assert "manifests/missing: app path does not exist" in result.stderr


def test_sarif_region_and_github_line_for_a_plain_yaml_file(tmp_path):
    bad = config_map("c", annotations={"argocd.argoproj.io/sync-wave": "soon"})
    write_repo(tmp_path, [Child("app", [config_map("first"), bad])])
    sarif = json.loads(CliRunner().invoke(main, ["lint", str(tmp_path), "--no-cache", "-o", "sarif"]).stdout)
    jsonschema.validate(sarif, json.loads(SCHEMA.read_text()))
    [result] = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "WCD204"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "manifests/app/all.yaml"
    line = location["region"]["startLine"]
    document = (tmp_path / "manifests/app/all.yaml").read_text().splitlines()[line - 1 :]
    assert line > 1 and document[0] == "apiVersion: v1"
    assert "  name: c" in document[: document.index("---") if "---" in document else None]
    github = CliRunner().invoke(main, ["lint", str(tmp_path), "--no-cache", "-o", "github", "--rule", "WCD204"])
    assert github.stdout.startswith(
        f"::error file=manifests/app/all.yaml,line={line},title=WCD204::app ConfigMap/apps/c:"
    )


@pytest.mark.parametrize("version", ["abc", "1"])
def test_a_kube_version_that_cannot_be_parsed_is_bad_input(version):
    # before, `abc` or `1` silently turned the deprecated-API rule off and the lint passed
    result = lint("--kube-version", version)
    assert result.exit_code == 2
    assert "Error: could not parse kubernetes version " + version in result.stderr


def test_the_kube_version_decides_what_is_deprecated(tmp_path):
    cronjob = {"apiVersion": "batch/v1beta1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "team"}}
    write_files(tmp_path, {"root.yaml": application("root", "apps", repo=REPO_URL), "apps/c.yaml": cronjob})
    (tmp_path / "wavecd.yaml").write_text(f"repositories:\n  - url: {REPO_URL}\n    path: .\n    worktree: true\n")
    old = CliRunner().invoke(
        main, ["lint", str(tmp_path / "root.yaml"), "--rule", "WCD301", "--kube-version", "v1.22.0"]
    )
    new = CliRunner().invoke(main, ["lint", str(tmp_path / "root.yaml"), "--rule", "WCD301", "--kube-version", "1.30"])
    assert old.exit_code == 0 and "WARNING WCD301" in old.stdout
    assert new.exit_code == 1 and "ERROR WCD301" in new.stdout
