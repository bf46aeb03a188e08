"""Which apps a new walk of the tree refreshes: `changed_apps` compares two real walks of a small repository,
so "changed" means what a user changing a file in git would see — only the apps whose Application or
rendered manifests moved, and every app on the first walk."""

from __future__ import annotations

from pathlib import Path

import yaml

from support.gitops import Child, config_map, write_repo
from wavecd.apps.session import TreeRequest
from wavecd.server.tree_state import changed_apps, walk

ALL = {"root", "alpha", "beta"}


def children(alpha_data: str = "alpha") -> list[Child]:
    alpha = config_map("settings")
    alpha["data"] = {"key": alpha_data}
    return [Child("alpha", [alpha]), Child("beta", [config_map("other")])]


def walk_of(repo: Path):
    return walk(TreeRequest(root=repo / "root.yaml", use_cache=False))


def test_the_first_walk_refreshes_every_app(tmp_path):
    write_repo(tmp_path, children())
    assert changed_apps(None, walk_of(tmp_path)) == ALL


def test_the_same_tree_walked_again_changes_nothing(tmp_path):
    write_repo(tmp_path, children())
    assert changed_apps(walk_of(tmp_path), walk_of(tmp_path)) == set()


def test_a_changed_manifest_refreshes_only_its_app(tmp_path):
    write_repo(tmp_path, children())
    before = walk_of(tmp_path)
    write_repo(tmp_path, children(alpha_data="changed"))
    assert changed_apps(before, walk_of(tmp_path)) == {"alpha"}


def test_a_changed_application_spec_refreshes_that_app(tmp_path):
    write_repo(tmp_path, children())
    before = walk_of(tmp_path)
    path = tmp_path / "apps" / "beta.yaml"
    app = yaml.safe_load(path.read_text())
    app["spec"]["syncPolicy"] = {"automated": {"prune": True}}
    path.write_text(yaml.safe_dump(app))
    # The root renders beta's Application too, so its desired state moved as well.
    assert changed_apps(before, walk_of(tmp_path)) == {"root", "beta"}


def test_a_new_app_is_refreshed_with_the_root_that_declares_it(tmp_path):
    write_repo(tmp_path, children())
    before = walk_of(tmp_path)
    write_repo(tmp_path, [*children(), Child("gamma", [config_map("third")])])
    assert changed_apps(before, walk_of(tmp_path)) == {"root", "gamma"}
