"""The repository boundary: nothing a render reads from a source may resolve outside the source's root.

A repository is untrusted, and a symlink committed in it (or lying in a working tree) can point anywhere:
followed, it would pull a kubeconfig or a token into the rendered manifests (Argo CD's CVE-2022-24904 and
CVE-2022-31036). Argo CD's repo-server refuses a checkout holding any out-of-bounds symlink before it
renders (`CheckOutOfBoundsSymlinks` in argoproj/argo-cd util/app/path/path.go, called from
reposerver/repository/repository.go) and resolves each values file's real path
(`ResolveValueFilePathOrUrl`, util/io/path/resolved.go).

wavecd checks what a render reads rather than the whole checkout: `check_folder` walks the app's path up
front (every link in it, following links to folders that stay inside), and `check_file` resolves each
file read from elsewhere in the source (a values file, a `$ref` values file). A working tree holds things a
clean checkout never has (a `.venv` whose `python` links to `/usr/bin`), and one such link outside the
app's path must not stop every app of the repository. Unlike Argo CD, a link is judged by where it really
leads: one that leaves the root and comes back in, or an absolute one pointing inside, is allowed.
"""

from __future__ import annotations

import os
from pathlib import Path

from wavecd.core.paths import is_inside, outside_link
from wavecd.sources.errors import SourceError


class OutOfBoundsSymlinkError(SourceError):
    """A symlink in a source leads outside the source's root: `link` is its path relative to the root,
    `target` what it points to as written in the link."""

    def __init__(self, link: str, target: str):
        super().__init__(
            f"repository contains out-of-bounds symlinks. file: {link} -> {target} (it leads outside the repository)"
        )
        self.link = link
        self.target = target


class UnreadableFolderError(SourceError):
    """A folder under an app's path could not be listed while checking it for links that lead out:
    `folder` is its path relative to the root."""

    def __init__(self, folder: str, err: OSError):
        super().__init__(f"unable to check {folder or '.'} for out-of-bounds symlinks: {err.strerror or err}")
        self.folder = folder


def _refuse(link: Path, root: Path) -> OutOfBoundsSymlinkError:
    return OutOfBoundsSymlinkError(link.relative_to(root).as_posix(), os.readlink(link))


def check_folder(root: Path, folder: Path) -> None:
    """Refuse any symlink under `folder` (itself inside `root`) whose real path leaves `root`; links to
    folders that stay inside are walked too, each real folder once, so a cycle ends (`core.paths`).

    Only the `.git` folder at the root is skipped: it is git's own, and no loader reads it. A `.git` folder
    anywhere below is ordinary content to the loaders (Helm's chart loader reads a chart's `.git/...`
    unless its `.helmignore` says otherwise), so its links are checked like any other.

    A folder that cannot be read (EACCES, ELOOP, ...) is a SourceError naming it: the walk runs before the
    render, and an OSError would otherwise escape as an internal error instead of the app's own failure."""
    try:
        link = outside_link(root, folder)
    except OSError as err:
        raise UnreadableFolderError(Path(err.filename).relative_to(root).as_posix(), err) from None
    if link is not None:
        raise _refuse(link, root)


def check_file(root: Path, path: Path) -> None:
    """Refuse `path` (lexically inside `root`) when its real path leaves `root`; the error names the first
    link on the way that leads out."""
    if is_inside(path, root):
        return
    walked = root
    for part in path.relative_to(root).parts:
        walked = walked / part
        if walked.is_symlink() and not is_inside(walked, root):
            raise _refuse(walked, root)
    raise OutOfBoundsSymlinkError(path.relative_to(root).as_posix(), os.path.realpath(path))
