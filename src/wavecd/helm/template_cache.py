"""Compiled templates kept across processes, so a new `wavecd helm template` skips parsing and compiling.

An entry is one chart tree's template set (`TemplateSet.dump_state`: compiled code, the parse trees of
templates not compiled yet and where each untaken branch is in its text, never rendered output), in
`<cache>/templates/<key>`, where the cache folder is `$WAVECD_CACHE_DIR` or `~/.cache/wavecd`. The key digests
the templates' names and texts, the Helm mode, the Python version and a fingerprint of the wavecd code that
compiles and executes them, so a changed wavecd never reads an entry written by another one. An entry holds
code, so it is a `SealedFolder` entry: read only from a folder nobody but the user can write, and only when
its HMAC under the user's key holds; anything else is deleted unread and the templates compiled afresh (and
stored again after the render). Writes are atomic and private (0600 files, 0700 folders). The folder is kept
to `_MAX_ENTRIES` entries and `_MAX_BYTES` bytes, oldest dropped first.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from pathlib import Path

from wavecd.core.private_files import SealedFolder, cache_root

_MAX_ENTRIES = 1000
_MAX_BYTES = 512 * 1024 * 1024
# the packages whose code is baked into an entry (generated code calls gotemplate; funcs come from helm, sprig)
_CODE_PACKAGES = ("gotemplate", "helm", "sprig", "goyaml", "semver", "core")

_fingerprint: str | None = None


def _sealed() -> SealedFolder:
    """Made afresh for each read and write, so a folder that stops being trustworthy is no longer read."""
    root = cache_root()
    return SealedFolder(root / "templates", root)


def code_fingerprint() -> str:
    """Python's version and the size and mtime of every wavecd module an entry depends on (a few hundred
    microseconds, once per process: cheaper than hashing the sources, and any edit changes it)."""
    global _fingerprint
    if _fingerprint is None:
        root = Path(__file__).resolve().parent.parent
        h = hashlib.sha256(f"{sys.version}\0{sys.implementation.cache_tag}".encode())
        for package in _CODE_PACKAGES:
            try:
                entries = sorted(os.scandir(root / package), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                if entry.name.endswith(".py"):
                    st = entry.stat()
                    h.update(f"\0{package}/{entry.name}\0{st.st_size}\0{st.st_mtime_ns}".encode())
        _fingerprint = h.hexdigest()
    return _fingerprint


def entry_key(set_digest: str) -> str:
    return hashlib.sha256(f"{code_fingerprint()}\0{set_digest}".encode()).hexdigest()


def read_entry(key: str) -> bytes | None:
    """The payload stored under key, or None when there is none, it is damaged or it is not the user's."""
    return _sealed().read(key)


def write_entry(key: str, payload: bytes) -> None:
    """Store payload under key; a cache that cannot be written only costs speed."""
    sealed = _sealed()
    with contextlib.suppress(OSError):
        if sealed.write(key, payload):
            trim(sealed.folder)


def trim(folder: Path) -> None:
    """Drop the oldest entries beyond `_MAX_ENTRIES` entries or `_MAX_BYTES` bytes."""
    entries = []
    for entry in os.scandir(folder):
        if not entry.name.startswith("."):
            with contextlib.suppress(OSError):
                st = entry.stat()
                entries.append((st.st_mtime_ns, st.st_size, entry.path))
    entries.sort(reverse=True)
    total = 0
    for n, (_, size, path) in enumerate(entries):
        total += size
        if n >= _MAX_ENTRIES or total > _MAX_BYTES:
            with contextlib.suppress(OSError):
                os.unlink(path)
