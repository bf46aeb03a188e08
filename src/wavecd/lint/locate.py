"""Where the user fixes a finding: the repository file (and line) that holds a rendered object.

The render records each object's origin relative to the repository its app's source was read from
(`AppNode.origins`); this module turns it into a path relative to ROOT's repository, the one a CI check
annotates. An object with no origin of its own (a chart from a registry, kustomize, a plugin) is placed in
the file that declares its app — the parent's origin of the Application — and the root in ROOT's file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from wavecd.apps.node import AppNode, Tree, origin_key
from wavecd.lint.model import Location

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
        self._repositories = repositories
        self._top = top.resolve()

    def __call__(self, app: AppNode, obj: dict[str, Any] | None) -> Location | None:
        if obj is not None:
            origin = app.origins.get(origin_key(obj))
            if origin is not None:
                return Location(self._relative(app, origin[0]), origin[1])
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
                return Location(self._relative(parent, origin[0]), origin[1])
            node = parent
        return Location(self._from_top(self._root_file))

    def _relative(self, app: AppNode, file: str) -> str:
        """`file` (relative to the repository of `app`'s first git source) relative to ROOT's repository."""
        folder = self._source_folder(app)
        return self._from_top(folder / file) if folder is not None else file

    def _source_folder(self, app: AppNode) -> Path | None:
        if app.app is None:
            return None
        for source in app.app.sources:
            if not source.is_chart and not source.is_ref_only:
                return self._repositories.get(source.repo_url)
        return None

    def _from_top(self, path: Path) -> str:
        absolute = Path(os.path.normpath(path.resolve()))
        try:
            return absolute.relative_to(self._top).as_posix()
        except ValueError:
            return absolute.as_posix()
