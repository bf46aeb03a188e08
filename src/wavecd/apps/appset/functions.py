"""The function map of ApplicationSet Go templates: Sprig minus the environment, plus Argo CD's additions."""

from __future__ import annotations

import re

from wavecd.gotemplate.funcs import FuncMap, GoFunc, GoFuncError
from wavecd.goyaml import reader, writer

_INVALID_DNS_CHARS = re.compile(r"[^-a-z0-9.]")
_MAX_DNS_NAME = 253


def sanitize_name(name: str) -> str:
    """Argo CD's `normalize`: lower-case, anything outside `[-a-z0-9.]` becomes `-`, at most 253 bytes."""
    name = _INVALID_DNS_CHARS.sub("-", name.lower())
    return name[:_MAX_DNS_NAME].strip("-.")


def _slug(text: str, max_length: int, smart_truncate: bool) -> str:
    """gosimple/slug's `Make` on the already-sanitised (ASCII) text that `slugify` passes it."""
    text = text.strip()
    if not smart_truncate and len(text) >= max_length:
        text = text[:max_length]
    text = re.sub(r"-+", "-", re.sub(r"[^a-zA-Z0-9_-]", "-", text)).strip("-_")
    if max_length > 0 and smart_truncate and len(text) > max_length:
        cut = text.rfind("-", 0, max_length + 1)
        return text[:cut] if cut >= 0 else text[:max_length]
    return text


def slugify(*args: object) -> str:
    """`slugify [maxLen] [smartTruncate] name` as Argo CD's SlugifyName reads its arguments."""
    max_length, smart, name = 50, True, ""
    for index, arg in enumerate(args):
        if index == len(args) - 1:
            name = str(arg)
        elif index == 0:
            max_length = int(arg)  # type: ignore[call-overload]
        elif index == 1:
            smart = bool(arg)
    return _slug(sanitize_name(name), max_length, smart)


def _to_yaml(value: object) -> str:
    return writer.to_yaml(value).removesuffix("\n")


def _from_yaml(text: str) -> dict:
    try:
        loaded = reader.load(text, source="fromYaml")
    except reader.GoYamlError as err:
        raise GoFuncError(err.message) from None
    return loaded if isinstance(loaded, dict) else {}


def _from_yaml_array(text: str) -> list:
    try:
        loaded = reader.load(text, source="fromYamlArray")
    except reader.GoYamlError as err:
        raise GoFuncError(err.message) from None
    return loaded if isinstance(loaded, list) else []


def appset_functions() -> FuncMap:
    """Sprig's generic map without `env`, `expandenv`, `getHostByName`, plus Argo CD's own five."""
    from wavecd.sprig import sprig_functions

    functions = sprig_functions()
    del functions["env"], functions["expandenv"], functions["getHostByName"]  # not loaded just to be dropped
    functions["normalize"] = GoFunc("normalize", sanitize_name, ("string",))
    functions["slugify"] = GoFunc("slugify", slugify, (), variadic="interface {}")
    functions["toYaml"] = GoFunc("toYaml", _to_yaml, ("interface {}",))
    functions["fromYaml"] = GoFunc("fromYaml", _from_yaml, ("string",))
    functions["fromYamlArray"] = GoFunc("fromYamlArray", _from_yaml_array, ("string",))
    return functions
