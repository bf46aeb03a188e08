"""Directory sources read as Argo CD's `findManifests` reads them, and the objects normalised as
`NormalizeTargetObjects` does (destination namespace, cluster scope, unknown kinds, repeats)."""

import pytest
from apps_support import REPO

from wavecd.apps.directory_source import directory_objects_at, glob_match
from wavecd.apps.errors import AppError
from wavecd.apps.kinds import KindTable, crd_entries
from wavecd.apps.model import DirectorySpec
from wavecd.apps.normalize import normalize_objects

FOLDER = REPO / "manifests"


def names(objects):
    return [(o["kind"], o["metadata"]["name"]) for _file, _line, o in objects]


def test_not_recursive_by_default_and_only_yaml_yml_json():
    assert names(directory_objects_at(FOLDER, None)) == [
        ("ConfigMap", "first"),
        ("ClusterRole", "reader"),
        ("Secret", "from-json"),
    ]


def test_recurse_walks_sub_folders_in_lexical_order():
    assert names(directory_objects_at(FOLDER, DirectorySpec(recurse=True))) == [
        ("ConfigMap", "first"),
        ("ClusterRole", "reader"),
        ("Secret", "from-json"),
        ("Gadget", "nested"),
        ("ServiceAccount", "deep"),
    ]


def test_include_and_exclude_are_globs_whose_star_crosses_folders():
    spec = DirectorySpec(recurse=True, include="*.yaml")
    assert names(directory_objects_at(FOLDER, spec)) == [
        ("ConfigMap", "first"),
        ("ClusterRole", "reader"),
        ("ServiceAccount", "deep"),
    ]
    spec = DirectorySpec(recurse=True, exclude="nested/*")
    assert names(directory_objects_at(FOLDER, spec)) == [
        ("ConfigMap", "first"),
        ("ClusterRole", "reader"),
        ("Secret", "from-json"),
    ]
    spec = DirectorySpec(recurse=True, include="{b.json,nested/c.yml}", exclude="*.yaml")
    assert names(directory_objects_at(FOLDER, spec)) == [("Secret", "from-json"), ("Gadget", "nested")]


@pytest.mark.parametrize(
    ("pattern", "name", "matches"),
    [
        ("*.yaml", "a/b/c.yaml", True),
        ("a/?.yaml", "a/b.yaml", True),
        ("[ab].json", "c.json", False),
        ("[!c].json", "a.json", True),
        ("{x,y}/*", "y/z", True),
        ("x", "xx", False),
    ],
)
def test_glob_match(pattern, name, matches):
    assert glob_match(pattern, name) is matches


def test_dates_stay_strings():
    assert directory_objects_at(FOLDER, None)[0][2]["data"]["created"] == "2024-01-02"


def test_a_json_file_holds_one_object(tmp_path):
    (tmp_path / "two.json").write_text('{"kind": "A"} {"kind": "B"}')
    with pytest.raises(AppError) as err:
        directory_objects_at(tmp_path, None)
    assert err.value.message == 'Found multiple objects in "two.json". Only single objects are allowed in JSON files.'


def test_broken_yaml_is_an_error_only_when_it_looks_like_a_manifest(tmp_path):
    (tmp_path / "other.yaml").write_text("key: [unclosed\n")
    assert directory_objects_at(tmp_path, None) == []
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n")
    with pytest.raises(AppError) as err:
        directory_objects_at(tmp_path, None)
    assert err.value.message.startswith("failed to unmarshal manifest in cm.yaml")
    assert err.value.location.file == "cm.yaml"


def test_destination_namespace_goes_on_namespaced_objects_and_off_cluster_scoped_ones():
    objects = [obj for _file, _line, obj in directory_objects_at(FOLDER, DirectorySpec(recurse=True))]
    normalized, warnings = normalize_objects(objects, "dest", KindTable())
    assert [(o["kind"], o["metadata"].get("namespace")) for o in normalized] == [
        ("ConfigMap", "dest"),
        ("ClusterRole", None),
        ("Secret", "explicit"),
        ("Gadget", "dest"),
        ("ServiceAccount", "dest"),
    ]
    assert warnings == [
        "unknown kind Gadget (example.com/v1): not built into Kubernetes and no CRD in the tree "
        "defines it; treated as namespaced"
    ]
    assert objects[1]["metadata"]["namespace"] == "ignored-for-cluster-scope"  # the input is not changed


def test_a_crd_in_the_tree_decides_scope_and_silences_the_warning():
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "spec": {
            "group": "example.com",
            "scope": "Cluster",
            "names": {"kind": "Gadget"},
            "versions": [{"name": "v1", "served": True}, {"name": "v0", "served": False}],
        },
    }
    assert crd_entries(crd) == [("example.com/v1", "Gadget", False)]
    kinds = KindTable(crd_entries(crd))
    gadget = {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g", "namespace": "x"}}
    normalized, warnings = normalize_objects([gadget], "dest", kinds)
    assert normalized[0]["metadata"] == {"name": "g"} and warnings == []
    assert "example.com/v1" in kinds.api_versions and "example.com/v1/Gadget" in kinds.api_versions


def test_repeated_resources_keep_the_last_and_warn():
    first = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"v": "1"}}
    second = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c", "namespace": "dest"},
        "data": {"v": "2"},
    }
    normalized, warnings = normalize_objects([first, second], "dest", KindTable())
    assert [o["data"]["v"] for o in normalized] == ["2"]
    assert warnings == ["Resource /ConfigMap/dest/c appeared 2 times among application resources."]


def test_built_in_kinds_and_api_versions_of_kube_1_33():
    kinds = KindTable()
    assert kinds.namespaced("apps/v1", "Deployment") is True
    assert kinds.namespaced("v1", "Namespace") is False
    assert kinds.namespaced("rbac.authorization.k8s.io/v1", "ClusterRoleBinding") is False
    assert kinds.namespaced("argoproj.io/v1alpha1", "Application") is True
    assert kinds.namespaced("example.com/v1", "Gadget") is None
    assert {"v1", "v1/Pod", "apps/v1", "apps/v1/Deployment", "networking.k8s.io/v1/Ingress"} <= set(kinds.api_versions)
    assert "batch/v1beta1" not in kinds.api_versions


def test_each_object_keeps_the_file_and_line_it_was_read_at(tmp_path):
    (tmp_path / "two.yaml").write_text(
        "# a comment\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n\napiVersion: v1\n"
        "kind: ConfigMap\nmetadata: {name: b}\n"
    )
    (tmp_path / "one.json").write_text('{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "c"}}')
    found = [(file, line, obj["metadata"]["name"]) for file, line, obj in directory_objects_at(tmp_path, None)]
    assert found == [("one.json", None, "c"), ("two.yaml", 2, "a"), ("two.yaml", 7, "b")]
