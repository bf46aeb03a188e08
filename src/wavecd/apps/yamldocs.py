"""Kubernetes objects read from rendered YAML, as Argo CD's `kube.SplitYAML` / YAML-or-JSON decoder reads them.

The C loader is used for speed (this runs on every render). Timestamps stay strings, as they do when
sigs.k8s.io/yaml turns YAML into JSON; empty documents are skipped; anything but a mapping is an error.
"""

from __future__ import annotations

from typing import Any

import yaml

from wavecd.apps.errors import AppError
from wavecd.core import Location


class _Loader(yaml.CSafeLoader):
    """SafeLoader minus the timestamp resolver: Kubernetes objects carry dates as strings."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}


def load_objects(text: str, source: str) -> list[dict[str, Any]]:
    """Every non-empty document of `text`; `source` names the file in errors."""
    try:
        documents = list(yaml.load_all(text, Loader=_Loader))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(err, "problem", None) or str(err)
        raise AppError(
            f"failed to unmarshal manifest in {source}: {problem}", location=Location(file=source, line=line)
        ) from None
    objects = []
    for document in documents:
        if document is None:
            continue
        if not isinstance(document, dict):
            raise AppError(
                f"failed to unmarshal manifest in {source}: a document is a {type(document).__name__}, not an object",
                location=Location(file=source),
            )
        objects.append(document)
    return objects
