"""The three non-apply patch formats: JSON patch (RFC 6902), merge patch (RFC 7386) and strategic merge patch.

Strategic merge patch merges keyed lists by their key (the schema's list-map key) and understands the
directives kubectl's client-side apply sends: `$patch: delete|replace|merge`, `$setElementOrder/<list>`,
`$deleteFromPrimitiveList/<list>` and `$retainKeys`.
"""

from __future__ import annotations

from typing import Any

from wavecd.core.jsondoc import clone
from wavecd.sim.schema import ListInfo, Schema


class PatchError(Exception):
    """The patch cannot be applied; the message is what the API answers (422 or 400)."""


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(f"invalid JSON pointer: {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _container(doc: Any, parts: list[str], path: str) -> Any:
    node = doc
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise PatchError(f"jsonpatch: path {path!r} not found")
    return node


def _index(node: list, part: str, path: str, *, adding: bool) -> int:
    if adding and part == "-":
        return len(node)
    if not part.isdigit() or int(part) > len(node) - (0 if adding else 1):
        raise PatchError(f"jsonpatch: index out of range in {path!r}")
    return int(part)


def json_patch(doc: Any, operations: Any) -> Any:
    if not isinstance(operations, list):
        raise PatchError("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    doc = clone(doc)
    for op in operations:
        if not isinstance(op, dict):
            raise PatchError("jsonpatch: operation is not an object")
        kind, path = op.get("op"), op.get("path", "")
        if kind in ("move", "copy"):
            source = _pointer(op.get("from", ""))
            value = clone(_container(doc, source, op.get("from", "")))
            if kind == "move":
                doc = _remove(doc, source, op.get("from", ""))
            doc = _add(doc, _pointer(path), value, path)
        elif kind == "add":
            doc = _add(doc, _pointer(path), clone(op.get("value")), path)
        elif kind == "remove":
            doc = _remove(doc, _pointer(path), path)
        elif kind == "replace":
            parts = _pointer(path)
            _container(doc, parts, path)
            doc = _add(_remove(doc, parts, path), parts, clone(op.get("value")), path)
        elif kind == "test":
            if _container(doc, _pointer(path), path) != op.get("value"):
                raise PatchError(f"testing value {path} failed")
        else:
            raise PatchError(f"Unexpected kind: {kind}")
    return doc


def _add(doc: Any, parts: list[str], value: Any, path: str) -> Any:
    if not parts:
        return value
    parent = _container(doc, parts[:-1], path)
    if isinstance(parent, dict):
        parent[parts[-1]] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, parts[-1], path, adding=True), value)
    else:
        raise PatchError(f"jsonpatch: path {path!r} not found")
    return doc


def _remove(doc: Any, parts: list[str], path: str) -> Any:
    if not parts:
        return None
    parent = _container(doc, parts[:-1], path)
    if isinstance(parent, dict) and parts[-1] in parent:
        del parent[parts[-1]]
    elif isinstance(parent, list):
        del parent[_index(parent, parts[-1], path, adding=False)]
    else:
        raise PatchError(f"jsonpatch: path {path!r} not found")
    return doc


def strategic_merge(target: Any, patch: Any, schema: Schema) -> Any:
    if not isinstance(patch, dict):
        return clone(patch)
    if patch.get("$patch") == "replace":
        return {k: clone(v) for k, v in patch.items() if k != "$patch"}
    if patch.get("$patch") == "delete":
        return None
    result = dict(target) if isinstance(target, dict) else {}
    retain = patch.get("$retainKeys")
    orders = {k[len(_SET_ORDER) :]: v for k, v in patch.items() if k.startswith(_SET_ORDER) and isinstance(v, list)}
    for key, value in patch.items():
        if key.startswith(_SET_ORDER) or key in ("$patch", "$retainKeys"):
            continue
        if key.startswith("$deleteFromPrimitiveList/"):
            name = key.split("/", 1)[1]
            if isinstance(result.get(name), list) and isinstance(value, list):
                result[name] = [v for v in result[name] if v not in value]
            continue
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict):
            merged = strategic_merge(result.get(key), value, schema.child(key))
            if merged is None:
                result.pop(key, None)
            else:
                result[key] = merged
        elif isinstance(value, list) and isinstance(result.get(key), list):
            result[key] = _merge_list(result[key], value, schema.list_info(key), schema.child(key).items())
        else:
            result[key] = _strip_directives(clone(value))
    for name, order in orders.items():
        # `$setElementOrder` outranks the patch's own order, which outranks the live order.
        info = schema.list_info(name)
        live = target.get(name) if isinstance(target, dict) else None
        if isinstance(result.get(name), list) and _mergeable(info):
            result[name] = _apply_order(result[name], order, live if isinstance(live, list) else [], info)
    if isinstance(retain, list):
        result = {k: v for k, v in result.items() if k in retain}
    return result


