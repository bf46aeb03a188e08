"""Helm sources rendered with the arguments Argo CD's repo-server passes: the same objects as the real
helm gives for the hand-written command line of each case (recorded by record_apps_helm_cases.py)."""

import pytest
import yaml
from apps_support import DATA, REPO, FolderResolver, load_docs

from wavecd.apps.errors import AppError
from wavecd.apps.helm_source import (
    RenderSettings,
    helm_arguments,
    helm_options,
    kube_version_flag,
    namespace_flag,
    resolve_value_files,
)
from wavecd.apps.model import HelmSpec, parse_application
from wavecd.apps.render_app import resolve_app, run_job

CASES = yaml.safe_load((DATA / "helm_cases.yaml").read_text())
SETTINGS = RenderSettings(kube_version=CASES["settings"]["kube_version"])


def _job(application):
    app = parse_application(application)
    return resolve_app(app, FolderResolver(), SETTINGS)


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["name"] for c in CASES["cases"]])
def test_helm_source_renders_what_real_helm_renders_for_argo_cds_command(case):
    output = run_job(_job(case["application"]))
    assert output.error is None
    expected = load_docs((DATA / "expected" / f"{case['name']}.yaml").read_text())
    assert output.objects == expected


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["name"] for c in CASES["cases"]])
def test_helm_arguments_follow_argo_cds_order(case):
    job = _job(case["application"])
    item = next(s for s in job.sources if s.kind == "helm")
    values = "/tmp/values.yaml" if "values_file" in case else None
    options = helm_options(
        job.app,
        item.source,
        app_path=item.app_path,
        repo_root=item.repo_root,
        refs=dict(job.refs),
        settings=SETTINGS,
        values_file=values,
    )
    expected = [a.format(repo=REPO, values="/tmp/values.yaml") for a in case["helm_args"]]
    assert helm_arguments(str(item.app_path), options, namespace_flag(job.app, item.source)) == expected


def test_sources_record_their_kind_and_resolved_revision():
    job = _job(CASES["cases"][0]["application"])
    assert [(s.kind, s.label, s.revision) for s in job.sources] == [
        ("helm", "git-chart", "sha-of-main"),
        ("ref", "ref", "sha-of-main"),
    ]
    oci = _job(CASES["cases"][2]["application"])
    assert [(s.kind, s.label, s.revision) for s in oci.sources] == [("helm", "oci-chart", "1.2.3")]


def test_a_missing_value_file_is_helms_error_with_the_app_and_source():
    app = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "m"},
        "spec": {
            "destination": {"namespace": "x"},
            "source": {
                "repoURL": "https://example.com/repo.git",
                "path": "charts/probe",
                "helm": {"valueFiles": ["nope.yaml"]},
            },
        },
    }
    output = run_job(_job(app))
    assert output.error == f"Error: open {REPO}/charts/probe/nope.yaml: no such file or directory"
    assert output.error_location == "app m, https://example.com/repo.git, charts/probe"
    assert output.objects == []


def test_a_template_error_is_helms_text():
    app = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "b"},
        "spec": {
            "destination": {"namespace": "x"},
            "source": {"repoURL": "https://example.com/repo.git", "path": "charts/broken"},
        },
    }
    output = run_job(_job(app))
    assert output.error.startswith(
        "Error: execution error at (broken/templates/cm.yaml:4:11): broken.needed is required"
    )


def test_value_files_cannot_leave_the_repository():
    with pytest.raises(AppError, match="resolved to outside repository root"):
        resolve_value_files(HelmSpec(value_files=("../../../etc/passwd",)), REPO / "charts" / "probe", REPO, {})
    with pytest.raises(AppError, match="resolved to outside repository root"):
        resolve_value_files(HelmSpec(value_files=("$values/../x.yaml",)), REPO, REPO, {"$values": REPO / "values"})


def test_a_glob_that_matches_nothing_is_an_error_unless_missing_files_are_ignored():
    spec = HelmSpec(value_files=("$values/values/none-*.yaml",))
    with pytest.raises(AppError, match="matched no files"):
        resolve_value_files(spec, REPO, REPO, {"$values": REPO})
    spec = HelmSpec(value_files=("$values/values/none-*.yaml",), ignore_missing_value_files=True)
    assert resolve_value_files(spec, REPO, REPO, {"$values": REPO}) == []


def test_explicit_value_file_keeps_its_place_after_a_glob():
    spec = HelmSpec(value_files=("$values/values/glob/*.yaml", "$values/values/glob/a.yaml"))
    assert resolve_value_files(spec, REPO, REPO, {"$values": REPO}) == [
        f"{REPO}/values/glob/b.yaml",
        f"{REPO}/values/glob/a.yaml",
    ]


def test_ref_sources_only_apply_to_multi_source_apps_and_yield_nothing():
    app = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "r"},
        "spec": {
            "destination": {"namespace": "x"},
            "sources": [{"repoURL": "https://example.com/repo.git", "ref": "only"}],
        },
    }
    output = run_job(_job(app))
    assert (output.error, output.objects) == (None, [])


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("v1.33.0", "1.33.0"),
        ("1.30", "1.30"),
        ("v1.29.3-eks-1234", "1.29.3"),
        ("", ""),
    ],
)
def test_kube_version_is_passed_as_argo_cd_prints_it(text, flag):
    assert kube_version_flag(text) == flag


def test_a_bad_kube_version_is_argo_cds_error():
    with pytest.raises(AppError, match="could not parse kubernetes version 1: version '1' has fewer than 2"):
        kube_version_flag("1")
