"""The content-addressed cache shared by every wavecd command.

Charts are stored once per content digest (`charts/sha256/<hex>.tgz`); a small reference file per
(repository, chart, version) remembers which digest that version was, so `--offline` can find it
again. Every write goes to a temporary file (0600, mkstemp's mode) that is then renamed into place, so concurrent
commands never see a half-written file and the same content written twice is harmless; folders are made
0700.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from urllib.parse import quote, unquote

from wavecd.core.chartarchive import LimitError, check_limits
from wavecd.core.private_files import make_private_folder
from wavecd.sources.errors import ChartArchiveError, SourceError


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary sibling and a rename; a cache that cannot be
    written (read-only, full disk) is reported as a SourceError naming the path."""
    try:
        make_private_folder(path.parent)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as err:
        raise SourceError(f"cannot write to the cache at {path.parent}: {err.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except OSError as err:
        Path(temporary).unlink(missing_ok=True)
        raise SourceError(f"cannot write {path} in the cache: {err.strerror}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _repo_key(repo_url: str, chart: str) -> str:
    """One folder per (repository, chart); the URL is hashed so any spelling of it is a safe name."""
    normalized = repo_url.strip().removeprefix("oci://").rstrip("/")
    return hashlib.sha256(f"{normalized}\0{chart}".encode()).hexdigest()[:32]


class ChartCache:
    """`<root>/charts/`: chart archives by digest, and (repo, chart, version) → digest references."""

    def __init__(self, root: Path):
        self.root = root
        self._blobs = root / "charts" / "sha256"
        self._refs = root / "charts" / "refs"

    def path_for(self, digest: str) -> Path:
        algorithm, _, hexpart = digest.partition(":")
        if algorithm != "sha256" or not hexpart:
            raise SourceError(f"unsupported chart digest {digest!r}: only sha256 is supported")
        return self._blobs / f"{hexpart}.tgz"

    def get(self, digest: str) -> Path | None:
        path = self.path_for(digest)
        return path if path.is_file() else None

    def put(self, data: bytes, expected: str | None = None) -> tuple[str, Path]:
        """Store an archive; with `expected`, refuse content whose digest differs (a corrupt download).
        An archive that Helm's limits stop (a decompression bomb) is refused too, so that no later run,
        online or offline, is handed it again."""
        digest = sha256_digest(data)
        if expected is not None and expected != digest:
            raise SourceError(f"digest mismatch: expected {expected}, got {digest}")
        try:
            check_limits(data)
        except LimitError as err:
            raise ChartArchiveError(f"the archive cannot be loaded: {err}", cause=err) from None
        path = self.path_for(digest)
        if not path.is_file():
            write_atomic(path, data)
        return digest, path

    def remember(self, repo_url: str, chart: str, version: str, digest: str) -> None:
        """Record that `version` of `chart` in `repo_url` is the archive `digest`."""
        ref = self._refs / _repo_key(repo_url, chart) / quote(version, safe="")
        if not ref.is_file() or ref.read_text() != digest:
            write_atomic(ref, digest.encode())

    def lookup(self, repo_url: str, chart: str, version: str) -> tuple[str, Path] | None:
        """The cached archive of exactly that version (None when unknown or its archive is gone)."""
        ref = self._refs / _repo_key(repo_url, chart) / quote(version, safe="")
        try:
            digest = ref.read_text().strip()
        except OSError:
            return None
        path = self.get(digest)
        return (digest, path) if path else None

    def versions(self, repo_url: str, chart: str) -> list[str]:
        """Every version of a chart the cache holds a reference for."""
        folder = self._refs / _repo_key(repo_url, chart)
        if not folder.is_dir():
            return []
        return [unquote(entry.name) for entry in folder.iterdir() if not entry.name.startswith(".")]