_SET_ORDER = "$setElementOrder/"


def _mergeable(info: ListInfo) -> bool:
    return info.kind == "set" or (info.kind == "map" and bool(info.keys))


def _identity(item: Any, info: ListInfo) -> Any:
    """What Kubernetes compares list items by: the merge key's value, or a primitive item itself."""
    value = item.get(info.keys[0]) if info.kind == "map" and isinstance(item, dict) else item
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return (type(value) is bool, value)


def _positions(items: list, info: ListInfo) -> dict[Any, int]:
    positions: dict[Any, int] = {}
    for i, item in enumerate(items):
        positions.setdefault(_identity(item, info), i)
    return positions


def _apply_order(merged: list, order: list, live: list, info: ListInfo) -> list:
    """Kubernetes' normalizeElementOrder: the items named in `order` sorted by it, the others (live-only
    items) sorted by the live order, then the two interleaved: a live-only item goes before an ordered
    item only when both are in the live list and it comes first there; so new items lead."""
    wanted = _positions(order, info)
    before = _positions(live, info)
    ordered = sorted((v for v in merged if _identity(v, info) in wanted), key=lambda v: wanted[_identity(v, info)])
    rest = sorted(
        (v for v in merged if _identity(v, info) not in wanted),
        key=lambda v: before.get(_identity(v, info), len(before)),
    )
    out: list = []
    i = j = 0
    while i < len(rest) and j < len(ordered):
        left, right = before.get(_identity(rest[i], info)), before.get(_identity(ordered[j], info))
        if left is not None and right is not None and left < right:
            out.append(rest[i])
            i += 1
        else:
            out.append(ordered[j])
            j += 1
    return out + rest[i:] + ordered[j:]


def _merge_list(live: list, patch: list, info: ListInfo, items: Schema) -> list:
    if info.kind == "set":
        merged = list(live) + [v for v in patch if v not in live]
        return _apply_order(merged, patch, live, info)
    if info.kind != "map" or not info.keys:
        return [_strip_directives(clone(v)) for v in patch if not _is_delete(v)]
    merge_key = info.keys[0]
    if any(isinstance(v, dict) and v.get("$patch") == "replace" for v in patch):
        return [_strip_directives(clone(v)) for v in patch if isinstance(v, dict) and "$patch" not in v]
    result = [clone(v) for v in live]
    for item in patch:
        if not isinstance(item, dict) or merge_key not in item:
            return [_strip_directives(clone(v)) for v in patch]
        index = next(
            (i for i, v in enumerate(result) if isinstance(v, dict) and v.get(merge_key) == item[merge_key]),
            None,
        )
        if _is_delete(item):
            if index is not None:
                del result[index]
        elif index is None:
            result.append(_strip_directives(clone(item)))
        else:
            result[index] = strategic_merge(result[index], item, items)
    kept = [v for v in patch if "$patch" not in v]
    return _apply_order(result, kept, live, info)


def _is_delete(item: Any) -> bool:
    return isinstance(item, dict) and item.get("$patch") == "delete"


def _strip_directives(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_directives(v) for k, v in value.items() if not k.startswith("$")}
    if isinstance(value, list):
        return [_strip_directives(v) for v in value]
    return value
