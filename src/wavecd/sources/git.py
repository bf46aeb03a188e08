"""Git repositories read at a revision, the way Argo CD's repo-server resolves revisions.

wavecd uses the `git` command (as Argo CD does) on repositories that are already on disk: a revision
(branch, tag, commit SHA, `HEAD`, or a semver constraint over tags) is resolved to a commit, and files
are read from that commit, never from the working tree, unless the caller asks for the working tree.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from wavecd.sources.errors import SourceError

_FULL_SHA = re.compile(r"^[0-9a-fA-F]{40}$")
_SHORT_SHA = re.compile(r"^[0-9a-fA-F]{7,39}$")


@dataclass(frozen=True)
class Ref:
    name: str  # full name, e.g. refs/heads/main
    sha: str  # the commit it points to (annotated tags peeled)

    @property
    def short(self) -> str:
        for prefix in ("refs/heads/", "refs/tags/", "refs/remotes/"):
            if self.name.startswith(prefix):
                return self.name[len(prefix) :]
        return self.name


class GitRepo:
    """A local git repository that revisions are resolved in and files are read from."""

    def __init__(self, path: Path | str, *, url: str = ""):
        self.path = Path(path)
        self.url = url or str(self.path)

    def _git(self, *args: str, binary: bool = False) -> str | bytes:
        try:
            done = subprocess.run(
                ["git", "-C", str(self.path), *args], capture_output=True, check=False, text=not binary
            )
        except FileNotFoundError:
            raise SourceError("git is not installed: wavecd needs the `git` command to read repositories") from None
        if done.returncode != 0:
            stderr = done.stderr if isinstance(done.stderr, str) else done.stderr.decode(errors="replace")
            if "not a git repository" in stderr:
                # a plain folder mapped to a repository URL: it can only be read as it is on disk
                raise SourceError(
                    f"{self.path} (mapped to {self.url}) is not a git repository: pass --worktree to read it as "
                    "it is on disk, or set `worktree: true` on its mapping in wavecd.yaml"
                )
            raise SourceError(f"git {' '.join(args[:2])} failed in {self.path}: {stderr.strip()}")
        return done.stdout

    def refs(self) -> list[Ref]:
        out = self._git("for-each-ref", "--format=%(refname) %(objectname) %(*objectname)")
        refs = []
        for line in str(out).splitlines():
            name, sha, *peeled = line.split(" ")
            refs.append(Ref(name, peeled[0] if peeled and peeled[0] else sha))
        return refs

    def head(self) -> str:
        return str(self._git("rev-parse", "HEAD^{commit}")).strip()

    def resolve(self, revision: str, *, tag_prefix: str = "") -> str:
        """The commit SHA a `targetRevision` means, following Argo CD's `lsRemote`."""
        if _FULL_SHA.match(revision):
            return self._verify_commit(revision)
        revision = revision or "HEAD"
        if revision == "HEAD":
            return self.head()
        refs = self.refs()
        from wavecd.sources.tags import max_version

        tags = [ref.short for ref in refs if ref.name.startswith("refs/tags/")]
        resolved = max_version(revision, tags, tag_prefix)
        if resolved is not None:
            revision = resolved
        for ref in refs:
            if revision in (ref.name, ref.short):
                return ref.sha
        for ref in refs:
            if ref.name.startswith("refs/remotes/") and ref.short.split("/", 1)[-1] == revision:
                return ref.sha
        if _SHORT_SHA.match(revision):
            return self._verify_commit(revision)
        raise self._not_found(revision)

    def _not_found(self, revision: str) -> SourceError:
        return SourceError(f"unable to resolve '{revision}' to a commit SHA: revision not found in {self.url}")

    def _verify_commit(self, revision: str) -> str:
        try:
            return str(self._git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")).strip()
        except SourceError:
            raise self._not_found(revision) from None

    def toplevel(self) -> Path:
        """The folder at the top of the working tree `path` lies in; a SourceError outside any repository."""
        return Path(str(self._git("rev-parse", "--show-toplevel")).strip())

    def prefix(self) -> str:
        """Where `path` lies inside its repository (`examples/staging/`), "" at the top: `git archive` run
        here exports only this folder, so its exports are named by it too."""
        return str(self._git("rev-parse", "--show-prefix")).strip()

    def commit(self, revision: str) -> str:
        """The commit SHA of any revision git itself understands (`main`, `HEAD~1`, a tag, a short SHA):
        what a person types on the command line, where `resolve` takes what an Application says."""
        if revision.startswith("-"):
            raise self._not_found(revision)
        return self._verify_commit(revision)

    def files(self, sha: str) -> list[str]:
        return str(self._git("ls-tree", "-r", "--name-only", "-z", sha)).split("\0")[:-1]

    def entries(self, sha: str) -> tuple[str, dict[str, tuple[str, str]]]:
        """The id of commit `sha`'s tree, and every path of it (folders too) with its mode and object id."""
        root = str(self._git("rev-parse", f"{sha}^{{tree}}")).strip()
        out: dict[str, tuple[str, str]] = {}
        for record in str(self._git("ls-tree", "-r", "-t", "-z", "--full-tree", sha)).split("\0"):
            meta, tab, path = record.partition("\t")
            if tab:
                mode, _kind, oid = meta.split(" ")
                out[path] = (mode, oid)
        return root, out

    def present(self, sha: str, paths: Sequence[str]) -> list[str]:
        """Those of `paths` (files or folders) that commit `sha` holds, read from its trees alone."""
        if not paths:
            return []
        listed = str(self._git("ls-tree", "-z", "--name-only", sha, "--", *paths)).split("\0")[:-1]
        return [p for p in paths if p in listed or p == "."]

    def local_attributes(self) -> bytes:
        """The repository's own `info/attributes` (not versioned; b"" when there is none)."""
        path = Path(str(self._git("rev-parse", "--git-path", "info/attributes")).strip())
        path = path if path.is_absolute() else self.path / path
        try:
            return path.read_bytes()
        except OSError:
            return b""

    def read(self, sha: str, path: str) -> bytes:
        data = self._git("cat-file", "blob", f"{sha}:{path}", binary=True)
        assert isinstance(data, bytes)
        return data

    def export(self, sha: str, destination: Path, paths: Sequence[str] = ()) -> None:
        """Write the tree of commit `sha` to `destination` (which must not exist yet): all of it, or only
        `paths` (folders or files, relative to the repository's folder) when given."""
        destination.mkdir(parents=True)
        archive = self._git("archive", "--format=tar", sha, "--", *paths, binary=True)
        assert isinstance(archive, bytes)
        subprocess.run(["tar", "-x", "-C", str(destination)], input=archive, check=True)
