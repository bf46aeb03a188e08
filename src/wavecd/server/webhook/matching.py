"""Which apps a push refreshes: Argo CD's `HandleEvent` matching, without the refresh itself.

A source is touched when its `repoURL` names the pushed repository (`GetWebURLRegex`), its
`targetRevision` names the pushed revision (`sourceRevisionHasChanged`), and — if the app carries
`argocd.argoproj.io/manifest-generate-paths` — a changed file lies on one of those paths
(`GetSourceRefreshPaths`, `AppFilesHaveChanged`). One touched source refreshes the whole app.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from wavecd.apps.model import Application
from wavecd.common import MANIFEST_GENERATE_PATHS
from wavecd.helm.gomatch import BadPattern
from wavecd.helm.gomatch import match as go_path_match
from wavecd.semver import SemverError, parse_constraints, parse_version
from wavecd.server.webhook.events import PushEvent, parse_revision

__all__ = [
    "TrackedApp",
    "TrackedSource",
    "affected_apps",
    "files_have_changed",
    "refresh_paths",
    "revision_has_changed",
    "shown_apps",
    "tracked_app",
    "web_url_regex",
]


@dataclass(frozen=True)
class TrackedSource:
    """What of an app's source a push is matched against."""

    repo_url: str
    target_revision: str
    path: str


@dataclass(frozen=True)
class TrackedApp:
    """An app as the webhook sees it; `manifest_generate_paths` is the annotation's value, if any."""

    name: str
    sources: tuple[TrackedSource, ...]
    manifest_generate_paths: str | None


def tracked_app(app: Application) -> TrackedApp:
    """The parts of an Application that decide whether a push refreshes it."""
    return TrackedApp(
        name=app.name,
        sources=tuple(TrackedSource(s.repo_url, s.target_revision, s.path) for s in app.sources),
        manifest_generate_paths=app.annotations.get(MANIFEST_GENERATE_PATHS),
    )


# Argo CD's `usernameRegex` with Go's ASCII-only `\w` spelled out.
_USERNAME = r"[A-Za-z0-9_.][A-Za-z0-9_.-]{0,30}[A-Za-z0-9_.$-]?"
# Go's `url.EscapedPath` keeps a path as written when these are all it holds, else escapes it anew.
_VALID_ESCAPED_PATH = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@\[\]/%]*")


def _escaped_path(raw: str) -> str:
    if _VALID_ESCAPED_PATH.fullmatch(raw):
        return raw
    return quote(unquote(raw), safe="$&+,/:;=@")


def web_url_regex(web_url: str) -> re.Pattern[str] | None:
    """`GetWebURLRegex`: every spelling of `web_url`'s repository a `repoURL` may use, or None when the
    URL does not parse (Argo CD then skips it).

    Optional `http(s)://` or `ssh://`, optional `user@`, optional `ssh.`/`altssh.` before the host,
    optional `:port`, then `:` or `/`, the path, optional `.git`; case-insensitive, whole string.
    """
    try:
        parts = urlsplit(web_url)
        _ = parts.port  # a port that is not a number raises ValueError, as Go's Parse fails
    except ValueError:
        return None
    if not parts.scheme and ":" in web_url.split("/", 1)[0]:
        return None  # Go: "first path segment in URL cannot contain colon" (git@host:org/repo)
    host = re.escape(parts.hostname or "")
    path = re.escape(_escaped_path(parts.path).removeprefix("/"))
    return re.compile(rf"((https?|ssh)://)?({_USERNAME}@)?((alt)?ssh\.)?{host}(:[0-9]+)?[:/]{path}(\.git)?\Z", re.I)


def _revisions_match(revision: str, target: str) -> bool:
    """`compareRevisions`: equal, or `target` is a semver constraint the revision satisfies."""
    if revision == target:
        return True
    try:
        return parse_constraints(target).check(parse_version(revision))
    except SemverError:
        return False


def revision_has_changed(target_revision: str, revision: str, touched_head: bool) -> bool:
    """`sourceRevisionHasChanged`: whether a source at `target_revision` follows the pushed revision."""
    target = parse_revision(target_revision)
    if target in ("HEAD", ""):
        return touched_head
    if target_revision.startswith(("refs/heads/", "refs/tags/")):
        return _revisions_match(revision, target)
    return _revisions_match(revision, target_revision)


def _go_clean(path: str) -> str:
    """Go's `filepath.Clean` (posixpath keeps a leading `//`, Go does not)."""
    cleaned = posixpath.normpath(path)
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def refresh_paths(annotation: str | None, source_path: str) -> list[str]:
    """`GetSourceRefreshPaths`: the annotation's paths, repository-relative.

    Split on `;`, trimmed, empty items dropped; `/x` is `x` from the repository root, anything else is
    relative to the source's `path` (so `.` is the source's own folder).
    """
    paths: list[str] = []
    for raw in (annotation or "").split(";"):
        item = raw.strip()
        if not item:
            continue
        if item.startswith("/"):
            paths.append(item[1:])
        else:
            paths.append(_go_clean(posixpath.join(source_path, item)))
    return paths


def _absolute(path: str) -> str:
    return path if path.startswith("/") else "/" + path


def _under(root: str, file: str) -> bool:
    """`security.EnforceToCurrentRoot(root, file)` succeeds: the file's folder is `root` or below it."""
    root = _go_clean(root)
    folder = _go_clean(file[: file.rfind("/") + 1])
    if root in ("/", folder):
        return True
    return (folder.rstrip("/") + "/").startswith(root.rstrip("/") + "/")


def _glob_matches(pattern: str, file: str) -> bool:
    try:
        return go_path_match(pattern, file)
    except BadPattern:
        return False


def files_have_changed(paths: Iterable[str], changed_files: tuple[str, ...] | None) -> bool:
    """`AppFilesHaveChanged`: true without a file list or without paths, else when any changed file
    equals a path, lies under it, or matches it as a `filepath.Match` glob."""
    roots = [_absolute(path) for path in paths]
    if not changed_files or not roots:
        return True
    for file in map(_absolute, changed_files):
        for root in roots:
            if file == root or _under(root, file) or _glob_matches(root, file):
                return True
    return False


def affected_apps(event: PushEvent, apps: Iterable[TrackedApp]) -> list[str]:
    """The names of the apps the push refreshes, each once, in the order given."""
    patterns = [pattern for url in event.repo_urls if (pattern := web_url_regex(url)) is not None]
    affected: list[str] = []
    for app in apps:
        if any(_source_touched(event, app, source, patterns) for source in app.sources):
            affected.append(app.name)
    return affected


def _source_touched(event: PushEvent, app: TrackedApp, source: TrackedSource, patterns: list[re.Pattern[str]]) -> bool:
    return (
        revision_has_changed(source.target_revision, event.revision, event.touched_head)
        and any(pattern.match(source.repo_url) for pattern in patterns)
        and files_have_changed(refresh_paths(app.manifest_generate_paths, source.path), event.changed_files)
    )


def shown_apps(names: Sequence[str]) -> str:
    """Apps named in a log line: the first five, then how many more, so a push to a big tree stays one line."""
    return ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
