"""The digest of everything a render reads, so an unchanged Application is never rendered twice.

A git tree read at a commit is named by its SHA. Anything read from disk as it is (a working tree, a
mirrored chart folder, value files) is named by its files' paths, sizes and modification times. The
API version list only counts for charts that mention `APIVersions` at all: most charts never look,
so a CRD appearing elsewhere in the tree does not invalidate them.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path
from stat import S_ISREG

import wavecd
from wavecd.apps.helm_source import resolve_value_files, resolve_value_path
from wavecd.apps.model import HelmSpec
from wavecd.apps.render_app import RenderJob, ResolvedSource
from wavecd.core import WavecdError
from wavecd.core.chartarchive import MAX_DECOMPRESSED_FILE_SIZE, TarStreamError, read_chart_archive

DIGEST_VERSION = "wavecd-apps-1"
_API_VERSIONS_MARK = b"APIVersions"
_mentions: dict[str, bool] = {}


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


def _value_paths(job: RenderJob, item: ResolvedSource) -> list[str]:
    helm = item.source.helm or HelmSpec()
    assert item.app_path is not None and item.repo_root is not None
    refs = dict(job.refs)
    try:
        paths = resolve_value_files(helm, item.app_path, item.repo_root, refs)
        paths += [str(resolve_value_path(p, item.app_path, item.repo_root, refs)) for _, p in helm.file_parameters]
    except WavecdError:
        return []  # the render reports it; the digest only has to be stable
    return paths


def job_digest(job: RenderJob, memo: dict[str, list[tuple[str, int, int]]] | None = None) -> str:
    """Hex SHA-256 naming the output of `run_job(job)`.

    `memo` keeps file fingerprints for the length of one command, where files are taken not to change.
    """
    memo = {} if memo is None else memo

    def stat(path: Path) -> list[tuple[str, int, int]]:
        key = str(path)
        if key not in memo:
            memo[key] = _stat_entries(path)
        return memo[key]

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
        entry: list[object] = [source, item.kind, item.revision, item.tool, [str(t) for t in item.trees]]
        if item.app_path is not None:
            # kustomize and plugins may read anywhere in the repository (a base in ../base), the rest only
            # below the app's folder
            reads = item.repo_root if item.kind in ("kustomize", "plugin") and item.repo_root else item.app_path
            if item.worktree or item.label == "oci-chart":
                entry.append(stat(reads))
            else:
                entry.append(str(item.app_path))
            if item.chart_dir is not None:  # named by the digest of the chart and its built dependencies
                entry.append(str(item.chart_dir))
            # remote bases: their trees may be working trees of mapped folders, whatever this source's mode
            entry.extend(stat(tree) for tree in item.trees[1:])
            if item.kind == "helm":
                fingerprint = hashlib.sha256(json.dumps(entry, default=str).encode()).hexdigest()
                uses_api_versions = (
                    uses_api_versions
                    or bool(item.source.helm and item.source.helm.api_versions)
                    or _mentions_api_versions(item.chart_dir or item.app_path, fingerprint)
                )
                entry.append([(p, stat(Path(p))) for p in _value_paths(job, item)])
        parts.append(entry)
    if uses_api_versions:
        parts.append(list(job.settings.api_versions))
    return hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()
