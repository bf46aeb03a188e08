"""values.schema.json validation of every chart of the tree, with Helm's report layout.

Validation itself is `jsonschema`. The report reproduces Helm's layout exactly (`<chart>:` then one `- …`
line per problem, all charts collected) and the message wording of each Helm line for the common keywords:
v3 words them like xeipuuv/gojsonschema (`- age: Must be greater than or equal to 0`), v4 like
santhosh-tekuri/jsonschema (`- at '/age': minimum: got -5, want 0`). Go orders problems by map iteration,
which is random; we order them by document position, so only the set of lines is comparable.
"""

from __future__ import annotations

import json
import posixpath
from typing import Any
from urllib.parse import urlsplit

from wavecd.gotemplate.gofloat import format_float
from wavecd.goyaml.jsonsyntax import syntax_error
from wavecd.helm.chart import Chart

_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(int(value))
    return str(value)


def _v4_num(value: Any) -> str:
    """A number as santhosh-tekuri/jsonschema prints it through golang.org/x/text's English printer: Go's `%v`
    of the float64 (exponent form from 1e6 up), digits grouped by commas, and `×10⁰⁶` for the exponent."""
    text = format_float(float(value), "g", -1)
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}×10{exponent.lstrip('+').translate(_SUPERSCRIPT)}"
    sign, body = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, dot, fraction = body.partition(".")
    return f"{sign}{int(whole):,}{dot}{fraction}"


def _json_type(value: Any, *, integers: bool) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer" if integers else "number"
    if isinstance(value, float):
        return "integer" if integers and value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _v4_line(err: Any) -> str:
    pointer = "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in err.absolute_path)
    v, kw, want = err.instance, err.validator, err.validator_value
    if kw == "required":
        missing = [p for p in want if isinstance(v, dict) and p not in v]
        msg = ("missing property " if len(missing) == 1 else "missing properties ") + ", ".join(
            f"'{m}'" for m in missing
        )
    elif kw == "type":
        wanted = want if isinstance(want, str) else " or ".join(want)
        msg = f"got {_json_type(v, integers=False)}, want {wanted}"
    elif kw in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"):
        msg = f"{kw}: got {_v4_num(v)}, want {_v4_num(want)}"
    elif kw in ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"):
        msg = f"{kw}: got {len(v)}, want {want}"
    elif kw == "pattern":
        msg = f"'{v}' does not match pattern '{want}'"
    elif kw == "additionalProperties":
        extra = [k for k in v if k not in err.schema.get("properties", {})] if isinstance(v, dict) else []
        msg = "additional properties " + ", ".join(f"'{k}'" for k in extra) + " not allowed"
    elif kw == "enum":
        msg = "value must be one of " + ", ".join(_v4_value(x) for x in want)
    elif kw == "const":
        msg = f"value must be {_v4_value(want)}"
    else:
        msg = err.message
    return f"- at '{pointer}': {msg}"


