"""The tree the controller holds: one walk of ROOT, its plan, and what changed since the walk before.

A walk is the whole of `wavecd tree` (the render cache makes an unchanged input cost no render), so the
controller walks again whenever a repository it reads may have moved — a poll that resolved a new commit,
a webhook, a hard refresh — and then compares each app's Application and rendered manifests with the walk
before. That is how a push refreshes only the apps whose desired state it changed, even without Argo
CD's `manifest-generate-paths` annotation: an app that renders byte for byte the same is not touched (its
status keeps naming the commit it was last reconciled at).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wavecd.apps.node import AppNode
from wavecd.apps.session import TreeRequest, TreeSession, open_session
from wavecd.common import APPLICATION, APPLICATION_SET
from wavecd.plan import plan_tree
from wavecd.plan.tree_plan import TreePlan
from wavecd.sources.errors import SourceError
from wavecd.sources.repourl import normalize_repo_url
from wavecd.sources.resolver import SourceResolver

__all__ = ["TrackedRevision", "TreeState", "changed_apps", "content_fingerprint", "tracked_revisions", "walk"]

# (normalised repo URL, targetRevision) of a git source
TrackedRevision = tuple[str, str]
WORKTREE_PREFIX = "worktree:"


@dataclass
class TreeState:
    """One walk: the session (to render apps again with the cluster's facts), its plan, the nodes by name,
    and the commit each tracked git revision resolved to when the walk started (None: a working tree)."""

    session: TreeSession
    plan: TreePlan
    nodes: dict[str, AppNode]
    revisions: dict[TrackedRevision, str | None]

    @property
    def root(self) -> AppNode:
        return self.session.tree.root

    def applications(self) -> list[AppNode]:
        return [node for node in self.session.tree.nodes if node.kind == APPLICATION]

    def appsets(self) -> list[AppNode]:
        return [node for node in self.session.tree.nodes if node.kind == APPLICATION_SET]

    def revisions_of(self, node: AppNode) -> tuple[str, ...]:
        """The revision of each of the app's sources as the controller records it: the resolved commit, or
        for a repository read as a working tree (which has no commit) `worktree:` and a digest of what the
        app renders — so that new content is a new revision to Argo CD's auto-sync rules, and a failed sync
        of the same content is not tried again."""
        out = []
        for source in node.sources:
            key = (normalize_repo_url(source.get("repoURL", "")), source.get("targetRevision", ""))
            if not source.get("chart") and key in self.revisions and self.revisions[key] is None:
                out.append(WORKTREE_PREFIX + _content_digest(node))
            else:
                out.append(source.get("revision", ""))
        return tuple(out)


def walk(request: TreeRequest, *, hard: bool = False, cluster: tuple[str, Sequence[str]] | None = None) -> TreeState:
    """Walk ROOT; `hard` renders every app again instead of taking it from the render cache (Argo CD's hard
    refresh bypasses the repo-server's manifest cache). `cluster` (version, discovery) renders as on the
    cluster, so a changed app is rendered once: its reconcile and sync find the walk's render in the cache."""
    if hard:
        request = dataclasses.replace(request, use_cache=False)
    session = open_session(request, cluster=cluster)
    nodes = {node.name: node for node in session.tree.nodes}
    resolver = _resolver(session)
    return TreeState(session, plan_tree(session.tree), nodes, tracked_revisions(session.tree.nodes, resolver))


def _resolver(session: TreeSession) -> SourceResolver:
    resolver = session.renderer.resolver
    assert isinstance(resolver, SourceResolver)
    return resolver


def _git_sources(nodes: list[AppNode]) -> set[TrackedRevision]:
    out = set()
    for node in nodes:
        for source in node.sources:
            if source.get("repoURL") and not source.get("chart"):
                out.add((normalize_repo_url(source["repoURL"]), source.get("targetRevision", "")))
    return out


def tracked_revisions(nodes: list[AppNode], resolver: SourceResolver) -> dict[TrackedRevision, str | None]:
    """The commit each git (repository, targetRevision) of the tree resolves to now. A revision that cannot
    be resolved maps to "" (the walk reports it on the app)."""
    out: dict[TrackedRevision, str | None] = {}
    for url, revision in sorted(_git_sources(nodes)):
        try:
            out[(url, revision)] = resolver.revision_of(url, revision)
        except SourceError:
            out[(url, revision)] = ""
    return out


def revisions_moved(state: TreeState) -> bool:
    """Whether a walk now could differ from `state`'s: a tracked revision resolves to another commit, or a
    repository is read as a working tree (whose files may have changed at any time)."""
    now = tracked_revisions(list(state.nodes.values()), _resolver(state.session))
    return any(sha is None for sha in now.values()) or now != state.revisions


def _content_digest(node: AppNode) -> str:
    return hashlib.sha256(content_fingerprint(node).encode()).hexdigest()[:12]


def content_fingerprint(node: AppNode) -> str:
    """What makes an app's desired state: its Application object and what it renders to (or why it does
    not). The render digest would not do: it names a git tree by its commit, so every push changes it."""
    return json.dumps([node.obj, node.error, node.manifests], sort_keys=True, default=str)


def changed_apps(before: TreeState | None, after: TreeState) -> set[str]:
    """The apps (and ApplicationSets) of `after` that are new or whose desired state differs from `before`."""
    if before is None:
        return set(after.nodes)
    old: Mapping[str, AppNode] = before.nodes
    return {
        name
        for name, node in after.nodes.items()
        if name not in old or content_fingerprint(old[name]) != content_fingerprint(node)
    }


def source_summaries(node: AppNode) -> list[dict[str, Any]]:
    """The app's sources as Argo CD writes them under `status.sync.comparedTo`."""
    app = node.app
    if app is None:
        return []
    spec = node.obj.get("spec") or {}
    if "sources" in spec and isinstance(spec["sources"], list):
        return [dict(s) for s in spec["sources"] if isinstance(s, dict)]
    source = spec.get("source")
    return [dict(source)] if isinstance(source, dict) else []
