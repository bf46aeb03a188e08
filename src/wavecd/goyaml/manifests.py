"""Kubernetes manifests read as kubectl and Argo CD read them, not as YAML 1.1 or 1.2 would.

Both split the text with apimachinery's YAMLReader (`---` lines), turn each part into JSON with
sigs.k8s.io/yaml (go-yaml v2 scalars: `10:30` a string, `yes`/`on`/`y` booleans, `1e3` a number, non-string
keys as strings, NaN refused) and decode that JSON into an unstructured object (a whole number an int64).
Upstream: Argo CD's `kube.SplitYAML` (gitops-engine pkg/utils/kube) and cli-runtime's `StreamVisitor`,
both over k8s.io/apimachinery/pkg/util/yaml's `YAMLOrJSONDecoder`.
"""

from __future__ import annotations

from typing import Any

from wavecd.core.errors import Location
from wavecd.goyaml.decoder import decode_documents
from wavecd.goyaml.errors import GoYamlError
from wavecd.goyaml.reader import split_documents_at


def load_manifests(text: str) -> list[Any]:
    """The value of every part of `text` that is not empty or null, in order.

    Raises GoYamlError with Go's text; go-yaml counts lines from the start of the part, the error's
    location from the start of `text`.
    """
    return [value for _start, _part, value in load_manifests_at(text)]


def load_manifests_at(text: str) -> list[tuple[int, str, Any]]:
    """`load_manifests` with, for each value, the lines of `text` before its part and the part's text: where
    a rendered object came from (a file's line, Helm's `# Source:` framing) at no second read."""
    values = []
    for start, part in split_documents_at(text):
        try:
            value = load_manifest(part)
        except GoYamlError as e:
            if e.line is not None:
                e.location = Location(line=start + e.line)
            raise
        if value is not None:
            values.append((start, part, value))
    return values


def load_manifest(text: str) -> Any:
    """The first document of `text` (None if there is none), as the API server reads a YAML request body:
    sigs.k8s.io/yaml.YAMLToJSON, then unstructured decoding. Raises GoYamlError with Go's text."""
    documents = decode_documents(text, 1, numbers="unstructured")
    return documents[0] if documents else None
