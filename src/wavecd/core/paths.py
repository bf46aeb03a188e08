"""The one test of "this path stays inside this root", for everything that reads an untrusted repository.

A repository may name `../../..` or hold a symlink that leads anywhere; followed, either would pull a
kubeconfig or a token into rendered manifests. Every reader (Kustomize bases and components, Jsonnet
imports and libraries, Helm's `file://` dependencies, remote-base folders) asks these functions, so the
rule — a path is inside when it is the root or below `root/` (never a mere string prefix: `/repo-secrets`
is not inside `/repo`) — is written once. It lives in `core` because `helm` and `sources` both need it
and must not import each other; the errors are the callers' own (`sources.boundary` for symlinks).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["is_inside", "lexically_inside", "outside_link", "writes_inside"]

StrPath = str | os.PathLike[str]


def _below(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def lexically_inside(path: StrPath, root: StrPath) -> bool:
    """Whether `path`, its `..` folded away without looking at the disk, is `root` or below it."""
    return _below(os.path.normpath(path), os.path.normpath(root))


def is_inside(path: StrPath, root: StrPath) -> bool:
    """Whether `path`, every symlink on the way followed, really is `root` (also resolved) or below it."""
    return _below(os.path.realpath(path), os.path.realpath(root))


def writes_inside(path: StrPath, root: StrPath) -> bool:
    """Whether writing `path`, the folders missing on the way created, lands in `root` (also resolved): the
    deepest part of it that is there — a symlink counted even when it dangles — is resolved, since the parts
    below it are made new and hold no link. A scratch copy keeps the repository's symlinks, so a copied link
    may still lead into the repository itself or anywhere else."""
    current = os.path.normpath(path)
    while not os.path.lexists(current):
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    return _below(os.path.realpath(current), os.path.realpath(root))


def outside_link(root: Path, folder: Path) -> Path | None:
    """The first symlink under `folder` (itself inside `root`) whose real path leaves `root`, else None.
    Links to folders that stay inside are walked too, each real folder once, so a cycle ends. Only the
    `.git` folder at the root is skipped: it is git's own and no loader reads it. An unreadable folder
    raises its OSError (with `filename` set), for the caller to report as its own error."""
    real_root = os.path.realpath(root)
    seen: set[str] = set()
    pending = [folder]
    while pending:
        current = pending.pop()
        real = os.path.realpath(current)
        if real in seen:
            continue
        seen.add(real)
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError as err:
            err.filename = str(current)
            raise
        for entry in entries:
            path = Path(entry.path)
            if entry.is_symlink():
                if not _below(os.path.realpath(path), real_root):
                    return path
                if path.is_dir():
                    pending.append(path)
            elif entry.is_dir(follow_symlinks=False) and not (entry.name == ".git" and real == real_root):
                pending.append(path)
    return None
