"""Server-side apply and field ownership (`metadata.managedFields`), a reduced structured-merge-diff.

Apply: the applied config's field set becomes the manager's set; fields it owned before and no longer names are
removed unless someone else owns them; naming another manager's field with a different value is a conflict
unless forced. Update (create, put, non-apply patch, controller writes): the fields whose values changed move to
the writer. Ownership that no longer matches any field is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wavecd.sim.fieldpath import (
    ITEM,
    Path,
    display,
    dump,
    from_fields_v1,
    leaves,
    prune_empty,
    remove,
    to_fields_v1,
)
from wavecd.sim.schema import Schema, item_key
from wavecd.sim.store import clone


@dataclass(frozen=True)
class Conflict:
    manager: str  # as printed: `"name"`, `"name" using apps/v1`, plus ` with subresource "status"`
    path: Path


class ConflictError(Exception):
    def __init__(self, conflicts: list[Conflict]):
        super().__init__(conflict_message(conflicts))
        self.conflicts = conflicts


def conflict_message(conflicts: list[Conflict]) -> str:
    """The apiserver's wording (`Apply failed with N conflicts: ...`)."""
    by_manager: dict[str, list[Path]] = {}
    for c in conflicts:
        by_manager.setdefault(c.manager, []).append(c.path)
    parts = []
    for manager, paths in by_manager.items():
        # The short form only when there is one conflict in all: with more, every manager gets the list form.
        if len(conflicts) == 1:
            parts.append(f"conflict with {manager}: {display(paths[0])}")
        else:
            parts.append(f"conflicts with {manager}:\n" + "\n".join(f"- {display(p)}" for p in paths))
    n = len(conflicts)
    return f"Apply failed with {n} conflict{'s' if n != 1 else ''}: " + "\n".join(parts)


def _manager_label(entry: dict) -> str:
    label = f'"{entry.get("manager", "")}"'
    if entry.get("operation") == "Update":
        label += f" using {entry.get('apiVersion', '')}"
    if entry.get("subresource"):
        label += f' with subresource "{entry["subresource"]}"'
    return label


def _entry_id(entry: dict) -> tuple[str, str, str]:
    return entry.get("manager", ""), entry.get("operation", ""), entry.get("subresource", "")


def _skip_for(subresource: str | None, has_status: bool) -> frozenset[str]:
    if subresource == "status":
        return frozenset(k for k in ("spec",))  # a status write owns only status (and metadata it touches)
    return frozenset({"status"}) if has_status else frozenset()


def _merge(live: Any, applied: Any, schema: Schema, field: str | None, parent: Schema | None) -> Any:
    """Applied config merged into live, list by list according to the schema."""
    if isinstance(live, dict) and isinstance(applied, dict) and not (parent and field and parent.atomic_map(field)):
        node = parent.child(field) if parent and field else schema
        result = dict(live)
        for key, value in applied.items():
            result[key] = _merge(live.get(key), value, node, key, node) if key in live else clone(value)
        return result
    if isinstance(live, list) and isinstance(applied, list) and parent is not None and field is not None:
        info = parent.list_info(field)
        if info.kind == "set":
            return _merge_ordered(live, [dump(v) for v in live], applied, [dump(v) for v in applied], None)
        if info.kind == "map":
            live_keys = [item_key(i, info) for i in live]
            applied_keys = [item_key(a, info) for a in applied]
            if any(k is None for k in live_keys) or any(k is None for k in applied_keys):
                return clone(applied)
            keys = [dump(k) for k in live_keys], [dump(k) for k in applied_keys]
            return _merge_ordered(live, keys[0], applied, keys[1], parent.child(field).items())
    return clone(applied)


