"""From ROOT and the common flags to a walked tree: the one call `tree`, `render` (and later `sync`) make."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wavecd.apps.helm_source import RenderSettings
from wavecd.apps.node import Tree
from wavecd.apps.render_cache import DiskCache, MemoryCache, RenderCache
from wavecd.apps.root import Root, load_root
from wavecd.apps.tree import TreeOptions, build_tree
from wavecd.core import UserInputError
from wavecd.sources.resolver import SourceResolver, default_cache_dir


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


def open_tree(request: TreeRequest) -> tuple[Root, Tree]:
    root = load_root(request.root, request.config)
    config = root.config
    resolver = SourceResolver(config, offline=request.offline, worktree=request.worktree,
                              extra_repositories=parse_repo_flags(request.repos))
    settings = RenderSettings(config.render.helm_compat, config.render.kube_version, config.render.api_versions)
    cache: RenderCache = DiskCache(default_cache_dir() / "rendered") if request.use_cache else MemoryCache()
    options = TreeOptions(settings=settings, executor=request.executor, workers=request.workers)
    tree = build_tree(root.obj, resolver, clusters=config.clusters, options=options, cache=cache,
                      root_file=root.file)
    return root, tree
