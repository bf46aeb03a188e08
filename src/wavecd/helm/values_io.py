"""Reading values files and Chart.yaml with Helm's YAML semantics and error texts, per Helm major version.

Helm 3 reads only the first YAML document of a values file; Helm 4 reads every document and merges them
(later wins, maps merged). Both go through sigs.k8s.io/yaml, so numbers are float64 and YAML 1.1 words are
booleans; that part lives in `wavecd.goyaml`.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from wavecd.goyaml.errors import GoYamlError
from wavecd.helm.coalesce import deep_copy

_CACHE_SIZE = 512
_decoded: OrderedDict[tuple[str, str], Any] = OrderedDict()


class ValuesError(ValueError):
    """Helm's text for a values document it cannot read (without the `failed to parse X: ` prefix)."""


def _text(data: bytes | str) -> str:
    return data if isinstance(data, str) else data.decode("utf-8", errors="replace")


def _cached(kind: str, text: str, decode: Any, shared: bool) -> Any:
    """Decoding YAML dominates loading a chart; the same files come back render after render, so decoded
    values are kept by text. `shared` hands out the cached object itself: only for callers that never
    mutate it (chart defaults: coalescing copies them); everyone else gets a copy."""
    key = (kind, text)
    hit = _decoded.get(key)
    if hit is None:
        from wavecd.helm.decoded_cache import decoded

        hit = _decoded[key] = decoded(kind, text, decode)
        if len(_decoded) > _CACHE_SIZE:
            _decoded.popitem(last=False)
    else:
        _decoded.move_to_end(key)
    return hit if shared else deep_copy(hit)


def _load(text: str, documents: str, expect: str | None = None) -> Any:
    """The decoder, imported only for a text that no cache holds (it imports PyYAML)."""
    from wavecd.goyaml.reader import load

    return load(text, documents=documents, expect=expect)


def read_yaml_document(data: bytes | str) -> Any:
    """The first YAML document, JSON-typed (sigs.k8s.io/yaml.Unmarshal); shared, not to be mutated."""
    try:
        return _cached("first", _text(data), lambda t: _load(t, "first"), True)
    except GoYamlError as exc:
        raise ValuesError(exc.message) from None


def read_values(data: bytes | str, *, helm_major: int, shared: bool = False) -> dict[str, Any]:
    """A values file as a map: v3 first document, v4 all documents merged; Helm's error texts.

    `shared=True` may return a cached map that the caller must not mutate."""
    try:
        if helm_major >= 4:
            return _cached("merge", _text(data), lambda t: _load(t, "merge"), shared)
        return _cached("map", _text(data), lambda t: _load(t, "first", "map"), shared)
    except GoYamlError as exc:
        raise ValuesError(exc.message) from None


def merge_maps(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """loader.MergeMaps: b over a, maps merged recursively, everything else replaced."""
    from wavecd.goyaml.reader import merge_maps as go_merge_maps

    return go_merge_maps(a, b)
