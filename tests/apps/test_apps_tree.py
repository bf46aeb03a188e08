"""The tree walk on small repositories: broken apps, cycles, depth, the digest cache, executors,
and ApplicationSets (each generator and both template modes) as nodes whose apps are their children."""

import shutil

import pytest
from apps_support import BROKEN_APPS, REPO, FolderResolver

from support.gitops import application, write_files
from wavecd.apps.context import SECRET_TYPE_LABEL
from wavecd.apps.render_cache import MemoryCache
from wavecd.apps.tree import TreeOptions, build_tree
from wavecd.sources.config import ClusterConfig

SERIAL = TreeOptions(executor="serial")


def make_repo(tmp_path, files):
    repo = tmp_path / "repo"
    shutil.copytree(REPO / "charts", repo / "charts")
    shutil.copytree(REPO / "manifests", repo / "manifests")
    shutil.copytree(REPO / "values", repo / "values")
    return write_files(repo, files)


def walk(repo, root_name="root", root_path="apps", options=SERIAL, cache=None, clusters=(), worktree=False, root=None):
    root = root or application(root_name, root_path, namespace="argocd")
    return build_tree(root, FolderResolver(repo, worktree=worktree), options=options, cache=cache, clusters=clusters)


# The apps tests' broken apps, plus a chart with a bad version and a healthy plain-manifests app.
BROKEN = {
    **BROKEN_APPS,
    "apps/bad-chart.yaml": application("bad-chart", "bad-chart", wave=5),
    "bad-chart/Chart.yaml": "name: bad\nversion: not-a-version\napiVersion: v2\n",
    "apps/plain.yaml": application("plain", "manifests", wave=-1, directory={"recurse": True}),
}


def test_a_broken_app_is_reported_with_its_location_and_does_not_stop_the_others(tmp_path):
    tree = walk(make_repo(tmp_path, BROKEN))
    by_name = {n.name: n for n in tree.nodes}
    assert [n.name for n in tree.broken] == ["bad-chart", "bad-template", "missing-values", "no-path", "no-source"]
    assert by_name["missing-values"].error == (
        f"Error: open {tmp_path}/repo/charts/probe/nope.yaml: no such file or directory"
    )
    assert by_name["missing-values"].error_location == (
        "app missing-values, https://example.com/apps.git@main, charts/probe"
    )
    assert by_name["no-path"].error == "does/not/exist: app path does not exist"
    assert by_name["bad-template"].error.startswith("Error: execution error at (broken/templates/cm.yaml:4:11)")
    assert by_name["bad-chart"].error.startswith("Error: ")
    assert by_name["no-source"].error == "spec.source or spec.sources is required"
    assert by_name["no-source"].error_location == "app no-source"
    good = by_name["good"]
    assert (good.error, good.wave, good.source, len(good.manifests)) == (None, 1, "git-chart", 3)
    assert by_name["plain"].source == "directory" and len(by_name["plain"].manifests) == 5


def test_the_crds_of_the_tree_make_kinds_known_and_reach_helm_as_api_versions(tmp_path):
    tree = walk(make_repo(tmp_path, BROKEN))
    assert ("example.com/v1", "Widget", False) in tree.kinds.crds
    config = next(o for o in tree.node("good").manifests if o["kind"] == "ConfigMap")
    assert config["data"]["widgetKind"] == "true" and config["data"]["widgetGroup"] == "true"
    plain = tree.node("plain")
    assert plain.warnings == [
        "unknown kind Gadget (example.com/v1): not built into Kubernetes and no CRD in "
        "the tree defines it; treated as namespaced"
    ]


