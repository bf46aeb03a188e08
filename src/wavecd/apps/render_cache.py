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
from wavecd.sources.cache import write_atomic
from wavecd.sources.errors import SourceError


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
    """One pickle per digest under `folder`, written atomically with the sources cache's writer."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._memory = MemoryCache()

    def _path(self, digest: str) -> Path:
        return self.folder / digest[:2] / f"{digest}.pickle"

    def get(self, digest: str) -> RenderOutput | None:
        hit = self._memory.get(digest)
        if hit is not None:
            return hit
        try:
            with open(self._path(digest), "rb") as fh:
                output = pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None
        if not isinstance(output, RenderOutput):
            return None
        self._memory.put(digest, output)
        return output

    def put(self, digest: str, output: RenderOutput) -> None:
        self._memory.put(digest, output)
        with contextlib.suppress(SourceError):  # a cache that cannot be written costs a re-render next time
            write_atomic(self._path(digest), pickle.dumps(output, protocol=pickle.HIGHEST_PROTOCOL))
