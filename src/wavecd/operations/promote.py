"""`wavecd promote ROOT --app APP --set KEY=VALUE` (or `--image NAME=TAG`): CI's tag bump as one command.

The tree is walked with ROOT's repository read as its working tree; the app's parameter is looked for
where Argo CD would take it from (`wavecd.promote.sites`) and must be set in exactly one place, a file of
that repository with no uncommitted change. The file is edited in place (`wavecd.promote.yaml_edit`: one
token replaced, every other byte kept), the tree is walked again through the same render cache, and the
two walks are compared: the diff names every app the edit reaches (a values file shared by two apps
changes both). An edit after which an app fails to render is undone and refused. With `commit`, the file
alone is committed (on a new branch with `branch`) with a message naming app, key and value; with `push`,
the branch is pushed.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from wavecd.apps.node import AppNode
from wavecd.apps.render_app import RenderJob, resolve_app
from wavecd.apps.root import load_root
from wavecd.apps.session import RepositoryPin, TreeRequest, TreeSession, open_session, render_cache
from wavecd.common import APPLICATION, APPLICATION_SET
from wavecd.core import UserInputError
from wavecd.core.private_files import cache_root
from wavecd.diff.tree_diff import TreeDiff, compare_trees
from wavecd.promote.git_commit import commit_file, current_branch, is_clean, new_branch, push, tracked_yaml_files
from wavecd.promote.keypath import KeyPath, format_path, parse_key
from wavecd.promote.sites import Site, application_file, find_image, find_sites, generator_file_sites, in_repository
from wavecd.promote.yaml_edit import set_scalar
from wavecd.sources.errors import SourceError
from wavecd.sources.git import GitRepo

__all__ = ["PromoteRequest", "PromoteResult", "promote"]


@dataclass(frozen=True)
class PromoteRequest:
    app: str
    value: str
    key: str | None = None  # --set KEY=VALUE
    image: str | None = None  # --image NAME=VALUE
    commit: bool = False
    branch: str | None = None
    push: bool = False
    remote: str = "origin"


@dataclass(frozen=True)
class PromoteResult:
    file: Path  # the edited file, relative to the repository's top
    key: str
    old_value: str
    value: str
    diff: TreeDiff
    commit: str | None = None
    branch: str | None = None
    changed: bool = True  # False when the value was already set


def _app_job(session: TreeSession, name: str) -> tuple[AppNode, RenderJob]:
    try:
        node = session.tree.node(name)
    except KeyError:
        apps = ", ".join(n.name for n in session.tree.nodes if n.kind == APPLICATION)
        raise UserInputError(f"no Application named {name!r} in the tree; it has: {apps}") from None
    if node.app is None or node.kind != APPLICATION:
        raise UserInputError(f"{name} is an {node.kind}, not an Application: promote one of the apps it generates")
    if node.error:
        raise UserInputError(f"app {name} does not render: {node.error.splitlines()[0]}")
    return node, resolve_app(node.app, session.renderer.resolver, session.settings)


def _one_site(sites: list[Site], app: str, key: str, top: Path) -> Site:
    if not sites:
        raise UserInputError(
            f"{key} is not set for app {app} in any of its value files, values, valuesObject or parameters; "
            "wavecd promote changes a value where it is set, it does not add one"
        )
    if len(sites) > 1:
        listed = "; ".join(site.describe(top) for site in sites)
        raise UserInputError(f"{key} is set for app {app} in {len(sites)} places: {listed}. Set it in one place first")
    return sites[0]


def _target_file(site: Site, session: TreeSession, node: AppNode, top: Path) -> tuple[Path, KeyPath, bool]:
    """The file to edit, the path inside it, and whether the edit must be checked on the re-rendered app
    (a value found in an ApplicationSet generator's file by what it holds, not by how it is read)."""
    if site.file is not None:
        if not in_repository(site.file, top):
            raise UserInputError(f"{site.describe(top)} is outside the repository ROOT lives in ({top})")
        return Path(os.path.realpath(site.file)), site.path, False
    if site.field == "values":
        raise UserInputError(
            f"{site.describe(top)}: the value is inside a `values` text block; move it to valuesObject or a file"
        )
    file = application_file(tracked_yaml_files(top), node.obj)
    if file is not None:
        return file, site.doc_path, False
    parent = session.tree.node(node.parent) if node.parent else None
    if parent is not None and parent.kind == APPLICATION_SET and site.value is not None:
        candidates = generator_file_sites(parent.obj, top, str(site.value))
        if len(candidates) == 1:
            return Path(os.path.realpath(candidates[0][0])), candidates[0][1], True
        if candidates:
            listed = "; ".join(f"{file.relative_to(top)} ({format_path(path)})" for file, path in candidates)
            raise UserInputError(
                f"{site.describe(top)} comes from ApplicationSet {parent.name}'s files, and {len(candidates)} "
                f"values there read {site.value!r}: {listed}. Edit the right one by hand"
            )
    raise UserInputError(
        f"{site.describe(top)}: the Application is generated (by a chart or an ApplicationSet template), "
        "not written as a file of the repository; edit what generates it"
    )


def _check_taken(session: TreeSession, app: str, path: KeyPath, value: str, shown: Path) -> None:
    """After an edit found by value: the app's parameter now reads `value`, or the edit was the wrong one."""
    _, job = _app_job(session, app)
    if [str(site.value) for site in find_sites(job, path)] != [value]:
        raise UserInputError(f"{shown} holds the value, but app {app} did not take the new one from it; edit by hand")


def _write(file: Path, text: str) -> None:
    """Replace the file's content at once (a temporary file beside it, renamed), keeping its mode."""
    mode = file.stat().st_mode & 0o7777
    fd, temporary = tempfile.mkstemp(prefix=f".{file.name}.", dir=file.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, file)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def promote(tree_request: TreeRequest, request: PromoteRequest) -> PromoteResult:
    root = load_root(tree_request.root, tree_request.config)
    try:
        top = GitRepo(root.file.parent).toplevel().resolve()
    except SourceError:
        raise UserInputError(f"ROOT {root.file} is not in a git repository: promote edits one") from None
    if request.push and not (request.commit or request.branch):
        raise UserInputError("--push pushes the commit: give --commit (or --branch NAME)")
    pin = RepositoryPin(top, None)
    cache = render_cache(tree_request, cache_root())
    before = open_session(tree_request, root=root, pin=pin, cache=cache)
    node, job = _app_job(before, request.app)
    path = find_image(job, request.image) if request.image is not None else parse_key(request.key or "")
    key = format_path(path)
    site = _one_site(find_sites(job, path), request.app, key, top)
    file, doc_path, check = _target_file(site, before, node, top)
    shown = file.relative_to(top)
    if not is_clean(top, file):
        raise UserInputError(f"{shown} has uncommitted changes (or is not tracked by git); wavecd never edits it")
    original = file.read_text(encoding="utf-8")
    edited = set_scalar(original, str(shown), doc_path, request.value)
    old_value = "" if site.value is None else str(site.value)
    if edited == original:
        unchanged = compare_trees(before.tree, before.tree, "before", "after")
        return PromoteResult(shown, key, old_value, request.value, unchanged, changed=False)
    branch = request.branch or (current_branch(top) if request.commit else None)
    _write(file, edited)
    try:
        after = open_session(tree_request, root=root, pin=pin, cache=cache)
        if check:
            _check_taken(after, request.app, path, request.value, shown)
        diff = compare_trees(before.tree, after.tree, "before", f"{key}={request.value}")
        if diff.errors:
            names = ", ".join(app.name for app in diff.errors)
            raise UserInputError(f"after the edit, {names} no longer render(s); {shown} is left as it was")
        if request.branch is not None:
            new_branch(top, request.branch)  # after the checks: a refused edit leaves the branch as it was
    except BaseException:
        _write(file, original)
        raise
    sha = None
    if branch is not None:
        affected = ", ".join(app.name for app in diff.apps)
        message = (
            f"promote {request.app}: {key}={request.value}\n\n"
            f"wavecd promote edited {shown}; apps changed: {affected}.\n"
        )
        sha = commit_file(top, file, message)
        if request.push:
            push(top, request.remote, branch)
    return PromoteResult(shown, key, old_value, request.value, diff, sha, branch)
