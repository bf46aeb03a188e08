"""The digest of everything a render reads, so an unchanged Application is never rendered twice.

A git tree read at a commit is named by git's ids of the paths the app reads (its source folder, its value
files, `$ref` files: `sources.tree_ids`), not by the commit: a push renders again only the apps whose
inputs it changed, and two revisions share every app they render alike (the recorded revision comes from
the walk, never from the cache). Where git cannot name the content the commit's folder does. Anything read
from disk as it is (a working tree, a mirrored chart folder, value files) is named by its files' paths,
sizes and modification times. The
API version list only counts for charts that mention `APIVersions` at all: most charts never look,
so a CRD appearing elsewhere in the tree does not invalidate them.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from stat import S_ISREG
from typing import Protocol, runtime_checkable

import wavecd
from wavecd.apps.helm_source import resolve_value_files, resolve_value_path
from wavecd.apps.model import HelmSpec
from wavecd.apps.render_app import RenderJob, ResolvedSource
from wavecd.core import WavecdError
from wavecd.core.chartarchive import MAX_DECOMPRESSED_FILE_SIZE, TarStreamError, read_chart_archive

DIGEST_VERSION = "wavecd-apps-5"
_API_VERSIONS_MARK = b"APIVersions"
_mentions: dict[str, bool] = {}
_jsonnet: dict[str, bool] = {}
_JSONNET = (".jsonnet", ".libsonnet")


@runtime_checkable
class ContentIds(Protocol):
    """Names what a path of an exported git tree holds (`SourceResolver.content_id`); None: not known."""

    def content_id(self, root: Path, path: Path) -> str | None: ...


def _stat_entries(path: Path) -> list[tuple[str, int, int]]:
    try:
        if path.is_file():
            st = path.stat()
            return [(path.name, st.st_size, st.st_mtime_ns)]
    except OSError:
        return [(path.name, -1, -1)]
    out = []
    for folder, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(folder, name)
            try:
                st = os.stat(full)
            except OSError:
                continue
            out.append((os.path.relpath(full, path), st.st_size, st.st_mtime_ns))
    return out


def _mentions_api_versions(path: Path, fingerprint: str) -> bool:
    """Whether any file of the chart (folder or .tgz) contains `APIVersions`; cached per fingerprint.

    The chart is untrusted and not yet loaded, so nothing is read beyond Helm's limits: an archive is
    streamed entry by entry within them (a 3 MB archive can inflate to 3 GiB), and one that breaks them
    or is broken counts as no mention, since the render then fails with Helm's error anyway. In a folder
    only regular files (links to them included, as Helm's loader follows links) within the file limit are
    read, and no more than that limit of any: never a device, FIFO or a file of gigabytes."""
    known = _mentions.get(fingerprint)
    if known is not None:
        return known
    found = _archive_mentions(path) if path.is_file() else _folder_mentions(path)
    _mentions[fingerprint] = found
    return found


def _archive_mentions(path: Path) -> bool:
    try:
        with path.open("rb") as stream:
            for entry in read_chart_archive(stream):
                if not (entry.is_dir or entry.is_global_header) and _API_VERSIONS_MARK in entry.read():
                    return True
    except (OSError, TarStreamError):
        pass
    return False


def _folder_mentions(path: Path) -> bool:
    for folder, _dirs, files in os.walk(path):
        for name in files:
            full = Path(folder, name)
            try:
                st = full.stat()  # a link is followed as Helm follows it, but only to a regular file
                if not S_ISREG(st.st_mode) or st.st_size > MAX_DECOMPRESSED_FILE_SIZE:
                    continue
                with full.open("rb") as fh:
                    if _API_VERSIONS_MARK in fh.read(MAX_DECOMPRESSED_FILE_SIZE + 1):
                        return True
            except OSError:
                continue
    return False


def _has_jsonnet(path: Path | None) -> bool:
    """Whether a folder holds Jsonnet (which imports files outside it); kept per path, an exported commit's."""
    if path is None:
        return False
    key = str(path)
    if key not in _jsonnet:
        _jsonnet[key] = any(
            name.endswith((".jsonnet", ".libsonnet")) for _folder, _dirs, files in os.walk(path) for name in files
        )
    return _jsonnet[key]


def _value_paths(job: RenderJob, item: ResolvedSource) -> tuple[list[str], str | None]:
    """The value and `fileParameters` files the render reads, or why they cannot be found (the error is
    then part of the key: its text depends on the files, e.g. a glob that matched nothing)."""
    helm = item.source.helm or HelmSpec()
    assert item.app_path is not None and item.repo_root is not None
    refs = dict(job.refs)
    try:
        paths = resolve_value_files(helm, item.app_path, item.repo_root, refs)
        paths += [str(resolve_value_path(p, item.app_path, item.repo_root, refs)) for _, p in helm.file_parameters]
    except WavecdError as err:
        return [], err.message
    return paths, None


def _reads(item: ResolvedSource, stat: Callable[[Path], list[tuple[str, int, int]]]) -> Path:
    """The folder whose files a render of `item` may read: kustomize and plugins anywhere in the repository
    (a base in ../base), Jsonnet too (an import of ../lib, `jsonnet.libs`) when the folder holds any, the
    rest only below the app's folder."""
    assert item.app_path is not None
    if item.repo_root is None:
        return item.app_path
    if item.kind in ("kustomize", "plugin"):
        return item.repo_root
    if item.kind == "directory" and any(name.endswith(_JSONNET) for name, _, _ in stat(item.app_path)):
        return item.repo_root
    return item.app_path


def git_roots(job: RenderJob) -> list[tuple[str, Path]]:
    """The roots of the job's exported git trees, each with the name the key gives it: `.` for the app's
    own repository, `$ref` for a ref's (a root's path names its commit, so it never enters the key)."""
    refs = {str(root): name for name, root in job.refs}
    out: list[tuple[str, Path]] = []
    for item in job.sources:
        if item.repo_root is not None and not item.worktree and item.label != "oci-chart":
            name = refs.get(str(item.repo_root), ".")
            if (name, item.repo_root) not in out:
                out.append((name, item.repo_root))
    return out


def job_digest(
    job: RenderJob, memo: dict[str, list[tuple[str, int, int]]] | None = None, ids: ContentIds | None = None
) -> str:
    """Hex SHA-256 naming the output of `run_job(job)`.

    `memo` keeps file fingerprints for the length of one command, where files are taken not to change.
    `ids` names git content (the resolver); without it, or where it cannot, a git tree counts by its commit.
    """
    memo = {} if memo is None else memo
    roots = git_roots(job)

    def stat(path: Path) -> list[tuple[str, int, int]]:
        key = str(path)
        if key not in memo:
            memo[key] = _stat_entries(path)
        return memo[key]

    def content(path: Path) -> object:
        """What `path` holds: git's id within an exported tree; else its path, which names the commit in an
        exported tree, with its file fingerprints anywhere else."""
        for name, root in roots:
            if str(path) == str(root) or str(path).startswith(str(root).rstrip("/") + "/"):
                found = ids.content_id(root, path) if ids is not None else None
                return str(path) if found is None else [name, os.path.relpath(path, root), found]
        return [str(path), stat(path)]

    parts: list[object] = [
        DIGEST_VERSION,
        wavecd.__version__,
        job.app.name,
        job.app.destination.namespace,
        job.settings.helm_compat,
        job.settings.kube_version,
        asdict(job.settings.kustomize),
        [asdict(plugin) for plugin in job.settings.plugins],
    ]
    uses_api_versions = False
    for item in job.sources:
        source = asdict(item.source)
        # kustomize and plugins read the whole repository, Jsonnet may import from anywhere in it, and they
        # may be handed the commit itself (`ARGOCD_APP_REVISION`, `apps.build_env`): only Helm and plain
        # folders count by content
        by_content = (
            ids is not None
            and (item.kind in ("helm", "ref") or (item.kind == "directory" and not _has_jsonnet(item.app_path)))
            and "ARGOCD_APP_REVISION" not in json.dumps(source, default=str)
            and any(root == item.repo_root for _, root in roots)
        )
        if by_content:
            # Which revision named the commit does not change what is read there: a branch and its commit SHA
            # (a sync to a revision) share the render; the texts that name the revision are stored with a
            # placeholder (`render_cache.keep`).
            source["target_revision"] = bool(item.source.target_revision)
        revision: list[object] = [] if by_content else [item.revision]
        entry: list[object] = [source, item.kind, *revision, item.tool, [str(t) for t in item.trees]]
        if item.app_path is not None:
            reads: list[object] = []  # what names the files the source reads
            if item.worktree or item.label == "oci-chart":
                reads.append(stat(_reads(item, stat)))
            else:
                reads.append(content(item.app_path) if by_content else str(item.app_path))
            if item.chart_dir is not None:  # named by the digest of the chart and its built dependencies
                reads.append(str(item.chart_dir))
            # remote bases: their trees may be working trees of mapped folders, whatever this source's mode
            reads.extend(stat(tree) for tree in item.trees[1:])
            # charts kustomize would pull: an archive by its digest, a mirror's archive or folder by its files
            reads.extend(chart.digest or stat(chart.path) for chart in item.charts)
            entry.extend(reads)
            if item.kind == "helm":
                # whether the chart mentions APIVersions depends on its files alone: apps sharing a chart
                # (each with its own values) share one scan of it
                chart = [str(item.chart_dir or item.app_path), *revision, reads]
                fingerprint = hashlib.sha256(json.dumps(chart, default=str).encode()).hexdigest()
                uses_api_versions = (
                    uses_api_versions
                    or bool(item.source.helm and item.source.helm.api_versions)
                    or _mentions_api_versions(item.chart_dir or item.app_path, fingerprint)
                )
                paths, error = _value_paths(job, item)
                entry.append([content(Path(p)) for p in paths] if error is None else ["error", error])
        parts.append(entry)
    if uses_api_versions:
        parts.append(list(job.settings.api_versions))
    return hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()
