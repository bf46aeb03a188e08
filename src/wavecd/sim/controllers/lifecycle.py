"""Namespaces (Active → Terminating → gone), CRD establishment and removal, garbage collection through
ownerReferences (background and foreground), and the Ready condition of well-known operators' resources."""

from __future__ import annotations

from wavecd.sim.api import FOREGROUND
from wavecd.sim.apierrors import ApiError
from wavecd.sim.controllers.common import safe_delete, set_condition, write_status
from wavecd.sim.controllers.engine import CONTROLLER, Context
from wavecd.sim.registry import Kind, kinds_from_crd
from wavecd.sim.store import clone

CRD_FINALIZER = "customresourcecleanup.apiextensions.k8s.io"


def _remove_finalizer(ctx: Context, kind: Kind, obj: dict, finalizer: str) -> None:
    new = clone(obj)
    new["metadata"]["finalizers"] = [f for f in obj["metadata"].get("finalizers") or [] if f != finalizer]
    if not new["metadata"]["finalizers"]:
        del new["metadata"]["finalizers"]
    try:
        ctx.api.update(kind, obj["metadata"].get("namespace"), obj["metadata"]["name"], new, manager=CONTROLLER)
    except ApiError:
        return


def reconcile_namespace(ctx: Context, kind: Kind, ns: dict) -> None:
    meta = ns["metadata"]
    if not meta.get("deletionTimestamp"):
        return
    name = meta["name"]
    remaining = 0
    for kind_ in ctx.api.registry.resources():
        if not kind_.namespaced or not ctx.api.store.count(kind_.group, kind_.plural, name):
            continue
        items, _ = ctx.api.list(kind_, name)
        for obj in items:
            remaining += 1
            if not obj["metadata"].get("deletionTimestamp"):
                safe_delete(ctx, kind_, obj, "Background")
    if remaining:
        status = clone(ns.get("status") or {})
        status["phase"] = "Terminating"
        status["conditions"] = set_condition(
            status.get("conditions") or [],
            ctx,
            "NamespaceContentRemaining",
            "True",
            "SomeResourcesRemain",
            "Some resources are remaining",
        )
        write_status(ctx, kind, ns, status)
        ctx.recheck(kind, ns, ctx.now + 0.05)
        return
    finished = clone(ns)
    finished["spec"]["finalizers"] = []
    try:
        ctx.api.update(kind, None, name, finished, manager=CONTROLLER, subresource="finalize")
    except ApiError:
        return


def _crd_conflict(ctx: Context, crd: dict) -> str | None:
    spec = crd.get("spec") or {}
    group, names = spec.get("group"), spec.get("names") or {}
    crds, _ = ctx.api.list(
        ctx.engine.api.registry.by_plural("apiextensions.k8s.io", "v1", "customresourcedefinitions"), None
    )
    for other in crds:
        if other["metadata"]["name"] == crd["metadata"]["name"]:
            continue
        other_spec = other.get("spec") or {}
        if other_spec.get("group") != group:
            continue
        other_names = (other.get("status") or {}).get("acceptedNames") or {}
        if other_names.get("kind") and other_names.get("kind") == names.get("kind"):
            return f'"{names.get("kind")}" is already in use'
        if other_names.get("plural") and other_names.get("plural") == names.get("plural"):
            return f'"{names.get("plural")}" is already in use'
    return None


def reconcile_crd(ctx: Context, kind: Kind, crd: dict) -> None:
    meta = crd["metadata"]
    name = meta["name"]
    if meta.get("deletionTimestamp"):
        _remove_crd(ctx, kind, crd)
        return
    if CRD_FINALIZER not in (meta.get("finalizers") or []):
        new = clone(crd)
        new["metadata"]["finalizers"] = [*(meta.get("finalizers") or []), CRD_FINALIZER]
        ctx.api.update(kind, None, name, new, manager=CONTROLLER)
        return
    status = clone(crd.get("status") or {})
    conditions = status.get("conditions") or []
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    conflict = _crd_conflict(ctx, crd)
    if conflict:
        conditions = set_condition(conditions, ctx, "NamesAccepted", "False", "NameConflict", conflict)
        conditions = set_condition(conditions, ctx, "Established", "False", "NotAccepted", "not all names are accepted")
        status["conditions"] = conditions
        write_status(ctx, kind, crd, status)
        return
    accepted = {
        "plural": names.get("plural", ""),
        "singular": names.get("singular") or names.get("kind", "").lower(),
        "kind": names.get("kind", ""),
        "listKind": names.get("listKind") or f"{names.get('kind', '')}List",
    }
    for field in ("shortNames", "categories"):
        if names.get(field):
            accepted[field] = list(names[field])
    status["acceptedNames"] = accepted
    conditions = set_condition(conditions, ctx, "NamesAccepted", "True", "NoConflicts", "no conflicts found")
    timing = ctx.timing(kind, crd)
    established = timing.outcome == "ready" and ctx.now >= ctx.since(crd) + timing.delay
    if established:
        ctx.api.registry.register_crd(name, kinds_from_crd(crd), served_from=ctx.api.store.rv)
        conditions = set_condition(
            conditions,
            ctx,
            "Established",
            "True",
            "InitialNamesAccepted",
            "the initial names have been accepted",
        )
    else:
        if timing.outcome == "ready":
            ctx.recheck(kind, crd, ctx.since(crd) + timing.delay)
        conditions = set_condition(conditions, ctx, "Established", "False", "Installing", "the API is being installed")
    storage = [v.get("name") for v in spec.get("versions") or [] if v.get("storage")]
    stored = list(status.get("storedVersions") or [])
    for version in storage:
        if version not in stored:
            stored.append(version)
    status["storedVersions"] = stored
    status["conditions"] = conditions
    write_status(ctx, kind, crd, status)


