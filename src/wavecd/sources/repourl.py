"""Repository URLs compared the way Argo CD compares them, so a mapping matches however a URL is spelled."""

from __future__ import annotations

import re

_SCP_LIKE = re.compile(r"^(ssh://)?([^/:]*?)@[^@]+$")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")


def normalize_repo_url(url: str) -> str:
    """Argo CD's NormalizeGitURL (lower case, scp-style SSH rewritten, `.git` dropped), then also the
    scheme and any trailing slash, so `https://GitHub.com/org/repo.git/` and `git@github.com:org/repo`
    compare equal."""
    url = url.strip().lower()
    if _SCP_LIKE.match(url) and not url.startswith("ssh://"):
        url = "ssh://" + url.replace(":", "/", 1)
    url = url.rstrip("/").removesuffix(".git").rstrip("/")
    url = _SCHEME.sub("", url)
    if "@" in url.split("/", 1)[0]:
        url = url.split("@", 1)[1]
    return url
