"""CHART of `wavecd helm template` when it is a reference rather than a local path: `oci://host/path/chart`
(with an optional `:tag` or `@sha256:…`) or a chart NAME in a Helm repository given by `--repo URL`.

The chart is fetched through `SourceResolver` (so it lands in wavecd's content-addressed cache) and a
miss is reported in helm's own words, as `helm template` would print it. `wavecd.sources` (and with it
httpx) is imported only here, only when CHART is a reference, so local renders start as fast as before.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wavecd.core.errors import WavecdError
from wavecd.core.goquote import quote, slog_text_value

if TYPE_CHECKING:
    from wavecd.sources.errors import SourceError

OCI_SCHEME = "oci://"
# The distribution spec's repository name: lowercase path components joined by `.`, `_`, `__` or dashes.
_REPOSITORY = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*")


class ChartRefError(WavecdError):
    """The referenced chart could not be fetched; `message` is helm's text when helm has one."""


@dataclass(frozen=True)
class ChartRef:
    """Where to fetch a chart from, with helm's `--version`, `--username/--password` and `--plain-http`."""

    repo_url: str  # `oci://host/path` or the Helm repository's URL
    chart: str
    version: str
    oci: bool
    username: str = ""
    password: str = ""
    plain_http: bool = False


def _helm4(helm_compat: str) -> bool:
    """Whether the mode is a Helm 4 (4.1 and 4.2 fetch and word their errors alike)."""
    from wavecd.helm.compat import MODES

    return MODES[helm_compat].major >= 4


def _warns_fallback(helm_compat: str, version: str) -> bool:
    """Whether helm logs its "falling back to closest available version" line when an index lookup for
    `version` picked another version: helm 4.1 always, helm 4.2 only when `version` is not a range."""
    from wavecd.helm.compat import MODES

    compat = MODES[helm_compat]
    return compat.major >= 4 and not (compat.quiet_range_fallback and _is_version_range(version))


def _is_version_range(version: str) -> bool:
    """Helm 4.2's test for a constraint (as opposed to an exact version): an operator, `||`, ` - `, or an
    `x`/`X` wildcard before any pre-release or build suffix."""
    if any(c in version for c in "^~<>=!*") or "||" in version or " - " in version:
        return True
    core = re.split(r"[-+]", version, maxsplit=1)[0]
    return "x" in core or "X" in core


def is_reference(chart: str, repo: str, helm_compat: str) -> bool:
    """Whether helm's LocateChart would download CHART: helm v4 always does with `--repo`; helm v3 (and
    v4 without `--repo`) first takes an existing local path of that name."""
    name = chart.strip()
    if repo and _helm4(helm_compat):
        return True
    if os.path.exists(name):
        return False
    return bool(repo) or name.startswith(OCI_SCHEME)


def parse_reference(
    chart: str,
    repo: str,
    version: str,
    *,
    username: str = "",
    password: str = "",
    plain_http: bool = False,
    helm_compat: str = "v4",
) -> ChartRef:
    """Split CHART into repository and chart name; a `:tag` or `@digest` in an OCI reference stands for
    `--version` (a different `--version` is refused with helm's text)."""
    name, version = chart.strip(), version.strip()
    if repo:
        return ChartRef(repo, name, version, False, username, password, plain_http)
    location, _, digest = name[len(OCI_SCHEME) :].partition("@")
    host, slash, path = location.partition("/")
    if not host or not slash:
        raise ChartRefError(_reference_error("missing registry or repository", "missing repository", helm_compat))
    folder, _, last = path.rpartition("/")
    chart_name, _, tag = last.partition(":")
    repository = f"{folder}/{chart_name}" if folder else chart_name
    if not _REPOSITORY.fullmatch(repository):
        raise ChartRefError(
            _reference_error(f"invalid repository {quote(repository)}", "invalid repository", helm_compat)
        )
    if tag and version and tag != version:
        raise ChartRefError(f"chart reference and version mismatch: {version} is not {tag}")
    if version.startswith("sha256:"):  # helm reads `--version` as a version or constraint, never a digest
        raise ChartRefError(f"improper constraint: {version}")
    repo_url = OCI_SCHEME + "/".join(filter(None, (host, folder)))
    return ChartRef(repo_url, chart_name, digest or version or tag, True, username, password, plain_http)


def _reference_error(v4_text: str, v3_text: str, helm_compat: str) -> str:
    """ORAS's words for a malformed reference: helm v4's library writes them unlike helm v3's."""
    return f"invalid reference: {v4_text}" if _helm4(helm_compat) else f"invalid_reference: {v3_text}"


def fetch_chart(ref: ChartRef, helm_compat: str) -> tuple[str, list[str]]:
    """The local path (a cached `.tgz`) of the chart `ref` names, fetched if the cache cannot answer, and
    the stderr lines helm logs while locating it."""
    from wavecd.sources.config import RegistryMirror, WavecdConfig
    from wavecd.sources.errors import SourceError
    from wavecd.sources.resolver import SourceResolver

    entries: tuple[RegistryMirror, ...] = ()
    if ref.username or ref.password or ref.plain_http:
        entries = (
            RegistryMirror(
                registry=ref.repo_url,
                username=ref.username or None,
                password=ref.password or None,
                plain_http=ref.plain_http,
            ),
        )
    resolver = SourceResolver(WavecdConfig(registries=entries))
    try:
        found = resolver.chart(ref.repo_url, ref.chart, ref.version)
    except SourceError as err:
        raise _in_helms_words(err, ref, helm_compat) from None
    finally:
        resolver.close()
    warnings = []
    if not ref.oci and ref.version and found.version != ref.version and _warns_fallback(helm_compat, ref.version):
        # helm v4's repository index lookup logs (slog, text format) when a constraint picked the version
        warnings.append(
            'level=WARN msg="unable to find exact version requested; falling back to closest available version" '
            f"chart={slog_text_value(ref.chart)} requested={slog_text_value(ref.version)} "
            f"selected={slog_text_value(found.version)}"
        )
    return str(found.path), warnings


