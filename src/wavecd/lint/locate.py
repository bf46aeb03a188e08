"""Where the user fixes a finding: the repository file (and line) that holds a rendered object.

The render records each object's origin: the app source it came from and the file relative to that
source's repository (`AppNode.origins`); this module turns it into a path relative to ROOT's repository, the
one a CI check annotates. Repository URLs are compared as the resolver compares them (`normalize_repo_url`),
so `https://host/r` finds the folder mapped as `https://host/r.git`. An object with no origin of its own (a
chart from a registry, kustomize, a plugin) is placed in the file that declares its app — the parent's origin
of the Application — and the root in ROOT's file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from wavecd.apps.node import AppNode, Tree, origin_key
from wavecd.lint.model import Location
from wavecd.sources.repourl import normalize_repo_url

__all__ = ["Locator", "repository_top"]


def repository_top(start: Path) -> Path:
    """The git work tree holding `start` (a folder with `.git`), else `start`'s own folder."""
    folder = start.resolve() if start.is_dir() else start.resolve().parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder


class Locator:
    """`LintContext.locate` for one walked tree.

    `repositories` maps a git repoURL to the local folder it is read from (wavecd.yaml's `repositories`);
    `top` is ROOT's repository, to which every answer is relative.
    """

    def __init__(self, tree: Tree, root_file: Path, repositories: Mapping[str, Path], top: Path):
        self._by_name = {node.name: node for node in tree.nodes}
        self._root_file = root_file
        self._repositories = {normalize_repo_url(url): folder for url, folder in repositories.items()}
        self._top = top.resolve()

    def __call__(self, app: AppNode, obj: dict[str, Any] | None) -> Location | None:
        if obj is not None:
            origin = app.origins.get(origin_key(obj))
            if origin is not None:
                return Location(self._relative(app, *origin[:2]), origin[2])
        return self._declared(app)

    def _declared(self, app: AppNode) -> Location | None:
        """The file that declares `app`: its parent's origin of it, else the parent's own, up to ROOT's file."""
        node: AppNode | None = app
        while node is not None and node.parent is not None:
            parent = self._by_name.get(node.parent)
            if parent is None:
                break
            origin = parent.origins.get(origin_key(node.obj))
            if origin is not None:
                return Location(self._relative(parent, *origin[:2]), origin[2])
            node = parent
        return Location(self._from_top(self._root_file))

    def _relative(self, app: AppNode, index: int, file: str) -> str:
        """`file` (relative to the repository of `app`'s source number `index`) relative to ROOT's repository."""
        folder = self._source_folder(app, index)
        return self._from_top(folder / file) if folder is not None else file

    def _source_folder(self, app: AppNode, index: int) -> Path | None:
        sources = app.app.sources if app.app is not None else []
        if not 0 <= index < len(sources):
            return None
        return self._repositories.get(normalize_repo_url(sources[index].repo_url))

    def _from_top(self, path: Path) -> str:
        absolute = Path(os.path.normpath(path.resolve()))
        try:
            return absolute.relative_to(self._top).as_posix()
        except ValueError:
            return absolute.as_posix()
