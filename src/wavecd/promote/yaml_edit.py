"""One scalar of a YAML file changed, and no other byte.

ruamel.yaml's round-trip loader says where the value stands (line and column of its first character);
the value's token is then replaced in the original text, so comments, key order, quoting, indentation,
blank lines and line endings elsewhere are the file's own, byte for byte — nothing is dumped again. The
new value keeps the old one's quoting: double-quoted stays double-quoted, single-quoted single, and a
plain value stays plain unless Helm would then read it as another type (a plain `1.5` is a number), in
which case it is double-quoted. The result is read back as Helm reads values (`goyaml`) and must equal
the old document with only that value changed; anything else is refused, never written.

Refused, with the file and line: block scalars (`|`, `>`), values behind an anchor, alias or tag, a value
that is a mapping or a list, and files that are not exactly one YAML document.
"""

from __future__ import annotations

import copy
import io
import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from wavecd.core import Location, UserInputError
from wavecd.goyaml import GoYamlError, load
from wavecd.promote.keypath import KeyPath, format_path

__all__ = ["lookup", "read_values", "set_scalar"]

_PLAIN_END = re.compile(r"\s+#|\s*$")
_FLOW_PLAIN_END = re.compile(r"\s*[,\]}]|\s+#|\s*$")


def _round_trip() -> YAML:
    yaml = YAML(typ="rt")
    return yaml


def read_values(text: str, name: str) -> Any:
    """The file as Helm reads it (sigs.k8s.io/yaml); a UserInputError naming the file when it does not parse."""
    try:
        return load(text, source=name)
    except GoYamlError as err:
        raise UserInputError(f"{name}: {err.message}", location=Location(file=name)) from None


def lookup(doc: Any, path: KeyPath) -> tuple[bool, Any]:
    """Whether `path` is set in `doc` (a null counts as set), and its value."""
    for part in path:
        if isinstance(part, int):
            if not isinstance(doc, list) or part >= len(doc):
                return False, None
            doc = doc[part]
        else:
            if not isinstance(doc, dict) or part not in doc:
                return False, None
            doc = doc[part]
    return True, doc


def _assign(doc: Any, path: KeyPath, value: Any) -> None:
    for part in path[:-1]:
        doc = doc[part]
    doc[path[-1]] = value


def _position(text: str, name: str, path: KeyPath) -> tuple[int, int, bool]:
    """(line, column) of the value's first character, both from 0, and whether it stands in a flow
    collection (`{a: 1}`, `[1, 2]`), where a plain value ends at `,`, `]` or `}`."""
    try:
        docs = list(_round_trip().load_all(io.StringIO(text)))
    except YAMLError as err:
        raise UserInputError(f"{name}: not YAML ruamel.yaml can keep as written: {err}") from None
    if len(docs) != 1:
        raise UserInputError(f"{name}: holds {len(docs)} YAML documents; wavecd edits only a file of one")
    node = docs[0]
    for part in path[:-1]:
        node = node[part]
    last = path[-1]
    line, column = node.lc.item(last) if isinstance(last, int) else node.lc.value(last)
    return int(line), int(column), bool(node.fa.flow_style())


def _token_end(line_text: str, start: int, name: str, line: int, flow: bool) -> int:
    first = line_text[start : start + 1]
    where = f"{name}:{line + 1}"
    if first == '"':
        i = start + 1
        while i < len(line_text):
            if line_text[i] == "\\":
                i += 2
                continue
            if line_text[i] == '"':
                return i + 1
            i += 1
    elif first == "'":
        i = start + 1
        while i < len(line_text):
            if line_text[i] == "'":
                if line_text[i + 1 : i + 2] == "'":
                    i += 2
                    continue
                return i + 1
            i += 1
    elif first in ("|", ">"):
        raise UserInputError(f"{where}: the value is a block scalar; wavecd edits only one-line values")
    elif first in ("&", "*", "!"):
        raise UserInputError(f"{where}: the value is behind an anchor, alias or tag; edit it by hand")
    else:
        match = (_FLOW_PLAIN_END if flow else _PLAIN_END).search(line_text, start)
        assert match is not None  # `\s*$` always matches
        return match.start()
    raise UserInputError(f"{where}: the quoted value goes on over several lines; wavecd edits only one-line values")


def _new_token(old_token: str, value: str, old_value: Any, name: str) -> str:
    double = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if old_token.startswith('"'):
        return double
    if old_token.startswith("'"):
        return "'" + value.replace("'", "''") + "'"
    try:
        plain = load(f"v: {value}\n", source=name)
    except GoYamlError:
        return double
    if isinstance(plain, dict) and set(plain) == {"v"}:
        read = plain["v"]
        if type(read) is type(old_value) or (isinstance(old_value, str) and isinstance(read, str)):
            return value
    return double


def set_scalar(text: str, name: str, path: KeyPath, value: str) -> str:
    """`text` with the scalar at `path` replaced by `value` (kept a string unless the old value was plain
    and of the type the new one reads as). UserInputError when it cannot be done without touching more."""
    before = read_values(text, name)
    found, old_value = lookup(before, path)
    if not found:
        raise UserInputError(f"{name}: {format_path(path)} is not set here")
    if isinstance(old_value, dict | list):
        raise UserInputError(
            f"{name}: {format_path(path)} is a {'mapping' if isinstance(old_value, dict) else 'list'}, not one value"
        )
    if old_value is None:
        # `key:` with nothing after it has no token to replace: the parser's position is already the next key's.
        raise UserInputError(
            f"{name}: {format_path(path)} is empty (null), so there is no value to replace; write one there "
            '(e.g. `tag: ""`) and run promote again'
        )
    line, column, flow = _position(text, name, path)
    lines = text.splitlines(keepends=True)
    line_text = lines[line]
    end = _token_end(line_text, column, name, line, flow)
    old_token = line_text[column:end]
    token = _new_token(old_token, value, old_value, name)
    lines[line] = line_text[:column] + token + line_text[end:]
    edited = "".join(lines)
    expected = copy.deepcopy(before)
    new_value = read_values(f"v: {token}\n", name)["v"]
    _assign(expected, path, new_value)
    try:
        after = read_values(edited, name)
    except UserInputError:
        after = None
    if after != expected:
        raise UserInputError(f"{name}:{line + 1}: the value could not be replaced on its own; edit it by hand")
    return edited