def test_a_cycle_is_detected_and_the_depth_is_limited(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "a/app.yaml": application("a1", "b"),
            "b/app.yaml": application("a1", "a"),
            "l1/app.yaml": application("l2", "l2"),
            "l2/app.yaml": application("l3", "l3"),
            "l3/app.yaml": application("l4", "charts/probe"),
        },
    )
    tree = walk(repo, root_path="a")
    assert [(n.name, n.depth, n.error) for n in tree.nodes] == [
        ("root", 0, None),
        ("a1", 1, None),
        ("a1", 2, "cycle: a1 -> a1"),
    ]
    deep = walk(repo, root_path="l1", options=TreeOptions(executor="serial", max_depth=2))
    assert [(n.name, n.error) for n in deep.nodes] == [
        ("root", None),
        ("l2", None),
        ("l3", None),
        ("l4", "depth limit reached: more than 2 levels below the root"),
    ]


def test_an_app_declared_twice_is_an_error_on_the_second(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "apps/one.yaml": [application("p1", "d1"), application("p2", "d2")],
            "d1/x.yaml": application("x", "charts/probe"),
            "d2/x.yaml": application("x", "manifests"),
        },
    )
    tree = walk(repo)
    assert [(n.name, n.parent, n.error) for n in tree.nodes[1:]] == [
        ("p1", "root", None),
        ("p2", "root", None),
        ("x", "p1", None),
        ("x", "p2", "Application argocd/x is declared twice: by p2 and by p1"),
    ]


def test_one_object_repeated_in_an_apps_manifests_is_kept_once_with_a_warning(tmp_path):
    repo = make_repo(tmp_path, {"apps/one.yaml": [application("x", "charts/probe"), application("x", "manifests")]})
    tree = walk(repo)
    assert [(n.name, n.source) for n in tree.nodes] == [("root", "directory"), ("x", "directory")]
    assert tree.root.warnings == [
        "Resource argoproj.io/Application/argocd/x appeared 2 times among application resources."
    ]


class CountingCache(MemoryCache):
    """Counts renders (the tree's CRD hint is stored too, but is not a render)."""

    def __init__(self):
        super().__init__()
        self.rendered = []

    def put(self, digest, output):
        if not (output.objects and "namespaced" in output.objects[0]):
            self.rendered.append(digest)
        super().put(digest, output)


def test_an_unchanged_app_is_never_rendered_twice(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "apps/a.yaml": application("a", "charts/probe", helm={"valueFiles": ["../../values/base.yaml"]}),
            "apps/b.yaml": application("b", "charts/probe"),
        },
    )
    cache = CountingCache()
    first = walk(repo, cache=cache, worktree=True)
    # root, a, b; then a and b again: their chart reads .Capabilities.APIVersions and the first pass
    # found the chart's own CRD, so the second pass passes it to helm.
    assert len(cache.rendered) == 5
    assert (first.rendered, first.from_cache) == (5, 1)  # what `wavecd serve` logs for each walk
    again = walk(repo, cache=cache, worktree=True)
    assert len(cache.rendered) == 5
    assert (again.rendered, again.from_cache) == (0, 3)
    assert [n.manifests for n in again.nodes] == [n.manifests for n in first.nodes]
    (repo / "values" / "base.yaml").write_text("greeting: changed-and-longer\n")
    changed = walk(repo, cache=cache, worktree=True)
    assert len(cache.rendered) == 6  # only a: the first pass already knows the tree's CRDs
    assert (changed.rendered, changed.from_cache) == (1, 2)
    config = next(o for o in changed.node("a").manifests if o["kind"] == "ConfigMap")
    assert '"greeting":"changed-and-longer"' in config["data"]["values"]


@pytest.mark.parametrize("executor", ["thread", "process"])
def test_concurrent_executors_give_the_serial_tree(tmp_path, executor):
    files = {f"apps/app-{i}.yaml": application(f"app-{i}", "charts/probe", wave=i) for i in range(6)}
    repo = make_repo(tmp_path, {**BROKEN, **files})
    serial = walk(repo)
    concurrent = walk(repo, options=TreeOptions(executor=executor, workers=2))
    assert [(n.name, n.wave, n.error, n.manifests) for n in concurrent.nodes] == [
        (n.name, n.wave, n.error, n.manifests) for n in serial.nodes
    ]


