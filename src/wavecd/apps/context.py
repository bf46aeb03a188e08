"""The ApplicationSet generators' view of the outside world, served by the source resolver and wavecd.yaml."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from wavecd.apps.appset.errors import AppSetError
from wavecd.apps.appset.generators import Cluster
from wavecd.apps.render_app import Resolver
from wavecd.sources.boundary import OutOfBoundsSymlinkError, check_file
from wavecd.sources.config import ClusterConfig

SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type"


class ResolverContext:
    """`GeneratorContext` over a `SourceResolver`: clusters from wavecd.yaml, git files from the repos it maps."""

    def __init__(self, resolver: Resolver, clusters: tuple[ClusterConfig, ...]):
        self._resolver = resolver
        # each as Argo CD sees its cluster Secret: the Secret's labels include the one that marks it a cluster
        self._clusters = [
            Cluster(c.name, c.server, "", {**c.labels, SECRET_TYPE_LABEL: "cluster"}, dict(c.annotations))
            for c in clusters
        ]
        self._paths: dict[tuple[str, str], list[str]] = {}
        self._lock = threading.Lock()

    def clusters(self) -> list[Cluster]:
        return list(self._clusters)

    def _root(self, repo_url: str, revision: str) -> Path:
        return Path(self._resolver.git_tree(repo_url, revision).root)

    def git_paths(self, repo_url: str, revision: str) -> list[str]:
        key = (repo_url, revision)
        with self._lock:
            cached = self._paths.get(key)
        if cached is not None:
            return cached
        root = self._root(repo_url, revision)
        paths: list[str] = []
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != ".git")
            relative = os.path.relpath(folder, root)
            paths.extend(name if relative == "." else f"{relative}/{name}".replace(os.sep, "/") for name in files)
        paths.sort()
        with self._lock:
            self._paths[key] = paths
        return paths

    def git_read(self, repo_url: str, revision: str, path: str) -> bytes:
        """A file the git generator matched; a symlink leading out of the repository is refused, not read."""
        root = self._root(repo_url, revision)
        try:
            check_file(root, root / path)
            return (root / path).read_bytes()
        except OutOfBoundsSymlinkError as err:
            raise AppSetError(f"unable to read {path} from {repo_url}@{revision}: {err.message}") from None
        except OSError as err:
            raise AppSetError(f"unable to read {path} from {repo_url}@{revision}: {err.strerror}") from None
