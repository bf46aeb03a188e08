"""What a verified git push webhook says happened, whichever provider sent it."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PushEvent", "parse_revision"]


@dataclass(frozen=True)
class PushEvent:
    """One push, as Argo CD's `affectedRevisionInfo` reads it from a payload.

    `repo_urls` are the repository's web URLs (Bitbucket Server: its http and ssh clone links), matched
    against each source's `repoURL` by `matching`. `revision` is the pushed ref shortened as Argo CD's
    `ParseRevision` shortens it (`refs/heads/a/b` → `a/b`; Bitbucket Cloud's branch name as sent).
    `touched_head` says whether the push moved the default branch, for sources that track `HEAD`.
    `changed_files` are the commits' added, modified and removed paths, relative to the repository
    root; None when the provider's payload carries no file list (Bitbucket Cloud and Server).
    """

    provider: str
    repo_urls: tuple[str, ...]
    revision: str
    touched_head: bool
    changed_files: tuple[str, ...] | None


def parse_revision(ref: str) -> str:
    """Argo CD's `ParseRevision`: the last of at most three `/`-separated parts of a ref.

    `refs/heads/main` → `main`, `refs/heads/env/test` → `env/test`, `main` → `main`; a branch
    `env/test/x` pushed as `refs/heads/env/test/x` is `env/test/x`, but a target written `a/b/c` is `c`.
    """
    return ref.split("/", 2)[-1]
