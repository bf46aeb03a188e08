"""Kubernetes objects read from rendered YAML, as Argo CD's `kube.SplitYAML` reads them.

The reading itself is `wavecd.goyaml.load_manifests` (sigs.k8s.io/yaml's go-yaml v2 scalars, so `10:30`
stays a string as it does for kubectl and Argo CD); this module names the file in errors and refuses a
document that is not an object.
"""

from __future__ import annotations

from typing import Any

from wavecd.apps.errors import AppError
from wavecd.core import Location
from wavecd.goyaml import GoYamlError, load_manifests_at


def load_objects(text: str, source: str) -> list[dict[str, Any]]:
    """Every non-empty document of `text`; `source` names the file in errors."""
    return [obj for _line, _part, obj in load_objects_at(text, source)]


def load_objects_at(text: str, source: str) -> list[tuple[int, str, dict[str, Any]]]:
    """`load_objects` with each object's 1-based first line in `text` and its document's text."""
    try:
        documents = load_manifests_at(text)
    except GoYamlError as err:
        line = err.location.line if err.location else None
        raise AppError(
            f"failed to unmarshal manifest in {source}: {err.message}", location=Location(file=source, line=line)
        ) from None
    objects = []
    for start, part, document in documents:
        if not isinstance(document, dict):
            raise AppError(
                f"failed to unmarshal manifest in {source}: a document is a {type(document).__name__}, not an object",
                location=Location(file=source),
            )
        objects.append((start + _first_content_line(part), part, document))
    return objects


def _first_content_line(part: str) -> int:
    """1 + the lines of `part` before its first line that is not a separator, a comment or blank."""
    for number, line in enumerate(part.split("\n", 64)):
        stripped = line.strip()
        if stripped and not stripped.startswith(("#", "---")):
            return number + 1
    return 1
