"""Field sets: which fields of an object a manager owns, in structured-merge-diff's `FieldsV1` vocabulary.

A path is a tuple of elements: `f:<field>` (map/struct field), `k:<json key>` (an item of a keyed list),
`v:<json value>` (an item of a set). A set of paths converts to and from the nested `fieldsV1` dict that
`metadata.managedFields` carries.
"""

from __future__ import annotations

import json
from typing import Any

from wavecd.sim.schema import ListInfo, Schema, item_key

Path = tuple[str, ...]
ITEM = object()  # leaf marker for "this list item itself"

# Fields SSA never tracks: identity and server-owned metadata.
_IGNORED_META = frozenset(
    {
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "managedFields",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "selfLink",
    }
)


def dump(value: Any) -> str:
    """A value as managedFields name it (`v:"x"`, `k:{"name":"web"}`): compact JSON, keys sorted."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def leaves(obj: dict, schema: Schema, *, skip: frozenset[str] = frozenset()) -> dict[Path, Any]:
    """Every owned path of an object with its value (`ITEM` for a list item itself)."""
    out: dict[Path, Any] = {}
    for field, value in obj.items():
        if field in ("apiVersion", "kind") or field in skip:
            continue
        if field == "metadata" and isinstance(value, dict):
            meta = {k: v for k, v in value.items() if k not in _IGNORED_META}
            _walk(meta, schema.child("metadata"), ("f:metadata",), out)
            continue
        _field(field, value, schema, (), out)
    return out


def _field(field: str, value: Any, parent: Schema, prefix: Path, out: dict[Path, Any]) -> None:
    path = (*prefix, f"f:{field}")
    if isinstance(value, dict) and value and not parent.atomic_map(field):
        _walk(value, parent.child(field), path, out)
    elif isinstance(value, list) and value:
        info = parent.list_info(field)
        if info.kind == "atomic" or not _list_walk(value, info, parent.child(field).items(), path, out):
            out[path] = value
    else:
        out[path] = value


def _walk(obj: dict, schema: Schema, prefix: Path, out: dict[Path, Any]) -> None:
    for field, value in obj.items():
        _field(field, value, schema, prefix, out)


def _list_walk(items: list, info: ListInfo, schema: Schema, path: Path, out: dict[Path, Any]) -> bool:
    found: dict[Path, Any] = {}
    for item in items:
        if info.kind == "set":
            found[(*path, f"v:{dump(item)}")] = item
            continue
        key = item_key(item, info)
        if key is None:
            return False
        item_path = (*path, f"k:{dump(key)}")
        found[item_path] = ITEM
        _walk(item, schema, item_path, found)
    out.update(found)
    return True


def to_fields_v1(paths: set[Path]) -> dict:
    tree: dict = {}
    for path in sorted(paths):
        node = tree
        for element in path:
            node = node.setdefault(element, {})
        node.setdefault(".", {})
    return _tidy(tree)


def _tidy(node: dict) -> dict:
    """Drop the `.` marker where a member has no children (`{}` alone means member); keep it on list items."""
    children = {k: _tidy(v) for k, v in node.items() if k != "."}
    if "." in node and children:
        return {".": {}, **children}
    return children


def from_fields_v1(tree: dict, prefix: Path = ()) -> set[Path]:
    paths: set[Path] = set()
    for element, child in tree.items():
        if element == ".":
            continue
        path = (*prefix, element)
        if not isinstance(child, dict) or not child or "." in child:
            paths.add(path)
        if isinstance(child, dict):
            paths |= from_fields_v1(child, path)
    return paths


def _find(container: Any, element: str) -> tuple[Any, Any]:
    """(holder, index-or-field) of one path element in `container`, or (None, None) when absent."""
    if element.startswith("f:"):
        name = element[2:]
        if isinstance(container, dict) and name in container:
            return container, name
        return None, None
    if not isinstance(container, list):
        return None, None
    if element.startswith("v:"):
        wanted = json.loads(element[2:])
        for i, item in enumerate(container):
            if item == wanted:
                return container, i
        return None, None
    key = json.loads(element[2:])
    info = ListInfo("map", tuple(key))
    for i, item in enumerate(container):
        if item_key(item, info) == key:
            return container, i
    return None, None


def get(obj: dict, path: Path) -> Any:
    node: Any = obj
    for element in path:
        holder, where = _find(node, element)
        if holder is None:
            return None
        node = holder[where]
    return node


def remove(obj: dict, path: Path) -> bool:
    """Remove the field or item at `path`; False when it is not there."""
    node: Any = obj
    for element in path[:-1]:
        holder, where = _find(node, element)
        if holder is None:
            return False
        node = holder[where]
    holder, where = _find(node, path[-1])
    if holder is None:
        return False
    del holder[where]
    return True


def prune_empty(obj: dict, path: Path) -> None:
    """After removing `path`, drop the maps and lists left empty above it (typed objects omit them)."""
    for depth in range(len(path) - 1, 0, -1):
        parent = path[:depth]
        value = get(obj, parent)
        if value in ({}, []):
            remove(obj, parent)
        else:
            return


def display(path: Path) -> str:
    """`.spec.template.spec.containers[name="web"].image`, as apiserver conflict messages print paths."""
    out = []
    for element in path:
        kind, text = element[:2], element[2:]
        if kind == "f:":
            out.append("." + text)
        elif kind == "k:":
            key = json.loads(text)
            out.append("[" + ",".join(f"{k}={json.dumps(v)}" for k, v in key.items()) + "]")
        elif kind == "v:":
            out.append(f"[={text}]")
        else:
            out.append(f"[{text}]")
    return "".join(out)
