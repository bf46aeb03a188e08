"""Lint rules run on a tree on disk, as `wavecd lint` runs them: the tree walked offline from ROOT, planned with
`plan_tree`, and a `locate` that answers the file declaring each app (the runner's own `locate`, with object
lines, is proven by the runner's integration tests). A finding is compared as the fields a user reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from support.gitops import Child, write_repo
from wavecd.apps.node import AppNode
from wavecd.apps.root import load_root
from wavecd.apps.tree import TreeOptions, build_tree
from wavecd.lint.model import Finding, LintContext, Location, Rule
from wavecd.plan import plan_tree
from wavecd.sources.resolver import SourceResolver


def build_context(root_path: Path, kube_version: str = "1.31.0") -> LintContext:
    root = load_root(root_path)
    resolver = SourceResolver(root.config, offline=True)
    tree = build_tree(
        root.obj, resolver, clusters=root.config.clusters, options=TreeOptions(executor="serial"), root_file=root.file
    )

    def locate(app: AppNode, obj: dict[str, Any] | None) -> Location | None:
        return Location(f"apps/{app.name}.yaml")

    return LintContext(tree=tree, plan=plan_tree(tree), kube_version=kube_version, locate=locate)


def seen(findings: list[Finding]) -> list[tuple[str, str, str | None, int | None, str, str]]:
    """(rule, severity, app, wave, object, message) of each finding: what the text output shows."""
    return [(f.rule, str(f.severity), f.app, f.wave, str(f.obj), f.message) for f in findings]


def lint_children(
    rule: Rule, repo: Path, children: list[Child], kube_version: str = "1.31.0"
) -> list[tuple[str, str, str | None, int | None, str, str]]:
    """`rule`'s findings on a root over `children`, written under `repo`."""
    return seen(list(rule.check(build_context(write_repo(repo, children), kube_version))))
