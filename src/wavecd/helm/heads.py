"""Manifest heads: the kind and annotations of a rendered document, read the way Helm reads them.

The YAML rules (what fails, duplicate keys tolerated, Go's error texts with `util.SimpleHead` in v4 and
`releaseutil.SimpleHead` in v3) live in `wavecd.goyaml.head.load_manifest_head`; this adapts its answer
to what the manifest sorter needs.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from wavecd.helm.compat import HelmCompat

_CACHE_SIZE = 8192
_CACHES: dict[int, OrderedDict[str, tuple[str, dict[str, str] | None]]] = {}
"""Rendered documents repeat from one render to the next; their heads are remembered by text."""


def head_parser(compat: HelmCompat) -> Callable[[str], tuple[str, dict[str, str] | None]]:
    """(document) -> (kind, annotations); raises ValueError carrying sigs.k8s.io/yaml's error text."""
    from wavecd.goyaml.errors import GoYamlError
    from wavecd.helm.decoded_cache import decoded

    major = compat.major

    def load(doc: str) -> tuple[str, dict[str, str] | None]:
        from wavecd.goyaml.head import load_manifest_head  # imports PyYAML: only for a head no cache holds

        head = load_manifest_head(doc, helm_major=major)
        return (head.kind, head.annotations)

    cache = _CACHES.setdefault(major, OrderedDict())

    def parse(doc: str) -> tuple[str, dict[str, str] | None]:
        hit = cache.get(doc)
        if hit is not None:
            return hit
        try:
            hit = cache[doc] = decoded(f"head v{major}", doc, load)
        except GoYamlError as exc:
            raise ValueError(exc.message) from None
        if len(cache) > _CACHE_SIZE:
            cache.popitem(last=False)
        return hit

    return parse
