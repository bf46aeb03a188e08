"""ApplicationSet expansion, checked against the rules of Argo CD's controller (applicationset/*.go)
and the cases of its own tests (applicationset/utils/utils_test.go)."""

import pytest
import yaml

from wavecd.apps.appset import AppSetError, expand_applicationset
from wavecd.apps.appset.generators import Cluster
from wavecd.apps.appset.templating import replace_fast


class FakeContext:
    def __init__(self, files=None, clusters=None):
        self.files = files or {}
        self._clusters = clusters or []

    def clusters(self):
        return self._clusters

    def git_paths(self, repo_url, revision):
        return sorted(self.files)

    def git_read(self, repo_url, revision, path):
        return self.files[path].encode()


def appset(text):
    return yaml.safe_load(text)


@pytest.mark.parametrize(
    ("field", "params", "expected"),
    [
        ("{{one}}", {"one": "two"}, "two"),
        ("{{ one }}", {"one": "two"}, "two"),
        ("}} {{", {"one": "two"}, "}} {{"),
        ("{{ }}", {" ": "two", "": "three"}, "{{ }}"),
        ("{{one}}", {"{{one}}": "{{one}}"}, "{{one}}"),
        ("{{ONE}}", {"{{one}}": "two"}, "{{ONE}}"),
        ("{{one}}{{one}}", {"one": "two"}, "twotwo"),
        ("{{one}} {{three}}", {"one": '"hello" world', "three": "four"}, '"hello" world four'),
        ("{{missing}}-x", {"one": "two"}, "{{missing}}-x"),
        ("{{number}}", {"number": 3.0}, "{{number}}"),
        ("{{one\n}}", {"one": "two"}, "{{one\n}}"),
    ],
)
def test_fasttemplate_replaces_only_known_string_parameters(field, params, expected):
    assert replace_fast(field, params) == expected


def test_fasttemplate_unclosed_tag_is_an_error_with_fasttemplates_text():
    with pytest.raises(AppSetError) as err:
        replace_fast("{{a}} {{b", {"a": "x"})
    assert err.value.message == (
        'invalid template: Cannot find end tag="}}" in the template="{{a}} {{b" starting from "b"'
    )


LIST_APPSET = """
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: guestbook, namespace: argocd}
spec:
  generators:
  - list:
      elements:
      - {cluster: engineering-dev, url: https://1.2.3.4, wave: "10"}
      - {cluster: engineering-prod, url: https://2.4.6.8, wave: "11"}
  template:
    metadata:
      name: '{{cluster}}-guestbook'
      namespace: somewhere-else
      annotations:
        argocd.argoproj.io/sync-wave: '{{wave}}'
        '{{cluster}}/key': '{{unknown}}'
    spec:
      project: default
      source: {repoURL: https://github.com/argoproj/argo-cd.git, targetRevision: HEAD, path: 'apps/{{cluster}}'}
      destination: {server: '{{url}}', namespace: guestbook}
"""