def appset(name, generators, template, go_template=False, wave=None, **spec):
    metadata = {"name": name, "namespace": "argocd"}
    if wave is not None:
        metadata["annotations"] = {"argocd.argoproj.io/sync-wave": str(wave)}
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": metadata,
        "spec": {"goTemplate": go_template, "generators": generators, "template": template, **spec},
    }


def app_template(name, path, namespace, wave="0"):
    return {
        "metadata": {"name": name, "annotations": {"argocd.argoproj.io/sync-wave": wave}},
        "spec": {
            "project": "default",
            "source": {"repoURL": "https://example.com/apps.git", "targetRevision": "main", "path": path},
            "destination": {"server": "https://kubernetes.default.svc", "namespace": namespace},
        },
    }


GENERATORS = {
    "services/api/deploy.yaml": application("unused", "x"),
    "services/web/deploy.yaml": application("unused", "x"),
    "services/.hidden/deploy.yaml": application("unused", "x"),
    "config/dev.json": '{"env": "dev", "wave": "3"}',
    "config/prod.json": '{"env": "prod", "wave": "4"}',
    "apps/list.yaml": appset(
        "list-set",
        [{"list": {"elements": [{"svc": "one", "w": "1"}, {"svc": "two", "w": "2"}]}}],
        app_template("{{svc}}-list", "charts/probe", "{{svc}}", "{{w}}"),
        wave=7,
    ),
    "apps/clusters.yaml": appset(
        "cluster-set",
        [{"clusters": {"selector": {"matchLabels": {"env": "staging"}}}}],
        app_template("{{ .name }}-probe", "charts/probe", "{{ .metadata.labels.env }}"),
        go_template=True,
        wave=8,
    ),
    "apps/dirs.yaml": appset(
        "dir-set",
        [
            {
                "git": {
                    "repoURL": "https://example.com/apps.git",
                    "revision": "main",
                    "directories": [{"path": "services/*"}],
                }
            }
        ],
        app_template("{{path.basename}}-dir", "manifests", "{{path.basename}}"),
    ),
    "apps/files.yaml": appset(
        "file-set",
        [
            {
                "git": {
                    "repoURL": "https://example.com/apps.git",
                    "revision": "main",
                    "files": [{"path": "config/*.json"}],
                }
            }
        ],
        app_template("{{ .env }}-file", "charts/probe", "{{ .env }}", "{{ .wave }}"),
        go_template=True,
    ),
    "apps/matrix.yaml": appset(
        "matrix-set",
        [
            {
                "matrix": {
                    "generators": [
                        {
                            "git": {
                                "repoURL": "https://example.com/apps.git",
                                "revision": "main",
                                "files": [{"path": "config/*.json"}],
                            }
                        },
                        {"list": {"elements": [{"tier": "a"}, {"tier": "b"}]}},
                    ]
                }
            }
        ],
        app_template("{{env}}-{{tier}}", "charts/probe", "{{env}}"),
    ),
    "apps/merge.yaml": appset(
        "merge-set",
        [
            {
                "merge": {
                    "mergeKeys": ["env"],
                    "generators": [
                        {"list": {"elements": [{"env": "dev", "size": "s"}, {"env": "prod", "size": "m"}]}},
                        {"list": {"elements": [{"env": "prod", "size": "xl"}]}},
                    ],
                }
            }
        ],
        app_template("{{env}}-{{size}}", "charts/probe", "{{env}}"),
    ),
}
CLUSTERS = (
    ClusterConfig("in-cluster", "https://kubernetes.default.svc"),
    ClusterConfig("stage-1", "https://stage-1.example.com", labels={"env": "staging"}),
    ClusterConfig("prod-1", "https://prod-1.example.com", labels={"env": "prod"}),
)


@pytest.fixture(scope="module")
def generator_tree(tmp_path_factory):
    repo = make_repo(tmp_path_factory.mktemp("generators"), GENERATORS)
    return walk(repo, clusters=CLUSTERS)


