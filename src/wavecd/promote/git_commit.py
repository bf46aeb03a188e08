"""The git side of `wavecd promote`: is a file clean, a new branch, a commit of that one file, a push.

Run with the `git` command in the repository's top folder, as a CI job would. A commit takes only the
edited file (`git commit -- FILE`), so whatever else is staged stays staged and out of it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from wavecd.core import UserInputError

__all__ = ["commit_file", "current_branch", "is_clean", "new_branch", "push", "tracked_yaml_files"]


def _git(top: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(top), *args], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise UserInputError("git is not installed: wavecd promote needs the `git` command") from None
    if done.returncode != 0:
        raise UserInputError(f"git {' '.join(args[:2])} failed in {top}: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def is_clean(top: Path, file: Path) -> bool:
    """Tracked by git, and neither changed nor staged since the last commit."""
    relative = file.resolve().relative_to(top).as_posix()
    if not _git(top, "ls-files", "--", relative).strip():
        return False
    return not _git(top, "status", "--porcelain", "--", relative).strip()


def current_branch(top: Path) -> str:
    branch = _git(top, "rev-parse", "--abbrev-ref", "HEAD").strip()
    if branch == "HEAD":
        raise UserInputError(f"{top} is on a detached HEAD: check out a branch, or pass --branch NAME")
    return branch


def new_branch(top: Path, name: str) -> None:
    _git(top, "check-ref-format", "--branch", name)
    _git(top, "switch", "-c", name)


def commit_file(top: Path, file: Path, message: str) -> str:
    """Commit `file` alone with `message`; the new commit's SHA."""
    relative = file.resolve().relative_to(top).as_posix()
    _git(top, "commit", "-q", "-m", message, "--", relative)
    return _git(top, "rev-parse", "HEAD").strip()


def push(top: Path, remote: str, branch: str) -> None:
    _git(top, "push", "-q", "--set-upstream", remote, f"HEAD:refs/heads/{branch}")


def tracked_yaml_files(top: Path) -> list[Path]:
    out = _git(top, "ls-files", "-z", "--", "*.yaml", "*.yml")
    return [top / name for name in out.split("\0") if name]
