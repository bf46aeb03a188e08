"""The head Helm reads from every rendered manifest: `yaml.Unmarshal(doc, &SimpleHead{})`.

Decoding into a Go struct changes what sigs.k8s.io/yaml does: numbers and booleans headed for a string
field (apiVersion, kind, metadata.name, annotation values) become strings, field names match without
regard to case, and type mismatches fail with encoding/json's `Go struct field` messages.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from wavecd.goyaml.decoder import CONVERT_PREFIX, JSON_PREFIX, decode_documents
from wavecd.goyaml.errors import GoYamlError
from wavecd.goyaml.gonum import format_g32
from wavecd.goyaml.jsonvalue import json_kind

_METADATA_TYPE = 'struct { Name string "json:\\"name\\""; Annotations map[string]string "json:\\"annotations\\"" }'
_HEAD_FIELDS = ("apiVersion", "kind", "metadata")
_META_FIELDS = ("name", "annotations")


class ManifestHead(NamedTuple):
    kind: str
    name: str
    annotations: dict[str, str]


def _field(key: str, fields: tuple[str, ...]) -> str | None:
    """encoding/json's field match: exact name first, then case-insensitive."""
    if key in fields:
        return key
    low = key.lower()
    for f in fields:
        if f.lower() == low:
            return f
    return None


def _as_string(v: Any) -> Any:
    """convertToJSONableObject's coercion of a number or boolean headed for a string field."""
    if v is True:
        return "true"
    if v is False:
        return "false"
    if type(v) is int:
        return str(v)
    if type(v) is float:
        s = format_g32(v)
        return {".inf": "+Inf", "-.inf": "-Inf", ".nan": "NaN"}.get(s, s)
    return v


def _unsupported(v: Any) -> str | None:
    """json.Marshal's refusal of the first NaN or infinity (sorted-key order), if any."""
    t = type(v)
    if t is float and (v != v or v in (float("inf"), float("-inf"))):
        return "json: unsupported value: " + ("NaN" if v != v else ("+Inf" if v > 0 else "-Inf"))
    if t is dict:
        for k in sorted(v):
            e = _unsupported(v[k])
            if e:
                return e
    elif t is list:
        for x in v:
            e = _unsupported(x)
            if e:
                return e
    return None


class _Decoder:
    """json.Unmarshal of the converted document into SimpleHead; keeps the first type error as Go does."""

    def __init__(self, head_type: str):
        self.head_type = head_type
        self.error: str | None = None
        self.kind = ""
        self.name = ""
        self.annotations: dict[str, str] = {}

    def fail(self, v: Any, where: str, go_type: str) -> None:
        if self.error is None:
            self.error = f"json: cannot unmarshal {json_kind(v)} into Go struct field {where} of type {go_type}"

    def string(self, v: Any, where: str) -> str | None:
        if v is None or isinstance(v, str):
            return v
        self.fail(v, where, "string")
        return None

    def head(self, doc: Any) -> None:
        if doc is None:
            return
        if type(doc) is not dict:
            self.error = f"json: cannot unmarshal {json_kind(doc)} into Go value of type {self.head_type}"
            return
        for key in sorted(doc):
            f = _field(key, _HEAD_FIELDS)
            v = doc[key]
            if f == "kind":
                s = self.string(v, "SimpleHead.kind")
                if s is not None:
                    self.kind = s
            elif f == "apiVersion":
                self.string(v, "SimpleHead.apiVersion")
            elif f == "metadata":
                self.metadata(v)

    def metadata(self, v: Any) -> None:
        if v is None:
            return
        if type(v) is not dict:
            self.fail(v, "SimpleHead.metadata", _METADATA_TYPE)
            return
        for key in sorted(v):
            f = _field(key, _META_FIELDS)
            x = v[key]
            if f == "name":
                s = self.string(x, ".metadata.name")
                if s is not None:
                    self.name = s
            elif f == "annotations":
                self.annotations_map(x)

    def annotations_map(self, v: Any) -> None:
        if v is None:
            return
        if type(v) is not dict:
            self.fail(v, ".metadata.annotations", "map[string]string")
            return
        for key in sorted(v):
            s = self.string(v[key], ".metadata.annotations")
            if s is not None or v[key] is None:
                self.annotations[key] = s or ""


def _coerce(doc: Any) -> Any:
    """Turn numbers/booleans into strings where SimpleHead has string fields (matching names as json does)."""
    if type(doc) is not dict:
        return doc
    out = dict(doc)
    for key, v in doc.items():
        f = _field(key, _HEAD_FIELDS)
        if f in ("kind", "apiVersion"):
            out[key] = _as_string(v)
        elif f == "metadata" and type(v) is dict:
            meta = dict(v)
            for mk, mv in v.items():
                mf = _field(mk, _META_FIELDS)
                if mf == "name":
                    meta[mk] = _as_string(mv)
                elif mf == "annotations" and type(mv) is dict:
                    meta[mk] = {ak: _as_string(av) for ak, av in mv.items()}
            out[key] = meta
    return out


def load_manifest_head(text: str, *, helm_major: int) -> ManifestHead:
    """kind, metadata.name and metadata.annotations of one rendered document, or Helm's error text.

    Raises GoYamlError whose message is what follows `YAML parse error on <file>: ` in Helm's output.
    """
    docs = decode_documents(text, 1, numbers="go")
    doc = _coerce(docs[0] if docs else None)
    problem = _unsupported(doc)
    if problem:
        raise GoYamlError(CONVERT_PREFIX + problem)
    dec = _Decoder("util.SimpleHead" if helm_major >= 4 else "releaseutil.SimpleHead")
    dec.head(doc)
    if dec.error is not None:
        raise GoYamlError(JSON_PREFIX + dec.error)
    return ManifestHead(dec.kind, dec.name, dec.annotations)
