"""Kubernetes API semantics over the store: admission, defaults, generation, ownership, finalizers, no-op writes.

Both the HTTP layer and the simulated controllers write through `Api`, so controller status writes show up in
`managedFields` with `subresource: status` like on a real cluster. Every error is an `ApiError`.
"""

from __future__ import annotations

import builtins
import datetime
import threading
import uuid
from collections.abc import Callable
from typing import Any

import yaml

from wavecd.common import format_kube_time
from wavecd.core.jsondoc import merge_patch
from wavecd.goyaml import GoYamlError, load_manifest
from wavecd.sim import apierrors
from wavecd.sim.admission import KyvernoAdmission
from wavecd.sim.apierrors import ApiError
from wavecd.sim.defaults import INITIAL_STATUS, apply_defaults
from wavecd.sim.fieldpath import display
from wavecd.sim.managed import ConflictError, apply, record_update
from wavecd.sim.patch import PatchError, json_patch, strategic_merge
from wavecd.sim.pruning import fill_defaults, prune, strict_message
from wavecd.sim.registry import BUILTINS, Kind, Registry
from wavecd.sim.schema import Schema
from wavecd.sim.shapes import check as check_shapes
from wavecd.sim.store import Key, Store, clone
from wavecd.sim.validation import validate
from wavecd.sim.versions import present

APPLY = "application/apply-patch+yaml"
MERGE = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
_BUILTIN_KINDS = frozenset(BUILTINS)
# Custom resources have no Go types to carry patch strategies, so the apiserver does not offer SMP for them.
NO_SMP_FOR_CUSTOM = (
    "the body of the request was in an unknown format - accepted media types include: "
    "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
)
PATCH_TYPES = (APPLY, MERGE, JSON_PATCH, STRATEGIC)
FOREGROUND = "foregroundDeletion"
ORPHAN = "orphan"


def schema_for(kind: Kind) -> Schema:
    return Schema(kind.schema) if kind.schema is not None else Schema()


def _namespace_finalizers(old: dict, new: dict, subresource: str | None) -> None:
    """A Namespace's `spec.finalizers` change only through its `finalize` subresource (the namespace strategy
    keeps the old ones on any other write), so a sync that rewrites a namespace never unblocks its deletion;
    emptied, they are dropped, as the Go type's `omitempty` drops them."""
    spec = new.setdefault("spec", {})
    finalizers = spec.get("finalizers") if subresource == "finalize" else (old.get("spec") or {}).get("finalizers")
    if finalizers:
        spec["finalizers"] = clone(finalizers)
    else:
        spec.pop("finalizers", None)


def _spec_part(obj: dict, has_status: bool) -> dict:
    """What `generation` tracks: everything but metadata (and status, for kinds with a status subresource)."""
    skip = ("metadata", "status") if has_status else ("metadata",)
    return {k: v for k, v in obj.items() if k not in skip}


def _comparable(obj: dict) -> dict:
    """An object without its server-owned bookkeeping, to tell a no-op write from a change."""
    out = dict(obj)
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in ("resourceVersion", "managedFields")}
    out["metadata"] = meta
    return out


def _drop_nulls(value: Any) -> Any:
    """JSON `null` in a typed field means "absent" (Go's zero value), so it is dropped before anything reads it."""
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def _fields_only(entries: list[dict] | None) -> list:
    return [{k: v for k, v in e.items() if k != "time"} for e in entries or []]


