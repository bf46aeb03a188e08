"""The render cache keys an app by the content it reads, not by the commit: a real git repository, a commit
after each change, and a walk at each commit through the real `SourceResolver` (as `wavecd serve` walks
after each push). What a user sees: how many apps each walk rendered, and the commit each app names."""

import dataclasses
import shutil

import pytest
from apps_support import REPO

from support.gitops import application, git, write_files
from wavecd.apps.errors import AppError
from wavecd.apps.helm_source import RenderSettings
from wavecd.apps.render_cache import MemoryCache
from wavecd.apps.rerender import AppRenderer
from wavecd.apps.tree import TreeOptions, build_tree
from wavecd.sources.config import RepositoryMapping, WavecdConfig
from wavecd.sources.resolver import SourceResolver

APPS_URL = "https://example.com/apps.git"
VALUES_URL = "https://example.com/values.git"
SERIAL = TreeOptions(executor="serial")
ROOT = application("root", "apps", namespace="argocd")


def _repo(path, files):
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    return _commit(path, files)


def _commit(path, files, message="change"):
    write_files(path, files)
    git(path, "add", "-A")
    git(path, "commit", "-q", "--allow-empty", "-m", message)
    return git(path, "rev-parse", "HEAD")


def _values(node):
    """The chart's values as its ConfigMap shows them."""
    return next(o for o in node.manifests if o["kind"] == "ConfigMap")["data"]["values"]


class Walker:
    """Walks the tree of the apps repository (and a values repository) with one shared render cache."""

    def __init__(self, tmp_path, apps_files, values_files=None):
        self.apps = tmp_path / "apps"
        self.apps.mkdir()
        shutil.copytree(REPO / "charts", self.apps / "charts")
        shutil.copytree(REPO / "values", self.apps / "values")
        _repo_files = {"apps/.keep": "", **apps_files}
        git(self.apps, "init", "-q", "-b", "main")
        _commit(self.apps, _repo_files)
        mappings = [RepositoryMapping(APPS_URL, self.apps)]
        self.values = None
        if values_files is not None:
            self.values = tmp_path / "values"
            _repo(self.values, values_files)
            mappings.append(RepositoryMapping(VALUES_URL, self.values))
        self.config = WavecdConfig(repositories=tuple(mappings))
        self.cache_dir = tmp_path / "cache"
        self.cache = MemoryCache()

    def walk(self):
        resolver = SourceResolver(self.config, cache_dir=self.cache_dir)  # a walk's own, as each controller walk
        tree = build_tree(ROOT, resolver, options=SERIAL, cache=self.cache)
        return tree, {n.name: n for n in tree.nodes}


def test_an_app_whose_files_did_not_change_is_not_rendered_again_at_a_new_commit(tmp_path):
    w = Walker(
        tmp_path,
        {
            "apps/a.yaml": application("a", "charts/probe", helm={"valueFiles": ["../../values/base.yaml"]}),
            "apps/b.yaml": application("b", "charts/probe"),
            "apps/c.yaml": application("c", "charts/broken"),
        },
    )
    first, nodes = w.walk()
    assert first.rendered > 0
    sha = _commit(w.apps, {"README.md": "a file no app reads\n"})
    again, now = w.walk()
    assert again.rendered == 0
    assert [n.manifests for n in again.nodes] == [n.manifests for n in first.nodes]
    assert now["c"].error == nodes["c"].error  # a failed render is served as well, word for word
    # the revision each app names is still the commit it was read at
    assert {s["revision"] for n in now.values() for s in n.sources} == {sha}


def test_a_changed_values_file_renders_only_the_apps_that_read_it(tmp_path):
    w = Walker(
        tmp_path,
        {
            "apps/a.yaml": application("a", "charts/probe", helm={"valueFiles": ["../../values/base.yaml"]}),
            "apps/b.yaml": application("b", "charts/probe"),
            "apps/d.yaml": application("d", "charts/probe", helm={"valueFiles": ["../../values/*.yaml"]}),
        },
    )
    w.walk()
    _commit(w.apps, {"values/base.yaml": "greeting: bumped\n"})
    tree, nodes = w.walk()
    assert tree.rendered == 2  # a and d read it, b does not
    assert '"greeting":"bumped"' in _values(nodes["a"])
    _commit(w.apps, {"values/extra.yaml": "more: 1\n"})
    tree, _ = w.walk()
    assert tree.rendered == 1  # only d's glob matches the new file


def test_a_change_in_the_chart_folder_renders_the_apps_of_that_chart(tmp_path):
    w = Walker(
        tmp_path,
        {
            "apps/a.yaml": application("a", "charts/probe"),
            "apps/m.yaml": application("m", "manifests-copy"),
            "manifests-copy/cm.yaml": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "m"}},
        },
    )
    w.walk()
    _commit(w.apps, {"charts/probe/templates/extra.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"})
    tree, nodes = w.walk()
    assert tree.rendered == 1
    assert "x" in {o["metadata"]["name"] for o in nodes["a"].manifests}
    _commit(w.apps, {"manifests-copy/cm.yaml": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "m2"}}})
    tree, nodes = w.walk()
    assert tree.rendered == 1
    assert [o["metadata"]["name"] for o in nodes["m"].manifests] == ["m2"]


def _multi_source(name):
    app = application(name, "charts/probe", helm={"valueFiles": ["$values/envs/seat.yaml"]})
    source = app["spec"].pop("source")
    app["spec"]["sources"] = [source, {"repoURL": VALUES_URL, "targetRevision": "main", "ref": "values"}]
    return app


