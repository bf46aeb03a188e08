"""`wavecd diff ROOT --from REV [--to REV]`: the app tree walked at two revisions and compared.

A revision is one of the git repository ROOT lives in. On each side, ROOT's own file is read at that
revision, and every repository `wavecd.yaml` (or `--repo`) maps to a folder of that git repository is
read at that commit whatever the Applications' `targetRevision` says — the branch a pull request would
merge into against the branch it brings, as Argo CD would see each after the merge. Repositories mapped
elsewhere are read as `wavecd.yaml` says on both sides, so they show no difference; `wavecd.yaml` itself
is read from the working tree, since it says where sources are on this machine, not what is deployed.
Without `--to` the newer side is the working tree, uncommitted edits included.

Both walks share one render cache, so an app whose inputs are the same on both sides is rendered once
(or not at all, when an earlier run cached it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wavecd.apps.root import Root, load_root, parse_root_text
from wavecd.apps.session import RepositoryPin, TreeRequest, open_session, render_cache
from wavecd.core import UserInputError
from wavecd.core.private_files import cache_root
from wavecd.diff.tree_diff import TreeDiff, compare_trees
from wavecd.sources.errors import SourceError
from wavecd.sources.git import GitRepo

__all__ = ["RevisionSide", "diff_revisions"]


@dataclass(frozen=True)
class RevisionSide:
    """One side of the diff: a commit of ROOT's repository, or (None) its working tree."""

    commit: str | None
    label: str


def _side(repo: GitRepo, revision: str | None) -> RevisionSide:
    if revision is None:
        return RevisionSide(None, "working tree")
    try:
        sha = repo.commit(revision)
    except SourceError:
        raise UserInputError(f"--from/--to {revision!r}: no such revision in {repo.path}") from None
    return RevisionSide(sha, revision if revision.startswith(sha[:7]) else f"{revision} ({sha[:7]})")


def _root_at(root: Root, repo: GitRepo, top: Path, side: RevisionSide) -> Root:
    if side.commit is None:
        return root
    relative = root.file.resolve().relative_to(top).as_posix()
    try:
        text = repo.read(side.commit, relative).decode("utf-8")
    except SourceError:
        raise UserInputError(f"ROOT {relative} does not exist at {side.label}") from None
    except UnicodeDecodeError:
        raise UserInputError(f"ROOT {relative} at {side.label} is not UTF-8 text") from None
    return Root(root.file, parse_root_text(text, root.file), root.config)


def diff_revisions(request: TreeRequest, from_revision: str, to_revision: str | None = None) -> TreeDiff:
    """The tree at `from_revision` against the tree at `to_revision` (None: the working tree)."""
    root = load_root(request.root, request.config)
    try:
        top = GitRepo(root.file.parent).toplevel().resolve()
    except SourceError:
        raise UserInputError(f"ROOT {root.file} is not in a git repository: --from needs one") from None
    repo = GitRepo(top)
    before, after = _side(repo, from_revision), _side(repo, to_revision)
    cache = render_cache(request, cache_root())
    trees = [
        open_session(
            request,
            root=_root_at(root, repo, top, side),
            pin=RepositoryPin(top, side.commit),
            cache=cache,
        ).tree
        for side in (before, after)
    ]
    return compare_trees(trees[0], trees[1], before.label, after.label)
