"""Where rendered apps are kept by digest: in memory for one run, on disk across runs.

The disk store belongs with `sources`' content-addressed cache; it lives here until that cache offers
a place for rendered apps, behind the same two-method protocol so callers will not change.
"""

from __future__ import annotations

import contextlib
import pickle
import threading
from pathlib import Path
from typing import Protocol

from wavecd.apps.render_app import RenderOutput
from wavecd.core.private_files import SealedFolder


class RenderCache(Protocol):
    def get(self, digest: str) -> RenderOutput | None: ...

    def put(self, digest: str, output: RenderOutput) -> None: ...


class MemoryCache:
    def __init__(self) -> None:
        self._items: dict[str, RenderOutput] = {}
        self._lock = threading.Lock()

    def get(self, digest: str) -> RenderOutput | None:
        with self._lock:
            return self._items.get(digest)

    def put(self, digest: str, output: RenderOutput) -> None:
        with self._lock:
            self._items[digest] = output


class DiskCache:
    """One pickle per digest under `folder` (a folder of the cache at `root`). A pickle runs code when it
    loads, so entries are sealed: one the user's key did not seal, or in a folder others could write, is
    never unpickled."""

    def __init__(self, folder: Path, root: Path):
        self._sealed = SealedFolder(folder, root)
        self._memory = MemoryCache()

    def get(self, digest: str) -> RenderOutput | None:
        hit = self._memory.get(digest)
        if hit is not None:
            return hit
        payload = self._sealed.read(_name(digest))
        if payload is None:
            return None
        try:
            output = pickle.loads(payload)
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None
        if not isinstance(output, RenderOutput):
            return None
        self._memory.put(digest, output)
        return output

    def put(self, digest: str, output: RenderOutput) -> None:
        self._memory.put(digest, output)
        with contextlib.suppress(OSError):  # a cache that cannot be written costs a re-render next time
            self._sealed.write(_name(digest), pickle.dumps(output, protocol=pickle.HIGHEST_PROTOCOL))


def _name(digest: str) -> str:
    return f"{digest[:2]}/{digest}.pickle"
