"""What a path of a commit holds, named by git's own object ids: the render cache's key for git content.

A commit's files are exported to a folder named by the commit, so a path there names the commit, and every
push would look like new input to every app. Git already names content: a file by its blob id, a folder by
its tree id, equal whenever the bytes are equal, whatever the commit. `TreeIds` answers with those, except
where the exported files could differ from what the ids name:

* a folder with a symlink under it: the link's target may lie outside the folder, so its id does not cover
  what the render reads; the whole commit tree's id stands in (equal only for an identical tree);
* `.gitattributes`: `export-ignore` anywhere above a folder changes what `git archive` writes into it, so
  the ids of every `.gitattributes` of the tree are part of every answer; `export-subst` writes the commit
  itself into files, so a tree that uses it (or a repository whose `info/attributes` does) has no
  content ids at all (None: the caller keys by the commit).
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from wavecd.sources.git import GitRepo

__all__ = ["TreeIds", "tree_ids"]

_SYMLINK = "120000"
_ATTRIBUTES = ".gitattributes"


class TreeIds:
    """The object id of every path of one commit (`ls-tree -r -t`), with the rules above."""

    def __init__(self, root_tree: str, entries: dict[str, tuple[str, str]], attributes: str):
        self._root_tree = root_tree
        self._entries = entries  # path -> (mode, object id)
        self._attributes = attributes  # digest of every .gitattributes of the tree ("" when none)
        self._linked: set[str] = set()  # folders with a symlink somewhere under them ("" is the root)
        for path, (mode, _) in entries.items():
            if mode == _SYMLINK:
                parts = path.split("/")[:-1]
                self._linked.update("/".join(parts[:n]) for n in range(len(parts) + 1))

    @property
    def has_links(self) -> bool:
        """Whether any symlink is in the tree (without one, a path needs no resolving to be looked up)."""
        return bool(self._linked)

    def content_id(self, path: str) -> str:
        """The id naming what `path` (relative, `/`-separated, links already resolved) holds: "missing" when
        the commit has nothing there."""
        if path in ("", "."):
            folder, oid = True, self._root_tree
        else:
            entry = self._entries.get(path)
            if entry is None:
                return "missing"
            folder, oid = entry[0] == "040000", entry[1]
        if folder and (path if path != "." else "") in self._linked:
            oid = "tree:" + self._root_tree
        return f"{oid}+{self._attributes}" if self._attributes else oid


@functools.lru_cache(maxsize=4)
def tree_ids(repo_path: Path, sha: str) -> TreeIds | None:
    """The ids of commit `sha` of the repository at `repo_path`; None when its export depends on the commit
    (`export-subst`). Kept for the last few commits: ids never change, but a large repository's listing
    takes megabytes."""
    repo = GitRepo(repo_path)
    root_tree, entries = repo.entries(sha)
    attribute_files = sorted(p for p in entries if p == _ATTRIBUTES or p.endswith("/" + _ATTRIBUTES))
    texts = [repo.read(sha, p) for p in attribute_files]
    if any(b"export-subst" in text for text in [*texts, repo.local_attributes()]):
        return None
    attributes = ""
    if attribute_files:
        attributes = hashlib.sha256("\0".join(f"{p}={entries[p][1]}" for p in attribute_files).encode()).hexdigest()
    return TreeIds(root_tree, entries, attributes)