def _merge_ordered(
    live: list, live_keys: list[str], applied: list, applied_keys: list[str], items: Schema | None
) -> list:
    """A keyed list merged in the order structured-merge-diff gives it (`typed/merge.go`, visitListItems): live
    items the applier does not name stay where they are, its own items follow its order, and the items both name
    are placed in the applier's order. `items`: the schema of a map list's items (None: a set, items are values)."""
    in_live = {k: i for i, k in reversed(list(enumerate(live_keys)))}
    in_applied = set(applied_keys)
    shared = [k for k in applied_keys if k in in_live]
    next_shared = shared.pop(0) if shared else None
    merged: set[str] = set()
    out = []

    def take(key: str, item: Any) -> Any:
        merged.add(key)
        if items is None or key not in in_live:
            return clone(item)
        return _merge(live[in_live[key]], item, items, None, None)

    li = ri = 0
    while li < len(live) or ri < len(applied):
        if li < len(live) and ri < len(applied):
            if live_keys[li] == applied_keys[ri]:
                out.append(take(applied_keys[ri], applied[ri]))
                li, ri = li + 1, ri + 1
                next_shared = shared.pop(0) if shared else None
                continue
            if live_keys[li] in in_applied and next_shared is not None and next_shared != live_keys[li]:
                li += 1  # named by the applier, placed in its order later
                continue
        if li < len(live):
            if live_keys[li] not in in_applied:
                out.append(live[li])
                li += 1
                continue
            if live_keys[li] in merged:
                li += 1
        if ri < len(applied):
            key = applied_keys[ri]
            out.append(take(key, applied[ri]))
            ri += 1
            if next_shared == key:
                next_shared = shared.pop(0) if shared else None
    return out


def _owned(entries: list[dict]) -> list[tuple[dict, set[Path]]]:
    return [(e, from_fields_v1(e.get("fieldsV1") or {})) for e in entries]


def _entries_out(owned: list[tuple[dict, set[Path]]], present: set[Path]) -> list[dict]:
    """Managed-field entries, each trimmed to fields that still exist; empty ones dropped."""
    out = []
    for entry, paths in owned:
        kept = paths & present
        if not kept:
            continue
        if kept != paths or "fieldsV1" not in entry:
            entry = {**entry, "fieldsV1": to_fields_v1(kept)}
        out.append(entry)
    return out


def _all_paths(obj: dict, schema: Schema) -> set[Path]:
    """Every path present in the object, including the containers above leaves (for trimming ownership)."""
    paths = set()
    for path in leaves(obj, schema):
        for i in range(1, len(path) + 1):
            paths.add(path[:i])
    return paths


