"""Decoded YAML documents (values files, Chart.yaml, rendered manifests' heads) kept across processes, so a
render from a filled template cache neither parses YAML nor imports PyYAML (its import alone is about a
tenth of a small chart's render: the C parser's module loads the whole pure-Python package, which compiles
its regexes).

Only `wavecd helm template` keeps entries (`keep_across_processes`): its process is one render, so PyYAML's
import is what it saves. The tree, the sync and the controller render many charts in processes that import
PyYAML anyway; there writing an entry per values file and per manifest made a cold 500-app tree a third
dearer in CPU and spared only parsing, which costs about what reading an entry back does.

An entry is the decoded value of one text read one way (`kind`: first document, first as a map, all merged),
pickled, in `<cache>/decoded/<key>`; the key digests the kind, the text and the same fingerprint of the
wavecd code as the template cache, so another wavecd never reads it. Like the template cache it is a
`SealedFolder`: an entry is read only when its HMAC under the user's key holds, else it is deleted unread
and the text decoded again. Only successful decodes are stored; an error is always the decoder's own. The
folder is trimmed to the template cache's limits once per process (a first render may add its few hundred
entries beyond them until the next process).
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wavecd.core.private_files import SealedFolder, cache_root
from wavecd.helm.template_cache import code_fingerprint, trim

__all__ = ["decoded", "keep_across_processes"]


_folders: dict[Path, SealedFolder] = {}
_trimmed: set[Path] = set()
_kept = [False]


def keep_across_processes() -> None:
    """From now on in this process, decoded texts are read from and written to the cache folder."""
    _kept[0] = True


def _sealed() -> SealedFolder:
    """One per cache folder and process: a render reads an entry per values file and per manifest, and the
    folder's checks need not run for each."""
    root = cache_root()
    sealed = _folders.get(root)
    if sealed is None:
        sealed = _folders[root] = SealedFolder(root / "decoded", root)
    return sealed


def decoded(kind: str, text: str, decode: Callable[[str], Any]) -> Any:
    """`decode(text)`, or (once `keep_across_processes` was called) what it returned for this text and kind in
    an earlier process."""
    if not _kept[0]:
        return decode(text)
    digest = hashlib.sha256(f"{code_fingerprint()}\0{kind}\0".encode())
    digest.update(text.encode("utf-8", errors="surrogatepass"))
    key = digest.hexdigest()
    sealed = _sealed()
    payload = sealed.read(key)
    if payload is not None:
        with contextlib.suppress(Exception):  # a sealed entry that does not load is only a miss
            return pickle.loads(payload)
    value = decode(text)
    with contextlib.suppress(OSError, pickle.PicklingError, RecursionError):
        if sealed.write(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)) and sealed.folder not in _trimmed:
            _trimmed.add(sealed.folder)  # once per process: trimming lists the folder, a render writes hundreds
            trim(sealed.folder)
    return value