def _remove_crd(ctx: Context, kind: Kind, crd: dict) -> None:
    name = crd["metadata"]["name"]
    remaining = 0
    for served in ctx.api.registry.crd_kinds(name)[:1]:
        items, _ = ctx.api.list(served, None)
        for obj in items:
            remaining += 1
            if not obj["metadata"].get("deletionTimestamp"):
                safe_delete(ctx, served, obj)
    if remaining:
        status = clone(crd.get("status") or {})
        status["conditions"] = set_condition(
            status.get("conditions") or [],
            ctx,
            "Terminating",
            "True",
            "InstanceDeletionInProgress",
            "CustomResource deletion is in progress",
        )
        write_status(ctx, kind, crd, status)
        ctx.recheck(kind, crd, ctx.now + 0.05)
        return
    ctx.api.registry.unregister_crd(name)
    _remove_finalizer(ctx, kind, crd, CRD_FINALIZER)


def collect_garbage(ctx: Context, kind: Kind, deleted: dict) -> None:
    """Background deletion: dependents of a deleted owner go too."""
    uid = deleted["metadata"].get("uid")
    for dep_kind, dep in _dependents(ctx, uid, deleted["metadata"].get("namespace")):
        safe_delete(ctx, dep_kind, dep, "Background")


def _dependents(ctx: Context, uid: str | None, namespace: str | None) -> list[tuple[Kind, dict]]:
    if not uid:
        return []
    found = []
    for group, plural, ns, name in ctx.api.store.dependents(uid):
        kind = ctx.api.registry.by_resource(group, plural)
        obj = ctx.api.find(kind, ns or None, name) if kind is not None else None
        if kind is not None and obj is not None:
            found.append((kind, obj))
    return found


def foreground(ctx: Context, kind: Kind, obj: dict) -> None:
    """Foreground deletion: the owner waits (finalizer `foregroundDeletion`) until its dependents are gone."""
    meta = obj["metadata"]
    if not meta.get("deletionTimestamp") or FOREGROUND not in (meta.get("finalizers") or []):
        return
    dependents = _dependents(ctx, meta.get("uid"), meta.get("namespace"))
    if not dependents:
        _remove_finalizer(ctx, kind, obj, FOREGROUND)
        return
    for dep_kind, dep in dependents:
        if not dep["metadata"].get("deletionTimestamp"):
            safe_delete(ctx, dep_kind, dep, "Foreground")
    ctx.recheck(kind, obj, ctx.now + 0.05)


def ready_condition(ctx: Context, kind: Kind, obj: dict) -> bool:
    """Custom resources of operators the example installs report `Ready=True` after their delay."""
    if not ctx.rules.has_ready_condition(kind.group) or obj["metadata"].get("deletionTimestamp"):
        return False
    timing = ctx.timing(kind, obj)
    since = ctx.since(obj)
    status = clone(obj.get("status") or {})
    generation = obj["metadata"].get("generation", 1)
    if timing.outcome == "fail" and ctx.now >= since + timing.failure_delay:
        conditions = set_condition(
            status.get("conditions") or [],
            ctx,
            "Ready",
            "False",
            "Failed",
            "simulated failure (sim.wavecd.io/outcome: fail)",
        )
    elif timing.outcome == "ready" and ctx.now >= since + timing.delay:
        conditions = set_condition(status.get("conditions") or [], ctx, "Ready", "True", "Ready", "")
    else:
        if timing.outcome != "never":
            due = since + (timing.failure_delay if timing.outcome == "fail" else timing.delay)
            ctx.recheck(kind, obj, due)
        return True
    status["conditions"] = conditions
    if kind.status:  # without a status subresource, a status write bumps generation itself
        for cond in conditions:
            cond["observedGeneration"] = generation
        status["observedGeneration"] = generation
    write_status(ctx, kind, obj, status)
    return True
