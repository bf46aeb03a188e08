"""From ROOT and the common flags to a walked tree: the one call `tree`, `render` and `sync` make.

`sync` keeps the session open: it renders each app again when the app's wave starts, with the live
cluster's facts, through the same resolver and render cache the walk used.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wavecd.apps.helm_source import RenderSettings
from wavecd.apps.node import Tree
from wavecd.apps.render_cache import DiskCache, MemoryCache, RenderCache
from wavecd.apps.rerender import AppRenderer, settings_for
from wavecd.apps.root import Root, load_root
from wavecd.apps.tree import TreeOptions, build_tree
from wavecd.core import UserInputError
from wavecd.sources.resolver import SourceResolver


@dataclass(frozen=True)
class TreeRequest:
    """The flags every command that takes ROOT accepts."""

    root: Path
    config: Path | None = None
    repos: tuple[str, ...] = ()  # URL=PATH
    worktree: bool = False
    offline: bool = False
    executor: str = "auto"
    workers: int = 0
    use_cache: bool = True
    allow_exec: bool = False  # `--allow-exec`: run the plugins and kustomize programs wavecd.yaml names


def parse_repo_flags(values: tuple[str, ...]) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for value in values:
        url, sep, path = value.rpartition("=")
        if not sep or not url or not path:
            raise UserInputError(f"--repo {value!r}: expected URL=PATH")
        if not Path(path).is_dir():
            raise UserInputError(f"--repo {value!r}: {path} is not a folder")
        out[url] = Path(path).resolve()
    return out


@dataclass
class TreeSession:
    """A walked tree and what walked it, so any of its apps can be rendered again; `settings` are the
    config's offline render settings."""

    root: Root
    tree: Tree
    renderer: AppRenderer
    settings: RenderSettings

    def render_at(
        self, name: str, kube_version: str, api_versions: Sequence[str], revisions: Sequence[str] | None = None
    ) -> list[dict[str, Any]]:
        """App `name`'s manifests rendered as on a cluster of that version and discovery; raises AppError.

        `revisions` (one per source) render the app's sources at those revisions instead of their
        `targetRevision`s: a sync or rollback to a revision the API asked for."""
        try:
            node = self.tree.node(name)
        except KeyError:
            raise UserInputError(f"no app named {name!r} in the tree of {self.root.file}") from None
        if revisions and node.app is not None:
            sources = tuple(
                dataclasses.replace(source, target_revision=revision) if revision else source
                for source, revision in zip(node.app.sources, [*revisions, *[""] * len(node.app.sources)], strict=False)
            )
            node = dataclasses.replace(node, app=dataclasses.replace(node.app, sources=sources))
        return self.renderer.render(node, settings_for(self.settings, kube_version, api_versions))


@dataclass(frozen=True)
class RepositoryPin:
    """The repositories mapped to `folder` (or inside it) read at commit `revision`, or as the working tree
    when it is None: one side of `wavecd diff`."""

    folder: Path
    revision: str | None


def render_cache(request: TreeRequest, cache_dir: Path) -> RenderCache:
    """The render cache a request asks for: on disk beside the sources' cache, or (`--no-cache`) for this run."""
    return DiskCache(cache_dir / "rendered", cache_dir) if request.use_cache else MemoryCache()


def open_session(
    request: TreeRequest,
    *,
    root: Root | None = None,
    pin: RepositoryPin | None = None,
    cache: RenderCache | None = None,
    cluster: tuple[str, Sequence[str]] | None = None,
) -> TreeSession:
    """ROOT walked as the request says. `root` replaces the root loaded from disk (ROOT at a revision), `pin`
    fixes the revision of the repositories in one folder, and `cache` is shared by several walks (the two
    sides of a diff), so an app with the same inputs on both renders once. `cluster` (a version and
    discovery) renders as on that cluster rather than with the config's offline guess: the controller's walk
    then renders a changed app exactly as its reconcile and sync will, so they find its render in the cache."""
    root = root or load_root(request.root, request.config)
    config = root.config
    resolver = SourceResolver(
        config, offline=request.offline, worktree=request.worktree, extra_repositories=parse_repo_flags(request.repos)
    )
    if pin is not None:
        resolver.pin(pin.folder, pin.revision)
    render = config.render
    settings = RenderSettings(
        render.helm_compat,
        render.kube_version,
        render.api_versions,
        render.timeout,
        config.kustomize,
        config.plugins,
        request.allow_exec,
    )
    cache = cache or render_cache(request, resolver.cache_dir)
    walked = settings if cluster is None else settings_for(settings, *cluster)
    options = TreeOptions(settings=walked, executor=request.executor, workers=request.workers)
    tree = build_tree(root.obj, resolver, clusters=config.clusters, options=options, cache=cache, root_file=root.file)
    return TreeSession(root, tree, AppRenderer(resolver, tree.kinds, cache), settings)


def open_tree(request: TreeRequest) -> tuple[Root, Tree]:
    session = open_session(request)
    return session.root, session.tree
