"""The one place the rest of wavecd asks for sources: a git tree at a revision, or a chart at a version.

`apps` calls only `SourceResolver`; how a source is found (a mapped folder, a mirror, a registry,
the cache) is decided here.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from wavecd.core.private_files import cache_root, make_private_folder, restrict_tree
from wavecd.sources.config import RepositoryMapping, WavecdConfig
from wavecd.sources.errors import SourceError
from wavecd.sources.git import GitRepo
from wavecd.sources.repourl import normalize_repo_url
from wavecd.sources.tree_ids import tree_ids

if TYPE_CHECKING:
    from wavecd.sources.chartdeps import DependencyCharts
    from wavecd.sources.charts import ChartFetcher


@dataclass(frozen=True)
class GitTree:
    """A repository's files at one revision, as a read-only local folder."""

    url: str
    root: Path
    revision: str  # the commit SHA, or the requested revision when read from a working tree
    worktree: bool = False
    # the user's folder an exported tree was read from, so that errors can name files where the user has them
    origin: Path | None = None


def _outermost(paths: Sequence[str]) -> list[str]:
    """`paths` without those inside another of them, sorted: git's ls-tree, asked for a folder and a file in
    it, lists the folder's entries instead of the folder."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path == k or path.startswith(k + "/") or k == "." for k in kept):
            kept.append(path)
    return kept


@dataclass(frozen=True)
class ChartSource:
    """A Helm chart fetched for rendering: a folder or a `.tgz`, at the version that was resolved."""

    repo_url: str
    chart: str
    version: str
    path: Path
    digest: str | None = None  # sha256 of the archive, when it came from a registry or the cache
    origin: str = "mirror"  # mirror | registry mirror | cache | registry


class SourceResolver:
    def __init__(
        self,
        config: WavecdConfig,
        *,
        offline: bool = False,
        worktree: bool = False,
        extra_repositories: dict[str, Path] | None = None,
        cache_dir: Path | None = None,
    ):
        self.config = config
        self.offline = offline
        self.worktree = worktree
        self.cache_dir = cache_dir or cache_root()
        mappings = list(config.repositories)
        for url, path in (extra_repositories or {}).items():
            mappings.insert(0, RepositoryMapping(url=url, path=path, worktree=False))
        self._repositories = {normalize_repo_url(m.url): m for m in mappings}
        self._charts: ChartFetcher | None = None
        # A revision resolves once per resolver (one walk, one command): the apps of a tree name the same
        # repository and branch again and again, and each resolution is a `git` process. `revision_of`
        # (the controller's poll) always asks git.
        self._resolved: dict[tuple[str, str], str] = {}
        self._prefixes: dict[str, str] = {}
        # an exported tree -> its repository, its commit, and where in the repository the export starts
        self._exports: dict[Path, tuple[Path, str, str]] = {}

    def pin(self, folder: Path, revision: str | None) -> None:
        """Read every repository mapped to `folder` or a folder inside it at `revision` (a commit), or as its
        working tree when `revision` is None, whatever the Applications' `targetRevision`s and wavecd.yaml's
        `worktree:` say: one side of `wavecd diff`."""
        folder = folder.resolve()
        for key, mapping in self._repositories.items():
            if mapping.path.resolve().is_relative_to(folder):
                self._repositories[key] = dataclasses.replace(mapping, revision=revision, worktree=revision is None)

    def _mapping(self, repo_url: str) -> RepositoryMapping:
        mapping = self._repositories.get(normalize_repo_url(repo_url))
        if mapping is None:
            raise SourceError(
                f"repository {repo_url} is not mapped to a local folder: add it under `repositories:` in "
                "wavecd.yaml or pass --repo URL=PATH"
            )
        return mapping

    def revision_of(self, repo_url: str, revision: str) -> str | None:
        """The commit `revision` of `repo_url` resolves to now, without reading its files (the controller's
        poll); None for a repository read as a working tree, which has no commit to compare."""
        mapping = self._mapping(repo_url)
        if mapping.revision is None and (mapping.worktree or self.worktree):
            return None
        return GitRepo(mapping.path, url=repo_url).resolve(mapping.revision or revision)

    def git_tree(self, repo_url: str, revision: str, needs: Sequence[str] = ()) -> GitTree:
        """The tree of `repo_url` at `revision`; mapped repositories only (wavecd does not clone).

        The whole commit is exported once and shared by every app of it. When git cannot export it all (an
        object missing or unreadable: a partial clone offline, a damaged pack), an app that names the paths
        it `needs` still gets a tree holding just those, so one broken folder does not fail the others."""
        mapping = self._mapping(repo_url)
        if mapping.revision is not None:
            revision = mapping.revision
        elif mapping.worktree or self.worktree:
            return GitTree(url=repo_url, root=mapping.path, revision=revision or "HEAD", worktree=True)
        repo = GitRepo(mapping.path, url=repo_url)
        key = (normalize_repo_url(repo_url), revision)
        sha = self._resolved.get(key)
        if sha is None:
            sha = self._resolved[key] = repo.resolve(revision)
        name = self._export_name(repo, sha)
        destination = self.cache_dir / "git" / name
        if not destination.is_dir():
            try:
                self._export(repo, sha, destination, ())
            except SourceError as whole:
                if not needs:
                    raise
                destination = self._export_needed(repo, sha, name, _outermost(needs), whole)
        self._exports[destination] = (mapping.path, sha, self._prefixes.get(str(repo.path), ""))
        return GitTree(url=repo_url, root=destination, revision=sha, origin=mapping.path)

    def _export_needed(self, repo: GitRepo, sha: str, name: str, needs: list[str], whole: SourceError) -> Path:
        """The export of only `needs` (its own cache folder, named by them), after the whole commit failed."""
        digest = hashlib.sha256("\0".join(needs).encode()).hexdigest()[:16]
        destination = self.cache_dir / "git" / f"{name}-only-{digest}"
        if not destination.is_dir():
            # a value file the app may do without (ignoreMissingValueFiles) is no reason to fail
            present = repo.present(sha, needs)
            if not present or "." in present:  # nothing of it, or all of it: the whole commit's failure stands
                raise whole
            try:
                self._export(repo, sha, destination, present)
            except SourceError as partial:
                raise SourceError(
                    f"{whole.message}; reading only {', '.join(needs)} failed too: {partial.message}"
                ) from None
        return destination

    def _export(self, repo: GitRepo, sha: str, destination: Path, paths: Sequence[str]) -> None:
        """Export into a private staging folder, then rename: a reader never sees a half-written tree."""
        make_private_folder(destination.parent)
        staging = Path(tempfile.mkdtemp(prefix=f".{sha}.", dir=destination.parent))
        try:
            repo.export(sha, staging / "tree", paths)
            restrict_tree(staging / "tree")
            try:
                (staging / "tree").rename(destination)
            except OSError:
                if not destination.is_dir():
                    raise
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        shutil.rmtree(staging) if any(staging.iterdir()) else staging.rmdir()

    def _export_name(self, repo: GitRepo, sha: str) -> str:
        """The cache folder of a commit's export: the SHA, and for a folder inside its repository (which
        exports only that folder) a digest of where it lies, so two folders of one commit never share one."""
        key = str(repo.path)
        if key not in self._prefixes:
            self._prefixes[key] = repo.prefix()
        prefix = self._prefixes[key]
        return f"{sha}-{hashlib.sha256(prefix.encode()).hexdigest()[:16]}" if prefix else sha

    def content_id(self, root: Path, path: Path) -> str | None:
        """Git's id of what `path` holds in the tree `git_tree` exported to `root` (`sources.tree_ids`), so a
        render is keyed by the content it reads rather than by the commit; None for any other root (a working
        tree, a chart) or a commit whose export depends on the commit itself."""
        known = self._exports.get(root)
        ids = tree_ids(known[0], known[1]) if known is not None else None
        if known is None or ids is None:
            return None
        if ids.has_links:
            real_root, real = os.path.realpath(root), os.path.realpath(path)
        else:
            real_root, real = str(root), os.path.normpath(path)
        if real != real_root and not real.startswith(real_root + os.sep):
            return None
        inside = os.path.relpath(real, real_root).replace(os.sep, "/")
        prefix = known[2]  # a folder inside its repository exports only itself: git names its paths from the top
        return ids.content_id(prefix + inside if inside != "." else prefix.rstrip("/") or ".")

    def chart(self, repo_url: str, chart: str, version: str) -> ChartSource:
        """A chart from a Helm repository or OCI registry: a folder mirror, a registry mirror, the
        cache, then the real location (unless offline). `version` may be a version, a constraint or
        a `sha256:` manifest digest; the result names the version that was chosen."""
        if self._charts is None:
            from wavecd.sources.cache import ChartCache
            from wavecd.sources.charts import ChartFetcher

            self._charts = ChartFetcher(self.config.registries, ChartCache(self.cache_dir), offline=self.offline)
        return self._charts.chart(repo_url, chart, version)

    def dependency_charts(self) -> DependencyCharts:
        """Where `helm dependency build` of a chart gets its dependencies: this resolver's charts, with the
        `@name` repositories of wavecd.yaml."""
        from wavecd.sources.chartdeps import DependencyCharts

        return DependencyCharts(self.chart, self.config.registries)

    def close(self) -> None:
        """Release the HTTP connections chart downloads opened (the resolver stays usable)."""
        if self._charts is not None:
            self._charts.close()
