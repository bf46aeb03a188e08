"""Chart.yaml (and requirements.yaml) decoded into `Metadata` the way sigs.k8s.io/yaml + encoding/json do.

Three Go behaviours are reproduced because charts in the wild depend on them: a number or bool written where
a string field is expected becomes its text (`appVersion: 1.10` → "1.1"); keys match fields
case-insensitively, visited in sorted order (JSON marshalling sorts them, so the last match wins); and the
first type mismatch, in that order, is the error (`json: cannot unmarshal array into Go struct field
Metadata.name of type string`).
"""

from __future__ import annotations

import struct
from typing import Any

from wavecd.goyaml.jsonvalue import json_kind
from wavecd.helm.chart import Dependency, Maintainer, Metadata


class MetadataError(ValueError):
    """The decoding error text after `error unmarshaling JSON: while decoding JSON: `."""


def _shortest32(value: float) -> str:
    """strconv.FormatFloat(v, 'g', -1, 32): the text sigs.k8s.io/yaml gives a float read into a string."""
    f32 = struct.unpack("f", struct.pack("f", value))[0]
    for precision in range(1, 10):
        text = f"{f32:.{precision - 1}e}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == f32:
            break
    mantissa, _, exponent = text.partition("e")
    exp = int(exponent)
    negative = mantissa.startswith("-")
    digits = mantissa.lstrip("-").replace(".", "")
    sign = "-" if negative else ""
    if -4 <= exp < 6:
        if exp >= 0:
            whole = digits[: exp + 1].ljust(exp + 1, "0")
            frac = digits[exp + 1 :]
            return sign + whole + ("." + frac if frac else "")
        return sign + "0." + "0" * (-exp - 1) + digits
    body = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{body}e{'-' if exp < 0 else '+'}{abs(exp):02d}"


def _scalar_string(value: Any, where: str) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return _shortest32(value)
    raise MetadataError(f"json: cannot unmarshal {json_kind(value)} into Go struct field {where} of type string")


def _string_list(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise MetadataError(f"json: cannot unmarshal {json_kind(value)} into Go struct field {where} of type []string")
    return [_scalar_string(v, where) for v in value]


def _bool(value: Any, where: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise MetadataError(f"json: cannot unmarshal {json_kind(value)} into Go struct field {where} of type bool")
    return value


def _fields(data: dict[str, Any], names: tuple[str, ...]) -> list[tuple[str, Any]]:
    """(field json name, value) pairs in sorted key order, keys matched exactly or case-insensitively."""
    lowered = {n.lower(): n for n in names}
    out = []
    for key in sorted(data):
        name = key if key in names else lowered.get(key.lower())
        if name is not None:
            out.append((name, data[key]))
    return out


_METADATA_FIELDS = (
    "name",
    "home",
    "sources",
    "version",
    "description",
    "keywords",
    "maintainers",
    "icon",
    "apiVersion",
    "condition",
    "tags",
    "appVersion",
    "deprecated",
    "annotations",
    "kubeVersion",
    "dependencies",
    "type",
)
_STRING_FIELDS = {
    "name": "name",
    "home": "home",
    "version": "version",
    "description": "description",
    "icon": "icon",
    "apiVersion": "api_version",
    "condition": "condition",
    "tags": "tags",
    "appVersion": "app_version",
    "kubeVersion": "kube_version",
    "type": "type",
}
_DEP_FIELDS = ("name", "version", "repository", "condition", "tags", "enabled", "import-values", "alias")


def _not_object(value: Any, type_name: str, where: str | None) -> MetadataError:
    target = f"Go struct field {where}" if where else "Go value"
    return MetadataError(f"json: cannot unmarshal {json_kind(value)} into {target} of type {type_name}")


def decode_metadata(data: Any, md: Metadata | None = None, *, root_type: str = "chart.Metadata") -> Metadata:
    """Decode a Chart.yaml mapping into `md` (a new Metadata if None), like json.Unmarshal into the struct."""
    md = md or Metadata()
    if data is None:
        return md
    if not isinstance(data, dict):
        raise _not_object(data, root_type, None)
    for name, value in _fields(data, _METADATA_FIELDS):
        where = f"Metadata.{name}"
        if name in _STRING_FIELDS:
            setattr(md, _STRING_FIELDS[name], _scalar_string(value, where))
        elif name in ("sources", "keywords"):
            setattr(md, name, _string_list(value, where))
        elif name == "deprecated":
            md.deprecated = _bool(value, where)
        elif name == "annotations":
            md.annotations = _annotations(value, where)
        elif name == "maintainers":
            md.maintainers = _maintainers(value)
        else:
            md.dependencies = _dependencies(value)
    return md


def _annotations(value: Any, where: str) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _not_object(value, "map[string]string", where)
    return {k: _scalar_string(v, f"{where}") for k, v in value.items()}


def _maintainers(value: Any) -> list[Maintainer]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _not_object(value, "[]*chart.Maintainer", "Metadata.maintainers")
    out = []
    for item in value:
        if item is None:
            out.append(None)
            continue
        if not isinstance(item, dict):
            raise _not_object(item, "chart.Maintainer", "Metadata.maintainers")
        m = Maintainer()
        for name, v in _fields(item, ("name", "email", "url")):
            setattr(m, name, _scalar_string(v, f"Maintainer.maintainers.{name}"))
        out.append(m)
    return out


def _dependencies(value: Any) -> list[Dependency] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise _not_object(value, "[]*chart.Dependency", "Metadata.dependencies")
    out = []
    for item in value:
        if item is None:
            out.append(None)
            continue
        if not isinstance(item, dict):
            raise _not_object(item, "chart.Dependency", "Metadata.dependencies")
        d = Dependency()
        for name, v in _fields(item, _DEP_FIELDS):
            where = f"Dependency.dependencies.{name}"
            if name == "tags":
                d.tags = _string_list(v, where)
            elif name == "enabled":
                d.enabled = _bool(v, where)
            elif name == "import-values":
                if v is not None and not isinstance(v, list):
                    raise _not_object(v, "[]interface {}", where)
                d.import_values = list(v or [])
            else:
                setattr(d, name, _scalar_string(v, where))
        out.append(d)
    return out
