"""Applications parsed as Argo CD reads their spec: source vs sources, refs, destination, sync waves."""

import pytest

from wavecd.apps.destination import destination_server
from wavecd.apps.errors import AppSpecError
from wavecd.apps.model import parse_application, sync_wave
from wavecd.core import Location


def app(spec, **metadata):
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "a", **metadata},
        "spec": spec,
    }


SOURCE = {"repoURL": "https://example.com/r.git", "path": "p"}


@pytest.mark.parametrize(
    ("annotations", "wave"),
    [
        ({}, 0),
        ({"argocd.argoproj.io/sync-wave": "-5"}, -5),
        ({"argocd.argoproj.io/sync-wave": "+3"}, 3),
        ({"argocd.argoproj.io/sync-wave": " 3"}, 0),
        ({"argocd.argoproj.io/sync-wave": "1.5"}, 0),
        ({"helm.sh/hook-weight": "2"}, 2),
        ({"argocd.argoproj.io/sync-wave": "x", "helm.sh/hook-weight": "-1"}, -1),
    ],
)
def test_sync_wave_is_the_annotation_when_it_is_a_go_int(annotations, wave):
    assert sync_wave({"metadata": {"annotations": annotations}}) == wave


def test_sources_win_over_source_and_ref_sources_are_recognised():
    parsed = parse_application(app({"source": SOURCE, "sources": [SOURCE, {"repoURL": "x", "ref": "values"}]}))
    assert parsed.multi_source and [s.ref for s in parsed.sources] == ["", "values"]
    assert parsed.sources[1].is_ref_only and not parsed.sources[0].is_ref_only
    assert parsed.project == "default"


def test_empty_sources_fall_back_to_source():
    parsed = parse_application(app({"source": SOURCE, "sources": []}))
    assert not parsed.multi_source and parsed.sources[0].path == "p"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({}, "spec.source or spec.sources is required"),
        ({"source": {"path": "x"}}, "spec.source.repoURL is required"),
        (
            {"sources": [{"repoURL": "x", "ref": "bad ref"}]},
            "spec.sources[0].ref 'bad ref' must match ^[a-zA-Z0-9_-]+$",
        ),
        (
            {"sources": [{"repoURL": "x", "ref": "v"}, {"repoURL": "y", "ref": "v"}]},
            "spec.sources: ref 'v' is used by more than one source",
        ),
        (
            {"source": {**SOURCE, "helm": {"values": {"a": 1}}}},
            "helm.values must be a string (use helm.valuesObject for a mapping)",
        ),
        ({"source": {**SOURCE, "helm": {"valueFiles": "one.yaml"}}}, "helm.valueFiles must be a list of strings"),
        # list fields given a scalar or a mapping: refused, never iterated (an int used to escape as a TypeError)
        ({"source": {**SOURCE, "helm": {"parameters": 5}}}, "helm.parameters must be a list, not int"),
        ({"source": {**SOURCE, "helm": {"fileParameters": "f"}}}, "helm.fileParameters must be a list, not str"),
        ({"source": {**SOURCE, "kustomize": {"patches": {"a": 1}}}}, "kustomize.patches must be a list, not dict"),
        ({"source": {**SOURCE, "kustomize": {"replicas": 3}}}, "kustomize.replicas must be a list, not int"),
        (
            {"source": {**SOURCE, "directory": {"jsonnet": {"tlas": "x"}}}},
            "directory.jsonnet.tlas must be a list, not str",
        ),
        ({"source": {**SOURCE, "plugin": {"env": 1}}}, "plugin.env must be a list, not int"),
    ],
)
def test_bad_specs_are_refused_with_the_app_and_file(spec, message):
    with pytest.raises(AppSpecError) as err:
        parse_application(app(spec), Location(file="apps.yaml", line=3))
    assert err.value.message == message
    assert (err.value.location.app, err.value.location.file) == ("a", "apps.yaml")


def test_helm_fields():
    helm = {
        "valueFiles": ["a.yaml"],
        "valuesObject": {"x": 1},
        "parameters": [{"name": "n", "value": "v"}],
        "fileParameters": [{"name": "f", "path": "p"}],
        "releaseName": "r",
        "skipCrds": True,
        "ignoreMissingValueFiles": True,
        "kubeVersion": "1.30",
        "apiVersions": ["x/v1"],
        "namespace": "ns",
    }
    parsed = parse_application(app({"source": {**SOURCE, "helm": helm}}))
    spec = parsed.sources[0].helm
    assert (spec.value_files, spec.values_object) == (("a.yaml",), {"x": 1})
    assert (spec.release_name, spec.skip_crds, spec.namespace, spec.kube_version) == ("r", True, "ns", "1.30")
    assert (spec.parameters[0].name, spec.file_parameters, spec.api_versions) == ("n", (("f", "p"),), ("x/v1",))


@pytest.mark.parametrize(
    ("destination", "expected"),
    [
        ({"server": "https://k.example.com/"}, "https://k.example.com"),
        ({"name": "in-cluster"}, "https://kubernetes.default.svc"),
        ({"name": "prod"}, "https://prod.example.com"),
        ({"name": "nowhere"}, "there are no clusters with this name: nowhere"),
        ({"name": "twice"}, "there are 2 clusters with the same name: [https://a https://b]"),
        ({"name": "n", "server": "s"}, "application destination can't have both name and server defined: n s"),
        ({"namespace": "x"}, "Destination server missing from app spec"),
    ],
)
def test_destination_server_as_argo_cd_resolves_it(destination, expected):
    clusters = [("prod", "https://prod.example.com"), ("twice", "https://a"), ("twice", "https://b")]
    parsed = parse_application(app({"source": SOURCE, "destination": destination}))
    try:
        assert destination_server(parsed.destination, clusters) == expected
    except AppSpecError as err:
        assert err.message == expected


@pytest.mark.parametrize("name", ["x/../../../outside", "Upper", "-dash", "a_b", "x" * 254])
def test_a_name_the_api_server_refuses_is_refused(name):
    # the name also names the app's `.argocd-source-<name>.yaml`: a path in it would read outside the repository
    obj = app({"source": SOURCE})
    obj["metadata"]["name"] = name
    with pytest.raises(AppSpecError) as err:
        parse_application(obj, Location(file="apps.yaml", line=3))
    assert err.value.message.startswith(f'metadata.name: Invalid value: "{name}": a lowercase RFC 1123 subdomain')
