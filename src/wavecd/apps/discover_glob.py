"""A plugin's `discover` globs (`fileName`, `find.glob`) matched under an app folder, bounded.

The patterns come from `wavecd.yaml`, the folder from the repository: `glob.glob(recursive=True)` follows
symlinked folders, so a link back to its parent (which stays inside the repository) makes `**` walk an
exponential number of paths. Here the folder is walked once without following links (as Argo CD's
`zglob.Glob` for `find.glob`), each path matched against the pattern, within a time limit and an entry
cap; past either the discovery is an error naming the plugin, never a hang. As Argo CD joins the glob to
the app folder, it is cleaned first (`./main.go` matches `main.go`); one that leads out of the folder
matches nothing here (Argo CD would look beside the app folder).
"""

from __future__ import annotations

import os
import posixpath
import re
import time
from pathlib import Path

from wavecd.apps.errors import AppError

__all__ = ["MAX_ENTRIES", "glob_matches"]

MAX_ENTRIES = 200_000


def _pattern(glob: str, recursive: bool) -> re.Pattern[str]:
    """`glob` as a regular expression over `/`-separated relative paths: `*` and `?` stay in one segment,
    `[...]` is a class, and (when `recursive`) `**/` is any number of folders and `**` anything."""
    out, i = [], 0
    while i < len(glob):
        if recursive and glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif recursive and glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        elif glob[i] == "[" and "]" in glob[i + 2 :]:
            end = glob.index("]", i + 2)
            body = glob[i + 1 : end]
            out.append("[" + ("^" + re.escape(body[1:]) if body[:1] in "!^" and body[1:] else re.escape(body)) + "]")
            i = end + 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return re.compile("".join(out))


def glob_matches(folder: Path, glob: str, *, recursive: bool, timeout: float, what: str) -> bool:
    """Whether some path under `folder` (relative, links not followed) matches `glob`; raises AppError
    naming `what` past `timeout` seconds or `MAX_ENTRIES` entries."""
    # Argo CD joins the glob to the app folder (`filepath.Join`), which cleans it: `./main.go` is `main.go`
    glob = posixpath.normpath(glob.strip("/") or ".")
    if glob == ".." or glob.startswith("../"):
        return False  # wavecd looks under the app folder only
    pattern = _pattern(glob, recursive)
    depth = None if recursive and "**" in glob else glob.count("/") + 1  # the folders a match can be in
    deadline = time.monotonic() + timeout
    seen = 0
    for top, dirs, files in os.walk(folder, followlinks=False):
        relative = os.path.relpath(top, folder)
        prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
        names = (*dirs, *files)
        if any(pattern.fullmatch(prefix + name) for name in names):
            return True
        seen += len(names)
        if depth is not None and prefix.count("/") + 1 >= depth:
            dirs[:] = []  # deeper entries cannot match
        if seen > MAX_ENTRIES or time.monotonic() > deadline:
            raise AppError(
                f"{what}: gave up matching {glob!r} after {seen} entries"
                f"{'' if seen > MAX_ENTRIES else f' and {timeout:g}s'} under the app folder"
            )
    return False