class Api:
    def __init__(self, store: Store, registry: Registry, now: Callable[[], float]):
        self.store = store
        self.registry = registry
        self._now = now
        # Hooks the controllers install: called with (kind, event type, object) after each committed write.
        self.listeners: list[Callable[[Kind, str, dict], None]] = []
        # Per-thread request options the HTTP layer sets (`field_validation`) and reads back (`warnings`).
        self.request = threading.local()
        # Kyverno's validating webhook: consulted on every create and update of a resource (not of a status).
        self.admission = KyvernoAdmission(self)

    def now(self) -> float:
        """Seconds since the Unix epoch, as the cluster's timestamps count them."""
        return self._now()

    def timestamp(self) -> str:
        return format_kube_time(datetime.datetime.fromtimestamp(self._now(), tz=datetime.UTC))

    @staticmethod
    def key(kind: Kind, namespace: str | None, name: str) -> Key:
        return (kind.group, kind.plural, namespace or "" if kind.namespaced else "", name)

    # -- reads ---------------------------------------------------------------------------------------------------
    def get(self, kind: Kind, namespace: str | None, name: str) -> dict:
        obj = self.store.get(self.key(kind, namespace, name))
        if obj is None:
            raise apierrors.not_found(kind, name)
        return self._as_version(kind, obj)

    def find(self, kind: Kind, namespace: str | None, name: str) -> dict | None:
        obj = self.store.get(self.key(kind, namespace, name))
        return self._as_version(kind, obj) if obj is not None else None

    def list(
        self,
        kind: Kind,
        namespace: str | None,
        owner_uid: str | None = None,
        match: Callable[[dict], bool] | None = None,
    ) -> tuple[list[dict], int]:
        """Copies of the objects (those `match` takes, judged on the stored object) and the store's version."""
        with self.store.lock:
            scope = namespace if kind.namespaced else None
            items = self.store.list(kind.group, kind.plural, scope, owner_uid, match)
            return [self._as_version(kind, o) for o in items], self.store.rv

    def peek_list(
        self, kind: Kind, namespace: str | None, match: Callable[[dict], bool] | None = None
    ) -> builtins.list[dict]:
        """The stored objects themselves, as stored (not converted to `kind`'s version): for controllers that
        only read them, and must not mutate them."""
        scope = namespace if kind.namespaced else None
        return self.store.list(kind.group, kind.plural, scope, None, match, copy=False)

    @staticmethod
    def _as_version(kind: Kind, obj: dict) -> dict:
        return present(kind, obj)

    # -- admission -------------------------------------------------------------------------------------------------
    def _admit_namespace(self, kind: Kind, namespace: str | None, name: str, creating: bool) -> None:
        if not kind.namespaced:
            return
        ns_kind = self.registry.by_plural("", "v1", "namespaces")
        assert ns_kind is not None
        ns = self.store.peek(self.key(ns_kind, None, namespace or ""))
        if ns is None:
            raise apierrors.namespace_not_found(namespace or "")
        if creating and (ns.get("metadata") or {}).get("deletionTimestamp"):
            raise apierrors.terminating(kind, name, namespace or "")

    def _check_body(self, kind: Kind, body: object, namespace: str | None, name: str | None) -> dict:
        if not isinstance(body, dict):
            raise apierrors.bad_request("the object provided is not a Kubernetes object")
        api_version, obj_kind = body.get("apiVersion"), body.get("kind")
        if (api_version and obj_kind) and (api_version, obj_kind) != (kind.api_version, kind.kind):
            target = self.registry.for_api_version(str(api_version), str(obj_kind))
            if target is None:
                raise apierrors.no_kind(str(obj_kind), str(api_version))
            if (target.group, target.plural) != (kind.group, kind.plural):
                raise apierrors.bad_request(
                    f"the API version in the data ({api_version}) does not match the expected API version "
                    f"({kind.api_version})"
                )
        body = _drop_nulls(body)
        check_shapes(kind, body)
        meta = body.get("metadata") or {}
        if kind.namespaced and meta.get("namespace") and namespace and meta["namespace"] != namespace:
            raise apierrors.bad_request(
                "the namespace of the provided object does not match the namespace sent on the request"
            )
        if name is not None and meta.get("name") and meta["name"] != name:
            raise apierrors.bad_request(
                f"the name of the object ({meta['name']}) does not match the name on the URL ({name})"
            )
        return body

    # -- the write path -----------------------------------------------------------------------------------------------
    def _prepare(self, kind: Kind, obj: dict, namespace: str | None) -> dict:
        obj = clone(obj)
        obj["apiVersion"], obj["kind"] = kind.api_version, kind.kind
        meta = obj.setdefault("metadata", {})
        if kind.namespaced:
            meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)
        apply_defaults(kind.group, kind.kind, obj)
        if kind.schema is not None:
            fill_defaults(obj, kind.schema)
            unknown = prune(obj, kind.schema)
            if unknown:
                mode = getattr(self.request, "field_validation", "Warn")
                if mode == "Strict":
                    raise apierrors.bad_request(strict_message(unknown))
                if mode == "Warn":
                    self.request.warnings = [
                        *getattr(self.request, "warnings", []),
                        *(f'unknown field "{p}"' for p in unknown),
                    ]
        return obj

    def _commit(
        self,
        kind: Kind,
        old: dict | None,
        new: dict,
        *,
        manager: str,
        subresource: str | None,
        dry_run: bool,
        managed: builtins.list[dict] | None = None,
    ) -> tuple[dict, bool]:
        """Finish and store a write; returns (object, created). `managed` = managedFields already computed
        (apply), else an Update is recorded for `manager`."""
        namespace = (new.get("metadata") or {}).get("namespace")
        name = new["metadata"]["name"]
        key = self.key(kind, namespace, name)
        meta = new["metadata"]
        if old is None:
            meta["uid"] = str(uuid.uuid4())
            meta["creationTimestamp"] = self.timestamp()
            meta["generation"] = 1
            meta.pop("deletionTimestamp", None)
            if kind.status:
                new["status"] = clone(INITIAL_STATUS.get((kind.group, kind.kind), {}))
        else:
            old_meta = old["metadata"]
            for field in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"):
                if field in old_meta:
                    meta[field] = old_meta[field]
                else:
                    meta.pop(field, None)
            if subresource == "status":
                new = {**old, "status": new.get("status", {})}
                new["metadata"] = {**old["metadata"]}
                meta = new["metadata"]
            elif kind.status:
                if "status" in old:
                    new["status"] = clone(old["status"])
                else:
                    new.pop("status", None)
            if kind.kind == "Namespace":
                _namespace_finalizers(old, new, subresource)
            generation = old_meta.get("generation", 1)
            meta["generation"] = generation + (_spec_part(old, kind.status) != _spec_part(new, kind.status))
        if managed is None:
            managed = record_update(
                old,
                new,
                manager=manager,
                api_version=kind.api_version,
                schema=schema_for(kind),
                now=self.timestamp(),
                subresource=subresource,
                has_status=kind.status,
            )
        if managed:
            meta["managedFields"] = managed
        else:
            meta.pop("managedFields", None)
        if (
            old is not None
            and _comparable(old) == _comparable(new)
            and _fields_only((old.get("metadata") or {}).get("managedFields")) == _fields_only(managed)
        ):
            return present(kind, clone(old)), False
        if subresource is None and not (new.get("metadata") or {}).get("deletionTimestamp"):
            warnings = self.admission.check(kind, new, old, dry_run=dry_run)
            if warnings:
                self.request.warnings = [*getattr(self.request, "warnings", []), *warnings]
        if self._finished_deleting(new):
            if dry_run:
                return present(kind, new), False
            gone = self.store.delete(key)
            self._notify(kind, "DELETED", gone or new)
            if gone is not None:  # the answer is the write that finished the deletion, at its last version
                new["metadata"]["resourceVersion"] = gone["metadata"].get("resourceVersion", "")
            return present(kind, new), False
        if dry_run:
            new["metadata"]["resourceVersion"] = (old or {}).get("metadata", {}).get("resourceVersion", "")
            if not new["metadata"]["resourceVersion"]:
                new["metadata"].pop("resourceVersion")
            return present(kind, new), old is None
        stored = self.store.put(key, new)
        self._notify(kind, "ADDED" if old is None else "MODIFIED", stored)
        return present(kind, stored), old is None

    @staticmethod
    def _finished_deleting(obj: dict) -> bool:
        meta = obj.get("metadata") or {}
        if not meta.get("deletionTimestamp") or meta.get("finalizers"):
            return False
        return not (obj.get("kind") == "Namespace" and (obj.get("spec") or {}).get("finalizers"))

    def _notify(self, kind: Kind, event: str, obj: dict) -> None:
        for listener in self.listeners:
            listener(kind, event, obj)

    # -- verbs ---------------------------------------------------------------------------------------------------------
    def create(self, kind: Kind, namespace: str | None, body: object, *, manager: str, dry_run: bool = False) -> dict:
        body = self._check_body(kind, body, namespace, None)
        meta = body.get("metadata") or {}
        name = meta.get("name") or ""
        if not name and meta.get("generateName"):
            name = meta["generateName"] + uuid.uuid4().hex[:5]
        if not name:
            raise apierrors.invalid(
                kind,
                "",
                [("FieldValueRequired", "metadata.name", "Required value: name or generateName is required")],
            )
        with self.store.lock:
            self._admit_namespace(kind, namespace, name, creating=True)
            if self.store.peek(self.key(kind, namespace, name)) is not None:
                raise apierrors.already_exists(kind, name)
            new = self._prepare(kind, body, namespace)
            new["metadata"]["name"] = name
            validate(kind, new)
            for field in ("resourceVersion", "uid", "managedFields", "deletionTimestamp"):
                new["metadata"].pop(field, None)
            obj, _ = self._commit(kind, None, new, manager=manager, subresource=None, dry_run=dry_run)
            return obj

    def update(
        self,
        kind: Kind,
        namespace: str | None,
        name: str,
        body: object,
        *,
        manager: str,
        subresource: str | None = None,
        dry_run: bool = False,
    ) -> tuple[dict, bool]:
        body = self._check_body(kind, body, namespace, name)
        with self.store.lock:
            old = self.store.get(self.key(kind, namespace, name))
            if old is None:
                raise apierrors.not_found(kind, name)
            wanted_rv = (body.get("metadata") or {}).get("resourceVersion")
            if not wanted_rv and not kind.unconditional_update:
                raise apierrors.version_required(kind, name)
            if wanted_rv and wanted_rv != old["metadata"].get("resourceVersion"):
                raise apierrors.stale(kind, name)
            new = self._prepare(kind, body, namespace)
            new["metadata"]["name"] = name
            new["metadata"].pop("managedFields", None)
            return self._commit(kind, old, new, manager=manager, subresource=subresource, dry_run=dry_run)

    def patch(
        self,
        kind: Kind,
        namespace: str | None,
        name: str,
        content_type: str,
        raw: bytes,
        *,
        manager: str | None,
        force: bool = False,
        subresource: str | None = None,
        dry_run: bool = False,
    ) -> tuple[dict, bool]:
        if content_type == STRATEGIC and kind not in _BUILTIN_KINDS:
            raise ApiError(415, "UnsupportedMediaType", NO_SMP_FOR_CUSTOM)
        try:
            if not raw.strip():
                patch = None
            elif content_type == APPLY:  # read as the apiserver reads it: sigs.k8s.io/yaml
                patch = load_manifest(raw.decode("utf-8", "surrogateescape"))
            else:
                patch = yaml.load(raw, Loader=yaml.CSafeLoader)
        except (yaml.YAMLError, GoYamlError) as err:
            raise apierrors.bad_request(f"error decoding patch: {err}") from None
        if content_type == APPLY:
            if not manager:
                raise ApiError(
                    422,
                    "Invalid",
                    'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
                    {
                        "group": "meta.k8s.io",
                        "kind": "PatchOptions",
                        "causes": [
                            {
                                "reason": "FieldValueRequired",
                                "message": "Required value: is required for apply patch",
                                "field": "fieldManager",
                            }
                        ],
                    },
                )
            return self._apply(
                kind,
                namespace,
                name,
                patch,
                manager=manager,
                force=force,
                subresource=subresource,
                dry_run=dry_run,
            )
        with self.store.lock:
            old = self.store.get(self.key(kind, namespace, name))
            if old is None:
                raise apierrors.not_found(kind, name)
            try:
                if content_type == JSON_PATCH:
                    patched = json_patch(old, patch)
                elif content_type == MERGE:
                    patched = merge_patch(old, patch)
                else:
                    patched = strategic_merge(old, patch, schema_for(kind))
            except PatchError as err:
                if content_type == JSON_PATCH:
                    # The apiserver hides why a JSON patch did not apply behind its generic 422.
                    raise ApiError(422, "Invalid", apierrors.GENERIC_INVALID, {}) from None
                raise ApiError(422, "Invalid", str(err)) from None
            if not isinstance(patched, dict):
                raise apierrors.bad_request("the patch did not produce an object")
            patched = self._check_body(kind, patched, namespace, name)
            wanted_rv = (patched.get("metadata") or {}).get("resourceVersion")
            if wanted_rv and wanted_rv != old["metadata"].get("resourceVersion"):
                raise apierrors.stale(kind, name)
            new = self._prepare(kind, patched, namespace)
            new["metadata"]["name"] = name
            new["metadata"]["managedFields"] = old["metadata"].get("managedFields", [])
            return self._commit(kind, old, new, manager=manager or "unknown", subresource=subresource, dry_run=dry_run)

    def _apply(
        self,
        kind: Kind,
        namespace: str | None,
        name: str,
        config: object,
        *,
        manager: str,
        force: bool,
        subresource: str | None,
        dry_run: bool,
    ) -> tuple[dict, bool]:
        config = self._check_body(kind, config, namespace, name)
        if not config.get("apiVersion") or not config.get("kind"):
            raise apierrors.bad_request("apiVersion and kind must be set in an applied configuration")
        config = clone(config)
        meta = config.setdefault("metadata", {})
        meta["name"] = name
        if kind.namespaced:
            meta["namespace"] = namespace
        with self.store.lock:
            old = self.store.get(self.key(kind, namespace, name))
            if old is None:
                if subresource:
                    raise apierrors.not_found(kind, name)
                self._admit_namespace(kind, namespace, name, creating=True)
                validate(kind, config)
            try:
                merged = apply(
                    old,
                    config,
                    manager=manager,
                    api_version=kind.api_version,
                    schema=schema_for(kind),
                    force=force,
                    now=self.timestamp(),
                    subresource=subresource,
                    has_status=kind.status,
                )
            except ConflictError as err:
                raise ApiError(
                    409,
                    "Conflict",
                    str(err),
                    {
                        "causes": [
                            {
                                "reason": "FieldManagerConflict",
                                "message": f"conflict with {c.manager}",
                                "field": display(c.path),
                            }
                            for c in err.conflicts
                        ]
                    },
                ) from None
            managed = merged["metadata"].pop("managedFields", [])
            new = self._prepare(kind, merged, namespace)
            return self._commit(
                kind, old, new, manager=manager, subresource=subresource, dry_run=dry_run, managed=managed
            )

    def delete(
        self,
        kind: Kind,
        namespace: str | None,
        name: str,
        *,
        propagation: str | None = None,
        dry_run: bool = False,
        precondition_uid: str | None = None,
        precondition_rv: str | None = None,
    ) -> dict:
        with self.store.lock:
            key = self.key(kind, namespace, name)
            old = self.store.get(key)
            if old is None:
                raise apierrors.not_found(kind, name)
            meta = old["metadata"]
            if precondition_uid and precondition_uid != meta.get("uid"):
                raise ApiError(
                    409,
                    "Conflict",
                    f"Precondition failed: UID in precondition: {precondition_uid}, "
                    f"UID in object meta: {meta.get('uid')}",
                )
            if precondition_rv and precondition_rv != meta.get("resourceVersion"):
                raise apierrors.stale(kind, name)
            if not meta.get("deletionTimestamp"):
                self.admission.check(kind, old, None, deleting=True, dry_run=dry_run)
            if propagation == "Orphan":
                self._orphan_dependents(meta.get("uid"))
            finalizers = list(meta.get("finalizers") or [])
            if propagation == "Foreground" and FOREGROUND not in finalizers and not meta.get("deletionTimestamp"):
                finalizers.append(FOREGROUND)
            held = finalizers or (kind.kind == "Namespace" and (old.get("spec") or {}).get("finalizers"))
            if not held:
                if dry_run:
                    return self._as_version(kind, old)
                gone = self.store.delete(key)
                assert gone is not None
                self._notify(kind, "DELETED", gone)
                return self._as_version(kind, gone)
            if meta.get("deletionTimestamp") and finalizers == list(meta.get("finalizers") or []):
                return self._as_version(kind, old)
            new = clone(old)
            new["metadata"]["deletionTimestamp"] = meta.get("deletionTimestamp") or self.timestamp()
            if kind.kind != "Namespace":  # the namespace storage's own delete sets no grace period
                new["metadata"]["deletionGracePeriodSeconds"] = 0
            if finalizers:
                new["metadata"]["finalizers"] = finalizers
            if kind.kind == "Namespace":
                new.setdefault("status", {})["phase"] = "Terminating"
            if dry_run:
                return new
            stored = self.store.put(key, new)
            self._notify(kind, "MODIFIED", stored)
            return self._as_version(kind, stored)

    def _orphan_dependents(self, uid: str | None) -> None:
        if not uid:
            return
        for key in self.store.dependents(uid):  # the caller holds the store lock: every key is still there
            updated = clone(self.store.peek(key))
            kept = [r for r in updated["metadata"]["ownerReferences"] if r.get("uid") != uid]
            if kept:
                updated["metadata"]["ownerReferences"] = kept
            else:
                del updated["metadata"]["ownerReferences"]
            self.store.put(key, updated)
