"""Kubernetes objects read from rendered YAML, as Argo CD's `kube.SplitYAML` reads them.

The reading itself is `wavecd.goyaml.load_manifests` (sigs.k8s.io/yaml's go-yaml v2 scalars, so `10:30`
stays a string as it does for kubectl and Argo CD); this module names the file in errors and refuses a
document that is not an object.
"""

from __future__ import annotations

from typing import Any

from wavecd.apps.errors import AppError
from wavecd.core import Location
from wavecd.goyaml import GoYamlError, load_manifests


def load_objects(text: str, source: str) -> list[dict[str, Any]]:
    """Every non-empty document of `text`; `source` names the file in errors."""
    try:
        documents = load_manifests(text)
    except GoYamlError as err:
        line = err.location.line if err.location else None
        raise AppError(
            f"failed to unmarshal manifest in {source}: {err.message}", location=Location(file=source, line=line)
        ) from None
    objects = []
    for document in documents:
        if not isinstance(document, dict):
            raise AppError(
                f"failed to unmarshal manifest in {source}: a document is a {type(document).__name__}, not an object",
                location=Location(file=source),
            )
        objects.append(document)
    return objects
