"""The functions Helm adds to Sprig (`pkg/engine/funcs.go` + the closures of `engine.go`).

Static ones (`toYaml`, `fromJson`, `required`, `fail`, `lookup`, …) are built once per Helm version and
shared; `include` and `tpl` close over one template set, so they are bound per set (and per `tpl` clone).
`fail`/`required` wrap their message in Helm's markers so the final error can print it bare.

Each function catches only the error its Go counterpart can return (the marshaller's or parser's: GoYamlError,
GoJsonError, GoTomlError) and treats it as funcs.go does: toYaml/toJson swallow it into "", toToml returns
its text, fromYaml/fromJson/fromToml put it under an `Error` key, the `must` ones fail the template. Any
other exception is a wavecd bug and must not become manifest content: it propagates (see
`engine.wavecd_bug`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from wavecd.core.gonil import NilList, NilMap
from wavecd.gotemplate.funcs import FuncMap, GoFunc, GoFuncError
from wavecd.goyaml.errors import GoJsonError, GoTomlError, GoYamlError
from wavecd.goyaml.jsonvalue import json_kind
from wavecd.helm.compat import HelmCompat
from wavecd.helm.errors import warn_wrap

RECURSION_MAX = 1000


def _to_yaml(v: Any) -> str:
    from wavecd.goyaml.writer import to_yaml

    try:
        return to_yaml(v).removesuffix("\n")
    except GoYamlError:  # toYaml swallows marshalling errors into ""
        return ""


def _must_to_yaml(v: Any) -> str:
    from wavecd.goyaml.writer import to_yaml

    try:
        return to_yaml(v).removesuffix("\n")
    except GoYamlError as exc:
        raise GoFuncError(exc.message) from exc


def _to_yaml_pretty(v: Any) -> str:
    from wavecd.goyaml.writer import to_yaml_pretty

    try:
        return to_yaml_pretty(v).removesuffix("\n")
    except GoYamlError:  # toYamlPretty swallows encoding errors into ""
        return ""


def _from_yaml(text: str) -> dict[str, Any]:
    from wavecd.goyaml.reader import load

    try:
        return load(text, documents="first", expect="map")
    except GoYamlError as exc:
        return {"Error": exc.message}


def _from_yaml_array(text: str) -> list[Any]:
    from wavecd.goyaml.reader import load

    try:
        return load(text, documents="first", expect="list")
    except GoYamlError as exc:
        return [exc.message]


def _to_json(v: Any) -> str:
    from wavecd.goyaml.gojson import marshal

    try:
        return marshal(v)
    except GoJsonError:  # toJson swallows marshalling errors into ""
        return ""


def _must_to_json(v: Any) -> str:
    from wavecd.goyaml.gojson import marshal

    try:
        return marshal(v)
    except GoJsonError as exc:
        raise GoFuncError(exc.message) from exc


def _from_json(text: str) -> dict[str, Any]:
    from wavecd.goyaml.gojson import unmarshal

    try:
        value = unmarshal(text)
    except GoJsonError as exc:
        return {"Error": exc.message}
    if value is None:
        return NilMap()  # json.Unmarshal of null into a map makes it nil
    if not isinstance(value, dict):
        return {"Error": f"json: cannot unmarshal {json_kind(value)} into Go value of type map[string]interface {{}}"}
    return value


def _from_json_array(text: str) -> list[Any]:
    from wavecd.goyaml.gojson import unmarshal

    try:
        value = unmarshal(text)
    except GoJsonError as exc:
        return [exc.message]
    if value is None:
        return NilList()
    if not isinstance(value, list):
        return [f"json: cannot unmarshal {json_kind(value)} into Go value of type []interface {{}}"]
    return value


def _toml_functions(helm_major: int, with_must: bool) -> tuple[GoFunc, ...]:
    """toToml/fromToml (and Helm 4.2's mustToToml): Helm 3 and 4 link different BurntSushi/toml releases
    (float text, error lines); TOML integers decode as Go int64. toToml prints an encoding error as its
    result, mustToToml fails the template with it."""
    from wavecd.gotemplate.gotypes import Int64

    def to_toml(v: Any) -> str:
        from wavecd.goyaml.gotoml import marshal

        try:
            return marshal(v, helm_major=helm_major)
        except GoTomlError as exc:
            return exc.message

    def must_to_toml(v: Any) -> str:
        from wavecd.goyaml.gotoml import marshal

        try:
            return marshal(v, helm_major=helm_major)
        except GoTomlError as exc:
            raise GoFuncError(exc.message) from exc

    def from_toml(text: str) -> dict[str, Any]:
        from wavecd.goyaml.gotoml import unmarshal

        try:
            value = unmarshal(text, int_type=Int64, helm_major=helm_major)
        except GoTomlError as exc:
            return {"Error": exc.message}
        return value if isinstance(value, dict) else {}

    funcs = (GoFunc("toToml", to_toml, ("interface {}",)), GoFunc("fromToml", from_toml, ("string",)))
    return (*funcs, GoFunc("mustToToml", must_to_toml, ("interface {}",))) if with_must else funcs


def _required(message: str, value: Any) -> Any:
    if value is None or (isinstance(value, str) and value == ""):
        raise GoFuncError(warn_wrap(message))
    return value


def _fail(message: str) -> str:
    raise GoFuncError(warn_wrap(message))


def _lookup(api_version: str, kind: str, namespace: str, name: str) -> dict[str, Any]:
    return {}


def _get_host_by_name(name: str) -> str:
    return ""


@lru_cache(maxsize=4)
def helm_functions(compat: HelmCompat) -> FuncMap:
    """Sprig minus `env`/`expandenv`, plus Helm's own functions (without `include`/`tpl`)."""
    from wavecd.sprig import sprig_functions

    funcs = sprig_functions(go_version=compat.go_version_tuple, semver_lib=compat.semver_lib)
    del funcs["env"], funcs["expandenv"]  # del, not pop: a lazily held function leaves without loading
    extra = [
        *_toml_functions(compat.major, compat.has_must_to_toml),
        GoFunc("toYaml", _to_yaml, ("interface {}",)),
        GoFunc("toYamlPretty", _to_yaml_pretty, ("interface {}",)),
        GoFunc("fromYaml", _from_yaml, ("string",)),
        GoFunc("fromYamlArray", _from_yaml_array, ("string",)),
        GoFunc("toJson", _to_json, ("interface {}",)),
        GoFunc("fromJson", _from_json, ("string",)),
        GoFunc("fromJsonArray", _from_json_array, ("string",)),
        GoFunc("required", _required, ("string", "interface {}")),
        GoFunc("fail", _fail, ("string",)),
        GoFunc("lookup", _lookup, ("string", "string", "string", "string")),
        GoFunc("getHostByName", _get_host_by_name, ("string",)),
    ]
    if compat.major >= 4:
        extra += [
            GoFunc("mustToYaml", _must_to_yaml, ("interface {}",)),
            GoFunc("mustToJson", _must_to_json, ("interface {}",)),
        ]
    for f in extra:
        funcs[f.name] = f
    return funcs
