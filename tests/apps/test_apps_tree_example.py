"""The example repository's tree: every entry of the seed and every generated service, with their
waves; the root's Applications equal real helm's render of the root chart; read from a git repository
at the revision, it is the same tree."""

import shutil
import subprocess
from pathlib import Path

import yaml

from support.paths import EXAMPLES, STAGING_ROOT_RENDER
from support.staging import GENERATED, SEED_TREE, WAVE_TABLE_ADDITIONS
from wavecd.apps.root import load_root
from wavecd.apps.tree import TreeOptions, build_tree
from wavecd.sources.config import load_config
from wavecd.sources.resolver import SourceResolver

# The seed's tree under root-staging, plus the two entries of its wave table.
SEED = SEED_TREE + WAVE_TABLE_ADDITIONS


def test_every_seed_entry_is_a_child_of_the_root_with_its_wave(example_tree):
    root = example_tree.root
    assert (root.name, root.wave, root.parent, root.source) == ("root-staging", None, None, "git-chart")
    children = {(n.name, n.source, n.wave) for n in example_tree.children(root)}
    assert children == set(SEED)
    assert len(example_tree.children(root)) == len(SEED)


def test_every_generated_service_hangs_under_its_applicationset_with_its_wave(example_tree):
    generated = {
        (n.name, n.parent, n.wave, n.destination.namespace) for n in example_tree.nodes if n.source == "generated"
    }
    assert generated == set(GENERATED)
    assert len(example_tree.nodes) == 1 + len(SEED) + len(GENERATED)


def test_no_app_is_broken_and_every_kind_is_known(example_tree):
    assert [(n.name, n.error) for n in example_tree.broken] == []
    assert [(n.name, n.warnings) for n in example_tree.nodes if n.warnings] == []


def test_the_roots_applications_are_what_real_helm_renders(example_tree):
    expected = [doc for doc in yaml.safe_load_all(STAGING_ROOT_RENDER.read_text()) if doc]
    assert example_tree.root.manifests == expected


def test_nodes_record_sources_revisions_destination_and_manifests(example_tree):
    karpenter = example_tree.node("karpenter")
    assert karpenter.sources[0] == {
        "repoURL": "public.ecr.aws/karpenter",
        "targetRevision": "1.11.1",
        "chart": "karpenter",
        "kind": "oci-chart",
        "revision": "1.11.1",
        "helm": {"releaseName": "karpenter", "valueFiles": ["$values/ca-staging/values/infra/values-karpenter.yaml"]},
    }
    assert karpenter.sources[1]["ref"] == "values"
    assert karpenter.destination.namespace == "kube-system"
    assert {o["kind"] for o in karpenter.manifests} >= {"CustomResourceDefinition", "Deployment"}
    namespaced = [o for o in karpenter.manifests if o["kind"] in ("Deployment", "ServiceAccount", "Service")]
    assert {o["metadata"]["namespace"] for o in namespaced} == {"kube-system"}
    crds = [o for o in karpenter.manifests if o["kind"] == "CustomResourceDefinition"]
    assert all("namespace" not in o["metadata"] for o in crds)
    guard = example_tree.node("loadtest-auth-guard")
    assert [s.get("path") for s in guard.sources] == ["common-charts/apps/java-service", None]
    assert {o["metadata"]["namespace"] for o in guard.manifests} == {"loadtest-webs"}


def _git(folder: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
        "PATH": "/usr/bin:/bin:/usr/local/bin",
        "HOME": str(folder),
    }
    return subprocess.run(["git", *args], cwd=folder, env=env, check=True, capture_output=True, text=True).stdout


def test_read_from_a_git_repository_at_the_revision_it_is_the_same_tree(example_tree, tmp_path):
    shutil.copytree(EXAMPLES / "staging", tmp_path / "staging")
    shutil.copytree(EXAMPLES / "mirror", tmp_path / "mirror")
    repo = tmp_path / "staging"
    config_file = repo / "wavecd.yaml"
    config_file.write_text(config_file.read_text().replace("worktree: true", "worktree: false"))
    _git(repo, "init", "-q", "-b", "argocd-sync/staging")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "staging")
    sha = _git(repo, "rev-parse", "HEAD").strip()
    values = repo / "ca-staging/values/apps/staging-webs/values-queue.yaml"
    values.write_text(values.read_text().replace('tag: "1.9.0-b207"', 'tag: "edited"'))  # not committed

    root = load_root(repo)
    resolver = SourceResolver(load_config(config_file), offline=True, cache_dir=tmp_path / "cache")
    tree = build_tree(
        root.obj, resolver, clusters=root.config.clusters, options=TreeOptions(executor="serial"), root_file=root.file
    )
    assert [(n.name, n.parent, n.wave, n.source) for n in tree.nodes] == [
        (n.name, n.parent, n.wave, n.source) for n in example_tree.nodes
    ]
    assert [n.manifests for n in tree.nodes] == [n.manifests for n in example_tree.nodes]
    assert tree.node("namespaces").revisions == [sha, sha]
    assert tree.node("karpenter").revisions == ["1.11.1", sha]
    assert example_tree.node("namespaces").revisions == ["argocd-sync/staging", "argocd-sync/staging"]

    worktree = SourceResolver(load_config(config_file), offline=True, worktree=True, cache_dir=tmp_path / "cache")
    edited = build_tree(root.obj, worktree, clusters=root.config.clusters, options=TreeOptions(executor="serial"))
    assert _images(edited, "staging-queue")[0].endswith("/backend/queue:edited")
    assert _images(tree, "staging-queue")[0].endswith("/backend/queue:1.9.0-b207")


def _images(tree, name):
    deployments = [o for o in tree.node(name).manifests if o["kind"] == "Deployment"]
    return [c["image"] for d in deployments for c in d["spec"]["template"]["spec"]["containers"]]