@pytest.mark.parametrize(
    ("appset_name", "children"),
    [
        ("list-set", [("one-list", 1, "one"), ("two-list", 2, "two")]),
        ("cluster-set", [("stage-1-probe", 0, "staging")]),
        ("dir-set", [("api-dir", 0, "api"), ("web-dir", 0, "web")]),
        ("file-set", [("dev-file", 3, "dev"), ("prod-file", 4, "prod")]),
        ("matrix-set", [("dev-a", 0, "dev"), ("dev-b", 0, "dev"), ("prod-a", 0, "prod"), ("prod-b", 0, "prod")]),
    ],
)
def test_applicationsets_are_nodes_and_their_apps_are_children(generator_tree, appset_name, children):
    node = generator_tree.node(appset_name)
    assert (node.kind, node.source, node.error) == ("ApplicationSet", "applicationset", None)
    kids = generator_tree.children(node)
    assert [(k.name, k.wave, k.destination.namespace) for k in kids] == children
    assert all(k.source == "generated" and k.parent == appset_name and not k.error for k in kids)
    assert len(node.manifests) == len(children)


def test_the_cluster_generator_sees_wavecd_yaml_clusters_as_argo_cd_sees_cluster_secrets(tmp_path):
    template = app_template("{{ .nameNormalized }}-x", "charts/probe", "ns")
    template["metadata"]["labels"] = {
        "kind": '{{ index .metadata.labels "argocd.argoproj.io/secret-type" }}',
        "env": '{{ index .metadata.labels "env" }}',
        "team": '{{ index .metadata.annotations "team" }}',
        "server": '{{ .server | trimPrefix "https://" }}',
    }
    secret_type = {"matchLabels": {SECRET_TYPE_LABEL: "cluster"}}
    files = {
        "apps/all.yaml": appset(
            "all-set", [{"clusters": {}}], app_template("{{nameNormalized}}-y", "charts/probe", "ns")
        ),
        "apps/selected.yaml": appset(
            "secret-set", [{"clusters": {"selector": secret_type}}], template, go_template=True
        ),
    }
    clusters = (ClusterConfig("Prod-1", "https://prod-1.example.com", {"env": "prod"}, {"team": "web"}),)

    tree = walk(make_repo(tmp_path, files), clusters=clusters)

    # with no selector, Argo CD adds its own cluster, which has no Secret (so no label selects it)
    assert [k.name for k in tree.children(tree.node("all-set"))] == ["prod-1-y", "in-cluster-y"]
    [selected] = tree.children(tree.node("secret-set"))
    assert (selected.name, selected.obj["metadata"]["labels"]) == (
        "prod-1-x",
        {"kind": "cluster", "env": "prod", "team": "web", "server": "prod-1.example.com"},
    )


def test_merge_generator_children(generator_tree):
    kids = generator_tree.children(generator_tree.node("merge-set"))
    assert sorted(k.name for k in kids) == ["dev-s", "prod-xl"]


def test_an_applicationset_wave_is_its_own_annotation(generator_tree):
    assert generator_tree.node("list-set").wave == 7
    assert generator_tree.node("cluster-set").wave == 8


def test_the_root_may_be_an_applicationset(tmp_path):
    repo = make_repo(tmp_path, {})
    root = appset("root-set", [{"list": {"elements": [{"n": "x"}]}}], app_template("{{n}}", "charts/probe", "ns"))
    tree = walk(repo, root=root)
    assert [(n.name, n.kind, n.parent, n.source) for n in tree.nodes] == [
        ("root-set", "ApplicationSet", None, "applicationset"),
        ("x", "Application", "root-set", "generated"),
    ]


def test_a_failing_applicationset_is_an_error_node(tmp_path):
    repo = make_repo(tmp_path, {"apps/bad.yaml": appset("bad", [{"nope": {}}], app_template("x", "charts/probe", "n"))})
    tree = walk(repo)
    assert tree.node("bad").error == "ApplicationSet contains unrecognized generators"