def test_ref_values_count_by_the_files_read_from_the_ref_repository(tmp_path):
    w = Walker(
        tmp_path,
        {"apps/a.yaml": _multi_source("a"), "apps/b.yaml": application("b", "charts/probe")},
        values_files={"envs/seat.yaml": "greeting: one\n", "envs/other.yaml": "greeting: other\n"},
    )
    w.walk()
    values_sha = _commit(w.values, {"envs/other.yaml": "greeting: changed\n"})
    tree, nodes = w.walk()
    assert tree.rendered == 0  # a reads seat.yaml only
    assert [s["revision"] for s in nodes["a"].sources][1] == values_sha
    _commit(w.values, {"envs/seat.yaml": "greeting: two\n"})
    tree, nodes = w.walk()
    assert tree.rendered == 1
    assert '"greeting":"two"' in _values(nodes["a"])


def test_a_symlink_in_the_chart_reads_its_target_at_every_commit(tmp_path):
    w = Walker(tmp_path, {"apps/a.yaml": application("a", "charts/probe"), "shared/values.yaml": "greeting: one\n"})
    (w.apps / "charts/probe/values.yaml").unlink()
    (w.apps / "charts/probe/values.yaml").symlink_to("../../shared/values.yaml")
    _commit(w.apps, {})
    w.walk()
    _commit(w.apps, {"shared/values.yaml": "greeting: two\n"})
    tree, nodes = w.walk()
    assert tree.rendered == 1
    assert '"greeting":"two"' in _values(nodes["a"])


def test_an_error_served_from_the_cache_names_the_files_in_the_users_repository(tmp_path):
    w = Walker(
        tmp_path,
        {
            "apps/a.yaml": application("a", "charts/probe", helm={"valueFiles": ["../../values/bad.yaml"]}),
            "values/bad.yaml": "greeting: [unclosed\n",
        },
    )
    _, nodes = w.walk()
    # Helm names the values file by its path: the one in the user's repository, not the commit's export
    where = f"failed to parse {w.apps}/values/bad.yaml: "
    assert where in nodes["a"].error
    _commit(w.apps, {"README.md": "unrelated\n"})
    tree, nodes = w.walk()
    assert tree.rendered == 0
    assert where in nodes["a"].error


def test_export_subst_keys_the_tree_by_its_commit(tmp_path):
    # `git archive` writes the commit into files marked `export-subst`: no file of that tree is content alone
    w = Walker(
        tmp_path,
        {
            "apps/m.yaml": application("m", "manifests-copy"),
            ".gitattributes": "*.yaml export-subst\n",
            "manifests-copy/cm.yaml": "kind: ConfigMap\napiVersion: v1\nmetadata: {name: m}\ndata: {at: $Format:%H$}\n",
        },
    )
    w.walk()
    sha = _commit(w.apps, {"README.md": "unrelated\n"})
    tree, nodes = w.walk()
    assert tree.rendered == 2  # the root and m: both read files of this commit
    assert nodes["m"].manifests[0]["data"] == {"at": sha}


def test_a_commit_named_by_its_sha_shares_the_render_of_its_branch(tmp_path):
    # what a sync to a revision, or `wavecd diff --from`, asks: the same files, named another way
    w = Walker(
        tmp_path,
        {
            "apps/m.yaml": application("m", "manifests-copy"),
            "manifests-copy/cm.yaml": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "m"}},
            "apps/a.yaml": application("a", "charts/probe", helm={"valueFiles": ["../../values/bad.yaml"]}),
            "values/bad.yaml": "greeting: [unclosed\n",
        },
    )
    tree, nodes = w.walk()
    sha = nodes["m"].sources[0]["revision"]
    renderer = AppRenderer(SourceResolver(w.config, cache_dir=w.cache_dir), tree.kinds, CountingCache(w.cache))
    settings = RenderSettings(api_versions=tuple(sorted(set(tree.kinds.api_versions))))
    assert renderer.render(_at(nodes["m"], sha), settings) == nodes["m"].manifests
    with pytest.raises(AppError) as failed:
        renderer.render(_at(nodes["a"], sha), settings)
    assert renderer.cache.puts == 0
    assert f"{APPS_URL}@{sha}" in failed.value.render()  # the location names the revision asked for
    assert f"{APPS_URL}@main" in nodes["a"].error_location


class CountingCache:
    def __init__(self, cache):
        self.cache, self.puts = cache, 0

    def get(self, digest):
        return self.cache.get(digest)

    def put(self, digest, output):
        self.puts += 1
        self.cache.put(digest, output)


def _at(node, revision):
    app = dataclasses.replace(
        node.app, sources=tuple(dataclasses.replace(s, target_revision=revision) for s in node.app.sources)
    )
    return dataclasses.replace(node, app=app)


def test_a_folder_with_jsonnet_counts_by_the_commit(tmp_path):
    # Jsonnet imports files from anywhere in the repository, which its folder's id does not cover
    w = Walker(
        tmp_path,
        {
            "apps/j.yaml": application("j", "jsonnet-app"),
            "jsonnet-app/main.jsonnet": 'local lib = import "../lib/lib.libsonnet";\n{ kind: lib.kind }\n',
            "lib/lib.libsonnet": '{ kind: "ConfigMap" }\n',
            "apps/m.yaml": application("m", "manifests-copy"),
            "manifests-copy/cm.yaml": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "m"}},
        },
    )
    w.walk()
    _commit(w.apps, {"lib/lib.libsonnet": '{ kind: "Secret" }\n'})
    tree, _ = w.walk()
    assert tree.rendered == 1  # j, whatever it renders to; m is a cache hit