def test_list_generator_renders_each_element_and_adds_the_finalizer_and_namespace():
    result = expand_applicationset(appset(LIST_APPSET), FakeContext())
    assert result.errors == []
    first, second = result.applications
    assert first["metadata"] == {
        "name": "engineering-dev-guestbook",
        "namespace": "argocd",
        "annotations": {"argocd.argoproj.io/sync-wave": "10", "engineering-dev/key": "{{unknown}}"},
        "finalizers": ["resources-finalizer.argocd.argoproj.io"],
    }
    assert first["spec"]["destination"] == {"server": "https://1.2.3.4", "namespace": "guestbook"}
    assert first["spec"]["source"]["path"] == "apps/engineering-dev"
    assert second["metadata"]["name"] == "engineering-prod-guestbook"
    assert second["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] == "11"


def test_preserve_resources_on_deletion_means_no_finalizer():
    doc = appset(LIST_APPSET)
    doc["spec"]["syncPolicy"] = {"preserveResourcesOnDeletion": True}
    apps = expand_applicationset(doc, FakeContext()).applications
    assert all("finalizers" not in app["metadata"] for app in apps)


def test_fasttemplate_list_elements_must_be_strings():
    doc = appset(LIST_APPSET)
    doc["spec"]["generators"][0]["list"]["elements"][0]["wave"] = 10
    with pytest.raises(AppSetError, match="error parsing value as string"):
        expand_applicationset(doc, FakeContext())


def test_duplicate_names_keep_the_first_and_report_the_rest():
    doc = appset(LIST_APPSET)
    doc["spec"]["template"]["metadata"]["name"] = "same"
    result = expand_applicationset(doc, FakeContext())
    assert [a["metadata"]["name"] for a in result.applications] == ["same"]
    assert result.errors == ["ApplicationSet guestbook contains applications with duplicate name: same"]


GO_MATRIX = """
metadata: {name: svc}
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
  - matrix:
      generators:
      - list:
          elements:
          - {name: auth-guard, wave: 10, env: first}
          - {name: queue, wave: 11, env: first}
      - list:
          elements:
          - {env: second, ns: '{{ .name }}-ns'}
  template:
    metadata:
      name: 'staging-{{ .name }}'
      annotations: {argocd.argoproj.io/sync-wave: '{{ .wave }}'}
    spec:
      project: default
      destination: {server: https://kubernetes.default.svc, namespace: '{{ .ns }}'}
      source: {repoURL: https://example.com/repo.git, path: charts, helm: {releaseName: '{{ .env }}'}}
"""


def test_go_template_matrix_first_child_overrides_second_and_second_sees_first():
    apps = expand_applicationset(appset(GO_MATRIX), FakeContext()).applications
    assert [a["metadata"]["name"] for a in apps] == ["staging-auth-guard", "staging-queue"]
    assert apps[0]["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] == "10"
    assert apps[0]["spec"]["destination"]["namespace"] == "auth-guard-ns"
    assert apps[0]["spec"]["source"]["helm"]["releaseName"] == "first"


def test_go_template_missingkey_error_fails_the_appset():
    doc = appset(GO_MATRIX)
    doc["spec"]["template"]["metadata"]["name"] = "{{ .nope }}"
    with pytest.raises(AppSetError, match="map has no entry for key"):
        expand_applicationset(doc, FakeContext())


def test_go_template_default_missingkey_prints_no_value():
    doc = appset(GO_MATRIX)
    del doc["spec"]["goTemplateOptions"]
    doc["spec"]["template"]["metadata"]["labels"] = {"x": "{{ .nope }}"}
    apps = expand_applicationset(doc, FakeContext()).applications
    assert apps[0]["metadata"]["labels"] == {"x": "<no value>"}


def test_fasttemplate_matrix_conflicting_keys_is_an_error():
    doc = appset(GO_MATRIX)
    doc["spec"]["goTemplate"] = False
    gens = doc["spec"]["generators"][0]["matrix"]["generators"]
    gens[0]["list"]["elements"] = [{"name": "a", "env": "first"}]
    gens[1]["list"]["elements"] = [{"env": "second"}]
    with pytest.raises(AppSetError, match="found duplicate key env with different value"):
        expand_applicationset(doc, FakeContext())


def test_merge_generator_joins_on_merge_keys_and_drops_unmatched_secondaries():
    doc = appset("""
metadata: {name: m}
spec:
  generators:
  - merge:
      mergeKeys: [name]
      generators:
      - list: {elements: [{name: a, wave: "1"}, {name: b, wave: "2"}]}
      - list: {elements: [{name: b, wave: "9"}, {name: c, wave: "7"}]}
  template:
    metadata: {name: '{{name}}-{{wave}}'}
    spec: {project: default}
""")
    apps = expand_applicationset(doc, FakeContext()).applications
    assert sorted(a["metadata"]["name"] for a in apps) == ["a-1", "b-9"]


def test_selector_filters_on_flattened_parameters():
    doc = appset(LIST_APPSET)
    doc["spec"]["generators"][0]["selector"] = {
        "matchExpressions": [{"key": "cluster", "operator": "NotIn", "values": ["engineering-dev"]}]
    }
    apps = expand_applicationset(doc, FakeContext()).applications
    assert [a["metadata"]["name"] for a in apps] == ["engineering-prod-guestbook"]


def test_template_patch_merges_but_cannot_change_the_project():
    doc = appset(GO_MATRIX)
    doc["spec"]["templatePatch"] = (
        "spec:\n  project: hacked\n  syncPolicy:\n    automated: {prune: true}\n"
        "metadata:\n  labels: {svc: '{{ .name }}'}\n"
    )
    app = expand_applicationset(doc, FakeContext()).applications[0]
    assert app["spec"]["project"] == "default"
    assert app["spec"]["syncPolicy"] == {"automated": {"prune": True}}
    assert app["metadata"]["labels"] == {"svc": "auth-guard"}


def test_git_directories_match_with_go_path_match_and_excludes_win():
    context = FakeContext(
        files={
            "apps/a/Chart.yaml": "",
            "apps/b/x.yaml": "",
            "apps/b/deep/y.yaml": "",
            "apps/.hidden/z": "",
            "apps/skip/k.yaml": "",
        }
    )
    doc = appset("""
metadata: {name: g}
spec:
  generators:
  - git:
      repoURL: https://example.com/r.git
      revision: HEAD
      directories: [{path: 'apps/*'}, {path: apps/skip, exclude: true}]
  template:
    metadata: {name: '{{path.basename}}'}
    spec: {project: default, source: {path: '{{path}}'}, destination: {namespace: '{{path[1]}}'}}
""")
    apps = expand_applicationset(doc, context).applications
    assert [(a["metadata"]["name"], a["spec"]["source"]["path"]) for a in apps] == [("a", "apps/a"), ("b", "apps/b")]
    assert apps[0]["spec"]["destination"]["namespace"] == "a"


def test_git_files_give_one_parameter_set_per_object_in_sorted_path_order():
    context = FakeContext(
        files={
            "clusters/prod/config.yaml": "cluster: {name: prod}\n",
            "clusters/dev/config.yaml": "- cluster: {name: dev1}\n- cluster: {name: dev2}\n",
        }
    )
    doc = appset("""
metadata: {name: f}
spec:
  goTemplate: true
  generators:
  - git: {repoURL: r, revision: HEAD, files: [{path: 'clusters/**/config.yaml'}]}
  template:
    metadata: {name: '{{ .cluster.name }}-{{ .path.basename }}'}
    spec: {project: default}
""")
    apps = expand_applicationset(doc, context).applications
    assert [a["metadata"]["name"] for a in apps] == ["dev1-dev", "dev2-dev", "prod-prod"]


def test_clusters_generator_adds_the_local_cluster_last_without_a_selector():
    context = FakeContext(clusters=[Cluster(name="Staging_1", server="https://s1", labels={"env": "staging"})])
    doc = appset("""
metadata: {name: c}
spec:
  generators: [{clusters: {}}]
  template:
    metadata: {name: '{{nameNormalized}}'}
    spec: {project: default, destination: {server: '{{server}}'}}
""")
    apps = expand_applicationset(doc, context).applications
    assert [(a["metadata"]["name"], a["spec"]["destination"]["server"]) for a in apps] == [
        ("staging-1", "https://s1"),
        ("in-cluster", "https://kubernetes.default.svc"),
    ]
    doc["spec"]["generators"] = [{"clusters": {"selector": {"matchLabels": {"env": "staging"}}}}]
    assert len(expand_applicationset(doc, context).applications) == 1