def _in_helms_words(err: SourceError, ref: ChartRef, helm_compat: str) -> ChartRefError:
    """Helm's message for the misses helm has words for; wavecd's own message (with context) otherwise."""
    from wavecd.sources.errors import ChartArchiveError, ChartFetchError, RequestError

    reason = err.reason if isinstance(err, ChartFetchError) else err
    if isinstance(reason, ChartArchiveError):
        # helm downloads the archive, then its loader refuses it: Helm 4 in its own words only
        return ChartRefError("unable to load chart archive" if _helm4(helm_compat) else reason.cause.worded(3))
    text = _oci_text(reason, ref, helm_compat) if ref.oci else _helm_repository_text(reason, ref)
    if text is None:
        denied = isinstance(reason, RequestError) and reason.access_denied
        hint = ["this command takes the credentials from --username and --password"] if denied else []
        return ChartRefError(err.message, context=[*err.context, *hint])
    return ChartRefError(text)


def _helm_repository_text(reason: SourceError, ref: ChartRef) -> str | None:
    """What `helm template --repo` prints for `reason`; None when helm has no words of its own for it."""
    from wavecd.sources.errors import IndexUnavailableError, InvalidVersionError, NotInIndexError

    if isinstance(reason, InvalidVersionError | NotInIndexError):
        text = f'chart "{ref.chart}"' + (f' version "{ref.version}"' if ref.version else "")
        return text + f" not found in {ref.repo_url} repository"
    if isinstance(reason, IndexUnavailableError):
        return f'looks like "{ref.repo_url}" is not a valid chart repository or cannot be reached: {reason.message}'
    return None


def _oci_text(reason: SourceError, ref: ChartRef, helm_compat: str) -> str | None:
    """What `helm template oci://…` prints for `reason` (helm v3 and v4 differ); None as above."""
    from wavecd.sources.errors import (
        InvalidVersionError,
        ManifestNotFoundError,
        NoMatchingTagError,
        NoTagsError,
        RepositoryNotFoundError,
    )

    v4 = _helm4(helm_compat)
    if isinstance(reason, NoMatchingTagError):
        return reason.message if v4 else "C" + reason.message[1:]
    if isinstance(reason, InvalidVersionError):
        return f"improper constraint: {ref.version}"
    if isinstance(reason, NoTagsError):
        return reason.message
    if isinstance(reason, ManifestNotFoundError):
        return f'failed to perform "FetchReference" on source: {reason.message}' if v4 else reason.message
    if isinstance(reason, RepositoryNotFoundError):
        host, _, folder = ref.repo_url[len(OCI_SCHEME) :].partition("/")
        name = f"{folder}/{ref.chart}".lstrip("/")
        url = f"{'http' if ref.plain_http else 'https'}://{host}/v2/{name}/tags/list"
        # The tail is the registry's own error body; this is CNCF distribution's (docker-registry, Harbor, …).
        if v4:
            return (
                f'GET "{url}": response status code 404: name unknown: repository name not known to '
                f"registry: map[name:{name}]"
            )
        return f'GET "{url}": unexpected status code 404: name unknown: repository name not known to registry'
    return None


def update_dependencies(chart_path: str, helm_compat: str) -> str:
    """`helm template --dependency-update`: when the chart folder misses a dependency, `helm dependency
    update` into a copy in the cache (the chart's folder is not written) and the copy's path; else the chart
    itself. Repositories, mirrors and credentials come from the wavecd.yaml above the chart, if any."""
    from wavecd.helm.compat import MODES
    from wavecd.helm.depbuild import build_dependencies, needs_dependency_build

    compat = MODES[helm_compat]
    if os.path.isfile(chart_path):
        if _archive_misses_dependencies(chart_path, compat.major):
            raise ChartRefError("only unpacked charts can be updated")
        return chart_path
    if not needs_dependency_build(chart_path, helm_major=compat.major):
        return chart_path
    from pathlib import Path

    from wavecd.sources.config import WavecdConfig, find_config, load_config
    from wavecd.sources.resolver import SourceResolver

    found = find_config(Path(chart_path))
    resolver = SourceResolver(load_config(found) if found else WavecdConfig())
    try:
        return build_dependencies(chart_path, resolver.dependency_charts(), compat, update=True)
    finally:
        resolver.close()


def _archive_misses_dependencies(path: str, helm_major: int) -> bool:
    """Whether a chart archive lacks a dependency it declares (helm then tries to update it and cannot); one
    that does not load is left to the render, which reports it."""
    from wavecd.helm.dependencies import missing_dependencies
    from wavecd.helm.loader import LoadError, load_chart

    try:
        return bool(missing_dependencies(load_chart(path, helm_major=helm_major, warnings=[])))
    except LoadError:
        return False
