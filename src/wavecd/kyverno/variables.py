"""`{{ … }}` variables substituted into a rule (Kyverno `pkg/engine/variables/vars.go`): a string that is one
variable becomes the typed value; inside a longer string the value is spliced in as text (JSON for non-strings)
and the result is scanned again, unless the variable is shallow (`{{- x}}`); `\\{{` escapes. On DELETE,
`request.object` reads `request.oldObject`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from wavecd.kyverno.gofmt import json_text
from wavecd.kyverno.jmes import JMESPathError, search

__all__ = ["Context", "SubstitutionError", "substitute_all"]

_VARIABLES = re.compile(r"(^|[^\\])(\{\{(?:\{[^{}]*\}|[^{}])*\}\})")
_VARIABLE_INIT = re.compile(r"^\{\{(\{[^{}]*\}|[^{}])*\}\}")


class SubstitutionError(Exception):
    """A variable that could not be resolved; the text is Kyverno's."""


@dataclass
class Context:
    """The JSON context a rule's variables read: `request`, `images`, context entries, `element`. `mocked` says
    that values given by the caller stand in for context entries that would read the cluster."""

    data: dict[str, Any] = field(default_factory=dict)
    mocked: bool = False

    @property
    def operation(self) -> str:
        request = self.data.get("request")
        op = request.get("operation") if isinstance(request, dict) else None
        return op if isinstance(op, str) else ""

    def query(self, expression: str) -> Any:
        """The value of a JMESPath `expression` over the context; SubstitutionError-free, JMESPathError raises."""
        expression = expression.strip()
        if not expression:
            raise JMESPathError("invalid query (nil)")
        return search(expression, self.data)


def _split_variable(text: str) -> tuple[str, bool]:
    variable = text.replace("{{", "").replace("}}", "").strip()
    if variable.startswith("-"):
        return variable[1:].strip(), True
    return variable, False


def _current_path_query(path: str) -> str:
    """`{{@}}`: the JMESPath of the value at the current pattern node, under `request.object`."""
    parts = [p for p in path.split("/") if p]
    if "foreach" in parts:
        parts = parts[parts.index("foreach") + 1 :]
    parts = parts[2:]
    out = "request.object"
    for part in parts:
        out += f"[{part}]" if part.isdigit() else f".{part}"
    return out


def _substitute_string(value: str, context: Context, path: str) -> Any:
    found = [m.group(0) for m in _VARIABLES.finditer(value)]
    deleting = context.operation == "DELETE"
    while found:
        original = value
        shallow = False
        for matched in found:
            initial = _VARIABLE_INIT.match(matched) is not None
            text = matched if initial else matched[1:]
            variable, shallow = _split_variable(text)
            if variable == "@":
                variable = _current_path_query(path)
            if deleting:
                variable = variable.replace("request.object", "request.oldObject")
            try:
                result = context.query(variable)
            except JMESPathError as err:
                message = str(err)
                if not message.startswith("incorrect query"):
                    message = f"JMESPath query failed: {message}"
                raise SubstitutionError(f"failed to resolve {variable} at path {path}: {message}") from err
            if original == text:
                return result
            prefix = "" if initial else matched[0]
            if shallow and result is not None:
                result = str(result).replace("{{", "\\{{")
            replacement = result if isinstance(result, str) else json_text(result)
            value = value.replace(prefix + text, prefix + replacement, 1)
        found = [] if shallow else [m.group(0) for m in _VARIABLES.finditer(value)]
    return value.replace("\\{{", "{{")


def substitute_all(document: Any, context: Context, path: str = "") -> Any:
    """`document` with every variable in its strings and keys replaced; SubstitutionError when one fails."""
    if isinstance(document, str):
        return _substitute_string(document, context, path)
    if isinstance(document, list):
        return [substitute_all(item, context, f"{path}/{i}") for i, item in enumerate(document)]
    if isinstance(document, dict):
        out: dict[str, Any] = {}
        for key, item in document.items():
            new_key = _substitute_string(key, context, path) if "{{" in key else key
            out[new_key if isinstance(new_key, str) else json_text(new_key)] = substitute_all(
                item, context, f"{path}/{key}"
            )
        return out
    return document
