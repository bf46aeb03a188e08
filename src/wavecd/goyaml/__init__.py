"""YAML read and written as go-yaml v2 and sigs.k8s.io/yaml do, and JSON / TOML as Go's libraries do.

Public entry points (each module holds one of them):

- `reader.load(text, source=, documents=, expect=)` — sigs.k8s.io/yaml.Unmarshal as Helm reads values,
  Chart.yaml and `fromYaml` (YAML 1.1 scalars, JSON types, go-yaml's errors and line numbers).
- `manifests.load_manifests(text)` — Kubernetes manifests as kubectl and Argo CD read them (int64 numbers);
  `load_manifest(text)` one document, as the API server reads a YAML request body.
- `head.load_manifest_head(text, helm_major=)` — the (kind, name, annotations) Helm parses per manifest.
- `writer.to_yaml(value)` — sigs.k8s.io/yaml.Marshal byte for byte (`toYaml`).
- `pretty.to_yaml_pretty(value)` — go-yaml v3 with indent 2 (`toYamlPretty`).
- `gojson.marshal / unmarshal` — encoding/json (`toJson`, `toPrettyJson`, `toRawJson`, `fromJson`).
- `gotoml.marshal / unmarshal` — BurntSushi/toml (`toToml`, `fromToml`).

Errors are `GoYamlError`, `GoJsonError`, `GoTomlError` (all `WavecdError`s) whose `message` is Go's text.
"""

from typing import TYPE_CHECKING

from wavecd.core.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from wavecd.goyaml.errors import GoJsonError, GoTomlError, GoYamlError
    from wavecd.goyaml.head import ManifestHead, load_manifest_head
    from wavecd.goyaml.manifests import load_manifest, load_manifests, load_manifests_at
    from wavecd.goyaml.pretty import to_yaml_pretty
    from wavecd.goyaml.reader import load
    from wavecd.goyaml.writer import to_yaml

__all__ = [
    "GoJsonError",
    "GoTomlError",
    "GoYamlError",
    "ManifestHead",
    "load",
    "load_manifest",
    "load_manifest_head",
    "load_manifests",
    "load_manifests_at",
    "to_yaml",
    "to_yaml_pretty",
]

__getattr__, __dir__ = lazy_exports(__name__, __all__, ("errors", "reader", "writer", "head", "manifests", "pretty"))