def _v4_value(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    return json.dumps(value)


def _v3_line(err: Any) -> str:
    path = ".".join(str(p) for p in err.absolute_path) or "(root)"
    v, kw, want = err.instance, err.validator, err.validator_value
    if kw == "required":
        missing = next((p for p in want if isinstance(v, dict) and p not in v), "")
        return f"- {path}: {missing} is required"
    if kw == "type":
        wanted = want if isinstance(want, str) else ",".join(want)
        msg = f"Invalid type. Expected: {wanted}, given: {_json_type(v, integers=True)}"
    elif kw == "minimum":
        msg = f"Must be greater than or equal to {_num(want)}"
    elif kw == "maximum":
        msg = f"Must be less than or equal to {_num(want)}"
    elif kw == "exclusiveMinimum":
        msg = f"Must be greater than {_num(want)}"
    elif kw == "exclusiveMaximum":
        msg = f"Must be less than {_num(want)}"
    elif kw == "minLength":
        msg = f"String length must be greater than or equal to {want}"
    elif kw == "maxLength":
        msg = f"String length must be less than or equal to {want}"
    elif kw == "minItems":
        msg = f"Array must have at least {want} items"
    elif kw == "maxItems":
        msg = f"Array must have at most {want} items"
    elif kw == "pattern":
        msg = f"Does not match pattern '{want}'"
    elif kw == "additionalProperties":
        extra = [k for k in v if k not in err.schema.get("properties", {})] if isinstance(v, dict) else []
        msg = f"Additional property {extra[0] if extra else ''} is not allowed"
    elif kw == "enum":
        msg = f"{path.rsplit('.', 1)[-1]} must be one of the following: " + ", ".join(json.dumps(x) for x in want)
    else:
        msg = err.message
    return f"- {path}: {msg}"


_VALIDATORS: dict[tuple[bytes, int], Any] = {}
"""Compiled validators by schema text: building one costs more than validating."""


def _validate_one(schema_bytes: bytes, values: dict[str, Any], helm_major: int) -> str:
    import jsonschema
    from jsonschema import validators

    key = (schema_bytes, helm_major)
    validator = _VALIDATORS.get(key)
    if validator is None:
        text = schema_bytes.decode("utf-8", errors="replace")
        try:
            schema = json.loads(text)
        except ValueError:
            # Helm reads the schema with a json.Decoder: a truncated text is io.ErrUnexpectedEOF, any other
            # fault the scanner's message; its text ends the chart's section without a newline.
            message = syntax_error(text)
            return "unexpected EOF" if message == "unexpected end of JSON input" else message
        unloadable = _file_ref_error(schema, helm_major)
        if unloadable:
            return unloadable
        default = validators.Draft202012Validator if helm_major >= 4 else validators.Draft7Validator
        try:
            validator = _VALIDATORS[key] = validators.validator_for(schema, default=default)(schema)
        except (jsonschema.exceptions.SchemaError, TypeError) as exc:
            return f"unable to validate schema: {exc}\n"
    try:
        errors = sorted(validator.iter_errors(values), key=lambda e: (list(map(str, e.absolute_path)), e.validator))
    except (jsonschema.exceptions.SchemaError, jsonschema.exceptions.RefResolutionError, TypeError) as exc:
        return f"unable to validate schema: {exc}\n"
    if not errors:
        return ""
    leaves = _drop_shadowed(_leaves(errors))
    if helm_major < 4:
        return "".join(_v3_line(e) + "\n" for e in leaves)
    return _v4_report(leaves)


def _file_ref_error(schema: Any, helm_major: int) -> str:
    """Helm's refusal of a `$ref` to another file: the schema has no file location, so the reference
    resolves against `/` (helm 4's loader fails to open it, helm 3's calls it not canonical). wavecd
    never opens the file: a chart must not make the renderer read the machine's disk."""
    if not isinstance(schema, dict) or "$id" in schema or "id" in schema:
        return ""
    for ref in _refs(schema):
        path, sharp, fragment = ref.partition("#")
        if not path or urlsplit(path).scheme:
            continue
        absolute = posixpath.normpath(posixpath.join("/", path))
        if helm_major >= 4:
            return f'failing loading "file://{absolute}": open {absolute}: no such file or directory'
        return f"Reference {absolute}{sharp}{fragment} must be canonical"
    return ""


def _refs(node: Any) -> Any:
    """Every `$ref` string of a schema, in document order."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


_KEYWORD_ORDER = {
    k: i
    for i, k in enumerate(
        (
            "type",
            "enum",
            "const",
            "multipleOf",
            "maximum",
            "exclusiveMaximum",
            "minimum",
            "exclusiveMinimum",
            "maxLength",
            "minLength",
            "pattern",
            "maxProperties",
            "minProperties",
            "required",
            "properties",
            "patternProperties",
            "additionalProperties",
            "maxItems",
            "minItems",
            "uniqueItems",
            "contains",
            "items",
        )
    )
}


def _drop_shadowed(errors: list[Any]) -> list[Any]:
    """A wrong type hides the other problems of the same value in both validators Helm uses."""
    typed = {tuple(e.absolute_path) for e in errors if e.validator == "type"}
    return [e for e in errors if e.validator == "type" or tuple(e.absolute_path) not in typed]


def _v4_report(errors: list[Any]) -> str:
    """santhosh-tekuri's tree: several problems under one top-level property become a `validation failed`
    entry with the problems indented under it, in the validator's keyword order."""
    groups: dict[Any, list[Any]] = {}
    for e in errors:
        key = e.absolute_path[0] if e.absolute_path else None
        groups.setdefault(key, []).append(e)
    out: list[str] = []
    for key, group in groups.items():
        if key is None or len(group) == 1:
            out.extend(_v4_line(e) + "\n" for e in group)
            continue
        out.append(f"- at '/{_pointer_part(key)}': validation failed\n")
        group.sort(
            key=lambda e: _KEYWORD_ORDER.get(
                e.validator
                if len(e.absolute_path) == 1
                else ("items" if isinstance(e.absolute_path[1], int) else "properties"),
                99,
            )
        )
        out.extend("  " + _v4_line(e) + "\n" for e in group)
    return "".join(out)


def _pointer_part(key: Any) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def _leaves(errors: list[Any]) -> list[Any]:
    """Leaf problems: combinators (`allOf`, `anyOf`, …) are replaced by their causes when they have some."""
    out: list[Any] = []
    for e in errors:
        if e.context and e.validator in ("allOf", "anyOf", "oneOf"):
            out.extend(_leaves(sorted(e.context, key=lambda c: list(map(str, c.absolute_path)))))
        else:
            out.append(e)
    return out


def validate_chart_values(chart: Chart, values: dict[str, Any], *, helm_major: int) -> str:
    """ValidateAgainstSchema: the report for this chart and its subcharts, '' when all is valid."""
    parts: list[str] = []
    if chart.schema is not None:
        problems = _validate_one(chart.schema, values, helm_major)
        if problems:
            parts.append(f"{chart.name}:\n{problems}")
    for sub in chart.dependencies:
        raw = values.get(sub.name)
        if raw is None:
            continue
        if not isinstance(raw, dict):
            parts.append(f"{sub.name}:\ninvalid type for values: expected object (map), got {type(raw).__name__}\n")
            continue
        parts.append(validate_chart_values(sub, raw, helm_major=helm_major))
    return "".join(parts)
