"""Where rendered apps are kept by digest: in memory for one run, on disk across runs.

An entry serves every commit whose files the app reads alike (`apps.digest`), but a render's error and
warning texts may name files by their path in the commit's exported folder, and an error's location names
the source's `targetRevision`: `keep` stores those as placeholders and `fetch` puts the asking job's back,
so a text always names the tree and revision it was asked for.

The disk store belongs with `sources`' content-addressed cache; it lives here until that cache offers
a place for rendered apps, behind the same two-method protocol so callers will not change.
"""

from __future__ import annotations

import contextlib
import dataclasses
import pickle
import threading
from pathlib import Path
from typing import Protocol

from wavecd.apps.digest import git_roots
from wavecd.apps.render_app import RenderJob, RenderOutput
from wavecd.core.private_files import SealedFolder


class RenderCache(Protocol):
    def get(self, digest: str) -> RenderOutput | None: ...

    def put(self, digest: str, output: RenderOutput) -> None: ...


def fetch(cache: RenderCache, digest: str, job: RenderJob) -> RenderOutput | None:
    """The entry for `digest`, its texts naming `job`'s folders and revisions."""
    output = cache.get(digest)
    if output is None:
        return None
    return _relocated(output, [(mark, text) for text, mark in _places(job)])


def keep(cache: RenderCache, digest: str, job: RenderJob, output: RenderOutput) -> None:
    """Store `output` for `digest`, its texts naming `job`'s folders and revisions by placeholders."""
    cache.put(digest, _relocated(output, _places(job)))


def _places(job: RenderJob) -> list[tuple[str, str]]:
    """(text, placeholder) for what a render's texts may name that the digest leaves out: the exported folder
    of each git tree (it names the commit) and `repoURL@targetRevision` as an error's location shows it.
    Longest first, so that no text is cut by a shorter one it starts with."""
    places = [(str(root), f"\x00root{n}\x00") for n, (_, root) in enumerate(git_roots(job))]
    # the user's folders an error names instead of the exported trees (render_app.run_job)
    places += [(str(item.origin), f"\x00origin{n}\x00") for n, item in enumerate(job.sources) if item.origin]
    places += [
        (f"{item.source.repo_url}@{item.source.target_revision}", f"\x00revision{n}\x00")
        for n, item in enumerate(job.sources)
        if item.source.target_revision and not item.source.is_chart
    ]
    return sorted(places, key=lambda place: -len(place[0]))


def _relocated(output: RenderOutput, moves: list[tuple[str, str]]) -> RenderOutput:
    texts = [output.error or "", output.error_location or "", *output.warnings]
    if not any(old in text for text in texts for old, _ in moves):
        return output

    def move(text: str) -> str:
        for old, new in moves:
            text = text.replace(old, new)
        return text

    return dataclasses.replace(
        output,
        warnings=[move(w) for w in output.warnings],
        error=None if output.error is None else move(output.error),
        error_location=None if output.error_location is None else move(output.error_location),
    )


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