def apply(
    live: dict | None,
    applied: dict,
    *,
    manager: str,
    api_version: str,
    schema: Schema,
    force: bool,
    now: str,
    subresource: str | None = None,
    has_status: bool = False,
) -> dict:
    """The object after `manager` applies `applied` to `live` (None = create). Raises `ConflictError`."""
    skip = _skip_for(subresource, has_status)
    applied_leaves = leaves(applied, schema, skip=skip)
    applied_set = set(applied_leaves)
    base = clone(live) if live is not None else {}
    meta = base.setdefault("metadata", {})
    owned = _owned(meta.get("managedFields") or [])
    mine: set[Path] = set()
    others: list[tuple[dict, set[Path]]] = []
    for entry, paths in owned:
        if _entry_id(entry) == (manager, "Apply", subresource or ""):
            mine = paths
        else:
            others.append((entry, paths))

    conflicts = []
    if live is not None:
        live_leaves = leaves(live, schema, skip=skip)
        for entry, paths in others:
            for path in sorted(paths & applied_set):
                value = applied_leaves[path]
                if value is ITEM or live_leaves.get(path, ITEM) == value:
                    continue
                conflicts.append((entry, path))
    if conflicts and not force:
        raise ConflictError([Conflict(_manager_label(e), p) for e, p in conflicts])
    taken = {p for _, p in conflicts}
    others = [(e, paths - taken) for e, paths in others]

    shared = set().union(*(paths for _, paths in others)) if others else set()
    removed: list[Path] = []
    for path in sorted(mine - applied_set - shared, key=len):
        if any(path[: len(r)] == r for r in removed):
            continue
        if remove(base, path):
            removed.append(path)
            prune_empty(base, path)

    body = {k: v for k, v in applied.items() if k not in skip and k not in ("apiVersion", "kind")}
    body_meta = {
        k: v
        for k, v in (body.pop("metadata", None) or {}).items()
        if k not in ("managedFields", "resourceVersion", "uid", "creationTimestamp", "generation")
    }
    merged = _merge(base, body, schema, None, None)
    merged["metadata"] = _merge(meta, body_meta, schema.child("metadata"), None, None) if body_meta else meta
    merged["metadata"] = {k: v for k, v in merged["metadata"].items() if k != "managedFields"}
    for key in ("apiVersion", "kind"):
        if key in applied:
            merged[key] = applied[key]

    my_id = (manager, "Apply", subresource or "")
    previous = next((e for e, _ in owned if _entry_id(e) == my_id), None)
    if previous is not None and mine == applied_set:
        my_entry = previous
    else:
        my_entry = {
            "manager": manager,
            "operation": "Apply",
            "apiVersion": api_version,
            "time": now,
            "fieldsType": "FieldsV1",
        }
        if subresource:
            my_entry["subresource"] = subresource
    rebuilt: list[tuple[dict, set[Path]]] = []
    for entry, paths in owned:
        if _entry_id(entry) == my_id:
            rebuilt.append((my_entry, applied_set))
        else:
            kept = paths - taken
            rebuilt.append((entry if kept == paths else _without_fields(entry), kept))
    if previous is None:
        rebuilt.append((my_entry, applied_set))
    entries = _entries_out(rebuilt, _all_paths(merged, schema))
    if entries:
        merged["metadata"]["managedFields"] = entries
    return merged


def _without_fields(entry: dict) -> dict:
    """A copy without `fieldsV1`, so `_entries_out` writes the new set."""
    return {k: v for k, v in entry.items() if k != "fieldsV1"}


def record_update(
    old: dict | None,
    new: dict,
    *,
    manager: str,
    api_version: str,
    schema: Schema,
    now: str,
    subresource: str | None = None,
    has_status: bool = False,
) -> list[dict]:
    """managedFields of `new` after `manager` wrote it with an Update: changed fields move to the writer."""
    skip = _skip_for(subresource, has_status)
    new_leaves = leaves(new, schema, skip=skip)
    old_leaves = leaves(old, schema, skip=skip) if old is not None else {}
    changed = {p for p, v in new_leaves.items() if p not in old_leaves or (v is not ITEM and old_leaves[p] != v)}
    # A map the write emptied was there before: only its removed children changed (a `finalize` that empties a
    # namespace's finalizers owns nothing).
    old_maps = {p[:i] for p in old_leaves for i in range(1, len(p))}
    changed = {p for p in changed if not (new_leaves[p] == {} and p in old_maps)}
    meta_source = old if old is not None else new
    owned = _owned((meta_source.get("metadata") or {}).get("managedFields") or [])
    me = (manager, "Update", subresource or "")
    result: list[tuple[dict, set[Path]]] = []
    mine: tuple[dict, set[Path]] | None = None
    for entry, paths in owned:
        if _entry_id(entry) == me:
            mine = (entry, paths)
            continue
        shrunk = paths - changed
        result.append((_without_fields(entry) if shrunk != paths else entry, shrunk))
    present = _all_paths(new, schema)
    if mine is None:
        if changed:
            entry = {
                "manager": manager,
                "operation": "Update",
                "apiVersion": api_version,
                "time": now,
                "fieldsType": "FieldsV1",
            }
            if subresource:
                entry["subresource"] = subresource
            result.append((entry, changed))
    else:
        entry, paths = mine
        combined = paths | changed
        if combined != paths or (paths - present):
            entry = _without_fields(entry)
            entry["time"] = now
            entry["apiVersion"] = api_version
        index = [_entry_id(e) for e, _ in owned].index(me)
        result.insert(index, (entry, combined))
    return _entries_out(result, present)
